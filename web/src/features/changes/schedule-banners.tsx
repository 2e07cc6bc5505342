import { Alert, Button, Group, Text } from '@mantine/core';
import type { Change } from '../../api/types';
import { formatDateTime } from '../../shared/format';
import { formatInterval, useChangeConflicts } from './conflicts-api';

interface ScheduleBannersProps {
  change: Change;
  /** Opens the Schedule tab; absent while it is open. */
  onShow?: () => void;
}

/**
 * Above the change: a red banner while it is planned inside a freeze that blocks it, and a yellow one while an
 * urgent freeze holds it (lockdown).
 */
export function ScheduleBanners({ change, onShow }: ScheduleBannersProps) {
  const conflicts = useChangeConflicts(change.id);
  const items = conflicts.data?.items ?? [];
  const freeze = items.find((c) => c.kind === 'freeze' && c.blocking);
  const holder = change.hold ? items.find((c) => c.window?.id === change.hold!.windowId) : undefined;
  return (
    <>
      {change.hold && (
        <Alert color="yellow" variant="light" role="alert" title="On hold" data-testid="hold-banner">
          <Text size="sm">
            On hold by an urgent freeze{holder?.window ? ` (${holder.window.name})` : ''} until {formatDateTime(change.hold.until)}. Until
            then the change can only be cancelled.
          </Text>
        </Alert>
      )}
      {freeze && (
        <Alert color="red" variant="light" role="alert" title="Planned inside a freeze" data-testid="freeze-banner">
          <Group justify="space-between" gap="xs" align="flex-end">
            <div>
              <Text size="sm">
                Planned inside the freeze{freeze.window ? ` “${freeze.window.name}”` : ''} ({formatInterval(freeze.startsAt, freeze.endsAt)}
                ) — request an exception or {freeze.proposedSlot ? 'take the proposed slot' : 'find a free slot'}.
              </Text>
              {freeze.proposedSlot && (
                <Text size="sm" mt={2}>
                  Proposed: {formatInterval(freeze.proposedSlot.start, freeze.proposedSlot.end)}
                </Text>
              )}
            </div>
            {onShow && (
              <Button size="xs" variant="light" color="red" onClick={onShow}>
                Open the Schedule tab
              </Button>
            )}
          </Group>
        </Alert>
      )}
    </>
  );
}
