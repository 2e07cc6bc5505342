import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { invalidateSchedule } from './conflicts-api';
import type { AuditHistory } from '../../../../src/contracts/audit';
import type { ChangeListItem } from '../../../../src/contracts/change';
import type {
  Change,
  ChangeDetail,
  Comment,
  CommentKind,
  CreateChangeInput,
  Page,
  RiskDetail,
  RiskOverrideInput,
  UpdateChangeInput,
} from '../../api/types';

/**
 * GET /api/v1/changes's query: filters (each of type, state, requester, team, service, CI and template one value
 * or several comma-separated), `mine=` and `sort` (ChangeListQuery).
 */
export interface ChangeFilters {
  q?: string;
  type?: string;
  state?: string;
  serviceId?: string;
  ciId?: string;
  requesterId?: string;
  assignmentTeamId?: string;
  templateId?: string;
  plannedFrom?: string;
  plannedTo?: string;
  mine?: string;
  sort?: string;
}

export const changeKeys = {
  all: ['changes'] as const,
  list: (filters: ChangeFilters) => ['changes', 'list', filters] as const,
  detail: (id: string) => ['changes', 'detail', id] as const,
  audit: (id: string) => ['changes', 'audit', id] as const,
  comments: (id: string) => ['changes', 'comments', id] as const,
  risk: (id: string) => ['changes', 'risk', id] as const,
};

const PAGE_SIZE = 50;

export function useChangeList(filters: ChangeFilters, limit = PAGE_SIZE) {
  return useInfiniteQuery({
    queryKey: [...changeKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<ChangeListItem>>('/api/v1/changes', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** One change by id or by number (`CHG0000012`); the page URL uses the number, which people can read. */
export function useChange(idOrNumber: string) {
  return useQuery({
    queryKey: changeKeys.detail(idOrNumber),
    queryFn: ({ signal }) => api.get<ChangeDetail>(`/api/v1/changes/${encodeURIComponent(idOrNumber)}`, undefined, signal),
  });
}

export function useCreateChange() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateChangeInput) => api.post<Change | ChangeDetail>('/api/v1/changes', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: changeKeys.all }),
  });
}

/**
 * Edits change `id`; `cacheKey` is how the page loaded it (id or number), so its cache gets the answer.
 * The `version` read is required: the server refuses an edit without one (428) and a stale one (412).
 */
export function useUpdateChange(id: string, cacheKey = id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateChangeInput & { version: number }) => api.patch<ChangeDetail>(`/api/v1/changes/${encodeURIComponent(id)}`, input),
    onSuccess: (change) => afterChangeWrite(queryClient, id, cacheKey, change),
  });
}

export function useTransitionChange(id: string, cacheKey = id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { to: string; version?: number; comment?: string }) =>
      api.post<ChangeDetail>(`/api/v1/changes/${encodeURIComponent(id)}/transitions`, input),
    onSuccess: (change) => afterChangeWrite(queryClient, id, cacheKey, change),
  });
}

// NOTE: the server reassesses the risk on every write, so each write refreshes the risk and the history too.
function afterChangeWrite(queryClient: ReturnType<typeof useQueryClient>, id: string, cacheKey: string, change: ChangeDetail) {
  queryClient.setQueryData(changeKeys.detail(cacheKey), change);
  void queryClient.invalidateQueries({ queryKey: changeKeys.risk(id) });
  void queryClient.invalidateQueries({ queryKey: changeKeys.audit(id) });
  void queryClient.invalidateQueries({ queryKey: ['changes', 'list'] });
  // Entering Authorize asks for approvals; leaving the lifecycle cancels them.
  void queryClient.invalidateQueries({ queryKey: ['changes', 'approvals', id] });
  // A move may use a break-glass bypass, and an edit may bring a gate into force.
  void queryClient.invalidateQueries({ queryKey: ['changes', 'break-glass', id] });
  void queryClient.invalidateQueries({ queryKey: ['changes', 'evidence', id] });
  // New times, CIs or an implementer move the conflicts, and closing the change clears them.
  invalidateSchedule(queryClient, id);
}

/** The risk of change `id`: score, level, every factor with its points and reason, and any override. */
export function useChangeRisk(id: string) {
  return useQuery({
    queryKey: changeKeys.risk(id),
    queryFn: ({ signal }) => api.get<RiskDetail>(`/api/v1/changes/${encodeURIComponent(id)}/risk`, undefined, signal),
  });
}

/**
 * After an override is set or removed: the answer is the new risk; the change (its header badge, under
 * whatever key the page loaded it), the list, the history and the approvals are fetched again.
 */
function afterRiskWrite(queryClient: ReturnType<typeof useQueryClient>, id: string, risk: RiskDetail) {
  queryClient.setQueryData(changeKeys.risk(id), risk);
  void queryClient.invalidateQueries({ queryKey: ['changes', 'detail'] });
  void queryClient.invalidateQueries({ queryKey: changeKeys.audit(id) });
  void queryClient.invalidateQueries({ queryKey: ['changes', 'list'] });
  // The level in force is approved content: a new one may have reopened authorization (new approvals, new inbox).
  void queryClient.invalidateQueries({ queryKey: ['changes', 'approvals', id] });
  void queryClient.invalidateQueries({ queryKey: ['approvals'] });
}

/** Sets the risk level by hand (permission `change.override_risk`; a justification of 10+ characters; the change's `version` read). */
export function useOverrideRisk(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: RiskOverrideInput & { version: number }) => api.post<RiskDetail>(`/api/v1/changes/${encodeURIComponent(id)}/risk/override`, input),
    onSuccess: (risk) => afterRiskWrite(queryClient, id, risk),
  });
}

/** Removes the override: the computed level applies again. */
export function useClearRiskOverride(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<RiskDetail>(`/api/v1/changes/${encodeURIComponent(id)}/risk/override`),
    onSuccess: (risk) => afterRiskWrite(queryClient, id, risk),
  });
}

export function useChangeAudit(id: string, enabled = true) {
  return useQuery({
    queryKey: changeKeys.audit(id),
    queryFn: ({ signal }) => api.get<AuditHistory>(`/api/v1/changes/${encodeURIComponent(id)}/audit`, undefined, signal),
    enabled,
  });
}

export function useChangeComments(id: string) {
  return useQuery({
    queryKey: changeKeys.comments(id),
    queryFn: ({ signal }) => api.get<{ items: Comment[] }>(`/api/v1/changes/${encodeURIComponent(id)}/comments`, undefined, signal),
  });
}

export function useAddComment(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { body: string; kind: CommentKind }) =>
      api.post<Comment>(`/api/v1/changes/${encodeURIComponent(id)}/comments`, input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: changeKeys.comments(id) });
      void queryClient.invalidateQueries({ queryKey: changeKeys.audit(id) });
    },
  });
}
