import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { SlaBreach as SlaBreachSchema, SlaClock as SlaClockSchema } from '../../../../src/contracts/sla';

/** One SLA clock of a change (GET /api/v1/changes/{id}/sla). */
export type SlaClock = z.infer<typeof SlaClockSchema>;
/** A breached clock with its change (GET /api/v1/sla/breaches). */
export type SlaBreach = z.infer<typeof SlaBreachSchema>;
export type SlaMetric = SlaClock['metric'];

export const slaKeys = {
  // NOTE: under 'changes' so that change writes (which invalidate 'changes' keys) refresh the clocks too.
  forChange: (changeId: string) => ['changes', 'sla', changeId] as const,
  breaches: (metric: SlaMetric | null) => ['sla', 'breaches', metric] as const,
};

export function useChangeSla(changeId: string) {
  return useQuery({
    queryKey: slaKeys.forChange(changeId),
    queryFn: ({ signal }) => api.get<{ items: SlaClock[] }>(`/api/v1/changes/${encodeURIComponent(changeId)}/sla`, undefined, signal),
  });
}

export function useSlaBreaches(metric: SlaMetric | null) {
  return useInfiniteQuery({
    queryKey: slaKeys.breaches(metric),
    queryFn: ({ pageParam, signal }) =>
      api.get<{ items: SlaBreach[]; nextCursor: string | null }>('/api/v1/sla/breaches', { metric: metric ?? undefined, limit: 50, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export const METRIC_LABELS: Record<SlaMetric, string> = { approval_response: 'Approval response', time_to_schedule: 'Time to schedule' };

/** "ecab_response" → "ecab response"; a rule's own due time reads "rule dba". */
export function targetWords(target: string): string {
  return target.replace(/^rule:/, 'rule ').replace(/_/g, ' ');
}

/** How late: "3 h 20 min late", "2 d 4 h late". */
export function lateness(dueAt: string, until: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(until) - Date.parse(dueAt)) / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = d > 0 ? [`${d} d`, h ? `${h} h` : ''] : h > 0 ? [`${h} h`, m ? `${m} min` : ''] : [`${m} min`];
  return `${parts.filter(Boolean).join(' ')} late`;
}
