import { Button, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Ci } from '../../api/types';
import { ENVIRONMENT_LABELS, toOptions } from '../../shared/labels';
import { searchFilter, selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { hasPermission, useCurrentUser } from '../auth/session';
import { useCiList, useServiceOptions } from './cmdb-api';
import { CriticalityBadge, Tags } from './cmdb-ui';

const environmentOptions = toOptions(ENVIRONMENT_LABELS);

export function CisPage() {
  const me = useCurrentUser();
  const state = useListParams(['q', 'type', 'environment', 'serviceId', 'tag'] as const);
  const list = useCiList({ ...state.filters, ...(state.sort ? { sort: state.sort } : {}) });
  const services = useServiceOptions();
  const serviceNames = new Map((services.data ?? []).map((o) => [o.value, o.label]));

  const columns: ListColumn<Ci>[] = [
    {
      key: 'name',
      label: 'Name',
      sortable: true,
      render: (ci) => (
        <Text component={Link} to={`/cmdb/cis/${ci.id}`} size="sm" fw={600} c="blue.8">
          {ci.name}
        </Text>
      ),
    },
    {
      key: 'type',
      label: 'Type',
      sortable: true,
      width: 130,
      render: (ci) => (
        <Text size="sm" ff="monospace">
          {ci.type}
        </Text>
      ),
    },
    {
      key: 'environment',
      label: 'Environment',
      sortable: true,
      width: 150,
      render: (ci) => <Text size="sm">{ENVIRONMENT_LABELS[ci.environment] ?? ci.environment}</Text>,
    },
    {
      key: 'service',
      label: 'Service',
      sortable: true,
      width: 200,
      render: (ci) =>
        ci.serviceId ? (
          <Text component={Link} to={`/cmdb/services/${ci.serviceId}`} size="sm" c="blue.8">
            {serviceNames.get(ci.serviceId) ?? 'Service'}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ),
    },
    {
      key: 'criticality',
      label: 'Criticality',
      sortable: true,
      width: 110,
      render: (ci) => <CriticalityBadge criticality={ci.criticality} />,
    },
    { key: 'tags', label: 'Tags', render: (ci) => <Tags tags={ci.tags} /> },
  ];

  return (
    <ListPage
      title="Configuration items"
      description="Servers, databases, applications and everything else a change can touch."
      label="Configuration items"
      list="cis"
      state={state}
      query={list}
      columns={columns}
      filters={[
        searchFilter('q', 'Search', 'CI name'),
        searchFilter('type', 'Type', 'e.g. database', { width: 150 }),
        selectFilter('environment', 'Environment', environmentOptions, { width: 170 }),
        selectFilter('serviceId', 'Service', services.data ?? [], { placeholder: 'Any service', searchable: true, width: 220 }),
        searchFilter('tag', 'Tag', 'e.g. pci', { width: 130 }),
      ]}
      exportPath="/api/v1/cis/export.csv"
      rowKey={(ci) => ci.id}
      rowHref={(ci) => `/cmdb/cis/${ci.id}`}
      emptyText="No CIs yet."
      filteredEmptyText="No CI matches these filters."
      actions={
        hasPermission(me, 'cmdb.write') && (
          <Button component={Link} to="/cmdb/import" variant="default">
            Import CIs
          </Button>
        )
      }
    />
  );
}
