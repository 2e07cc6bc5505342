import { Alert, Anchor, Badge, Button, Checkbox, Grid, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime, formatRange } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RecordLoader } from '../../shared/record-loader';
import { RouterAnchor } from '../../shared/router-link';
import { UserSelect, useUserNames } from '../admin/user-select';
import { hasPermission, useCurrentUser } from '../auth/session';
import { BOARD_KIND_LABELS } from '../boards/board-form';
import { type Board, useBoard } from '../boards/boards-api';
import { MarkdownView } from '../../shared/markdown';
import { quorumWords } from '../boards/boards-page';
import { AgendaPanel } from './agenda-panel';
import { ItemPane } from './item-pane';
import { canRunMeeting, formatClock, MeetingStateBadge, useNow } from './meeting-ui';
import {
  type AgendaView,
  type Meeting,
  meetingKeys,
  minutesMarkdownUrl,
  minutesPdfUrl,
  useAgenda,
  useCancelMeeting,
  useEndMeeting,
  useMeeting,
  useMinutes,
  useRecordAttendance,
  useStartMeeting,
  useUpdateMeeting,
} from './meetings-api';

export function MeetingPage() {
  const { id = '' } = useParams();
  const query = useMeeting(id);
  return (
    <RecordLoader query={query} what="meeting">
      {(meeting) => <Workbench key={meeting.id} meeting={meeting} />}
    </RecordLoader>
  );
}

/** The item to open first: the one under discussion, else the first not decided, else the first. */
function firstItem(meeting: Meeting, agenda: AgendaView | undefined): string | null {
  if (meeting.currentItem) return meeting.currentItem.changeId;
  const items = agenda?.items ?? [];
  return (items.find((i) => !i.decision) ?? items[0])?.changeId ?? null;
}

