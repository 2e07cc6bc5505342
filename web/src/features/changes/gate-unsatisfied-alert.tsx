import { Alert, Button, List, Text } from '@mantine/core';
import { type BlockingGate, evidenceKindLabel, type GateStatus } from './governance-api';

interface GateUnsatisfiedAlertProps {
  /** `details.gates` of the 422 `gate_unsatisfied`. */
  gates: BlockingGate[];
  /** The label of the refused step, e.g. "Start implementation". */
  action: string;
  /** The change's gates, when loaded: they give each blocking one its reason. */
  known?: GateStatus[];
  onShow?: () => void;
  onClose?: () => void;
}

/** Names every gate that stands between the change and the step it was refused, with the evidence each misses. */
export function GateUnsatisfiedAlert({ gates, action, known = [], onShow, onClose }: GateUnsatisfiedAlertProps) {
  const byName = new Map(known.map((g) => [g.name, g]));
  return (
    <Alert
      color="orange"
      variant="light"
      role="alert"
      title={`“${action}” needs evidence first`}
      withCloseButton={!!onClose}
      onClose={onClose}
      closeButtonLabel="Dismiss"
    >
      <List size="sm" spacing={2} aria-label="Unsatisfied gates">
        {gates.map((g) => {
          const reason = g.reason || byName.get(g.name)?.reason;
          return (
            <List.Item key={g.name}>
              <Text span size="sm" fw={600} ff="monospace">
                {g.name}
              </Text>
              : missing {g.missing.map(evidenceKindLabel).join(' and ')}
              {reason && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  — {reason}
                </Text>
              )}
            </List.Item>
          );
        })}
      </List>
      {onShow && (
        <Button size="xs" variant="light" color="orange" mt="xs" onClick={onShow}>
          Show the evidence
        </Button>
      )}
    </Alert>
  );
}

/** A final state refused while a break-glass bypass still waits for its review (422 `review_required`). */
export function ReviewRequiredAlert({ action, message, onClose }: { action: string; message: string; onClose?: () => void }) {
  return (
    <Alert
      color="red"
      variant="light"
      role="alert"
      title={`“${action}” needs the break-glass review first`}
      withCloseButton={!!onClose}
      onClose={onClose}
      closeButtonLabel="Dismiss"
    >
      <Text size="sm">{message}</Text>
      <Text size="xs" c="dimmed" mt={4}>
        A change manager other than the one who broke glass records the review in the red banner above.
      </Text>
    </Alert>
  );
}
