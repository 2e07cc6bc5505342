import { Alert, Anchor, Group, Paper, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDate } from '../../shared/format';
import type { BoardMetricsPeriod, BoardMetricsQuery, BoardMetricsRatio, BoardMetricsReport } from '../../../../src/contracts/board-metrics';

export type { BoardMetricsReport };

/** GET /api/v1/boards/{id}/metrics: the board's figures for a period, with its trend. */
export function useBoardMetrics(boardId: string, query: Partial<BoardMetricsQuery>) {
  return useQuery({
    queryKey: ['boards', 'metrics', boardId, query],
    queryFn: ({ signal }) => api.get<BoardMetricsReport>(`/api/v1/boards/${encodeURIComponent(boardId)}/metrics`, query, signal),
    placeholderData: keepPreviousData,
  });
}

const PERIODS = [
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last 12 months' },
];
const GRAINS = [
  { value: 'week', label: 'Week' },
  { value: 'month', label: 'Month' },
];

const percent = (r: BoardMetricsRatio) => (r.value === null ? '—' : `${Math.round(r.value * 1000) / 10} %`);
const round1 = (n: number) => Math.round(n * 10) / 10;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** "40 % (2 of 5)", or a dash when there was nothing to count. */
const share = (r: BoardMetricsRatio) => (r.denominator === 0 ? '—' : `${percent(r)} (${round1(r.numerator)} of ${round1(r.denominator)})`);

function Figure({ title, value, children }: { title: string; value: string; children: ReactNode }) {
  return (
    <Paper withBorder p="sm" radius="sm" component="section" aria-label={title}>
      <Stack gap={4}>
        <Title order={3} size="h6">
          {title}
        </Title>
        <Text fz={22} fw={700}>
          {value}
        </Text>
        {children}
      </Stack>
    </Paper>
  );
}

function Words({ children }: { children: ReactNode }) {
  return <Text size="sm">{children}</Text>;
}

const CLOSE_WORDS: Record<string, string> = { unsuccessful: 'closed unsuccessful', rolled_back: 'rolled back' };

function ChangeLink({ id, number }: { id: string; number: string }) {
  return (
    <Anchor component={Link} to={`/changes/${id}`} size="sm">
      {number}
    </Anchor>
  );
}

