import { ConfirmDialog } from './confirm-dialog';
import type { UnsavedChanges } from './use-unsaved-changes';

/** "Leave without saving?" while a navigation away from a form with unsaved edits waits for an answer. */
export function UnsavedChangesDialog({ unsaved, what = 'this page' }: { unsaved: UnsavedChanges; what?: string }) {
  const blocker = unsaved.blocker;
  return (
    <ConfirmDialog
      opened={blocker !== null}
      title="Leave without saving?"
      confirmLabel="Leave and lose my edits"
      closeLabel="Stay on the page"
      color="red"
      onConfirm={() => blocker?.proceed?.()}
      onClose={() => blocker?.reset?.()}
    >
      You have edits on {what} that are not saved. If you leave now, they are lost.
    </ConfirmDialog>
  );
}
