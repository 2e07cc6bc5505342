import { keepPreviousData, useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { api, buildUrl } from '../../api/client';
import type { AuditEventPage, AuditVerdict } from '../../../../src/contracts/audit';

export type { AuditEventPage, AuditVerdict };
export type AuditSearchEvent = AuditEventPage['items'][number];

/** The search as the page's URL holds it; `action` is a list. */
export interface AuditFilters {
  record?: string;
  actor?: string;
  action?: string[];
  from?: string;
  to?: string;
}

const PAGE_SIZE = 50;

const queryOf = (f: AuditFilters) => ({
  record: f.record,
  actor: f.actor,
  action: f.action?.length ? f.action.join(',') : undefined,
  from: f.from,
  to: f.to,
});

/** GET /api/v1/audit/events, newest first, a page at a time. */
export function useAuditSearch(filters: AuditFilters, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: ['audit', 'events', queryOf(filters)],
    queryFn: ({ pageParam, signal }) => api.get<AuditEventPage>('/api/v1/audit/events', { ...queryOf(filters), limit: PAGE_SIZE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** The one event with this sequence number, or the nearest older one when it is gone (a removed event). */
export function useAuditEventAt(seq: number | null) {
  return useQuery({
    queryKey: ['audit', 'event', seq],
    queryFn: ({ signal }) => api.get<AuditEventPage>('/api/v1/audit/events', { cursor: String((seq ?? 0) + 1), limit: 1 }, signal),
    enabled: seq !== null && seq > 0,
  });
}

/** GET /api/v1/audit/verify, on demand: it recomputes every hash, so it runs when asked, not on page load. */
export function useVerifyChain() {
  return useMutation({ mutationFn: () => api.get<AuditVerdict>('/api/v1/audit/verify') });
}

/** The address of an export: a plain GET, so a link with `download` saves it as a file with the session cookie. */
export function exportUrl(range: { from?: string | null; to?: string | null }): string {
  return buildUrl('/api/v1/audit/export', { from: range.from, to: range.to });
}
