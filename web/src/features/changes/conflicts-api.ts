import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Ci, Service } from '../../api/types';
import { formatRange } from '../../shared/format';
import type {
  ChangeConflicts as ChangeConflictsSchema,
  ChangeImpact as ChangeImpactSchema,
  Conflict as ConflictSchema,
  FreezeException as FreezeExceptionSchema,
  FreezeExceptionInput as FreezeExceptionInputSchema,
  NextSlots as NextSlotsSchema,
} from '../../../../src/contracts/conflicts';
import type { ScheduledWindowList as ScheduledWindowListSchema } from '../../../../src/contracts/windows';

/** One conflict of a change (GET /api/v1/changes/{id}/conflicts). */
export type Conflict = z.infer<typeof ConflictSchema>;
export type ConflictKind = Conflict['kind'];
export type ChangeConflicts = z.infer<typeof ChangeConflictsSchema>;
export type ChangeImpact = z.infer<typeof ChangeImpactSchema>;
export type FreezeException = z.infer<typeof FreezeExceptionSchema>;
export type FreezeExceptionState = FreezeException['state'];
export type FreezeExceptionInput = z.input<typeof FreezeExceptionInputSchema>;
export type NextSlots = z.infer<typeof NextSlotsSchema>;
export type Slot = NextSlots['slots'][number];
type ScheduledWindow = z.infer<typeof ScheduledWindowListSchema>['items'][number];

export const conflictKeys = {
  // NOTE: under 'changes' so that they live and die with the change's other entries.
  conflicts: (changeId: string) => ['changes', 'conflicts', changeId] as const,
  impact: (changeId: string) => ['changes', 'impact', changeId] as const,
  freezeExceptions: (changeId: string) => ['changes', 'freeze-exceptions', changeId] as const,
};

const path = (changeId: string, rest: string) => `/api/v1/changes/${encodeURIComponent(changeId)}/${rest}`;

/**
 * Everything a change's schedule depends on is fetched again: conflicts follow from the planned times, the
 * CIs, the CMDB graph, windows and exceptions, so any write touching one of them may move them.
 */
export function invalidateSchedule(queryClient: ReturnType<typeof useQueryClient>, changeId: string): void {
  void queryClient.invalidateQueries({ queryKey: conflictKeys.conflicts(changeId) });
  void queryClient.invalidateQueries({ queryKey: conflictKeys.impact(changeId) });
  void queryClient.invalidateQueries({ queryKey: conflictKeys.freezeExceptions(changeId) });
}

// NOTE: staleTime 0: an approval decided elsewhere (a freeze exception's) changes them without touching the
// change, so opening the Schedule tab always asks again.
export function useChangeConflicts(changeId: string) {
  return useQuery({
    queryKey: conflictKeys.conflicts(changeId),
    queryFn: ({ signal }) => api.get<ChangeConflicts>(path(changeId, 'conflicts'), undefined, signal),
    staleTime: 0,
  });
}

/** A change manager accepts a conflict with a reason; a freeze answers 422 `freeze_needs_exception`. */
export function useAcknowledgeConflict(changeId: string, conflictId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { reason: string }) =>
      api.post<Conflict>(path(changeId, `conflicts/${encodeURIComponent(conflictId)}/acknowledge`), input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: conflictKeys.conflicts(changeId) });
      void queryClient.invalidateQueries({ queryKey: ['changes', 'audit', changeId] });
      // An acknowledged conflict may have been what stood between the change and `scheduled`: its moves change.
      void queryClient.invalidateQueries({ queryKey: ['changes', 'detail'] });
    },
  });
}

export function useChangeImpact(changeId: string) {
  return useQuery({
    queryKey: conflictKeys.impact(changeId),
    queryFn: ({ signal }) => api.get<ChangeImpact>(path(changeId, 'impact'), undefined, signal),
  });
}

/** After an exclusion is added or removed: the answer is the new impact; the conflicts moved with it. */
function afterImpactWrite(queryClient: ReturnType<typeof useQueryClient>, changeId: string, impact: ChangeImpact) {
  queryClient.setQueryData(conflictKeys.impact(changeId), impact);
  void queryClient.invalidateQueries({ queryKey: conflictKeys.conflicts(changeId) });
  void queryClient.invalidateQueries({ queryKey: ['changes', 'audit', changeId] });
}

