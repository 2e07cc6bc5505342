import { useListParams } from './list/use-list-params';

/**
 * Filters kept in the URL query, so a filtered page can be bookmarked, shared and restored by Back: the
 * filter half of a list's address (see useListParams), for pages that are not lists of records.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const { filters, setFilter, clear, hasFilters } = useListParams(keys);
  return { filters, setFilter, clear, hasFilters };
}
