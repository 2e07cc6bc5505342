import { Badge, Button, CloseButton, Group, Select } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { PRIORITY_LABELS } from '../../shared/labels';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { SearchInput } from '../../shared/search-input';
import { useUrlFilters } from '../../shared/use-url-filters';
import { hasPermission, useCurrentUser } from '../auth/session';
import { CiSelect } from '../cmdb/ci-multi-select';
import { IncidentTable } from './incident-ui';
import { INCIDENT_STATE_LABELS } from './incident-words';
import { type IncidentFilters, type IncidentState, useIncidentList } from './incidents-api';

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
  const { filters, setFilter, clear, hasFilters } = useUrlFilters(['state', 'priority', 'ciId', 'changeId', 'q'] as const);
  const list = useIncidentList(incidentQueryOf(filters));
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title="Incidents"
        description="What broke, where, and which change caused it. Incidents on a CI in the last 30 days raise the risk of changes to it."
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
      <Group gap="sm" mb="sm" align="flex-end" role="search" aria-label="Filter incidents">
        <SearchInput
          label="Search"
          placeholder="Number, title or text"
          value={filters.q ?? ''}
          onSearch={(v) => setFilter('q', v)}
          w={240}
        />
        <Select
          label="State"
          data={STATE_OPTIONS}
          value={filters.state ?? 'open'}
          onChange={(v) => setFilter('state', v === 'open' ? null : v)}
          allowDeselect={false}
          w={280}
        />
        <Select
          label="Priority"
          placeholder="Any priority"
          data={PRIORITY_OPTIONS}
          value={filters.priority ?? null}
          onChange={(v) => setFilter('priority', v)}
          clearable
          w={160}
        />
        <div style={{ width: 220 }}>
          <CiSelect label="CI" value={filters.ciId ?? null} onChange={(v) => setFilter('ciId', v)} />
        </div>
        {filters.changeId && (
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
        )}
        {hasFilters && (
          <Button variant="subtle" onClick={clear}>
            Clear filters
          </Button>
        )}
      </Group>
      {list.isError && <ErrorAlert error={list.error} title="Cannot load incidents" onRetry={() => void list.refetch()} />}
      {list.isPending ? (
        <PageLoader label="Loading incidents" />
      ) : (
        <>
          <IncidentTable
            incidents={rows}
            busy={list.isFetching}
            emptyText={
              hasFilters ? 'No incident matches these filters.' : 'No open incidents. Choose “Any state” to see resolved and closed ones.'
            }
          />
          <LoadMore
            shown={rows.length}
            hasNextPage={list.hasNextPage}
            isFetchingNextPage={list.isFetchingNextPage}
            onLoadMore={() => void list.fetchNextPage()}
          />
        </>
      )}
    </>
  );
}
