import { useRef } from 'react';
import { useSearchParams } from 'react-router';

/** Parameters of a list's address that are not filters: its order, the saved view it came from, the page. */
export const NON_FILTER_KEYS = ['sort', 'view', 'cursor'] as const;

/** What the list page reads and sets of its address (methods, so a page's narrower filter keys fit). */
export interface ListState {
  params: URLSearchParams;
  sort: string | null;
  viewId: string | null;
  hasFilters: boolean;
  setFilter(key: string, value: string | null | undefined): void;
  update(values: Record<string, string | null | undefined>): void;
  setSort(sort: string | null): void;
  openView(id: string, query: string): void;
  clear(): void;
}

/**
 * A list's state in its address (filters, `sort`, and `view` while it shows a saved view unchanged), so a
 * filtered list can be bookmarked, shared and restored by Back.
 */
export function useListParams<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  // NOTE: react-router hands a functional update the query of the render it was created in; a picker that
  // calls an older onChange would bring back a cleared filter, so the next query is built from the last one
  // asked for.
  const latest = useRef(params);
  latest.current = params;
  const filters: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  const replace = (next: URLSearchParams) => {
    latest.current = next;
    setParams(next, { replace: true });
  };
  /** Sets some parameters (an empty value removes one); the list no longer shows a saved view as saved. */
  const update = (values: Record<string, string | null | undefined>) => {
    const next = new URLSearchParams(latest.current);
    for (const [key, value] of Object.entries(values)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete('view');
    replace(next);
  };
  const setFilter = (key: K, value: string | null | undefined) => update({ [key]: value });
  /** Drops every filter; the order stays. */
  const clear = () => {
    const next = new URLSearchParams();
    const sort = latest.current.get('sort');
    if (sort) next.set('sort', sort);
    replace(next);
  };
  return {
    params,
    filters,
    sort: params.get('sort'),
    viewId: params.get('view'),
    setFilter,
    update,
    setSort: (sort: string | null) => update({ sort }),
    /** Shows a saved view: its query, and its id so the page can name it. */
    openView: (id: string, query: string) => {
      const next = new URLSearchParams(query);
      for (const key of ['view', 'cursor']) next.delete(key);
      next.set('view', id);
      replace(next);
    },
    clear,
    hasFilters: Object.keys(filters).length > 0,
  };
}

/** The list's query as the address holds it, without what only the page needs (`view`, `cursor`). */
export function queryOfParams(params: URLSearchParams): string {
  const next = new URLSearchParams(params);
  next.delete('view');
  next.delete('cursor');
  return next.toString();
}