/** The CAB workbench: one meeting, from its agenda to its minutes. */
function Workbench({ meeting }: { meeting: Meeting }) {
  const me = useCurrentUser();
  const canManage = hasPermission(me, 'board.manage');
  const canRun = canRunMeeting(meeting, me, canManage);
  const board = useBoard(meeting.boardId);
  const agenda = useAgenda(meeting.id);
  const start = useStartMeeting(meeting.id);
  const end = useEndMeeting(meeting.id);
  const cancel = useCancelMeeting(meeting.id);
  const [asking, setAsking] = useState<'end' | 'cancel' | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const live = meeting.state === 'live';
  const open = meeting.state === 'planned' || live;
  const now = useNow(live);

  const items = agenda.data?.items ?? [];
  const selectedId = picked && items.some((i) => i.changeId === picked) ? picked : firstItem(meeting, agenda.data);
  const selected = items.find((i) => i.changeId === selectedId) ?? null;
  const currentItem = meeting.currentItem ? items.find((i) => i.changeId === meeting.currentItem!.changeId) : undefined;
  const actionError = [start, end, cancel].find((m) => m.isError)?.error;

  const elapsed = meeting.startedAt ? (now - new Date(meeting.startedAt).getTime()) / 1000 : 0;
  const meetingOver = elapsed > meeting.durationMinutes * 60;
  const itemElapsed = meeting.currentItem ? (now - new Date(meeting.currentItem.since).getTime()) / 1000 : 0;

  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <RouterAnchor to="/meetings" size="sm">
              ← Meetings
            </RouterAnchor>
            <RouterAnchor to={`/boards/${meeting.boardId}`} size="sm">
              {meeting.boardName}
            </RouterAnchor>
            <Badge variant="light">{BOARD_KIND_LABELS[meeting.boardKind]}</Badge>
            <MeetingStateBadge state={meeting.state} size="md" />
          </Group>
        }
        title={meeting.title}
        description={`${formatRange(meeting.start, meeting.end)} · ${meeting.chair ? `chaired by ${meeting.chair.name}` : 'no chair yet'}`}
        actions={
          <>
            {meeting.state === 'planned' && (
              <Button component="a" variant="default" href={`/api/v1/meetings/${encodeURIComponent(meeting.id)}/ics`} download>
                Add to calendar (.ics)
              </Button>
            )}
            {(canRun || canManage) && (
              <>
                {meeting.state === 'planned' && (
                  <Button loading={start.isPending} onClick={() => start.mutate()}>
                    Start the meeting
                  </Button>
                )}
                {live && (
                  <Button color="dark" onClick={() => setAsking('end')}>
                    End the meeting
                  </Button>
                )}
                {/* Only change managers cancel: the chair runs the meeting, the office decides whether it takes place. */}
                {meeting.state === 'planned' && canManage && (
                  <Button variant="subtle" color="red" onClick={() => setAsking('cancel')}>
                    Cancel meeting
                  </Button>
                )}
              </>
            )}
          </>
        }
      />
      <Stack gap="sm" mb="sm">
        {actionError !== undefined && asking === null && <ErrorAlert error={actionError} title="Not done" />}
        {meeting.state === 'cancelled' && (
          <Alert color="gray" variant="light" role="note" title="Cancelled">
            {meeting.cancelledReason ?? 'The meeting was cancelled.'} Its items await the board’s next meeting.
          </Alert>
        )}
        {meeting.state === 'planned' && (
          <Text size="sm" c="dimmed">
            The agenda builds itself from the changes that await the board until the meeting starts; starting it freezes the agenda.
          </Text>
        )}
        {live && meeting.startedAt && (
          <Paper withBorder p="xs" radius="sm" bg="green.0">
            <Group gap="lg" wrap="wrap">
              <Text size="sm" role="timer" aria-label="Meeting time" fw={600} c={meetingOver ? 'red.8' : undefined}>
                Meeting {formatClock(elapsed)} of {formatClock(meeting.durationMinutes * 60)}
                {meetingOver ? ' (over its time)' : ''}
              </Text>
              {meeting.currentItem && (
                <Text
                  size="sm"
                  role="timer"
                  aria-label="Time on the item under discussion"
                  c={currentItem && itemElapsed > currentItem.allottedMinutes * 60 ? 'red.8' : undefined}
                >
                  {meeting.currentItem.number}: {formatClock(itemElapsed)}
                  {currentItem ? ` of ${formatClock(currentItem.allottedMinutes * 60)}` : ''}
                </Text>
              )}
              {!meeting.currentItem && (
                <Text size="sm" c="dimmed">
                  No item under discussion: open one and choose “Discuss now”.
                </Text>
              )}
            </Group>
          </Paper>
        )}
      </Stack>

      {meeting.state === 'ended' && <MinutesPanel meetingId={meeting.id} hash={meeting.minutesHash} />}

      <Paper withBorder p="sm" radius="sm" mb="md">
        {agenda.isPending ? (
          <PageLoader label="Loading the agenda" />
        ) : agenda.isError ? (
          <ErrorAlert error={agenda.error} title="Cannot load the agenda" onRetry={() => void agenda.refetch()} />
        ) : (
          <AgendaPanel
            meetingId={meeting.id}
            agenda={agenda.data}
            selected={selectedId}
            onSelect={setPicked}
            currentChangeId={meeting.currentItem?.changeId ?? null}
            canEdit={canManage && open}
          />
        )}
      </Paper>

      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Paper withBorder p="sm" radius="sm">
            {selected ? (
              <ItemPane key={selected.changeId} meeting={meeting} item={selected} canRun={canRun} now={now} />
            ) : (
              <Text size="sm" c="dimmed">
                {agenda.isSuccess ? 'No item to open.' : 'The items open here.'}
              </Text>
            )}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <Paper withBorder p="sm" radius="sm">
              <AttendancePanel meeting={meeting} board={board.data} canEdit={canRun && open} />
            </Paper>
            <Paper withBorder p="sm" radius="sm">
              <NotesPanel key={meeting.id} meeting={meeting} canEdit={canRun && open} />
            </Paper>
          </Stack>
        </Grid.Col>
      </Grid>

      <ConfirmDialog
        opened={asking === 'end'}
        title={`End ${meeting.title}?`}
        confirmLabel="End and write the minutes"
        closeLabel="Keep it going"
        color="blue"
        loading={end.isPending}
        error={end.isError ? <ErrorAlert error={end.error} title="Not ended" /> : undefined}
        onConfirm={() => end.mutate(undefined, { onSuccess: () => setAsking(null) })}
        onClose={() => {
          setAsking(null);
          end.reset();
        }}
      >
        The minutes are written from the decisions, the attendance, the deferrals and the notes, sent to the members and to the owners of
        the changes decided, and cannot be edited afterwards. Items not decided keep waiting for the board.
      </ConfirmDialog>
      <ConfirmDialog
        opened={asking === 'cancel'}
        title={`Cancel ${meeting.title}?`}
        confirmLabel="Cancel the meeting"
        closeLabel="Keep the meeting"
        reason={{ label: 'Reason', description: 'Sent to the members with the cancellation.', required: true }}
        loading={cancel.isPending}
        error={cancel.isError ? <ErrorAlert error={cancel.error} title="Not cancelled" /> : undefined}
        onConfirm={(reason) => cancel.mutate({ reason, version: meeting.version }, { onSuccess: () => setAsking(null) })}
        onClose={() => {
          setAsking(null);
          cancel.reset();
        }}
      >
        The meeting will not take place. Its items keep waiting for the board’s next meeting.
      </ConfirmDialog>
    </>
  );
}