function Figures({ m }: { m: BoardMetricsReport }) {
  const d = m.decisions;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
      <Figure title="Approval rate" value={percent(m.approvalRate)}>
        <Words>
          {m.approvalRate.denominator === 0
            ? 'No decisions in this period.'
            : `${m.approvalRate.numerator} of ${plural(m.approvalRate.denominator, 'decision')} approved, with or without conditions.`}
        </Words>
      </Figure>
      <Figure title="Escape rate" value={percent(m.escapeRate)}>
        <Words>
          {m.escapeRate.denominator === 0
            ? 'Nothing approved in this period.'
            : `${m.escapeRate.numerator} of ${plural(m.escapeRate.denominator, 'approved change')} later failed or caused an incident.`}
        </Words>
        {m.escapes.length > 0 && (
          <Stack gap={2} component="ul" aria-label="Escapes" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {m.escapes.map((e) => (
              <Text key={e.changeId} component="li" size="sm">
                <ChangeLink id={e.changeId} number={e.number} />{' '}
                {[e.closeCode && CLOSE_WORDS[e.closeCode], e.incidents > 0 && `caused ${plural(e.incidents, 'incident')}`].filter(Boolean).join(', ')}
              </Text>
            ))}
          </Stack>
        )}
      </Figure>
      <Figure title="Deferral rate" value={percent(m.deferralRate)}>
        <Words>
          {m.deferralRate.denominator === 0 ? 'No decisions in this period.' : `${m.deferralRate.numerator} of ${plural(m.deferralRate.denominator, 'decision')} deferred.`}{' '}
          {m.deferredMoreThanOnce.count === 0
            ? 'No change was deferred more than once.'
            : `${plural(m.deferredMoreThanOnce.count, 'change was', 'changes were')} deferred more than once:`}
        </Words>
        {m.deferredMoreThanOnce.items.length > 0 && (
          <Stack gap={2} component="ul" aria-label="Deferred more than once" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {m.deferredMoreThanOnce.items.map((i) => (
              <Text key={i.changeId} component="li" size="sm">
                <ChangeLink id={i.changeId} number={i.number} /> deferred {i.deferrals} times
              </Text>
            ))}
          </Stack>
        )}
      </Figure>
      <Figure title="Time to decision" value={m.timeToDecision.medianHours === null ? '—' : `${round1(m.timeToDecision.medianHours)} hours`}>
        <Words>
          {m.timeToDecision.answers === 0
            ? 'The board approved or rejected nothing in this period.'
            : `Median from submission to the board’s answer, over ${plural(m.timeToDecision.answers, 'approval or rejection', 'approvals and rejections')}. Deferrals are not answers.`}
        </Words>
      </Figure>
      <Figure title="Time against allotment" value={percent(m.timeAgainstAllotment)}>
        <Words>
          {m.timeAgainstAllotment.denominator === 0
            ? 'No item was timed at a meeting in this period.'
            : `${round1(m.timeAgainstAllotment.numerator)} minutes taken of ${round1(m.timeAgainstAllotment.denominator)} allotted, over the items timed at meetings.`}
        </Words>
      </Figure>
      <Figure title="Low-risk share" value={percent(m.lowRiskShare)}>
        <Words>
          {m.lowRiskShare.denominator === 0
            ? 'No decisions in this period.'
            : `${m.lowRiskShare.numerator} of ${plural(m.lowRiskShare.denominator, 'decision')} on low-risk changes. This should fall to zero: low-risk changes need no board.`}
        </Words>
      </Figure>
      <Figure title="Attendance" value={percent(m.attendance.rate)}>
        <Words>
          {m.attendance.meetingsHeld === 0
            ? 'No meetings held in this period.'
            : `${m.attendance.rate.numerator} of ${plural(m.attendance.rate.denominator, 'expected person', 'expected people')} present, over ${plural(m.attendance.meetingsHeld, 'meeting')} held (the board has ${plural(m.attendance.people, 'person', 'people')}).`}
        </Words>
      </Figure>
      <Figure title="Quorum" value={percent(m.quorum.rate)}>
        <Words>
          {m.quorum.rate.denominator === 0
            ? 'No decisions at meetings in this period.'
            : `${m.quorum.rate.numerator} of ${plural(m.quorum.rate.denominator, 'decision')} at meetings had their quorum.`}{' '}
          {m.quorum.meetingsWithoutQuorum.length === 0 ? '' : 'Meetings where it never was:'}
        </Words>
        {m.quorum.meetingsWithoutQuorum.length > 0 && (
          <Stack gap={2} component="ul" aria-label="Meetings without quorum" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {m.quorum.meetingsWithoutQuorum.map((x) => (
              <Text key={x.meetingId} component="li" size="sm">
                <Anchor component={Link} to={`/meetings/${x.meetingId}`} size="sm">
                  {x.title}
                </Anchor>{' '}
                ({formatDate(x.startedAt)})
              </Text>
            ))}
          </Stack>
        )}
      </Figure>
      <Figure title="How it decided" value={`${d.byVotes} by votes, ${d.atMeetings} at meetings`}>
        <Words>
          {d.total === 0
            ? 'No decisions in this period.'
            : `Of ${plural(d.total, 'decision')}, ${d.byVotes} settled by the members’ votes alone and ${d.atMeetings} recorded at meetings.`}
        </Words>
      </Figure>
      {m.response && (
        <Figure title="Response time" value={m.response.medianMinutes === null ? '—' : `${Math.round(m.response.medianMinutes)} minutes`}>
          <Words>
            {m.response.withinSla.denominator === 0
              ? `Nothing answered in this period. The response time is ${m.response.slaMinutes} minutes.`
              : `Median from submission to answer, against a response time of ${m.response.slaMinutes} minutes: ${m.response.withinSla.numerator} of ${plural(m.response.withinSla.denominator, 'answer')} within it.`}{' '}
            {m.response.openPastSla > 0 && `${plural(m.response.openPastSla, 'change is', 'changes are')} still waiting past it.`}
          </Words>
        </Figure>
      )}
    </SimpleGrid>
  );
}

