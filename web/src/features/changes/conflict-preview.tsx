import { Alert, List, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useConflictCheck, type PlanToCheck } from './conflicts-api';

/**
 * The change form's live conflict check: as the CIs, times or implementer change, the other changes and
 * maintenance windows the plan would meet, before it is saved (freezes have their own banner). Each says
 * whether it would stop the change being scheduled until a change manager acknowledges it.
 */
export function ConflictPreview(plan: PlanToCheck) {
  // NOTE: typing a time fires a change per keystroke; the check waits for a pause.
  const [debounced] = useDebouncedValue(plan, 400);
  const check = useConflictCheck(debounced);
  const items = (check.data?.items ?? []).filter((c) => c.kind !== 'freeze');
  if (!check.isSuccess || items.length === 0) {
    // The live region is always there, so that a screen reader hears the warning when it appears.
    return <div role="status" aria-live="polite" data-testid="conflict-preview" />;
  }
  const blocking = items.filter((c) => c.blocking).length;
  const others = new Set(items.map((c) => c.otherChange?.id).filter(Boolean)).size;
  const title = others > 0 ? `This plan meets ${others} other change${others === 1 ? '' : 's'}` : 'This plan falls outside a required maintenance window';
  return (
    <div role="status" aria-live="polite" data-testid="conflict-preview">
      <Alert color="yellow" variant="light" title={title}>
        <List size="sm" spacing={2}>
          {items.map((c) => (
            <List.Item key={c.id}>
              {c.message}
              {c.acknowledgement ? ` Acknowledged by ${c.acknowledgement.byName}.` : c.blocking ? ' It needs a change manager’s acknowledgement before the change can be scheduled.' : ''}
            </List.Item>
          ))}
        </List>
        {blocking > 0 && (
          <Text size="sm" mt={6}>
            You can still save. Move the change (Find a slot helps), or ask a change manager to acknowledge {blocking === 1 ? 'it' : 'them'} with a reason on the change’s
            Schedule tab.
          </Text>
        )}
      </Alert>
    </div>
  );
}