interface Attendee {
  userId: string;
  name: string;
  domains: string[];
  present: boolean;
  /** Recorded by the person themself or a change manager: only such presences count towards a quorum. */
  attested: boolean;
}

/** Who sits in the meeting: the people the meeting lists, then the board's people it does not, then anyone added here. */
export function attendeesOf(meeting: Meeting, board: Board | undefined): Attendee[] {
  const list = new Map<string, Attendee>();
  for (const a of meeting.attendance)
    list.set(a.userId, { userId: a.userId, name: a.name, domains: a.domains, present: a.present, attested: a.attested });
  for (const m of board?.members ?? []) {
    if (m.userId && !list.has(m.userId))
      list.set(m.userId, { userId: m.userId, name: m.name, domains: m.domains, present: false, attested: false });
  }
  return [...list.values()];
}

function AttendancePanel({ meeting, board, canEdit }: { meeting: Meeting; board: Board | undefined; canEdit: boolean }) {
  const record = useRecordAttendance(meeting.id);
  // Ticks not saved yet, over what the server holds; people added here (a delegate, a team's member) until saved.
  const [ticks, setTicks] = useState<Record<string, boolean>>({});
  const [extraIds, setExtraIds] = useState<string[]>([]);
  const [adding, setAdding] = useState<string | null>(null);
  const names = useUserNames(extraIds);
  const known = attendeesOf(meeting, board);
  const base = [
    ...known,
    ...extraIds
      .filter((id) => !known.some((k) => k.userId === id))
      .map((id) => ({ userId: id, name: names.get(id) ?? id, domains: [], present: false, attested: false })),
  ];
  const me = useCurrentUser();
  // Not saved yet: counted as the server will count it (the person themself, or a change manager, attests).
  const attests = (p: Attendee) =>
    ticks[p.userId] === undefined ? p.attested : p.userId === me.id || me.permissions.includes('board.manage');
  const unconfirmed = base.filter((p) => (ticks[p.userId] ?? p.present) && !attests(p));
  const people = base.map((p) => ({ ...p, present: ticks[p.userId] ?? p.present }));
  const dirty = people.some((p, i) => p.present !== base[i]!.present);
  const present = people.filter((p) => p.present);
  const counting = people.filter((p) => p.present && attests(p));
  const domainsPresent = new Set(counting.flatMap((p) => p.domains));
  const missingDomains = (board?.quorum.requiredDomains ?? []).filter((d) => !domainsPresent.has(d));
  const quorumMet = board ? counting.length >= board.quorum.minMembers && missingDomains.length === 0 : null;
  const mine = people.find((p) => p.userId === me.id);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    record.mutate(
      { attendees: people.map((p) => ({ userId: p.userId, present: p.present })) },
      {
        onSuccess: () => {
          setTicks({});
          setExtraIds([]);
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} aria-label="Attendance" noValidate>
      <Stack gap="xs">
        <Title order={2} size="h5">
          Attendance
        </Title>
        {people.length === 0 ? (
          <Text size="sm" c="dimmed">
            {board ? 'The board lists no people by name.' : 'Loading the board’s members…'}
          </Text>
        ) : (
          <Checkbox.Group
            label="Present"
            value={present.map((p) => p.userId)}
            onChange={(values) => setTicks(Object.fromEntries(base.map((p) => [p.userId, values.includes(p.userId)])))}
          >
            <Stack gap={4} mt={4}>
              {people.map((p) => (
                <Checkbox
                  key={p.userId}
                  value={p.userId}
                  label={p.domains.length ? `${p.name} (${p.domains.join(', ')})` : p.name}
                  disabled={!canEdit || record.isPending}
                />
              ))}
            </Stack>
          </Checkbox.Group>
        )}
        {board && (
          <Text size="xs" c={quorumMet ? 'green.9' : 'dimmed'}>
            {present.length} present. The quorum needs {quorumWords(board)}
            {quorumMet ? ': met.' : missingDomains.length ? `; nobody present represents ${missingDomains.join(', ')}.` : '.'}
            {unconfirmed.length > 0 &&
              ` Not counted until they check in themselves or a change manager records them: ${unconfirmed.map((p) => p.name).join(', ')}.`}
          </Text>
        )}
        {!canEdit && mine && !mine.attested && meeting.state !== 'ended' && meeting.state !== 'cancelled' && (
          <Button
            size="xs"
            variant="light"
            loading={record.isPending}
            onClick={() => record.mutate({ attendees: [{ userId: me.id, present: true }] })}
          >
            Check in: I am here
          </Button>
        )}
        {canEdit && (
          <>
            <UserSelect
              label="Someone else present"
              description="A delegate, or a member of one of the board’s teams"
              placeholder="Choose a person"
              value={adding}
              exclude={people.map((p) => p.userId)}
              onChange={(id) => {
                if (!id) return setAdding(null);
                setExtraIds((list) => [...list, id]);
                setTicks((t) => ({ ...t, [id]: true }));
                setAdding(null);
              }}
              size="xs"
            />
            {record.isError && <ErrorAlert error={record.error} title="Attendance not saved" />}
            <Group>
              <Button type="submit" size="xs" disabled={!dirty} loading={record.isPending}>
                Save attendance
              </Button>
              {dirty && (
                <Text size="xs" c="dimmed">
                  Not saved yet
                </Text>
              )}
            </Group>
          </>
        )}
      </Stack>
    </form>
  );
}

function NotesPanel({ meeting, canEdit }: { meeting: Meeting; canEdit: boolean }) {
  const update = useUpdateMeeting(meeting.id);
  const client = useQueryClient();
  const [text, setText] = useState(meeting.notes);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const dirty = text !== meeting.notes;
  const stale = update.error instanceof ApiError && update.error.status === 412;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { notes: text, version: meeting.version },
      {
        onSuccess: () => setSavedAt(new Date().toISOString()),
        // Read the meeting again: its version (and the notes saved by the other person) for the next save.
        onError: (error) => {
          if (error instanceof ApiError && error.status === 412)
            void client.invalidateQueries({ queryKey: meetingKeys.detail(meeting.id) });
        },
      },
    );
  };

  if (!canEdit) {
    return (
      <Stack gap="xs">
        <Title order={2} size="h5">
          Notes
        </Title>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} c={meeting.notes ? undefined : 'dimmed'}>
          {meeting.notes || 'No notes.'}
        </Text>
      </Stack>
    );
  }
  return (
    <form onSubmit={onSubmit} aria-label="Notes" noValidate>
      <Stack gap="xs">
        <Title order={2} size="h5">
          Notes
        </Title>
        <Textarea
          label="Meeting notes"
          description="They go into the minutes."
          autosize
          minRows={5}
          maxRows={20}
          maxLength={50_000}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        {stale ? (
          <Alert color="yellow" variant="light" role="alert" title="Someone else saved the meeting since you read it">
            Your notes are still here, not saved. Saving them again replaces the notes saved now, which read: “{meeting.notes || '(empty)'}
            ”.
          </Alert>
        ) : (
          update.isError && <ErrorAlert error={update.error} title="Notes not saved" />
        )}
        <Group>
          <Button type="submit" size="xs" disabled={!dirty && !stale} loading={update.isPending}>
            Save notes
          </Button>
          <Text size="xs" c="dimmed" role="status">
            {dirty ? 'Not saved yet' : savedAt ? `Saved ${formatDateTime(savedAt)}` : ''}
          </Text>
        </Group>
      </Stack>
    </form>
  );
}

