import { Button, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatRange, isoToLocalInput, localInputToIso, zoneWords } from '../../shared/format';
import { RouterAnchor } from '../../shared/router-link';
import { UserSelect } from '../admin/user-select';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { MeetingStateBadge } from './meeting-ui';
import { useMeetingList, useScheduleMeeting } from './meetings-api';

const SCHEDULE_FIELDS = ['start', 'durationMinutes', 'title', 'chairId'];

/** The next hour on the hour, a week from now: where a new meeting's start begins. */
function defaultStart(): string {
  const d = new Date(Date.now() + 7 * 86_400_000);
  d.setMinutes(0, 0, 0);
  return isoToLocalInput(new Date(d.getTime() + 3_600_000).toISOString());
}

/**
 * A board's next meetings, and for people who may manage boards the form that schedules one (POST
 * /boards/{id}/meetings). Shown on the board's page.
 */
export function BoardMeetingsPanel({ boardId, boardName, canSchedule }: { boardId: string; boardName: string; canSchedule: boolean }) {
  // NOTE: fixed for the visit, so that the query (and its cache key) does not move every render.
  const [from] = useState(() => new Date(Date.now() - 12 * 3_600_000).toISOString());
  const list = useMeetingList({ boardId, from, limit: 10 });
  const upcoming = (list.data?.items ?? []).filter((m) => m.state === 'planned' || m.state === 'live');

  return (
    <Paper withBorder p="sm" radius="sm" mt="lg" component="section" aria-labelledby="board-meetings">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5" id="board-meetings">
          Meetings
        </Title>
        <RouterAnchor to={`/meetings?boardId=${encodeURIComponent(boardId)}`} size="sm">
          All meetings of {boardName}
        </RouterAnchor>
      </Group>
      {list.isError ? (
        <ErrorAlert error={list.error} title="Cannot load the meetings" onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <Text size="sm" c="dimmed">
          Loading the meetings…
        </Text>
      ) : upcoming.length === 0 ? (
        <Text size="sm" c="dimmed">
          No meetings planned.
        </Text>
      ) : (
        <Stack gap={4} component="ul" aria-label="Next meetings" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {upcoming.map((m) => (
            <Group key={m.id} component="li" gap="xs" wrap="wrap">
              <Text component={Link} to={`/meetings/${m.id}`} size="sm" fw={600} c="blue.8">
                {m.title}
              </Text>
              <Text size="sm" c="dimmed">
                {formatRange(m.start, m.end)}
                {m.chair ? ` · chaired by ${m.chair.name}` : ''}
              </Text>
              <MeetingStateBadge state={m.state} />
            </Group>
          ))}
        </Stack>
      )}
      {canSchedule && <ScheduleMeetingForm boardId={boardId} />}
    </Paper>
  );
}

function ScheduleMeetingForm({ boardId }: { boardId: string }) {
  const schedule = useScheduleMeeting(boardId);
  const [start, setStart] = useState(defaultStart);
  const [duration, setDuration] = useState<number | string>(60);
  const [title, setTitle] = useState('');
  const [chairId, setChairId] = useState<string | null>(null);
  const [missingStart, setMissingStart] = useState(false);
  const errors = fieldErrorsFrom(schedule.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const startIso = localInputToIso(start);
    if (!startIso) {
      setMissingStart(true);
      return;
    }
    schedule.mutate(
      {
        start: startIso,
        durationMinutes: typeof duration === 'number' ? duration : Number(duration),
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(chairId ? { chairId } : {}),
      },
      {
        onSuccess: () => {
          setTitle('');
          setChairId(null);
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} aria-label="Schedule a meeting" noValidate>
      <Stack gap="xs" mt="md">
        <Title order={3} size="h6">
          Schedule a meeting
        </Title>
        <Group align="flex-start" gap="sm">
          <TextInput
            label="Start"
            description={zoneWords()}
            type="datetime-local"
            required
            value={start}
            onChange={(e) => {
              setStart(e.currentTarget.value);
              setMissingStart(false);
            }}
            error={missingStart ? 'Give the day and time it starts' : errors.start}
            w={220}
          />
          <NumberInput
            label="Duration (minutes)"
            description="5 to 600"
            required
            min={5}
            max={600}
            step={15}
            value={duration}
            onChange={setDuration}
            error={errors.durationMinutes}
            w={160}
          />
          <TextInput
            label="Title"
            description="Left empty: the board’s name and the date"
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={errors.title}
            maxLength={200}
            w={260}
          />
          <UserSelect
            label="Chair"
            description="A member of the board; left empty, the board’s chair rule picks one"
            placeholder="Choose a person"
            value={chairId}
            onChange={setChairId}
            error={errors.chairId}
            w={240}
          />
        </Group>
        {schedule.isError && <UnplacedIssues error={schedule.error} placed={SCHEDULE_FIELDS} title="The meeting was not scheduled" />}
        {schedule.isSuccess && (
          <Text size="sm" role="status">
            Scheduled: <RouterAnchor to={`/meetings/${schedule.data.id}`}>{schedule.data.title}</RouterAnchor>, {formatRange(schedule.data.start, schedule.data.end)}.
          </Text>
        )}
        <Group>
          <Button type="submit" loading={schedule.isPending}>
            Schedule the meeting
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
