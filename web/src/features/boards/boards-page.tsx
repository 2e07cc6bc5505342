import { Badge, Button, Text } from '@mantine/core';
import { Link } from 'react-router';
import { toOptions } from '../../shared/labels';
import { selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { hasPermission, useCurrentUser } from '../auth/session';
import { BOARD_KIND_LABELS } from './board-form';
import { type Board, type BoardFilters, type BoardKind, useBoardList } from './boards-api';

const KIND_SHORT: Record<BoardKind, string> = { cab: 'CAB', ecab: 'ECAB', technical: 'Technical' };
const ACTIVE_OPTIONS = [
  { value: 'true', label: 'Active' },
  { value: 'false', label: 'Deactivated' },
];

/** What GET /api/v1/boards is asked from the address; values it does not know are left out. */
export function boardQueryOf(filters: { kind?: string; active?: string }): BoardFilters {
  return {
    ...(filters.kind && filters.kind in KIND_SHORT ? { kind: filters.kind as BoardKind } : {}),
    ...(filters.active === 'true' || filters.active === 'false' ? { active: filters.active } : {}),
  };
}

/** The quorum in words: "3 people, with security". */
export function quorumWords(b: Board): string {
  const people = `${b.quorum.minMembers} ${b.quorum.minMembers === 1 ? 'person' : 'people'}`;
  return b.quorum.requiredDomains.length ? `${people}, with ${b.quorum.requiredDomains.join(', ')}` : people;
}

export function BoardsPage() {
  const me = useCurrentUser();
  const state = useListParams(['kind', 'active'] as const);
  const list = useBoardList(boardQueryOf(state.filters));
  const canManage = hasPermission(me, 'board.manage');

  const columns: ListColumn<Board>[] = [
    {
      key: 'name',
      label: 'Name',
      render: (b) => (
        <>
          <Text component={Link} to={`/boards/${b.id}`} size="sm" fw={600} c="blue.8">
            {b.name}
          </Text>
          {b.description && (
            <Text size="xs" c="dimmed" lineClamp={2}>
              {b.description}
            </Text>
          )}
        </>
      ),
    },
    { key: 'kind', label: 'Kind', width: 110, render: (b) => <Text size="sm">{KIND_SHORT[b.kind]}</Text> },
    {
      key: 'members',
      label: 'Members',
      width: 130,
      render: (b) => (
        <Text size="sm">
          {b.members.length} ({b.people} {b.people === 1 ? 'person' : 'people'})
        </Text>
      ),
    },
    { key: 'quorum', label: 'Quorum', width: 190, render: (b) => <Text size="sm">{quorumWords(b)}</Text> },
    {
      key: 'scope',
      label: 'Scope',
      render: (b) =>
        b.scope?.trim() ? (
          <Text size="xs" ff="monospace" lineClamp={2} style={{ overflowWrap: 'anywhere' }} title={b.scope}>
            {b.scope}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            Every change routed to it
          </Text>
        ),
    },
    {
      key: 'active',
      label: 'Active',
      width: 120,
      render: (b) => (
        <Badge variant="light" color={b.active ? 'green' : 'gray'}>
          {b.active ? 'Active' : 'Deactivated'}
        </Badge>
      ),
    },
  ];

  return (
    <ListPage
      title="Boards"
      description="The CABs, the ECAB and the technical boards: who sits on them, what they decide, and how many must vote."
      actions={
        canManage && (
          <Button component={Link} to="/boards/new">
            New board
          </Button>
        )
      }
      label="Boards"
      state={state}
      query={list}
      columns={columns}
      filters={[
        selectFilter('kind', 'Kind', toOptions(BOARD_KIND_LABELS), { width: 190 }),
        selectFilter('active', 'Active', ACTIVE_OPTIONS),
      ]}
      rowKey={(b) => b.id}
      rowHref={(b) => `/boards/${b.id}`}
      emptyText={canManage ? 'No boards yet. Set one up with “New board”.' : 'No boards yet. Change managers set them up.'}
      filteredEmptyText="No board matches these filters."
    />
  );
}