/** Leaves a CI out of the change's impact, with a reason. */
export function useExcludeCi(changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { ciId: string; reason: string }) => api.post<ChangeImpact>(path(changeId, 'impact/exclusions'), input),
    onSuccess: (impact) => afterImpactWrite(queryClient, changeId, impact),
  });
}

/** Puts an excluded CI back into the impact. */
export function useIncludeCi(changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (ciId: string) => api.delete<ChangeImpact>(path(changeId, `impact/exclusions/${encodeURIComponent(ciId)}`)),
    onSuccess: (impact) => afterImpactWrite(queryClient, changeId, impact),
  });
}

export function useFreezeExceptions(changeId: string) {
  return useQuery({
    queryKey: conflictKeys.freezeExceptions(changeId),
    queryFn: ({ signal }) => api.get<{ items: FreezeException[] }>(path(changeId, 'freeze-exceptions'), undefined, signal),
    staleTime: 0,
  });
}

// NOTE: requesting an exception adds approvals (the policy's stage), and granting or withdrawing one moves the
// freeze conflicts, so both are fetched again with the exceptions.
function afterExceptionWrite(queryClient: ReturnType<typeof useQueryClient>, changeId: string, items: FreezeException[]) {
  queryClient.setQueryData(conflictKeys.freezeExceptions(changeId), { items });
  void queryClient.invalidateQueries({ queryKey: conflictKeys.conflicts(changeId) });
  void queryClient.invalidateQueries({ queryKey: ['changes', 'approvals', changeId] });
  void queryClient.invalidateQueries({ queryKey: ['changes', 'audit', changeId] });
}

export function useRequestFreezeException(changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: FreezeExceptionInput) => api.post<{ items: FreezeException[] }>(path(changeId, 'freeze-exceptions'), input),
    onSuccess: ({ items }) => afterExceptionWrite(queryClient, changeId, items),
  });
}

export function useWithdrawFreezeException(changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (exceptionId: string) =>
      api.post<{ items: FreezeException[] }>(path(changeId, `freeze-exceptions/${encodeURIComponent(exceptionId)}/withdraw`)),
    onSuccess: ({ items }) => afterExceptionWrite(queryClient, changeId, items),
  });
}

/** What "Find a slot" searches for: work of `durationMinutes` on the CIs, from `after`. */
export interface SlotSearch {
  ciIds: string[];
  durationMinutes: number;
  after: string;
  excludeChangeId?: string;
  implementerId?: string;
}

export const SLOT_LIMIT = 3;

/** GET /api/v1/schedule/next-slot for the search, once one is given. */
export function useNextSlots(search: SlotSearch | null) {
  return useQuery({
    queryKey: ['schedule', 'next-slot', search] as const,
    queryFn: ({ signal }) =>
      api.get<NextSlots>(
        '/api/v1/schedule/next-slot',
        {
          ciIds: search!.ciIds.join(','),
          durationMinutes: search!.durationMinutes,
          after: search!.after,
          limit: SLOT_LIMIT,
          excludeChangeId: search!.excludeChangeId,
          implementerId: search!.implementerId,
        },
        signal,
      ),
    enabled: search !== null,
    staleTime: 0,
  });
}

const MINUTE_MS = 60_000;
const DEFAULT_DURATION_MINUTES = 60;

/**
 * The search "Find a slot" runs for the times a form holds: their length (an hour when there is none), from
 * the planned start or now, whichever is later (a slot in the past is no use).
 */
export function slotSearchFor(
  ciIds: string[],
  start: string | null,
  end: string | null,
  now: number,
  extra: { excludeChangeId?: string; implementerId?: string | null } = {},
): SlotSearch {
  const s = start ? Date.parse(start) : NaN;
  const e = end ? Date.parse(end) : NaN;
  const durationMinutes =
    Number.isFinite(s) && Number.isFinite(e) && e > s ? Math.max(1, Math.round((e - s) / MINUTE_MS)) : DEFAULT_DURATION_MINUTES;
  const after = new Date(Number.isFinite(s) ? Math.max(s, now) : now).toISOString();
  return {
    ciIds,
    durationMinutes,
    after,
    ...(extra.excludeChangeId ? { excludeChangeId: extra.excludeChangeId } : {}),
    ...(extra.implementerId ? { implementerId: extra.implementerId } : {}),
  };
}

