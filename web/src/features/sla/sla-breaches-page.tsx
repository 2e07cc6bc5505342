import { Badge, Paper, SegmentedControl, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { lateness, METRIC_LABELS, type SlaMetric, targetWords, useSlaBreaches } from './sla-api';
import { NumberLink } from '../../shared/router-link';

/** The SLA report: approvals not decided and changes not scheduled within their targets, newest first. */
export function SlaBreachesPage() {
  const [metric, setMetric] = useState<SlaMetric | 'all'>('all');
  const query = useSlaBreaches(metric === 'all' ? null : metric);
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="SLA breaches"
        description="Approvals not decided and changes not scheduled within their SLA targets, newest first."
      />
      <SegmentedControl
        mb="sm"
        size="xs"
        value={metric}
        onChange={(v) => setMetric(v as SlaMetric | 'all')}
        data={[
          { value: 'all', label: 'All' },
          { value: 'approval_response', label: METRIC_LABELS.approval_response },
          { value: 'time_to_schedule', label: METRIC_LABELS.time_to_schedule },
        ]}
        aria-label="Metric"
      />
      {query.isPending && <PageLoader label="Loading the SLA breaches" />}
      {query.isError && <ErrorAlert error={query.error} title="Cannot load the SLA breaches" onRetry={() => void query.refetch()} />}
      {query.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No breaches. Every clock so far met its target.
        </Text>
      )}
      {items.length > 0 && (
        <>
          <Paper withBorder radius="sm">
            <Table aria-label="SLA breaches" verticalSpacing="xs" aria-busy={query.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={120}>Change</Table.Th>
                  <Table.Th>Title</Table.Th>
                  <Table.Th>Measures</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th w={170}>Due</Table.Th>
                  <Table.Th w={200}>Breach</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((b) => (
                  <Table.Tr key={b.id} data-breach={b.target}>
                    <Table.Td>
                      <NumberLink to={`/changes/${b.changeNumber}`}>{b.changeNumber}</NumberLink>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={2}>
                        {b.changeTitle}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{METRIC_LABELS[b.metric]}</Text>
                      {b.approverLabel && (
                        <Text size="xs" c="dimmed">
                          {b.approverLabel} ({b.rule})
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{targetWords(b.target)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(b.dueAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c="red.8" fw={600}>
                        {b.stoppedAt ? lateness(b.dueAt, b.stoppedAt) : 'Still open'}
                      </Text>
                      <Text size="xs" c="dimmed">
                        recorded {formatDateTime(b.breachedAt)}
                      </Text>
                      {b.escalatedAt && (
                        <Badge size="xs" color="orange" variant="light">
                          Escalated
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
          <LoadMore query={query} shown={items.length} />
        </>
      )}
    </>
  );
}
