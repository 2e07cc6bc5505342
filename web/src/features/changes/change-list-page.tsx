import { Badge, Button, Group, Text, Tooltip } from '@mantine/core';
import { useEffect } from 'react';
import { Link, useLocation } from 'react-router';
import type { ChangeListItem } from '../../../../src/contracts/change';
import { formatDateTime } from '../../shared/format';
import { PRIORITY_LABELS } from '../../shared/labels';
import { dayFilter, multiFilter, multiValueFilter, ONE_LINE_PILLS, searchFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn, type QuickFilter } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { CHANGE_SEARCH_ID } from '../../shared/shortcuts';
import { useTeams } from '../admin/admin-api';
import { UserMultiSelect } from '../admin/user-select';
import { hasPermission, useCurrentUser } from '../auth/session';
import { CiMultiSelect } from '../cmdb/ci-multi-select';
import { useServiceOptions } from '../cmdb/cmdb-api';
import { useTemplateOptions } from '../templates/templates-api';
import { useChangeList, type ChangeFilters } from './change-api';
import { allStates, orderedModels, typeLabel, usePolicy } from './policy';
import { RiskBadge } from './risk-badge';
import { StateBadge, TypeBadge } from './state-badge';
import { NumberLink } from '../../shared/router-link';

const FILTER_KEYS = [
  'q',
  'type',
  'state',
  'assignmentTeamId',
  'serviceId',
  'ciId',
  'templateId',
  'plannedFrom',
  'plannedTo',
  'requesterId',
  'mine',
] as const;

const QUICK_FILTERS: QuickFilter[] = [
  { label: 'Mine', params: { mine: 'requested,owned' } },
  { label: 'My team’s', params: { mine: 'team' } },
  { label: 'I implement', params: { mine: 'implementing' } },
  { label: 'I approve', params: { mine: 'approving' } },
];

/** Open conflicts and the SLA, as the list reads them for the whole page. */
function Markers({ change }: { change: ChangeListItem }) {
  const conflicts = change.openConflicts ?? 0;
  return (
    <Group gap={4} wrap="nowrap">
      {conflicts > 0 && (
        <Tooltip label="Schedule conflicts nobody has acknowledged yet">
          <Badge color="orange" variant="light" radius="sm" tt="none">
            {conflicts === 1 ? '1 conflict' : `${conflicts} conflicts`}
          </Badge>
        </Tooltip>
      )}
      {change.slaStatus === 'breached' && (
        <Badge color="red" variant="light" radius="sm" tt="none">
          SLA breached
        </Badge>
      )}
      {change.slaStatus === 'at_risk' && (
        <Badge color="yellow" variant="light" radius="sm" tt="none" c="yellow.9">
          SLA at risk
        </Badge>
      )}
    </Group>
  );
}

export function ChangeListPage() {
  const me = useCurrentUser();
  const location = useLocation();
  const state = useListParams(FILTER_KEYS);
  const { data: policy } = usePolicy();
  const teams = useTeams();
  const services = useServiceOptions();
  const templates = useTemplateOptions();
  const list = useChangeList({ ...state.filters, ...(state.sort ? { sort: state.sort } : {}) } satisfies ChangeFilters);

  // Arriving through the "/" shortcut from another page focuses the search box.
  useEffect(() => {
    if ((location.state as { focusSearch?: boolean } | null)?.focusSearch) document.getElementById(CHANGE_SEARCH_ID)?.focus();
  }, [location.state]);

  const columns: ListColumn<ChangeListItem>[] = [
    {
      key: 'number',
      label: 'Number',
      sortable: true,
      width: 130,
      render: (c) => <NumberLink to={`/changes/${c.number}`}>{c.number}</NumberLink>,
    },
    {
      key: 'title',
      label: 'Title',
      sortable: true,
      render: (c) => (
        <Text size="sm" lineClamp={1}>
          {c.title}
        </Text>
      ),
    },
    {
      key: 'type',
      label: 'Type',
      sortable: true,
      width: 120,
      render: (c) => <TypeBadge type={c.type} label={typeLabel(policy, c.type)} />,
    },
    { key: 'state', label: 'State', sortable: true, width: 130, render: (c) => <StateBadge state={c.state} type={c.type} /> },
    { key: 'risk', label: 'Risk', sortable: true, width: 110, render: (c) => <RiskBadge risk={c.risk} /> },
    {
      key: 'plannedStart',
      label: 'Planned start',
      sortable: true,
      width: 180,
      render: (c) => <Text size="sm">{formatDateTime(c.plannedStart)}</Text>,
    },
    { key: 'priority', label: 'Priority', width: 120, render: (c) => <Text size="sm">{PRIORITY_LABELS[c.priority] ?? c.priority}</Text> },
    { key: 'markers', label: 'Flags', width: 150, render: (c) => <Markers change={c} /> },
  ];

  const filters = [
    searchFilter('q', 'Search', 'Number, title or text  ( / )', { id: CHANGE_SEARCH_ID, width: 240 }),
    multiFilter(
      'type',
      'Type',
      orderedModels(policy).map((m) => ({ value: m.type, label: typeLabel(policy, m.type) })),
      { width: 230 },
    ),
    multiFilter('state', 'State', allStates(policy), { width: 300 }),
    multiFilter(
      'assignmentTeamId',
      'Team',
      (teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name })),
      { width: 200 },
    ),
    // The people search every signed-in person may use (not the user list, which is for admins).
    multiValueFilter('requesterId', (values, set) => (
      <UserMultiSelect label="Requester" placeholder="Anyone" value={values} onChange={set} w={220} styles={ONE_LINE_PILLS} />
    )),
    multiFilter('serviceId', 'Service', services.data ?? [], { width: 200 }),
    multiValueFilter('ciId', (values, set) => (
      <div style={{ width: 220 }}>
        <CiMultiSelect label="CI" placeholder="Any" value={values} onChange={set} styles={ONE_LINE_PILLS} />
      </div>
    )),
    multiFilter(
      'templateId',
      'Template',
      (templates.data?.items ?? []).map((t) => ({ value: t.id, label: t.name })),
      { width: 220 },
    ),
    dayFilter('plannedFrom', 'Planned from', 'start'),
    dayFilter('plannedTo', 'Planned to', 'end'),
  ];

  return (
    <ListPage
      title="Changes"
      label="Changes"
      list="changes"
      state={state}
      query={list}
      columns={columns}
      filters={filters}
      quickFilters={QUICK_FILTERS}
      exportPath="/api/v1/changes/export.csv"
      rowKey={(c) => c.id}
      rowHref={(c) => `/changes/${c.number}`}
      emptyText="No changes yet."
      filteredEmptyText="No change matches these filters."
      actions={
        hasPermission(me, 'change.create') && (
          <Button component={Link} to="/changes/new">
            New change
          </Button>
        )
      }
    />
  );
}
