import { Badge, Button, CloseButton, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { searchFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { hasPermission, useCurrentUser } from '../auth/session';
import { CausedByLink, IncidentCis, IncidentStateBadge, PriorityBadge } from './incident-ui';
import { INCIDENT_STATE_LABELS } from './incident-words';
import { type Incident, type IncidentFilters, useIncidentList } from './incidents-api';
import { ciFilter, numberColumn, openStateFilter, openStateOptions, openStateQuery, priorityFilter, titleColumn } from './record-list';

const STATE_OPTIONS = openStateOptions(INCIDENT_STATE_LABELS, 'Open (new, in progress, on hold)');

/** What GET /api/v1/incidents is asked from the URL's filters. */
export function incidentQueryOf(filters: {
  state?: string;
  priority?: string;
  ciId?: string;
  changeId?: string;
  q?: string;
}): IncidentFilters {
  return openStateQuery(filters, ['priority', 'ciId', 'changeId', 'q'] as const);
}

export function IncidentsPage() {
  const me = useCurrentUser();
  const state = useListParams(['state', 'priority', 'ciId', 'changeId', 'q'] as const);
  const { filters, setFilter } = state;
  const query = { ...incidentQueryOf(filters), ...(state.sort ? { sort: state.sort } : {}) };
  const list = useIncidentList(query);

  const columns: ListColumn<Incident>[] = [
    numberColumn((i) => `/incidents/${i.number}`),
    titleColumn(),
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
      filters={[searchFilter('q', 'Search', 'Number, title or text'), openStateFilter(STATE_OPTIONS, 280), priorityFilter(), ciFilter()]}
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