function Trend({ m }: { m: BoardMetricsReport }) {
  const per = m.period.grain;
  const columns: { title: string; cell: (p: BoardMetricsPeriod) => string }[] = [
    { title: 'Decisions', cell: (p) => String(p.decisions) },
    { title: 'Approval rate', cell: (p) => share(p.approvalRate) },
    { title: 'Escape rate', cell: (p) => share(p.escapeRate) },
    { title: 'Deferral rate', cell: (p) => share(p.deferralRate) },
    { title: 'Low-risk share', cell: (p) => share(p.lowRiskShare) },
    { title: 'Median hours to decision', cell: (p) => (p.medianHoursToDecision === null ? '—' : String(round1(p.medianHoursToDecision))) },
    { title: 'Meetings held', cell: (p) => String(p.meetingsHeld) },
    { title: 'Attendance', cell: (p) => share(p.attendance) },
    { title: 'Quorum met', cell: (p) => share(p.quorumMet) },
    ...(m.response ? [{ title: 'Answered within SLA', cell: (p: BoardMetricsPeriod) => (p.responseWithinSla ? share(p.responseWithinSla) : '—') }] : []),
  ];
  return (
    <section aria-labelledby="board-figures-trend">
      <Title order={3} size="h6" id="board-figures-trend" mt="md" mb="xs">
        Trend by {per}
      </Title>
      <Table.ScrollContainer minWidth={900}>
        <Table aria-labelledby="board-figures-trend" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{per === 'week' ? 'Week of' : 'Month of'}</Table.Th>
              {columns.map((c) => (
                <Table.Th key={c.title} scope="col">
                  {c.title}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {m.series.map((p) => (
              <Table.Tr key={p.start}>
                <Table.Th scope="row" fw={400}>
                  {formatDate(p.start)}
                </Table.Th>
                {columns.map((c) => (
                  <Table.Td key={c.title}>{c.cell(p)}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </section>
  );
}

/**
 * The board's own figures on its page (docs/cab.md#the-boards-figures): each share with what it was counted from,
 * the rubber-stamp warning, the ECAB's response time against its SLA, and the trend per week or month.
 */
export function BoardMetricsPanel({ boardId }: { boardId: string }) {
  const [days, setDays] = useState('90');
  const [grain, setGrain] = useState<'week' | 'month'>('week');
  // NOTE: the period's start is fixed when it is chosen, so that the query (and its cache key) does not move every render.
  const [from, setFrom] = useState(() => new Date(Date.now() - 90 * 86_400_000).toISOString());
  const metrics = useBoardMetrics(boardId, { from, grain });
  const m = metrics.data;

  return (
    <Paper withBorder p="sm" radius="sm" mt="lg" component="section" aria-labelledby="board-figures">
      <Group justify="space-between" align="flex-end" mb="xs">
        <Title order={2} size="h5" id="board-figures">
          Figures
        </Title>
        <Group gap="sm" align="flex-end">
          <Select
            label="Period"
            data={PERIODS}
            value={days}
            allowDeselect={false}
            w={170}
            onChange={(value) => {
              if (!value) return;
              setDays(value);
              setFrom(new Date(Date.now() - Number(value) * 86_400_000).toISOString());
              if (value === '365') setGrain('month');
            }}
          />
          <Select label="Trend by" data={GRAINS} value={grain} allowDeselect={false} w={120} onChange={(value) => value && setGrain(value as 'week' | 'month')} />
        </Group>
      </Group>
      {metrics.isError ? (
        <ErrorAlert error={metrics.error} title="Cannot count the board’s figures" onRetry={() => void metrics.refetch()} />
      ) : !m ? (
        <Text size="sm" c="dimmed">
          Counting the board’s figures…
        </Text>
      ) : (
        <Stack gap="sm" aria-busy={metrics.isFetching}>
          <Text size="sm" c="dimmed">
            {formatDate(m.period.from)} to {formatDate(m.period.to)}: {plural(m.decisions.total, 'decision')}, {plural(m.attendance.meetingsHeld, 'meeting')} held.
          </Text>
          {m.rubberStamp.flagged && (
            <Alert color="yellow" variant="light" title="Possible rubber stamp" role="note">
              This board approves more than {Math.round(m.rubberStamp.above * 100)} % of what it sees ({m.approvalRate.numerator} of{' '}
              {m.approvalRate.denominator} decisions). Ask whether these changes needed a board at all: routine ones belong in the standard
              change catalogue.
            </Alert>
          )}
          <Figures m={m} />
          <Trend m={m} />
        </Stack>
      )}
    </Paper>
  );
}
