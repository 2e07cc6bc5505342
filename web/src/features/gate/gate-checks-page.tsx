import { Text } from '@mantine/core';
import { formatDateTime } from '../../shared/format';
import { toOptions } from '../../shared/labels';
import { customFilter, searchFilter, selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { NumberLink, RouterAnchor } from '../../shared/router-link';
import { environmentLabel, ServiceFilter } from '../deployments/deployment-ui';
import { type GateCheck, type GateCheckFilters, useGateCheckList } from './gate-api';
import { DECISION_LABELS, DecisionBadge, GateReasons, SOURCE_LABELS } from './gate-ui';

const FILTER_KEYS = ['decision', 'source', 'repository', 'serviceId'] as const;

export function GateChecksPage() {
  const state = useListParams(FILTER_KEYS);
  const list = useGateCheckList(state.filters as GateCheckFilters);

  const columns: ListColumn<GateCheck>[] = [
    { key: 'createdAt', label: 'Asked', width: 150, render: (c) => <Text size="sm">{formatDateTime(c.createdAt)}</Text> },
    { key: 'decision', label: 'Decision', width: 100, render: (c) => <DecisionBadge decision={c.decision} /> },
    {
      key: 'pipeline',
      label: 'Pipeline',
      width: 260,
      render: (c) => (
        <>
          <RouterAnchor to={`/gate/checks/${c.id}`} size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
            {c.repository}
          </RouterAnchor>
          <Text size="xs" c="dimmed">
            {SOURCE_LABELS[c.source] ?? c.source}
            {c.ref ? ` · ${c.ref}` : ''} · run {c.pipeline.runId}
            {c.pipeline.attempt > 1 ? `, attempt ${c.pipeline.attempt}` : ''}
          </Text>
        </>
      ),
    },
    {
      key: 'environment',
      label: 'Environment',
      width: 120,
      render: (c) => <Text size="sm">{environmentLabel(c.target.environment)}</Text>,
    },
    {
      key: 'change',
      label: 'Change',
      width: 120,
      render: (c) => (c.change ? <NumberLink to={`/changes/${c.change.number}`}>{c.change.number}</NumberLink> : '—'),
    },
    { key: 'reasons', label: 'Reasons', render: (c) => <GateReasons check={c} compact /> },
  ];

  return (
    <ListPage
      title="Gate checks"
      description="Every time a pipeline asked whether a deployment may go out now, and what Cabinet answered."
      label="Gate checks"
      state={state}
      query={list}
      columns={columns}
      filters={[
        selectFilter('decision', 'Decision', toOptions(DECISION_LABELS), { width: 140 }),
        selectFilter('source', 'Source', toOptions(SOURCE_LABELS), { width: 160 }),
        searchFilter('repository', 'Repository', 'owner/name', { width: 200 }),
        customFilter('serviceId', (value, set) => <ServiceFilter value={value} onChange={set} />),
      ]}
      rowKey={(c) => c.id}
      rowHref={(c) => `/gate/checks/${c.id}`}
      emptyText="No pipeline has asked the gate yet. docs/pipelines.md shows how to wire one."
      filteredEmptyText="No gate check matches these filters."
    />
  );
}
