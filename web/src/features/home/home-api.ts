import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Home as HomeSchema, SearchKind as SearchKindType, SearchResult as SearchResultSchema } from '../../../../src/contracts/home';

/** What needs the signed-in person now (GET /api/v1/home). */
export type Home = z.infer<typeof HomeSchema>;
export type HomeActionItem = Home['myChanges']['items'][number];
export type SearchResult = z.infer<typeof SearchResultSchema>;
export type SearchHit = SearchResult['groups'][number]['items'][number];
export type SearchKind = SearchKindType;

export const homeKeys = {
  // NOTE: under 'changes' so that every change write (which invalidates 'changes' keys) refreshes the home page.
  home: ['changes', 'home'] as const,
  search: (q: string) => ['search', q] as const,
};

/** The home page's sections; fetched again every two minutes while the page is open. */
export function useHome() {
  return useQuery({
    queryKey: homeKeys.home,
    queryFn: ({ signal }) => api.get<Home>('/api/v1/home', { limit: 5 }, signal),
    refetchInterval: 120_000,
  });
}

/** Global search; no request for an empty box. The previous answer stays shown while the next one loads. */
export function useGlobalSearch(q: string) {
  return useQuery({
    queryKey: homeKeys.search(q),
    queryFn: ({ signal }) => api.get<SearchResult>('/api/v1/search', { q, limit: 5 }, signal),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export const SEARCH_KIND_LABELS: Record<SearchKind, string> = {
  change: 'Changes',
  ci: 'CIs',
  service: 'Services',
  incident: 'Incidents',
  template: 'Templates',
  person: 'People',
};
