import { Alert, Button, Group, Select, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { PRIORITY_LABELS } from '../../shared/labels';
import { customFilter, searchFilter, selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { NumberLink } from '../../shared/router-link';
import { hasPermission, useCurrentUser } from '../auth/session';
import { CiSelect } from '../cmdb/ci-multi-select';
import { IncidentCis, PriorityBadge } from '../incidents/incident-ui';
import { ProblemStateBadge } from './problem-ui';
import { PROBLEM_STATE_LABELS } from './problem-words';
import {
  type Problem,
  type ProblemFilters,
  type ProblemState,
  type ProblemSuggestions,
  useProblemList,
  useProblemSuggestions,
} from './problems-api';

const STATE_OPTIONS = [
  { value: 'open', label: 'Open (before resolved)' },
  ...(Object.keys(PROBLEM_STATE_LABELS) as ProblemState[]).map((s) => ({ value: s, label: PROBLEM_STATE_LABELS[s] })),
  { value: 'all', label: 'Any state' },
];
const PRIORITY_OPTIONS = [1, 2, 3, 4].map((p) => ({ value: String(p), label: PRIORITY_LABELS[p] ?? String(p) }));

/** What GET /api/v1/problems is asked from the URL's filters (the open ones unless the address says otherwise). */
export function problemQueryOf(filters: { state?: string; priority?: string; ciId?: string; q?: string }): ProblemFilters {
  const state = filters.state ?? 'open';
  return {
    ...(state !== 'all' ? { state } : {}),
    ...(filters.priority ? { priority: filters.priority } : {}),
    ...(filters.ciId ? { ciId: filters.ciId } : {}),
    ...(filters.q ? { q: filters.q } : {}),
  };
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
    {
      key: 'number',
      label: 'Number',
      sortable: true,
      width: 110,
      render: (p) => <NumberLink to={`/problems/${p.number}`}>{p.number}</NumberLink>,
    },
    {
      key: 'title',
      label: 'Title',
      sortable: true,
      render: (p) => (
        <Text size="sm" lineClamp={2}>
          {p.title}
        </Text>
      ),
    },
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
          customFilter('state', (value, set) => (
            <Select
              label="State"
              data={STATE_OPTIONS}
              value={value ?? 'open'}
              onChange={(v) => set(v === 'open' ? null : v)}
              allowDeselect={false}
              w={240}
            />
          )),
          selectFilter('priority', 'Priority', PRIORITY_OPTIONS, { placeholder: 'Any priority', width: 160 }),
          customFilter('ciId', (value, set) => (
            <div style={{ width: 220 }}>
              <CiSelect label="CI" value={value ?? null} onChange={set} />
            </div>
          )),
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
