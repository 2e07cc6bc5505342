import { Badge, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDate } from '../../shared/format';
import { ENVIRONMENT_LABELS, toOptions } from '../../shared/labels';
import { customFilter, dayFilter, selectFilter } from '../../shared/list/filters';
import { useListParams } from '../../shared/list/use-list-params';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { useTeams } from '../admin/admin-api';
import { secondsWords, ServiceFilter } from '../deployments/deployment-ui';
import { type DoraFilters, type DoraMetrics, useDoraMetrics } from './dora-api';
import { TrendChart } from './dora-chart';

type Rating = DoraMetrics['deploymentFrequency']['rating'];
type Records = DoraMetrics['deploymentFrequency']['records'];

const RATING_WORDS: Record<Rating, { label: string; color: string }> = {
  elite: { label: 'Elite', color: 'green' },
  high: { label: 'High', color: 'teal' },
  medium: { label: 'Medium', color: 'yellow' },
  low: { label: 'Low', color: 'red' },
  insufficient_data: { label: 'Insufficient data', color: 'gray' },
};

const FILTER_KEYS = ['serviceId', 'teamId', 'environment', 'from', 'to'] as const;

const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10} %`;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** "See the 12 deployments" (or "the first 50 of 80"), as a link to the deployment list of exactly those. */
function RecordsLink({ records, what }: { records: Records; what: string }) {
  if (records.count === 0)
    return (
      <Text size="xs" c="dimmed">
        No {what} behind it.
      </Text>
    );
  const shown =
    records.ids.length < records.count ? `the first ${records.ids.length} of ${records.count} ${what}` : `the ${records.count} ${what}`;
  return (
    <RouterAnchor to={`/deployments?ids=${records.ids.join(',')}`} size="xs">
      See {shown}
    </RouterAnchor>
  );
}

function Figure({
  title,
  value,
  detail,
  rating,
  children,
}: {
  title: string;
  value: string;
  detail: ReactNode;
  rating: Rating;
  children: ReactNode;
}) {
  const words = RATING_WORDS[rating];
  return (
    <Paper withBorder p="sm" radius="sm" component="section" aria-label={title}>
      <Stack gap={4}>
        <Group justify="space-between" gap={4} align="flex-start">
          <Title order={2} size="h6">
            {title}
          </Title>
          <Badge color={words.color} variant="light" radius="sm" tt="none" data-testid="dora-rating">
            {words.label}
          </Badge>
        </Group>
        <Text fz={26} fw={700} data-testid="dora-value">
          {value}
        </Text>
        <Text size="sm">{detail}</Text>
        {children}
      </Stack>
    </Paper>
  );
}

function Figures({ m }: { m: DoraMetrics }) {
  const df = m.deploymentFrequency;
  const lt = m.leadTimeForChanges;
  const cfr = m.changeFailureRate;
  const rec = m.failedDeploymentRecoveryTime;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
      <Figure
        title="Deployment frequency"
        value={df.value === null ? '—' : `${round1(df.value)} days a week`}
        detail={`${df.numerator} deployment days over ${df.denominator} weeks; ${df.deployments} deployments.`}
        rating={df.rating}
      >
        <RecordsLink records={df.records} what="deployments" />
      </Figure>
      <Figure
        title="Lead time for changes"
        value={lt.value === null ? '—' : secondsWords(lt.value)}
        detail={`Median from a pull request's first commit to production, over ${lt.denominator} pull requests${lt.p75 !== null ? `; 75 % within ${secondsWords(lt.p75)}` : ''}.`}
        rating={lt.rating}
      >
        <RecordsLink records={lt.records} what="deployments" />
      </Figure>
      <Figure
        title="Change failure rate"
        value={cfr.value === null ? '—' : percent(cfr.value)}
        detail={`${cfr.numerator} of ${cfr.denominator} production deployments failed: ${cfr.explicit} through their result, change or a linked incident, ${cfr.inferred} through an incident attributed by inference.`}
        rating={cfr.rating}
      >
        <RecordsLink records={cfr.records} what="failed deployments" />
        {cfr.inferred > 0 && <RecordsLink records={cfr.inferredRecords} what="inferred failures" />}
      </Figure>
      <Figure
        title="Failed deployment recovery time"
        value={rec.value === null ? '—' : secondsWords(rec.value)}
        detail={`Median from a failed deployment to its restoration; ${rec.numerator} of ${rec.denominator} failed deployments restored.`}
        rating={rec.rating}
      >
        <RecordsLink records={rec.records} what="failed deployments" />
      </Figure>
    </SimpleGrid>
  );
}

const hours = (s: number | null) => (s === null ? null : round1(s / 3600));

