import { Button, Code, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { issuesOf } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { formatDateTime } from '../../shared/format';
import { LoadMore } from '../../shared/load-more';
import { PageHeader } from '../../shared/page-header';
import { ActionsHeader, ListTable } from '../../shared/table-parts';
import { type DeadLetter, useDeadLetters, useDiscardDeadLetter, useRetryDeadLetter } from './deliveries-api';
import { ChangeNumberLink, EventTitle } from './delivery-parts';

/**
 * The dead letters: notices and follow-ups the worker gave up on after their last attempt. An admin queues one
 * again (once the cause is fixed) or discards it with a reason; both are audited.
 */
export function DeliveriesPage() {
  const letters = useDeadLetters();
  const retry = useRetryDeadLetter();
  const discard = useDiscardDeadLetter();
  const [discarding, setDiscarding] = useState<DeadLetter | null>(null);
  const [retried, setRetried] = useState<string | null>(null);
  const rows = letters.data?.pages.flatMap((p) => p.items) ?? [];
  const reasonIssue = issuesOf(discard.error).find((i) => i.path === 'reason')?.message;

  const onRetry = (letter: DeadLetter) => {
    setRetried(null);
    retry.mutate(letter.id, { onSuccess: () => setRetried(letter.summary) });
  };

  return (
    <>
      <PageHeader
        title="Deliveries"
        description="Dead letters: notices the worker gave up on after their last attempt. Retry one once its cause is fixed, or discard it with a reason."
      />
      {retried && (
        <Text role="status" size="sm" c="green.9" mb="sm">
          Queued “{retried}” again; the worker delivers it at its next pass.
        </Text>
      )}
      {retry.isError && <ErrorAlert error={retry.error} title="Not queued again" />}
      {letters.isError && <ErrorAlert error={letters.error} title="Cannot load the dead letters" />}
      <ListTable
        label="Dead letters"
        loading={letters.isPending}
        loadingLabel="Loading dead letters"
        empty={rows.length === 0 && 'No dead letters: every notice was delivered or is still being retried.'}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>About</Table.Th>
            <Table.Th w={130}>Change</Table.Th>
            <Table.Th w={190}>Given up</Table.Th>
            <Table.Th w={90}>Attempts</Table.Th>
            <Table.Th>Last error</Table.Th>
            <ActionsHeader w={190} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>
                <EventTitle title={d.summary} event={d.topic} strong />
              </Table.Td>
              <Table.Td>
                <ChangeNumberLink number={d.changeNumber} />
              </Table.Td>
              <Table.Td>{formatDateTime(d.deadAt)}</Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>
                <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{d.lastError ?? '—'}</Code>
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => onRetry(d)}
                    loading={retry.isPending && retry.variables === d.id}
                    aria-label={`Retry “${d.summary}”`}
                  >
                    Retry
                  </Button>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => {
                      discard.reset();
                      setDiscarding(d);
                    }}
                    aria-label={`Discard “${d.summary}”`}
                  >
                    Discard
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ListTable>
      {rows.length > 0 && <LoadMore query={letters} shown={rows.length} />}
      <ConfirmDialog
        opened={discarding !== null}
        title={`Discard “${discarding?.summary ?? ''}”?`}
        confirmLabel="Discard it"
        closeLabel="Keep it"
        reason={{ label: 'Reason', description: 'Kept with the item and in the audit trail.', required: true }}
        loading={discard.isPending}
        reasonError={reasonIssue}
        error={discard.isError && !reasonIssue ? <ErrorAlert error={discard.error} title="Not discarded" /> : undefined}
        onConfirm={(reason) => {
          if (!discarding) return;
          discard.mutate({ id: discarding.id, reason }, { onSuccess: () => setDiscarding(null) });
        }}
        onClose={() => setDiscarding(null)}
      >
        It will not be delivered. The item is kept, as evidence of what was never delivered.
      </ConfirmDialog>
    </>
  );
}
