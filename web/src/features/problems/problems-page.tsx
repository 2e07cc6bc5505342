import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { searchFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { hasPermission, useCurrentUser } from '../auth/session';
import { IncidentCis, PriorityBadge } from '../incidents/incident-ui';
import {
  ciFilter,
  numberColumn,
  openStateFilter,
  openStateOptions,
  openStateQuery,
  priorityFilter,
  titleColumn,
} from '../incidents/record-list';
import { ProblemStateBadge } from './problem-ui';
import { PROBLEM_STATE_LABELS } from './problem-words';
import { type Problem, type ProblemFilters, type ProblemSuggestions, useProblemList, useProblemSuggestions } from './problems-api';

const STATE_OPTIONS = openStateOptions(PROBLEM_STATE_LABELS, 'Open (before resolved)');

/** What GET /api/v1/problems is asked from the URL's filters (the open ones unless the address says otherwise). */
export function problemQueryOf(filters: { state?: string; priority?: string; ciId?: string; q?: string }): ProblemFilters {
  return openStateQuery(filters, ['priority', 'ciId', 'q'] as const);
}

/** The new-problem form's address, prefilled from a suggestion: its CI and its incidents. */
export function openProblemPath(s: ProblemSuggestions['items'][number]): string {
  const params = new URLSearchParams({ ciIds: s.ci.id, incidents: s.incidents.map((i) => i.number).join(',') });
  return `/problems/new?${params.toString()}`;
}

/** CIs with several recent incidents and no problem: a box above the list, with "Open a problem" for each. */
export function SuggestionsBox({ canCreate }: { canCreate: boolean }) {
  const suggestions = useProblemSuggestions();
  const items = suggestions.data?.items ?? [];
  if (items.length === 0) return null;
  const { threshold, days } = suggestions.data!;
  return (
    <section aria-label="Suggested problems">
      <Alert color="orange" variant="light" title="Problems worth opening" mb="md">
        <Text size="sm" mb="xs">
          These CIs had {threshold} or more incidents in the last {days} days that no problem explains yet. Repeated incidents usually share
          a cause.
        </Text>
        <Stack gap="xs">
          {items.map((s) => (
            <Group key={s.ci.id} justify="space-between" wrap="nowrap" gap="sm">
              <div style={{ minWidth: 0 }}>
                <Text size="sm" fw={600}>
                  {s.ci.name}: {s.incidents.length} incidents
                </Text>
                <Text size="xs" c="dimmed" lineClamp={1}>
                  {s.incidents.map((i) => `${i.number} ${i.title}`).join(' · ')}
                </Text>
              </div>
              {canCreate && (
                <Button component={Link} to={openProblemPath(s)} size="xs" variant="light" aria-label={`Open a problem for ${s.ci.name}`}>
                  Open a problem
                </Button>
              )}
            </Group>
          ))}
        </Stack>
      </Alert>
    </section>
  );
}

export function ProblemsPage() {
  const me = useCurrentUser();
  const state = useListParams(['state', 'priority', 'ciId', 'q'] as const);
  const { filters } = state;
  const query = { ...problemQueryOf(filters), ...(state.sort ? { sort: state.sort } : {}) };
  const list = useProblemList(query);
  const canCreate = hasPermission(me, 'problem.create');

  const columns: ListColumn<Problem>[] = [
    numberColumn((p) => `/problems/${p.number}`),
    titleColumn(),
    { key: 'priority', label: 'Priority', sortable: true, width: 135, render: (p) => <PriorityBadge priority={p.priority} /> },
    { key: 'state', label: 'State', sortable: true, width: 170, render: (p) => <ProblemStateBadge state={p.state} /> },
    { key: 'cis', label: 'CIs', width: 180, render: (p) => <IncidentCis cis={p.cis} /> },
    { key: 'incidents', label: 'Incidents', width: 90, render: (p) => <Text size="sm">{p.incidents.length}</Text> },
    { key: 'owner', label: 'Owner', width: 150, render: (p) => <Text size="sm">{p.owner?.name ?? '—'}</Text> },
    { key: 'createdAt', label: 'Opened', sortable: true, width: 160, render: (p) => <Text size="sm">{formatDateTime(p.createdAt)}</Text> },
  ];

  return (
    <>
      <SuggestionsBox canCreate={canCreate} />
      <ListPage
        title="Problems"
        description="The causes behind incidents. A problem links the incidents it explains, the changes that caused it and the changes that fix it; it is resolved when a fix change closes successfully."
        label="Problems"
        state={state}
        query={list}
        columns={columns}
        filters={[
          searchFilter('q', 'Search', 'Number, title, text or root cause'),
          openStateFilter(STATE_OPTIONS, 240),
          priorityFilter(),
          ciFilter(),
        ]}
        exportPath="/api/v1/problems/export.csv"
        exportQuery={new URLSearchParams(query).toString()}
        rowKey={(p) => p.id}
        rowHref={(p) => `/problems/${p.number}`}
        emptyText="No open problems. Choose “Any state” to see resolved and closed ones."
        filteredEmptyText="No problem matches these filters."
        actions={
          <>
            <Button component={Link} to="/known-errors" variant="default">
              Known errors
            </Button>
            {canCreate && (
              <Button component={Link} to="/problems/new">
                Open a problem
              </Button>
            )}
          </>
        }
      />
    </>
  );
}
