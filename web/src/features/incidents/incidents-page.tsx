import { Badge, Button, CloseButton, Select, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { PRIORITY_LABELS } from '../../shared/labels';
import { customFilter, searchFilter, selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { hasPermission, useCurrentUser } from '../auth/session';
import { CiSelect } from '../cmdb/ci-multi-select';
import { CausedByLink, IncidentCis, IncidentStateBadge, PriorityBadge } from './incident-ui';
import { INCIDENT_STATE_LABELS } from './incident-words';
import { type Incident, type IncidentFilters, type IncidentState, useIncidentList } from './incidents-api';
import { NumberLink } from '../../shared/router-link';

/** `?state=`: none means the open ones, `all` means every state. */
const STATE_OPTIONS = [
  { value: 'open', label: 'Open (new, in progress, on hold)' },
  ...(Object.keys(INCIDENT_STATE_LABELS) as IncidentState[]).map((s) => ({ value: s, label: INCIDENT_STATE_LABELS[s] })),
  { value: 'all', label: 'Any state' },
];
const PRIORITY_OPTIONS = [1, 2, 3, 4].map((p) => ({ value: String(p), label: PRIORITY_LABELS[p] ?? String(p) }));

/** What GET /api/v1/incidents is asked from the URL's filters. */
export function incidentQueryOf(filters: {
  state?: string;
  priority?: string;
  ciId?: string;
  changeId?: string;
  q?: string;
}): IncidentFilters {
  const state = filters.state ?? 'open';
  return {
    ...(state !== 'all' ? { state } : {}),
    ...(filters.priority ? { priority: filters.priority } : {}),
    ...(filters.ciId ? { ciId: filters.ciId } : {}),
    ...(filters.changeId ? { changeId: filters.changeId } : {}),
    ...(filters.q ? { q: filters.q } : {}),
  };
}

export function IncidentsPage() {
  const me = useCurrentUser();
  const state = useListParams(['state', 'priority', 'ciId', 'changeId', 'q'] as const);
  const { filters, setFilter } = state;
  const query = { ...incidentQueryOf(filters), ...(state.sort ? { sort: state.sort } : {}) };
  const list = useIncidentList(query);

  const columns: ListColumn<Incident>[] = [
    {
      key: 'number',
      label: 'Number',
      sortable: true,
      width: 110,
      render: (i) => <NumberLink to={`/incidents/${i.number}`}>{i.number}</NumberLink>,
    },
    {
      key: 'title',
      label: 'Title',
      sortable: true,
      render: (i) => (
        <Text size="sm" lineClamp={2}>
          {i.title}
        </Text>
      ),
    },
    { key: 'priority', label: 'Priority', sortable: true, width: 135, render: (i) => <PriorityBadge priority={i.priority} /> },
    { key: 'state', label: 'State', sortable: true, width: 125, render: (i) => <IncidentStateBadge state={i.state} /> },
    { key: 'openedAt', label: 'Opened', sortable: true, width: 160, render: (i) => <Text size="sm">{formatDateTime(i.openedAt)}</Text> },
    { key: 'cis', label: 'CIs', width: 200, render: (i) => <IncidentCis cis={i.cis} /> },
    { key: 'causedBy', label: 'Caused by', width: 120, render: (i) => <CausedByLink change={i.causedByChange} /> },
  ];

  return (
    <ListPage
      title="Incidents"
      description="What broke, where, and which change caused it. Incidents on a CI in the last 30 days raise the risk of changes to it."
      label="Incidents"
      list="incidents"
      state={state}
      query={list}
      columns={columns}
      filters={[
        searchFilter('q', 'Search', 'Number, title or text'),
        customFilter('state', (value, set) => (
          <Select
            label="State"
            data={STATE_OPTIONS}
            value={value ?? 'open'}
            onChange={(v) => set(v === 'open' ? null : v)}
            allowDeselect={false}
            w={280}
          />
        )),
        selectFilter('priority', 'Priority', PRIORITY_OPTIONS, { placeholder: 'Any priority', width: 160 }),
        customFilter('ciId', (value, set) => (
          <div style={{ width: 220 }}>
            <CiSelect label="CI" value={value ?? null} onChange={set} />
          </div>
        )),
      ]}
      extra={
        filters.changeId && (
          <Badge
            size="lg"
            variant="light"
            radius="sm"
            tt="none"
            mb={4}
            rightSection={<CloseButton size="xs" aria-label="Stop filtering by the change" onClick={() => setFilter('changeId', null)} />}
          >
            Caused by {filters.changeId}
          </Badge>
        )
      }
      exportPath="/api/v1/incidents/export.csv"
      // The list shows the open ones unless the address says otherwise; so does its export.
      exportQuery={new URLSearchParams(query).toString()}
      rowKey={(i) => i.id}
      rowHref={(i) => `/incidents/${i.number}`}
      emptyText="No open incidents. Choose “Any state” to see resolved and closed ones."
      filteredEmptyText="No incident matches these filters."
      actions={
        <>
          {hasPermission(me, 'incident.import') && (
            <Button component={Link} to="/incidents/import" variant="default">
              Import
            </Button>
          )}
          {hasPermission(me, 'incident.write') && (
            <Button component={Link} to="/incidents/new">
              Report an incident
            </Button>
          )}
        </>
      }
    />
  );
}
