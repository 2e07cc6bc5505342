import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type { z } from 'zod';
import type { GateCheckListQuery, GateCheckView } from '../../../../src/contracts/gate';

export type { GateDecision, GateSource } from '../../../../src/contracts/gate';
export type GateCheck = z.infer<typeof GateCheckView>;
export type GateReason = GateCheck['reasons'][number];
export type GateReasonRef = NonNullable<GateReason['ref']>;
export type GateTarget = GateCheck['target'];

/** The query of GET /api/v1/gate/checks (without paging). */
export type GateCheckFilters = Partial<Omit<GateCheckListQuery, 'limit' | 'cursor'>>;

export const gateKeys = {
  all: ['gate-checks'] as const,
  list: (filters: GateCheckFilters) => ['gate-checks', 'list', filters] as const,
  detail: (id: string) => ['gate-checks', 'detail', id] as const,
};

export function useGateCheckList(filters: GateCheckFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...gateKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<GateCheck>>('/api/v1/gate/checks', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/**
 * One gate check. While it is pending the page asks again every few seconds, so a decision that changes (an
 * exception approved, a freeze lifted) shows without a reload.
 */
export function useGateCheck(id: string) {
  return useQuery({
    queryKey: gateKeys.detail(id),
    queryFn: ({ signal }) => api.get<GateCheck>(`/api/v1/gate/checks/${encodeURIComponent(id)}`, undefined, signal),
    refetchInterval: (q) => (q.state.data?.decision === 'pending' ? 3000 : false),
  });
}

/** The gate checks of one change (`{ changeId }`) or one commit (`{ repository, sha }`), newest first. */
export function useGateChecksOf(filters: GateCheckFilters, enabled = true) {
  return useQuery({
    queryKey: [...gateKeys.all, 'of', filters],
    queryFn: ({ signal }) => api.get<Page<GateCheck>>('/api/v1/gate/checks', { ...filters, limit: 50 }, signal),
    select: (page) => page.items,
    refetchInterval: (q) => (q.state.data?.items.some((c) => c.decision === 'pending') ? 5000 : false),
    enabled,
  });
}
