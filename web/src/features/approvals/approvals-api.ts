import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import { useTeams } from '../admin/admin-api';
import type { Approval as ApprovalSchema, MyApproval as MyApprovalSchema } from '../../../../src/contracts/approval';

/** One approval of a change (GET /api/v1/changes/{id}/approvals). */
export type Approval = z.infer<typeof ApprovalSchema>;
/** A pending approval the signed-in person may decide, with its change (GET /api/v1/me/approvals). */
export type MyApproval = z.infer<typeof MyApprovalSchema>;
export type ApprovalState = Approval['state'];
export type Decision = 'approve' | 'reject';

export const approvalKeys = {
  // NOTE: under 'changes' so that every change write (which invalidates 'changes' keys) can refresh them.
  forChange: (changeId: string) => ['changes', 'approvals', changeId] as const,
  mine: ['approvals', 'mine'] as const,
};

export function useChangeApprovals(changeId: string) {
  return useQuery({
    queryKey: approvalKeys.forChange(changeId),
    queryFn: ({ signal }) =>
      api.get<{ items: Approval[] }>(`/api/v1/changes/${encodeURIComponent(changeId)}/approvals`, undefined, signal),
  });
}

/** Pending approvals the signed-in person may decide; polled so the navigation badge stays current. */
export function useMyApprovals() {
  return useQuery({
    queryKey: approvalKeys.mine,
    queryFn: ({ signal }) => api.get<{ items: MyApproval[] }>('/api/v1/me/approvals', undefined, signal),
    refetchInterval: 60_000,
  });
}

/**
 * Approve or reject one approval. Afterwards the change (its state and transitions), its approvals, its
 * history and the inbox are fetched again.
 */
export function useDecideApproval(approvalId: string, changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { decision: Decision; comment?: string; onBehalfOf?: string }) =>
      api.post<Approval>(`/api/v1/approvals/${encodeURIComponent(approvalId)}/decision`, input),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: approvalKeys.forChange(changeId) });
      void queryClient.invalidateQueries({ queryKey: ['changes', 'detail'] });
      void queryClient.invalidateQueries({ queryKey: ['changes', 'audit', changeId] });
      void queryClient.invalidateQueries({ queryKey: ['changes', 'list'] });
      void queryClient.invalidateQueries({ queryKey: approvalKeys.mine });
    },
  });
}

/**
 * The approver's name as people know it. A team approver is named by the team (found by its id or handle,
 * or by a label that is only its handle, such as `dba` → "Database Administrators"); otherwise the
 * server's label stands.
 */
export function useApproverName(): (approver: { kind: string; ref: string; label: string }) => string {
  const teams = useTeams();
  const names = new Map<string, string>();
  for (const t of teams.data?.items ?? []) {
    names.set(t.id, t.name);
    names.set(t.handle, t.name);
  }
  return (approver) => (approver.kind === 'team' ? (names.get(approver.ref) ?? names.get(approver.label) ?? approver.label) : approver.label);
}
