import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { type Condition, useChangeConditions, useVerifyCondition } from './meetings-api';

/** Who verifies a condition, in words. */
export function verifierWords(c: Condition): string {
  switch (c.verifier.kind) {
    case 'person':
      return c.verifier.name;
    case 'check':
      return `the check ${c.verifier.check}`;
    default:
      return 'any change manager';
  }
}

function ConditionItem({ condition: c, onVerify }: { condition: Condition; onVerify: () => void }) {
  return (
    <Stack component="li" gap={2} aria-label={c.text}>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {c.text}
      </Text>
      <Group gap={4}>
        <Badge size="sm" variant="light" color={c.state === 'met' ? 'green' : 'orange'}>
          {c.state === 'met' ? 'Met' : 'Open'}
        </Badge>
        {c.overdue && (
          <Badge size="sm" variant="filled" color="red">
            Overdue
          </Badge>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {c.dueAt ? `Due ${formatDateTime(c.dueAt)}` : 'Due before implementation'} · verified by {verifierWords(c)}
        {c.verifier.kind === 'check' && c.state === 'open' && c.holds !== null ? (c.holds ? ' (holds now)' : ' (does not hold yet)') : ''}
      </Text>
      {c.state === 'met' && (
        <Text size="xs" c="dimmed">
          Met {formatDateTime(c.metAt)}
          {c.metBy ? ` by ${c.metBy.name}` : ''}
          {c.note ? `: ${c.note}` : ''}
        </Text>
      )}
      {c.state === 'open' && c.canVerify && (
        <Group>
          <Button size="compact-xs" variant="light" onClick={onVerify} aria-label={`Mark met: ${c.text}`}>
            Mark met
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/**
 * The conditions the board set on a change (approve with conditions): the change cannot enter implementation
 * until every one is met. Shown only when the change has some.
 */
export function ChangeConditionsPanel({ changeId }: { changeId: string }) {
  const conditions = useChangeConditions(changeId);
  const verify = useVerifyCondition(changeId);
  const [verifying, setVerifying] = useState<Condition | null>(null);

  if (conditions.isPending) return null;
  if (conditions.isError) {
    // Someone who may not see them, or a server without them, shows nothing.
    if (conditions.error instanceof ApiError && [403, 404].includes(conditions.error.status)) return null;
    return <ErrorAlert error={conditions.error} title="Cannot load the conditions" onRetry={() => void conditions.refetch()} />;
  }
  const items = conditions.data.items;
  if (items.length === 0) return null;
  const open = items.filter((c) => c.state === 'open').length;

  return (
    <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="conditions-heading">
      <Group justify="space-between" mb={4}>
        <Title order={2} size="h6" id="conditions-heading">
          Conditions
        </Title>
        <Text size="xs" c={open > 0 ? 'orange.9' : 'green.9'} fw={600}>
          {open > 0 ? `${open} open` : 'All met'}
        </Text>
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        {open > 0 ? 'Set by the board with its approval. The change cannot start its implementation until every condition is met.' : 'Set by the board with its approval; every one is met.'}
      </Text>
      <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {items.map((c) => (
          <ConditionItem
            key={c.id}
            condition={c}
            onVerify={() => {
              verify.reset();
              setVerifying(c);
            }}
          />
        ))}
      </Stack>
      <ConfirmDialog
        opened={verifying !== null}
        title="Mark the condition met?"
        confirmLabel="Mark met"
        closeLabel="Go back"
        color="green"
        reason={{ label: 'How was it met?', description: 'Optional; kept with the condition and in the change’s history.', required: false }}
        loading={verify.isPending}
        error={verify.isError ? <ErrorAlert error={verify.error} title="Not marked met" /> : undefined}
        onConfirm={(note) => verifying && verify.mutate({ conditionId: verifying.id, ...(note ? { note } : {}) }, { onSuccess: () => setVerifying(null) })}
        onClose={() => setVerifying(null)}
      >
        “{verifying?.text}”
      </ConfirmDialog>
    </Paper>
  );
}
