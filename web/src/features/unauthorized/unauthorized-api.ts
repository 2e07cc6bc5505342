import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type {
  ReviewUnauthorizedInput,
  UnauthorizedChangeView,
  UnauthorizedListQuery,
} from '../../../../src/contracts/unauthorized-changes';

export type UnauthorizedChange = UnauthorizedChangeView;
export type { ReviewUnauthorizedInput };
/** The query of GET /api/v1/unauthorized-changes (without paging). */
export type UnauthorizedFilters = Partial<Omit<UnauthorizedListQuery, 'limit' | 'cursor'>>;

export const unauthorizedKeys = {
  all: ['unauthorized-changes'] as const,
  list: (filters: UnauthorizedFilters) => ['unauthorized-changes', 'list', filters] as const,
  detail: (id: string) => ['unauthorized-changes', 'detail', id] as const,
};

const unauthorizedPath = (id: string) => `/api/v1/unauthorized-changes/${encodeURIComponent(id)}`;

export function useUnauthorizedList(filters: UnauthorizedFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...unauthorizedKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<UnauthorizedChange>>('/api/v1/unauthorized-changes', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useUnauthorizedChange(id: string) {
  return useQuery({
    queryKey: unauthorizedKeys.detail(id),
    queryFn: ({ signal }) => api.get<UnauthorizedChange>(unauthorizedPath(id), undefined, signal),
  });
}

/** Records the blameless review, which closes the record; the queue is read again. */
export function useReviewUnauthorized(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ReviewUnauthorizedInput) => api.post<UnauthorizedChange>(`${unauthorizedPath(id)}/review`, input),
    onSuccess: (saved) => {
      client.setQueryData(unauthorizedKeys.detail(id), saved);
      void client.invalidateQueries({ queryKey: unauthorizedKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
    },
  });
}
