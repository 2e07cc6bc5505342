import { Select, Text } from '@mantine/core';
import { formatDateTime } from '../../shared/format';
import { customFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { NumberLink } from '../../shared/router-link';
import { ServiceFilter, TargetWords } from '../deployments/deployment-ui';
import { type UnauthorizedChange, type UnauthorizedFilters, useUnauthorizedList } from './unauthorized-api';
import { OUTCOME_LABELS, UnauthorizedStateBadge } from './unauthorized-ui';

/** `?state=`: none means the open ones (the queue), `all` means both. */
const STATE_OPTIONS = [
  { value: 'open', label: 'Open: review due' },
  { value: 'closed', label: 'Reviewed' },
  { value: 'all', label: 'Any state' },
];

/** What GET /api/v1/unauthorized-changes is asked from the address. */
export function unauthorizedQueryOf(filters: { state?: string; serviceId?: string }): UnauthorizedFilters {
  const state = filters.state ?? 'open';
  return { ...(state !== 'all' ? { state } : { state: 'open,closed' }), ...(filters.serviceId ? { serviceId: filters.serviceId } : {}) };
}

export function UnauthorizedChangesPage() {
  const state = useListParams(['state', 'serviceId'] as const);
  const list = useUnauthorizedList(unauthorizedQueryOf(state.filters));

  const columns: ListColumn<UnauthorizedChange>[] = [
    {
      key: 'number',
      label: 'Number',
      width: 120,
      render: (u) => <NumberLink to={`/unauthorized-changes/${u.number}`}>{u.number}</NumberLink>,
    },
    { key: 'state', label: 'State', width: 120, render: (u) => <UnauthorizedStateBadge state={u.state} /> },
    {
      key: 'where',
      label: 'Where',
      render: (u) => <TargetWords service={u.service} cis={u.ci ? [u.ci] : []} environment={u.environment} />,
    },
    {
      key: 'repository',
      label: 'Repository',
      width: 220,
      render: (u) => (
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {u.repository}
        </Text>
      ),
    },
    { key: 'firstSeenAt', label: 'First seen', width: 150, render: (u) => <Text size="sm">{formatDateTime(u.firstSeenAt)}</Text> },
    { key: 'deployments', label: 'Deployments', width: 110, render: (u) => <Text size="sm">{u.deploymentCount}</Text> },
    {
      key: 'outcome',
      label: 'Outcome',
      width: 190,
      render: (u) => <Text size="sm">{u.review ? OUTCOME_LABELS[u.review.outcome] : '—'}</Text>,
    },
  ];

  return (
    <ListPage
      title="Unauthorized changes"
      description="Production deployments that no authorised change covered. Each gets a blameless review: what in the process made going around it easier than the right path, and what was fixed."
      label="Unauthorized changes"
      state={state}
      query={list}
      columns={columns}
      filters={[
        customFilter('state', (value, set) => (
          <Select
            label="State"
            data={STATE_OPTIONS}
            value={value ?? 'open'}
            onChange={(v) => set(v === 'open' ? null : v)}
            allowDeselect={false}
            w={190}
          />
        )),
        customFilter('serviceId', (value, set) => <ServiceFilter value={value} onChange={set} />),
      ]}
      rowKey={(u) => u.id}
      rowHref={(u) => `/unauthorized-changes/${u.number}`}
      emptyText="No unauthorized change waits for a review. Choose “Any state” to see the reviewed ones."
      filteredEmptyText="No unauthorized change matches these filters."
    />
  );
}
