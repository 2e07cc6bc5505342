import { Badge, Button, CloseButton, Group, Paper, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PRIORITY_LABELS } from '../../shared/labels';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { CHANGE_SEARCH_ID } from '../../shared/shortcuts';
import { hasPermission, useCurrentUser } from '../auth/session';
import { useCis, useService } from '../cmdb/cmdb-api';
import { type ChangeFilters, useChangeList } from './change-api';
import { allStates, orderedModels, typeLabel, usePolicy } from './policy';
import { RiskBadge } from './risk-badge';
import { StateBadge, TypeBadge } from './state-badge';

function readFilters(params: URLSearchParams): ChangeFilters {
  const filters: ChangeFilters = {};
  for (const key of ['q', 'type', 'state', 'serviceId', 'ciId'] as const) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

/** The service or CI the list is narrowed to (set by links from CMDB pages), with a way out. */
function ScopeBadge({ kind, id, onClear }: { kind: 'service' | 'ci'; id: string; onClear: () => void }) {
  const service = useService(kind === 'service' ? id : null);
  const [ci] = useCis(kind === 'ci' ? [id] : []);
  const name = (kind === 'service' ? service.data?.name : ci?.data?.name) ?? '…';
  return (
    <Badge
      size="lg"
      variant="light"
      radius="sm"
      tt="none"
      mb={4}
      rightSection={
        <CloseButton size="xs" aria-label={`Stop filtering by ${kind === 'ci' ? 'CI' : 'service'} ${name}`} onClick={onClear} />
      }
    >
      {kind === 'service' ? 'Service' : 'CI'}: {name}
    </Badge>
  );
}

export function ChangeListPage() {
  const me = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const filters = readFilters(params);
  const { data: policy } = usePolicy();
  const list = useChangeList(filters);
  const searchRef = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState(filters.q ?? '');

  // Arriving through the "/" shortcut from another page focuses the search box.
  useEffect(() => {
    if ((location.state as { focusSearch?: boolean } | null)?.focusSearch) searchRef.current?.focus();
  }, [location.state]);

  // Keep the box in step when the URL changes underneath it (back/forward).
  useEffect(() => setQ((current) => (current.trim() === (filters.q ?? '') ? current : (filters.q ?? ''))), [filters.q]);

  const setFilter = (key: keyof ChangeFilters, value: string | null) => {
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  };
  const setQDebounced = useDebouncedCallback((value: string) => setFilter('q', value.trim() || null), 250);

  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const typeOptions = orderedModels(policy).map((m) => ({ value: m.type, label: typeLabel(policy, m.type) }));
  const hasFilters = Boolean(filters.q || filters.type || filters.state || filters.serviceId || filters.ciId);

  return (
    <>
      <PageHeader
        title="Changes"
        actions={
          hasPermission(me, 'change.create') && (
            <Button component={Link} to="/changes/new">
              New change
            </Button>
          )
        }
      />
      <Group gap="sm" mb="sm" align="flex-end" role="search" aria-label="Filter changes">
        <TextInput
          id={CHANGE_SEARCH_ID}
          ref={searchRef}
          label="Search"
          placeholder="Number, title or text  ( / )"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            setQDebounced(e.currentTarget.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') setFilter('q', q.trim() || null);
            if (e.key === 'Escape') {
              setQ('');
              setFilter('q', null);
            }
          }}
          w={300}
          type="search"
        />
        <Select
          label="Type"
          placeholder="Any type"
          data={typeOptions}
          value={filters.type ?? null}
          onChange={(v) => setFilter('type', v)}
          clearable
          w={170}
        />
        <Select
          label="State"
          placeholder="Any state"
          data={allStates(policy)}
          value={filters.state ?? null}
          onChange={(v) => setFilter('state', v)}
          clearable
          searchable
          w={170}
        />
        {filters.serviceId && <ScopeBadge kind="service" id={filters.serviceId} onClear={() => setFilter('serviceId', null)} />}
        {filters.ciId && <ScopeBadge kind="ci" id={filters.ciId} onClear={() => setFilter('ciId', null)} />}
        {hasFilters && (
          <Button variant="subtle" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear filters
          </Button>
        )}
      </Group>

      {list.isError && <ErrorAlert error={list.error} title="Cannot load changes" onRetry={() => void list.refetch()} />}
      {list.isPending ? (
        <PageLoader label="Loading changes" />
      ) : (
        <Paper withBorder radius="sm">
          <Table highlightOnHover stickyHeader aria-label="Changes" aria-busy={list.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={120}>Number</Table.Th>
                <Table.Th>Title</Table.Th>
                <Table.Th w={120}>Type</Table.Th>
                <Table.Th w={130}>State</Table.Th>
                <Table.Th w={115}>Risk</Table.Th>
                <Table.Th w={170}>Planned start</Table.Th>
                <Table.Th w={110}>Priority</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((change) => (
                <Table.Tr
                  key={change.id}
                  className="cabinet-row-link"
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest('a')) return;
                    navigate(`/changes/${change.number}`);
                  }}
                >
                  <Table.Td>
                    <Text component={Link} to={`/changes/${change.number}`} size="sm" fw={600} c="blue.8" ff="monospace">
                      {change.number}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1}>
                      {change.title}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <TypeBadge type={change.type} label={typeLabel(policy, change.type)} />
                  </Table.Td>
                  <Table.Td>
                    <StateBadge state={change.state} type={change.type} />
                  </Table.Td>
                  <Table.Td>
                    <RiskBadge risk={change.risk} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(change.plannedStart)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{PRIORITY_LABELS[change.priority] ?? change.priority}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
              {rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text c="dimmed" size="sm" ta="center" py="md">
                      {hasFilters ? 'No change matches these filters.' : 'No changes yet.'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {!list.isPending && (
        <LoadMore
          shown={rows.length}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          onLoadMore={() => void list.fetchNextPage()}
        />
      )}
    </>
  );
}
