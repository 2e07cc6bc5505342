import { useRef } from 'react';
import { useSearchParams } from 'react-router';

/** Filters kept in the URL query, so a filtered list can be bookmarked, shared and restored by Back. */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  // NOTE: react-router hands a functional update the query of the render it was created in. A picker that
  // calls an older onChange (or two changes before the next render) would then bring back a cleared filter,
  // so the next query is built from the last one asked for, kept across renders.
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
  const setFilter = (key: K, value: string | null | undefined) => {
    const next = new URLSearchParams(latest.current);
    if (value) next.set(key, value);
    else next.delete(key);
    replace(next);
  };
  const clear = () => replace(new URLSearchParams());
  return { filters, setFilter, clear, hasFilters: Object.keys(filters).length > 0 };
}
