import { Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Service } from '../../api/types';
import { PROVIDER_LABELS } from '../../shared/labels';
import { searchFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { useTeamNames } from '../admin/admin-api';
import { Tags, TierBadge } from './cmdb-ui';
import { useServiceList } from './cmdb-api';

export function ServicesPage() {
  const state = useListParams(['q', 'tag'] as const);
  const list = useServiceList(state.filters);
  const teamNames = useTeamNames();

  const columns: ListColumn<Service>[] = [
    {
      key: 'name',
      label: 'Name',
      render: (s) => (
        <>
          <Text component={Link} to={`/cmdb/services/${s.id}`} size="sm" fw={600} c="blue.8">
            {s.name}
          </Text>
          {s.description && (
            <Text size="xs" c="dimmed" lineClamp={1}>
              {s.description}
            </Text>
          )}
        </>
      ),
    },
    { key: 'tier', label: 'Tier', width: 90, render: (s) => <TierBadge tier={s.tier} /> },
    { key: 'provider', label: 'Provider', width: 140, render: (s) => <Text size="sm">{PROVIDER_LABELS[s.provider] ?? s.provider}</Text> },
    {
      key: 'owner',
      label: 'Owner team',
      width: 200,
      render: (s) => <Text size="sm">{s.ownerTeamId ? (teamNames.get(s.ownerTeamId) ?? '—') : '—'}</Text>,
    },
    { key: 'tags', label: 'Tags', render: (s) => <Tags tags={s.tags} /> },
  ];

  return (
    <ListPage
      title="Services"
      description="Business and technical services, their tier and owners."
      label="Services"
      state={state}
      query={list}
      columns={columns}
      filters={[searchFilter('q', 'Search', 'Service name', { width: 280 }), searchFilter('tag', 'Tag', 'e.g. pci', { width: 160 })]}
      rowKey={(s) => s.id}
      rowHref={(s) => `/cmdb/services/${s.id}`}
      emptyText="No services found."
      filteredEmptyText="No services found."
    />
  );
}
