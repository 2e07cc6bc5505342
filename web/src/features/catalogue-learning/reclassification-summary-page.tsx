import { Group, Paper, SegmentedControl, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { KIND_WORDS, useReclassificationSummary } from './catalogue-learning-api';

type Period = '30' | '90' | '365' | 'all';
const PERIODS: { value: Period; label: string }[] = [
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last year' },
  { value: 'all', label: 'All' },
];

/** The start of the period, at the start of today's hour (so the query key stays put while the page is open). */
function sinceOf(period: Period): string | null {
  if (period === 'all') return null;
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  return new Date(hour - Number(period) * 86_400_000).toISOString();
}

/** Misclassification: how often changes were filed as the wrong type, per team or service, by kind. */
export function ReclassificationSummaryPage() {
  const [by, setBy] = useState<'team' | 'service'>('team');
  const [period, setPeriod] = useState<Period>('90');
  const query = useReclassificationSummary(by, sinceOf(period));
  const rows = query.data?.rows ?? [];
  return (
    <>
      <PageHeader
        title="Misclassification"
        description="Changes a change manager judged to be of another type than they were filed as, counted per team or per service. A change that touched several services counts for each of them."
      />
      <Group mb="sm" gap="sm">
        <SegmentedControl
          size="xs"
          value={by}
          onChange={(v) => setBy(v as 'team' | 'service')}
          data={[
            { value: 'team', label: 'Per team' },
            { value: 'service', label: 'Per service' },
          ]}
          aria-label="Count per"
        />
        <SegmentedControl size="xs" value={period} onChange={(v) => setPeriod(v as Period)} data={PERIODS} aria-label="Period" />
      </Group>
      {query.isPending && <PageLoader label="Loading the counts" />}
      {query.isError && <ErrorAlert error={query.error} title="Cannot load the counts" onRetry={() => void query.refetch()} />}
      {query.isSuccess && rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No change was reclassified in this period. A change manager records one with “Reclassify” on a change’s page.
        </Text>
      )}
      {rows.length > 0 && (
        <Paper withBorder radius="sm">
          <Table
            aria-label={by === 'team' ? 'Reclassifications per team' : 'Reclassifications per service'}
            verticalSpacing="xs"
            aria-busy={query.isFetching}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{by === 'team' ? 'Team' : 'Service'}</Table.Th>
                <Table.Th ta="right">{KIND_WORDS.not_urgent}</Table.Th>
                <Table.Th ta="right">{KIND_WORDS.should_be_standard}</Table.Th>
                <Table.Th ta="right">{KIND_WORDS.not_standard}</Table.Th>
                <Table.Th ta="right">{KIND_WORDS.other}</Table.Th>
                <Table.Th ta="right">Total</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.id ?? 'none'}>
                  <Table.Td>{r.name}</Table.Td>
                  <Table.Td ta="right">{r.notUrgent}</Table.Td>
                  <Table.Td ta="right">{r.shouldBeStandard}</Table.Td>
                  <Table.Td ta="right">{r.notStandard}</Table.Td>
                  <Table.Td ta="right">{r.other}</Table.Td>
                  <Table.Td ta="right" fw={600}>
                    {r.total}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </>
  );
}
