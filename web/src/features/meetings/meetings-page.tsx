import { Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatRange, isoToLocalInput, localInputToIso, zoneWords } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { useUrlFilters } from '../../shared/use-url-filters';
import { useBoardList } from '../boards/boards-api';
import { dayHeading, dayKey, MEETING_STATE_LABELS, MeetingStateBadge } from './meeting-ui';
import { type Meeting, type MeetingFilters, type MeetingState, useMeetingList } from './meetings-api';

const WHEN_OPTIONS = [
  { value: 'upcoming', label: 'Upcoming' },
  { value: 'past', label: 'Past (90 days)' },
];
const STATE_OPTIONS = (Object.keys(MEETING_STATE_LABELS) as MeetingState[]).map((value) => ({ value, label: MEETING_STATE_LABELS[value] }));
const DAY_MS = 86_400_000;

/** The start of today in the display zone. */
function startOfToday(): string {
  return localInputToIso(`${isoToLocalInput(new Date().toISOString()).slice(0, 10)}T00:00`) ?? new Date().toISOString();
}

/** What GET /api/v1/meetings is asked for the filters in the address; `today` (its first instant) divides upcoming from past. */
export function meetingQueryOf(filters: { boardId?: string; state?: string; when?: string }, today: string): MeetingFilters {
  const past = filters.when === 'past';
  return {
    ...(filters.boardId ? { boardId: filters.boardId } : {}),
    ...(filters.state && filters.state in MEETING_STATE_LABELS ? { state: filters.state as MeetingState } : {}),
    ...(past ? { from: new Date(new Date(today).getTime() - 90 * DAY_MS).toISOString(), to: today } : { from: today }),
    limit: past ? 500 : 100,
  };
}

/** Meetings grouped by the day they start on (display zone), days in order. */
export function groupByDay(meetings: Meeting[], newestFirst: boolean): { day: string; heading: string; meetings: Meeting[] }[] {
  const sorted = [...meetings].sort((a, b) => (newestFirst ? b.start.localeCompare(a.start) : a.start.localeCompare(b.start)));
  const days = new Map<string, Meeting[]>();
  for (const m of sorted) {
    const key = dayKey(m.start);
    days.set(key, [...(days.get(key) ?? []), m]);
  }
  return [...days.entries()].map(([day, list]) => ({ day, heading: dayHeading(list[0]!.start), meetings: list }));
}

/** The meeting calendar: the boards' meetings by day, upcoming or past, with their state and chair. */
export function MeetingsPage() {
  const { filters, setFilter } = useUrlFilters(['boardId', 'state', 'when'] as const);
  // NOTE: fixed for the visit, so that the query (and its cache key) does not move every render.
  const [today] = useState(startOfToday);
  const past = filters.when === 'past';
  const list = useMeetingList(meetingQueryOf(filters, today));
  const boards = useBoardList({}, 100);
  const boardOptions = useMemo(
    () => (boards.data?.pages.flatMap((p) => p.items) ?? []).map((b) => ({ value: b.id, label: b.active ? b.name : `${b.name} (deactivated)` })),
    [boards.data],
  );
  const days = groupByDay(list.data?.items ?? [], past);

  return (
    <>
      <PageHeader
        title="Meetings"
        description={`The boards’ meetings by day, in ${zoneWords()}. Change managers schedule them on the board’s page.`}
      />
      <Group gap="sm" mb="md" align="flex-end" role="search" aria-label="Filter the meetings">
        <Select
          label="When"
          data={WHEN_OPTIONS}
          value={past ? 'past' : 'upcoming'}
          onChange={(v) => setFilter('when', v === 'past' ? 'past' : null)}
          allowDeselect={false}
          w={170}
        />
        <Select
          label="Board"
          placeholder="Any"
          data={boardOptions}
          value={filters.boardId ?? null}
          onChange={(v) => setFilter('boardId', v)}
          clearable
          searchable
          w={240}
        />
        <Select
          label="State"
          placeholder="Any"
          data={STATE_OPTIONS}
          value={filters.state ?? null}
          onChange={(v) => setFilter('state', v)}
          clearable
          w={170}
        />
      </Group>
      {list.isPending ? (
        <PageLoader label="Loading the meetings" />
      ) : list.isError ? (
        <ErrorAlert error={list.error} title="Cannot load the meetings" onRetry={() => void list.refetch()} />
      ) : days.length === 0 ? (
        <Text size="sm" c="dimmed">
          {past ? 'No meetings in the last 90 days.' : 'No meetings planned.'}
          {filters.boardId || filters.state ? ' Clear the filters to see more.' : ''}
        </Text>
      ) : (
        <Stack gap="md">
          {days.map((d) => (
            <section key={d.day} aria-labelledby={`day-${d.day}`}>
              <Title order={2} size="h5" mb={6} id={`day-${d.day}`}>
                {d.heading}
              </Title>
              <Stack gap={6} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {d.meetings.map((m) => (
                  <Paper key={m.id} component="li" withBorder p="xs" radius="sm" aria-label={m.title}>
                    <Group justify="space-between" wrap="wrap" gap="xs">
                      <Stack gap={0} style={{ minWidth: 0 }}>
                        <Text component={Link} to={`/meetings/${m.id}`} size="sm" fw={600} c="blue.8">
                          {m.title}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {formatRange(m.start, m.end)} · {m.boardName}
                          {m.chair ? ` · chaired by ${m.chair.name}` : ' · no chair yet'}
                        </Text>
                        {m.state === 'cancelled' && m.cancelledReason && (
                          <Text size="xs" c="dimmed">
                            Cancelled: {m.cancelledReason}
                          </Text>
                        )}
                      </Stack>
                      <MeetingStateBadge state={m.state} />
                    </Group>
                  </Paper>
                ))}
              </Stack>
            </section>
          ))}
        </Stack>
      )}
    </>
  );
}
