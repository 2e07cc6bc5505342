import { Select, Text } from '@mantine/core';
import { PRIORITY_LABELS } from '../../shared/labels';
import { customFilter, selectFilter } from '../../shared/list/filters';
import type { ListColumn, ListFilter } from '../../shared/list/list-page';
import { NumberLink } from '../../shared/router-link';
import { CiSelect } from '../cmdb/ci-multi-select';

/**
 * The pieces the lists of incidents, problems and known errors share: their filters (state with "open" as the
 * default, priority, CI) and their first columns (number, title).
 */

/** The state filter's choices: the open ones (the default), each state, and any state. */
export function openStateOptions<S extends string>(labels: Record<S, string>, openLabel: string): { value: string; label: string }[] {
  return [
    { value: 'open', label: openLabel },
    ...(Object.keys(labels) as S[]).map((s) => ({ value: s, label: labels[s] })),
    { value: 'all', label: 'Any state' },
  ];
}

/** `?state=`: none means the open ones (kept out of the address), `all` means every state. */
export function openStateFilter(options: { value: string; label: string }[], width: number): ListFilter {
  return customFilter('state', (value, set) => (
    <Select
      label="State"
      data={options}
      value={value ?? 'open'}
      onChange={(v) => set(v === 'open' ? null : v)}
      allowDeselect={false}
      w={width}
    />
  ));
}

const PRIORITY_OPTIONS = [1, 2, 3, 4].map((p) => ({ value: String(p), label: PRIORITY_LABELS[p] ?? String(p) }));

export const priorityFilter = (): ListFilter =>
  selectFilter('priority', 'Priority', PRIORITY_OPTIONS, { placeholder: 'Any priority', width: 160 });

export const ciFilter = (): ListFilter =>
  customFilter('ciId', (value, set) => (
    <div style={{ width: 220 }}>
      <CiSelect label="CI" value={value ?? null} onChange={set} />
    </div>
  ));

/**
 * What the list's API is asked from the address's filters: the open ones unless `state` says otherwise (`all`:
 * every state), and every other filter that is set, as it is.
 */
export function openStateQuery<K extends string>(
  filters: Partial<Record<K | 'state', string>>,
  keys: readonly K[],
): Record<string, string> {
  const state = filters.state ?? 'open';
  const query: Record<string, string> = state !== 'all' ? { state } : {};
  for (const key of keys) {
    const value = filters[key];
    if (value) query[key] = value;
  }
  return query;
}

export function numberColumn<T extends { number: string }>(pathOf: (row: T) => string, sortable = true): ListColumn<T> {
  return { key: 'number', label: 'Number', sortable, width: 110, render: (r) => <NumberLink to={pathOf(r)}>{r.number}</NumberLink> };
}

export function titleColumn<T extends { title: string }>(sortable = true): ListColumn<T> {
  return {
    key: 'title',
    label: 'Title',
    sortable,
    render: (r) => (
      <Text size="sm" lineClamp={2}>
        {r.title}
      </Text>
    ),
  };
}
