import { Anchor, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { DueText } from '../approvals/approvals-panel';
import { useMyApprovals } from '../approvals/approvals-api';

/**
 * "CAB votes waiting for you": the pending approvals of a board (a CAB, the ECAB, a technical board) that the
 * signed-in person may vote on, from GET /api/v1/me/approvals (read for the navigation badge already).
 * Nothing at all when there are none, or when they cannot be read: "Approvals waiting for you" still lists them.
 */
export function CabVotesSection() {
  const mine = useMyApprovals();
  const votes = (mine.data?.items ?? []).filter((a) => a.approver.kind === 'board' && a.state === 'pending');
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
        {votes.map((a) => (
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
            </Text>
          </li>
        ))}
      </Stack>
    </Paper>
  );
}