/** The longest interval the freeze check asks about (the server expands at most 400 days). */
const MAX_CHECK_MS = 400 * 86_400_000;

/** Freeze occurrences overlapping [from, to), from GET /api/v1/schedule/windows?kind=freeze. */
export function useFreezesBetween(from: string | null, to: string | null) {
  const valid = from !== null && to !== null && Date.parse(to) > Date.parse(from) && Date.parse(to) - Date.parse(from) <= MAX_CHECK_MS;
  return useQuery({
    queryKey: ['windows', 'freezes', from, to] as const,
    queryFn: ({ signal }) => api.get<{ items: ScheduledWindow[] }>('/api/v1/schedule/windows', { from, to, kind: 'freeze' }, signal),
    enabled: valid,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    select: (list) => list.items,
  });
}

/**
 * Whether a window's scope reaches work on these CIs: global, or naming one of the CIs, their services, their
 * environments or a tag of either (the server's rule for freezes, src/domain/schedule/scope.ts).
 */
export function scopeReaches(scope: ScheduledWindow['scope'], cis: readonly Ci[], services: readonly Service[]): boolean {
  if (scope.global) return true;
  const meets = (mine: readonly string[] | undefined, theirs: readonly string[]) => (mine ?? []).some((v) => theirs.includes(v));
  const serviceIds = [...new Set([...services.map((s) => s.id), ...cis.flatMap((c) => (c.serviceId ? [c.serviceId] : []))])];
  return (
    meets(
      scope.ciIds,
      cis.map((c) => c.id),
    ) ||
    meets(scope.serviceIds, serviceIds) ||
    meets(
      scope.environments,
      cis.map((c) => c.environment),
    ) ||
    meets(
      scope.tags,
      [...cis, ...services].flatMap((x) => x.tags),
    )
  );
}

export type { ScheduledWindow };

export const CONFLICT_KIND_LABELS: Record<ConflictKind, string> = {
  ci_overlap: 'Same CI at the same time',
  related_ci_overlap: 'Related CI at the same time',
  freeze: 'Freeze',
  outside_maintenance_window: 'Outside a maintenance window',
  assignee_busy: 'Implementer busy',
};

export const FREEZE_EXCEPTION_STATE_LABELS: Record<FreezeExceptionState, { label: string; color: string }> = {
  requested: { label: 'Waiting for approval', color: 'yellow' },
  approved: { label: 'Approved', color: 'green' },
  rejected: { label: 'Rejected', color: 'red' },
  withdrawn: { label: 'Withdrawn', color: 'gray' },
};

/**
 * "1 Dec 2026, 22:00–23:00 CET", or "20 Dec 2026, 00:00 – 3 Jan 2027, 00:00 CET" across days, in the person's
 * time zone (shared/format.ts).
 */
export const formatInterval = formatRange;

/** A plan as the change form holds it, to check before saving. */
export interface PlanToCheck {
  ciIds: string[];
  plannedStart: string | null;
  plannedEnd: string | null;
  implementerId?: string | null;
  /** The change being edited: not a conflict of itself; its acknowledgements count. */
  changeId?: string;
}

/**
 * The conflicts the plan would have (POST /api/v1/conflicts/check; nothing is written). Asks only for a
 * whole plan: CIs and a start before the end.
 */
export function useConflictCheck(plan: PlanToCheck) {
  const complete = plan.ciIds.length > 0 && !!plan.plannedStart && !!plan.plannedEnd && Date.parse(plan.plannedEnd) > Date.parse(plan.plannedStart);
  const body = {
    ciIds: plan.ciIds,
    plannedStart: plan.plannedStart,
    plannedEnd: plan.plannedEnd,
    ...(plan.implementerId !== undefined ? { implementerId: plan.implementerId } : {}),
    ...(plan.changeId ? { changeId: plan.changeId } : {}),
  };
  return useQuery({
    queryKey: ['changes', 'conflict-check', body] as const,
    queryFn: ({ signal }) => api.post<ChangeConflicts>('/api/v1/conflicts/check', body, { signal }),
    enabled: complete,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}
