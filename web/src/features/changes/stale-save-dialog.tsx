import { Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import type { Change } from '../../api/types';
import { changeFieldLabel } from './field-labels';
import { type ChangeFormValues, formFromChange, toUpdateInput } from './change-form';

/** What a stale save means for the person's edits, once the latest copy is read. */
export interface StaleSave {
  /** The change as someone else saved it. */
  latest: Change;
  /** Fields the other person changed since this copy was read. */
  theirs: string[];
  /** The person's own edits to fields the other person did not touch: kept on reload. */
  kept: string[];
  /** The person's own edits to fields the other person changed too: theirs win on reload. */
  lost: string[];
  /** The other save also moved the change to another state. */
  movedTo: string | null;
}

/** Compares the copy the person edited (`base`, edited into `values`) with the latest one. */
export function staleSaveOf(base: Change, values: ChangeFormValues, latest: Change): StaleSave {
  const mine = Object.keys(toUpdateInput(base, values));
  const theirs = Object.keys(toUpdateInput(base, formFromChange(latest)));
  return {
    latest,
    theirs,
    kept: mine.filter((f) => !theirs.includes(f)),
    lost: mine.filter((f) => theirs.includes(f)),
    movedTo: latest.state !== base.state ? latest.state : null,
  };
}

/** The latest copy in the form, with the person's edits to the fields the other person left alone. */
export function keepMyEdits(stale: StaleSave, values: ChangeFormValues): ChangeFormValues {
  const next = formFromChange(stale.latest);
  const mine = values as unknown as Record<string, unknown>;
  return { ...next, ...Object.fromEntries(stale.kept.map((f) => [f, mine[f]])) } as ChangeFormValues;
}

const fieldList = (fields: string[]) => fields.map(changeFieldLabel).join(', ');

/**
 * Someone else saved the change first (412 stale_version): says which fields they changed and offers to reload
 * keeping the person's own edits, or to drop them.
 * NOTE: a dialog at the top of the viewport, not an alert above the form: the save button that failed may be far
 * down the page, and a Modal takes focus (to the safe choice) wherever the person was.
 */
export function StaleSaveDialog({
  stale,
  stateLabel,
  onKeep,
  onDiscard,
}: {
  stale: StaleSave | null;
  stateLabel: (state: string) => string;
  onKeep: () => void;
  onDiscard: () => void;
}) {
  return (
    <Modal
      opened={stale !== null}
      onClose={onKeep}
      title="Someone else saved this change first"
      yOffset="2vh"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close and keep my edits' }}
    >
      {stale && (
        <Stack gap="sm">
          <Text size="sm">
            {stale.theirs.length > 0 ? (
              <>
                They changed <strong>{fieldList(stale.theirs)}</strong>
                {stale.movedTo ? `, and moved it to ${stateLabel(stale.movedTo)}` : ''}. Nothing of yours was saved.
              </>
            ) : stale.movedTo ? (
              <>They moved it to {stateLabel(stale.movedTo)}. Nothing of yours was saved.</>
            ) : (
              <>Their save changed nothing you can edit here. Nothing of yours was saved.</>
            )}
          </Text>
          <List size="sm" spacing={4}>
            {stale.kept.length > 0 && <List.Item>Reloading keeps your edits to {fieldList(stale.kept)}.</List.Item>}
            {stale.lost.length > 0 && (
              <List.Item>
                Your edits to <strong>{fieldList(stale.lost)}</strong> are replaced by theirs: they changed those fields too.
              </List.Item>
            )}
            {stale.kept.length === 0 && stale.lost.length === 0 && <List.Item>You had no unsaved edits.</List.Item>}
          </List>
          <Text size="xs" c="dimmed">
            Check the change again, then save or take the step once more.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onDiscard}>
              Discard mine
            </Button>
            <Button onClick={onKeep} data-autofocus>
              Reload and keep my edits
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