function Trends({ m }: { m: DoraMetrics }) {
  const label = (start: string) => formatDate(start);
  const per = m.scope.grain === 'week' ? 'week' : 'month';
  const charts = [
    {
      title: `Deployments per ${per}`,
      unit: 'deployments',
      kind: 'bar' as const,
      color: '#1768b2',
      pick: (s: DoraMetrics['series'][number]) => s.deployments,
    },
    {
      title: 'Lead time, median (hours)',
      unit: 'h',
      kind: 'line' as const,
      color: '#087a57',
      pick: (s: DoraMetrics['series'][number]) => hours(s.leadTimeMedianSeconds),
    },
    {
      title: 'Change failure rate (%)',
      unit: '%',
      kind: 'line' as const,
      color: '#c52b2b',
      pick: (s: DoraMetrics['series'][number]) => (s.changeFailureRate === null ? null : round1(s.changeFailureRate * 100)),
    },
    {
      title: 'Recovery time, median (hours)',
      unit: 'h',
      kind: 'line' as const,
      color: '#a05d00',
      pick: (s: DoraMetrics['series'][number]) => hours(s.recoveryMedianSeconds),
    },
  ];
  return (
    <section aria-labelledby="dora-trends-title">
      <Title order={2} size="h5" id="dora-trends-title" mt="lg" mb="xs">
        Trends by {per}
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
        {charts.map((c) => (
          <Paper key={c.title} withBorder p="sm" radius="sm">
            <Text size="sm" fw={600}>
              {c.title}
            </Text>
            <TrendChart
              kind={c.kind}
              unit={c.unit}
              color={c.color}
              points={m.series.map((s) => ({ label: label(s.start), value: c.pick(s) }))}
            />
          </Paper>
        ))}
      </SimpleGrid>
      <VisuallyHidden>
        <Table aria-label={`Trends by ${per}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{per === 'week' ? 'Week of' : 'Month of'}</Table.Th>
              {charts.map((c) => (
                <Table.Th key={c.title}>{c.title}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {m.series.map((s) => (
              <Table.Tr key={s.start}>
                <Table.Td>{label(s.start)}</Table.Td>
                {charts.map((c) => (
                  <Table.Td key={c.title}>{c.pick(s) ?? 'no data'}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </VisuallyHidden>
    </section>
  );
}

/** DORA's four keys for a service, team, environment and period, each with what it counts and the records behind it. */
export function DoraPage() {
  const state = useListParams(FILTER_KEYS);
  const teams = useTeams();
  const metrics = useDoraMetrics(state.filters as DoraFilters);
  const filters = [
    customFilter('serviceId', (value, set) => <ServiceFilter value={value} onChange={set} />),
    customFilter('teamId', (value, set) => (
      <Select
        label="Team"
        placeholder="Any team"
        data={(teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
        value={value ?? null}
        onChange={set}
        clearable
        searchable
        w={200}
      />
    )),
    selectFilter('environment', 'Environment', toOptions(ENVIRONMENT_LABELS), { placeholder: 'Every production one', width: 190 }),
    dayFilter('from', 'From', 'start'),
    dayFilter('to', 'To', 'end'),
  ];
  const m = metrics.data;
  return (
    <>
      <PageHeader
        title="DORA metrics"
        description="Deployment frequency, lead time, change failure rate and recovery time, counted from the deployments on record. Each figure says what it counts; below the minimum count it says “insufficient data” rather than rate."
      />
      <Group gap="sm" mb="md" align="flex-end" role="search" aria-label="Filter the DORA metrics">
        {filters.map((f) => (
          <div key={f.key}>
            {f.render(state.params.get(f.key) ?? undefined, (value) => state.setFilter(f.key as (typeof FILTER_KEYS)[number], value))}
          </div>
        ))}
      </Group>
      {metrics.isError && <ErrorAlert error={metrics.error} title="Cannot count the DORA metrics" onRetry={() => void metrics.refetch()} />}
      {metrics.isPending && <PageLoader label="Counting the DORA metrics" />}
      {m && (
        <Stack gap="xs" aria-busy={metrics.isFetching}>
          <Text size="sm" c="dimmed" data-testid="dora-scope">
            {m.scope.service?.name ?? m.scope.team?.name ?? 'Every service'}, {m.scope.environment ?? 'production environments'},{' '}
            {formatDate(m.scope.from)} to {formatDate(m.scope.to)}. Ratings need at least {m.minimums.deployments} deployments,{' '}
            {m.minimums.pullRequests} pull requests and {m.minimums.failures} failure{m.minimums.failures === 1 ? '' : 's'}.
            {m.inference
              ? ' Incidents with no explicit link are attributed to the last earlier deployment of their service, and counted as inferred.'
              : ''}
          </Text>
          <Figures m={m} />
          <Trends m={m} />
        </Stack>
      )}
    </>
  );
}
