import { Button, Group, Paper, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import type { SavedViewList } from '../../../../src/contracts/saved-views';
import type { Page } from '../../api/types';
import { ErrorAlert } from '../error-alert';
import { LoadMore } from '../load-more';
import { PageLoader } from '../loading';
import { PageHeader } from '../page-header';
import { isTyping } from '../shortcuts';
import { SavedViewsMenu, useSavedView } from './saved-views';
import { queryOfParams, type ListState } from './use-list-params';

/** One column: its header, how a row shows in it, and whether the server sorts by it (`sort=<key>`). */
export interface ListColumn<T> {
  key: string;
  label: string;
  render: (row: T) => ReactNode;
  sortable?: boolean;
  width?: number;
  /** Say the header to screen readers only (a column of buttons). */
  hideLabel?: boolean;
}

/** One filter of the bar: its URL key and the control that shows and sets it. */
export interface ListFilter {
  key: string;
  render: (value: string | undefined, set: (value: string | null) => void) => ReactNode;
}

/** A one-click filter: on when the address holds all of its parameters. */
export interface QuickFilter {
  label: string;
  params: Record<string, string>;
}

interface ListPageProps<T> {
  title: string;
  description?: string;
  actions?: ReactNode;
  /** The table's name ("Changes"); the filter bar is "Filter <name in lower case>". */
  label: string;
  /** The saved views' list, or none for a list without saved views. */
  list?: SavedViewList;
  state: ListState;
  query: UseInfiniteQueryResult<InfiniteData<Page<T>>, Error>;
  columns: ListColumn<T>[];
  filters: ListFilter[];
  quickFilters?: QuickFilter[];
  /** Shown in the bar after the filters: badges of filters set by links from elsewhere. */
  extra?: ReactNode;
  /** The CSV export of the list's query (the same parameters), if it has one. */
  exportPath?: string;
  /** The export's query when the address alone does not say what the list shows (a default filter); else the address's. */
  exportQuery?: string;
  rowKey: (row: T) => string;
  rowHref: (row: T) => string;
  emptyText: string;
  filteredEmptyText: string;
  /** Whether filters are set that the address alone does not show (a default state). */
  hasFilters?: boolean;
}

const NEXT_SORT: Record<'none' | 'ascending' | 'descending', (key: string) => string | null> = {
  none: (key) => key,
  ascending: (key) => `-${key}`,
  descending: () => null,
};

/** The sort state of a column for aria-sort. */
export function sortStateOf(sort: string | null, key: string): 'none' | 'ascending' | 'descending' {
  if (sort === key) return 'ascending';
  if (sort === `-${key}`) return 'descending';
  return 'none';
}

/**
 * The one list page: a filter bar with quick filters, saved views and CSV export; a table whose sortable
 * headers keep the order in the address; "load more" paging; and the keyboard: j / k (or the arrow keys)
 * move a visible row focus, Enter opens the row. Each feature declares only its columns and filters.
 */
export function ListPage<T>(props: ListPageProps<T>) {
  const { state, query, columns, rowKey, rowHref, list } = props;
  const navigate = useNavigate();
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const listQuery = queryOfParams(state.params);
  const exportQuery = props.exportQuery ?? listQuery;
  const hasFilters = props.hasFilters ?? state.hasFilters;

  // A link to a saved view (`?view=<id>` alone) shows its filters and order.
  const view = useSavedView(state.viewId);
  const applied = useRef<string | null>(null);
  useEffect(() => {
    const v = view.data;
    if (!v || applied.current === v.id) return;
    applied.current = v.id;
    if (listQuery === '' && v.query !== '' && v.list === list) state.openView(v.id, v.query);
  }, [view.data, listQuery, state, list]);

  const [focused, setFocused] = useState(-1);
  const rowRefs = useRef<(HTMLTableRowElement | null)[]>([]);
  const count = rows.length;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const target = event.target instanceof HTMLElement ? event.target : null;
      // Menus, dialogs and pickers move with the arrow keys themselves.
      if (target?.closest('[role="menu"], [role="dialog"], [role="listbox"]')) return;
      const step = event.key === 'j' || event.key === 'ArrowDown' ? 1 : event.key === 'k' || event.key === 'ArrowUp' ? -1 : 0;
      if (step === 0 || count === 0) return;
      // NOTE: the arrow keys move the row focus only from the page itself or a row, so that they still scroll
      // and work inside other controls; j and k work anywhere but in a text field.
      if (event.key.startsWith('Arrow') && target && target !== document.body && !target.closest('tr[data-list-row]')) return;
      event.preventDefault();
      setFocused((current) => {
        const next = Math.min(count - 1, Math.max(0, current + step));
        rowRefs.current[next]?.focus();
        return next;
      });
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [count]);

  const isOn = (quick: QuickFilter) => Object.entries(quick.params).every(([k, v]) => state.params.get(k) === v);

  return (
    <>
      <PageHeader title={props.title} description={props.description} actions={props.actions} />
      <Group gap="sm" mb="xs" align="flex-end" role="search" aria-label={`Filter ${props.label.toLowerCase()}`}>
        {props.filters.map((f) => (
          <div key={f.key}>{f.render(state.params.get(f.key) ?? undefined, (value) => state.setFilter(f.key, value))}</div>
        ))}
        {props.extra}
        {hasFilters && (
          <Button variant="subtle" onClick={state.clear}>
            Clear filters
          </Button>
        )}
      </Group>
      {(props.quickFilters?.length || list || props.exportPath) && (
        <Group justify="space-between" mb="sm" gap="sm">
          <Group gap="xs" {...(props.quickFilters?.length ? { role: 'group', 'aria-label': 'Quick filters' } : {})}>
            {(props.quickFilters ?? []).map((quick) => {
              const on = isOn(quick);
              return (
                <Button
                  key={quick.label}
                  size="xs"
                  radius="xl"
                  variant={on ? 'filled' : 'default'}
                  aria-pressed={on}
                  onClick={() => state.update(Object.fromEntries(Object.entries(quick.params).map(([k, v]) => [k, on ? null : v])))}
                >
                  {quick.label}
                </Button>
              );
            })}
          </Group>
          <Group gap="xs">
            {list && (
              <SavedViewsMenu
                list={list}
                query={listQuery}
                viewId={state.viewId}
                onOpen={(v) => {
                  applied.current = v.id;
                  state.openView(v.id, v.query);
                }}
                onDeleted={state.clear}
              />
            )}
            {props.exportPath && (
              <Button
                component="a"
                href={`${props.exportPath}${exportQuery ? `?${exportQuery}` : ''}`}
                download
                variant="default"
                size="sm"
              >
                Export CSV
              </Button>
            )}
          </Group>
        </Group>
      )}

      {query.isError && (
        <ErrorAlert error={query.error} title={`Cannot load ${props.label.toLowerCase()}`} onRetry={() => void query.refetch()} />
      )}
      {query.isPending ? (
        <PageLoader label={`Loading ${props.label.toLowerCase()}`} />
      ) : (
        <>
          <Paper withBorder radius="sm">
            <Table highlightOnHover stickyHeader aria-label={props.label} aria-busy={query.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  {columns.map((c) => {
                    const sortState = c.sortable ? sortStateOf(state.sort, c.key) : undefined;
                    return (
                      <Table.Th key={c.key} w={c.width} aria-sort={sortState}>
                        {c.sortable ? (
                          <UnstyledButton
                            onClick={() => state.setSort(NEXT_SORT[sortState!](c.key))}
                            fw={700}
                            fz="sm"
                            style={{ display: 'inline-flex', gap: 4, alignItems: 'center' }}
                          >
                            {c.label}
                            <span aria-hidden="true" style={{ opacity: sortState === 'none' ? 0.35 : 1 }}>
                              {sortState === 'ascending' ? '▲' : sortState === 'descending' ? '▼' : '↕'}
                            </span>
                          </UnstyledButton>
                        ) : c.hideLabel ? (
                          <VisuallyHidden>{c.label}</VisuallyHidden>
                        ) : (
                          c.label
                        )}
                      </Table.Th>
                    );
                  })}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row, i) => (
                  <Table.Tr
                    key={rowKey(row)}
                    ref={(el) => {
                      rowRefs.current[i] = el;
                    }}
                    data-list-row=""
                    tabIndex={-1}
                    aria-current={focused === i ? 'true' : undefined}
                    className="cabinet-row-link"
                    style={focused === i ? { outline: '2px solid var(--mantine-color-blue-6)', outlineOffset: -2 } : undefined}
                    onFocus={() => setFocused(i)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && e.target === e.currentTarget) navigate(rowHref(row));
                    }}
                    onClick={(e) => {
                      if (!(e.target as HTMLElement).closest('a, button, input')) navigate(rowHref(row));
                    }}
                  >
                    {columns.map((c) => (
                      <Table.Td key={c.key}>{c.render(row)}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
                {rows.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={columns.length}>
                      <Text c="dimmed" size="sm" ta="center" py="md">
                        {hasFilters ? props.filteredEmptyText : props.emptyText}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </Paper>
          <LoadMore query={query} shown={rows.length} />
          {rows.length > 0 && (
            <Text size="xs" c="dimmed" ta="center" mt={4}>
              Keys: j / k or ↓ / ↑ move between rows, Enter opens one.
            </Text>
          )}
        </>
      )}
    </>
  );
}
