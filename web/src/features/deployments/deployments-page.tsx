import { Badge, CloseButton, Code, Text } from '@mantine/core';
import { formatDateTime } from '../../shared/format';
import { ENVIRONMENT_LABELS, toOptions } from '../../shared/labels';
import { customFilter, dayFilter, selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { NumberLink, RouterAnchor } from '../../shared/router-link';
import { SOURCE_LABELS } from '../gate/gate-ui';
import { DeploymentResultBadge, RESULT_LABELS, ServiceFilter, TargetWords } from './deployment-ui';
import { type Deployment, type DeploymentFilters, useDeploymentList } from './deployments-api';

/** `ids`: exactly these deployments (the records behind a DORA figure link here). */
const FILTER_KEYS = ['serviceId', 'environment', 'result', 'from', 'to', 'ids'] as const;

export function DeploymentsPage() {
  const state = useListParams(FILTER_KEYS);
  const list = useDeploymentList(state.filters as DeploymentFilters);

  const columns: ListColumn<Deployment>[] = [
    {
      key: 'startedAt',
      label: 'Started',
      width: 150,
      render: (d) => (
        <RouterAnchor to={`/deployments/${d.id}`} size="sm">
          {formatDateTime(d.startedAt ?? d.createdAt)}
        </RouterAnchor>
      ),
    },
    { key: 'result', label: 'Result', width: 110, render: (d) => <DeploymentResultBadge deployment={d} /> },
    { key: 'target', label: 'Where', render: (d) => <TargetWords service={d.service} cis={d.cis} environment={d.environment} /> },
    {
      key: 'repository',
      label: 'What',
      width: 260,
      render: (d) => (
        <>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {d.repository}
          </Text>
          <Text size="xs" c="dimmed">
            {SOURCE_LABELS[d.source as keyof typeof SOURCE_LABELS] ?? d.source} · <Code fz="xs">{d.sha.slice(0, 7)}</Code>
          </Text>
        </>
      ),
    },
    {
      key: 'change',
      label: 'Change',
      width: 130,
      render: (d) =>
        d.change ? (
          <NumberLink to={`/changes/${d.change.number}`}>{d.change.number}</NumberLink>
        ) : (
          <Text size="sm" c="red.8">
            None
          </Text>
        ),
    },
  ];

  return (
    <ListPage
      title="Deployments"
      description="Every deployment pipelines reported: where it went, what it carried, how it went and the change it belongs to."
      label="Deployments"
      state={state}
      query={list}
      columns={columns}
      filters={[
        customFilter('serviceId', (value, set) => <ServiceFilter value={value} onChange={set} />),
        selectFilter('environment', 'Environment', toOptions(ENVIRONMENT_LABELS), { width: 150 }),
        selectFilter('result', 'Result', toOptions(RESULT_LABELS), { width: 130 }),
        dayFilter('from', 'From', 'start'),
        dayFilter('to', 'To', 'end'),
      ]}
      extra={
        state.filters.ids && (
          <Badge
            size="lg"
            variant="light"
            radius="sm"
            tt="none"
            mb={4}
            rightSection={<CloseButton size="xs" aria-label="Show every deployment" onClick={() => state.setFilter('ids', null)} />}
          >
            The {state.filters.ids.split(',').length} deployments behind a DORA figure
          </Badge>
        )
      }
      rowKey={(d) => d.id}
      rowHref={(d) => `/deployments/${d.id}`}
      emptyText="No deployment on record yet. Pipelines record them with POST /api/v1/deployments (docs/deployments.md)."
      filteredEmptyText="No deployment matches these filters."
    />
  );
}
