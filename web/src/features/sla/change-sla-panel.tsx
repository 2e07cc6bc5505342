import { Paper, Table, Text, Title } from '@mantine/core';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { METRIC_LABELS, targetWords, useChangeSla } from './sla-api';
import { SlaStatusBadge } from './sla-status-badge';

/** The SLA clocks of a change: each approval's response time and the time to schedule, with what happened. */
export function ChangeSlaPanel({ changeId }: { changeId: string }) {
  const query = useChangeSla(changeId);
  return (
    <section aria-labelledby="sla-clocks-heading" data-testid="change-sla">
      <Title order={2} size="h5" id="sla-clocks-heading" mb={6}>
        SLA clocks
      </Title>
      {query.isPending && <PageLoader label="Loading the SLA clocks" />}
      {query.isError && <ErrorAlert error={query.error} title="Cannot load the SLA clocks" onRetry={() => void query.refetch()} />}
      {query.isSuccess && query.data.items.length === 0 && (
        <Text size="sm" c="dimmed">
          No SLA clock runs for this change.
        </Text>
      )}
      {query.isSuccess && query.data.items.length > 0 && (
        <Paper withBorder radius="sm">
          <Table aria-label="SLA clocks" verticalSpacing={6} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Measures</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Started</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th w={120}>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.items.map((c) => (
                <Table.Tr key={c.id} data-sla-target={c.target}>
                  <Table.Td>
                    {METRIC_LABELS[c.metric]}
                    {c.approverLabel && (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        · {c.approverLabel}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {targetWords(c.target)}
                    <Text span size="xs" c="dimmed">
                      {' '}
                      ({c.clock === 'business' ? 'business hours' : 'around the clock'})
                    </Text>
                  </Table.Td>
                  <Table.Td>{formatDateTime(c.startedAt)}</Table.Td>
                  <Table.Td>{formatDateTime(c.dueAt)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    <SlaStatusBadge status={c.status} />
                    <Text size="xs" c="dimmed">
                      {[c.remindedAt && `reminded ${formatDateTime(c.remindedAt)}`, c.escalatedAt && `escalated ${formatDateTime(c.escalatedAt)}`, c.stoppedAt && `stopped ${formatDateTime(c.stoppedAt)}`]
                        .filter(Boolean)
                        .join(' · ')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </section>
  );
}
