import { Button, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { searchFilter, selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { RouterAnchor } from '../../shared/router-link';
import { hasPermission, useCurrentUser } from '../auth/session';
import { IncidentCis } from '../incidents/incident-ui';
import { ciFilter, numberColumn, titleColumn } from '../incidents/record-list';
import { KnownErrorStateBadge } from './problem-ui';
import { KNOWN_ERROR_STATE_LABELS } from './problem-words';
import { type KnownError, type KnownErrorState, useKnownErrorList } from './problems-api';

const STATE_OPTIONS = (Object.keys(KNOWN_ERROR_STATE_LABELS) as KnownErrorState[]).map((s) => ({
  value: s,
  label: KNOWN_ERROR_STATE_LABELS[s],
}));

export function KnownErrorsPage() {
  const me = useCurrentUser();
  const state = useListParams(['state', 'ciId', 'q'] as const);
  const { filters } = state;
  const query = {
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.ciId ? { ciId: filters.ciId } : {}),
    ...(filters.q ? { q: filters.q } : {}),
  };
  const list = useKnownErrorList(query);

  const columns: ListColumn<KnownError>[] = [
    numberColumn((k) => `/known-errors/${k.number}`, false),
    titleColumn(false),
    { key: 'state', label: 'State', width: 120, render: (k) => <KnownErrorStateBadge state={k.state} /> },
    { key: 'cis', label: 'CIs', width: 200, render: (k) => <IncidentCis cis={k.cis} /> },
    {
      key: 'problem',
      label: 'Problem',
      width: 120,
      render: (k) =>
        k.problem ? (
          <RouterAnchor to={`/problems/${k.problem.number}`} size="sm" ff="monospace">
            {k.problem.number}
          </RouterAnchor>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ),
    },
    { key: 'updatedAt', label: 'Updated', width: 160, render: (k) => <Text size="sm">{formatDateTime(k.updatedAt)}</Text> },
  ];

  return (
    <ListPage
      title="Known errors"
      description="Faults whose cause is known, with the workaround to use until they are fixed. Published ones are shown on every change to their CIs, and a standard change on them is checked before it runs."
      label="Known errors"
      state={state}
      query={list}
      columns={columns}
      filters={[
        searchFilter('q', 'Search', 'Number, title, cause or workaround'),
        selectFilter('state', 'State', STATE_OPTIONS, { placeholder: 'Any state', width: 160 }),
        ciFilter(),
      ]}
      rowKey={(k) => k.id}
      rowHref={(k) => `/known-errors/${k.number}`}
      emptyText="No known errors yet. Record one from a problem once its cause is known."
      filteredEmptyText="No known error matches these filters."
      actions={
        <>
          <Button component={Link} to="/problems" variant="default">
            Problems
          </Button>
          {hasPermission(me, 'problem.create') && (
            <Button component={Link} to="/known-errors/new">
              Record a known error
            </Button>
          )}
        </>
      }
    />
  );
}
