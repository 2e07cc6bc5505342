import { Anchor, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { DueText } from '../approvals/approvals-panel';
import { useMyApprovals } from '../approvals/approvals-api';
import { hasPermission, useCurrentUser } from '../auth/session';
import { type Meeting, useMeetingList } from '../meetings/meetings-api';

const DAY = 86_400_000;

/**
 * Each board's meeting under way or next planned, by board id: where an undecided vote is taken up. Read from
 * the start of today (a stable query key all day); nothing while it loads or when it cannot be read.
 */
function useNextMeetings(enabled: boolean): Map<string, Meeting> {
  const from = new Date(Math.floor(Date.now() / DAY) * DAY).toISOString();
  const list = useMeetingList({ from, limit: 200 }, { enabled });
  const next = new Map<string, Meeting>();
  for (const m of list.data?.items ?? []) {
    if (m.state !== 'planned' && m.state !== 'live') continue;
    const known = next.get(m.boardId);
    if (!known || (m.state === 'live' && known.state !== 'live') || (known.state !== 'live' && m.start < known.start))
      next.set(m.boardId, m);
  }
  return next;
}

/**
 * "CAB votes waiting for you": the pending approvals of a board (a CAB, the ECAB, a technical board) that the
 * signed-in person may vote on, from GET /api/v1/me/approvals (read for the navigation badge already).
 * Nothing at all when there are none, or when they cannot be read: "Approvals waiting for you" still lists them.
 */
export function CabVotesSection() {
  const mine = useMyApprovals();
  const me = useCurrentUser();
  const votes = (mine.data?.items ?? []).filter((a) => a.approver.kind === 'board' && a.state === 'pending');
  const meetings = useNextMeetings(votes.length > 0 && hasPermission(me, 'board.read'));
  if (votes.length === 0) return null;
  return (
    <Paper withBorder radius="sm" p="md" component="section" aria-labelledby="home-cab-votes" data-testid="home-section-cab-votes">
      <Group justify="space-between" align="baseline" wrap="nowrap" mb="xs">
        <Title order={2} size="h5" id="home-cab-votes">
          CAB votes waiting for you
        </Title>
        <Anchor component={Link} to="/approvals" size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
          {votes.length} {votes.length === 1 ? 'vote' : 'votes'} in My approvals
        </Anchor>
      </Group>
      <Stack component="ul" gap="xs" m={0} p={0} style={{ listStyle: 'none' }}>
        {votes.map((a) => {
          const meeting = meetings.get(a.approver.ref);
          return (
            <li key={a.id}>
              <Group gap={6} wrap="nowrap" align="baseline">
                <Anchor component={Link} to={`/changes/${a.changeNumber}`} size="sm" fw={600} ff="monospace" style={{ flexShrink: 0 }}>
                  {a.changeNumber}
                </Anchor>
                <Text size="sm" lineClamp={1} style={{ minWidth: 0 }}>
                  {a.changeTitle}
                </Text>
              </Group>
              <Text size="xs" c="dimmed">
                {a.approver.label}
                {a.decidesFor ? ` · for ${a.decidesFor.name}` : ''}
                {a.dueAt ? ' · ' : ''}
                <DueText approval={a} />
                {meeting ? (
                  <>
                    {' · '}
                    <Anchor component={Link} to={`/meetings/${meeting.id}`} size="xs" underline="always">
                      {meeting.state === 'live' ? 'its meeting is under way' : `next meeting ${formatDateTime(meeting.start)}`}
                    </Anchor>
                  </>
                ) : null}
              </Text>
            </li>
          );
        })}
      </Stack>
    </Paper>
  );
}