function MinutesPanel({ meetingId, hash }: { meetingId: string; hash: string | null }) {
  const minutes = useMinutes(meetingId, true);
  return (
    <Paper withBorder p="sm" radius="sm" mb="md" component="section" aria-labelledby="minutes-heading">
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h4" id="minutes-heading">
          Minutes
        </Title>
        <Group gap="md">
          <Anchor href={minutesMarkdownUrl(meetingId)} download size="sm">
            Download Markdown
          </Anchor>
          <Anchor href={minutesPdfUrl(meetingId)} download size="sm">
            Download PDF
          </Anchor>
        </Group>
      </Group>
      {minutes.isPending ? (
        <PageLoader label="Loading the minutes" />
      ) : minutes.isError ? (
        <ErrorAlert error={minutes.error} title="Cannot load the minutes" onRetry={() => void minutes.refetch()} />
      ) : (
        <Stack gap="xs">
          <Text size="xs" c="dimmed">
            Written {formatDateTime(minutes.data.createdAt)}; they cannot be edited. SHA-256, as in the audit trail:{' '}
            <Text span ff="monospace" size="xs" style={{ overflowWrap: 'anywhere' }} data-testid="minutes-hash">
              {minutes.data.sha256 || hash}
            </Text>
          </Text>
          <MarkdownView text={minutes.data.markdown} headingOffset={2} />
        </Stack>
      )}
    </Paper>
  );
}
