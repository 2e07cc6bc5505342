import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type {
  AddEvidenceInput,
  BreakGlass as BreakGlassSchema,
  BreakGlassInput,
  Evidence as EvidenceSchema,
  GateStatus as GateStatusSchema,
} from '../../../../src/contracts/governance';

/** One piece of evidence on a change (GET /api/v1/changes/{id}/evidence). */
export type Evidence = z.infer<typeof EvidenceSchema>;
export type EvidenceKind = Evidence['kind'];
/** A kind a person may attach (Cabinet seals `approval_record` itself). */
export type AttachableEvidenceKind = Exclude<EvidenceKind, 'approval_record' | 'gate_check'>;
/** A policy gate on entering some states, and the evidence the change still misses for it. */
export type GateStatus = z.infer<typeof GateStatusSchema>;
export type BreakGlass = z.infer<typeof BreakGlassSchema>;

export const governanceKeys = {
  // NOTE: under 'changes' so that every change write (which invalidates 'changes' keys) can refresh them.
  evidence: (changeId: string) => ['changes', 'evidence', changeId] as const,
  breakGlass: (changeId: string) => ['changes', 'break-glass', changeId] as const,
};

const path = (changeId: string, rest: string) => `/api/v1/changes/${encodeURIComponent(changeId)}/${rest}`;

export function useChangeEvidence(changeId: string) {
  return useQuery({
    queryKey: governanceKeys.evidence(changeId),
    queryFn: ({ signal }) => api.get<{ items: Evidence[]; gates: GateStatus[] }>(path(changeId, 'evidence'), undefined, signal),
  });
}

/** Attaches evidence; the list, its gates and the history are fetched again. */
export function useAddEvidence(changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: AddEvidenceInput) => api.post<Evidence>(path(changeId, 'evidence'), input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: governanceKeys.evidence(changeId) });
      void queryClient.invalidateQueries({ queryKey: ['changes', 'audit', changeId] });
    },
  });
}

export function useBreakGlassList(changeId: string) {
  return useQuery({
    queryKey: governanceKeys.breakGlass(changeId),
    queryFn: ({ signal }) => api.get<{ items: BreakGlass[] }>(path(changeId, 'break-glass'), undefined, signal),
  });
}

// NOTE: break-glass and its review flip the change's reviewRequired flag (and its version), so the change is
// fetched again under whatever key the page loaded it.
function afterBreakGlassWrite(queryClient: ReturnType<typeof useQueryClient>, changeId: string) {
  void queryClient.invalidateQueries({ queryKey: governanceKeys.breakGlass(changeId) });
  void queryClient.invalidateQueries({ queryKey: ['changes', 'detail'] });
  void queryClient.invalidateQueries({ queryKey: ['changes', 'audit', changeId] });
}

/** Breaks glass on an emergency change: its pending approvals and gates are bypassed until it expires. */
export function useBreakGlass(changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: BreakGlassInput) => api.post<BreakGlass>(path(changeId, 'break-glass'), input),
    onSuccess: () => afterBreakGlassWrite(queryClient, changeId),
  });
}

/** The after-the-fact review of a bypass, by a change manager other than the one who broke glass. */
export function useReviewBreakGlass(changeId: string, breakGlassId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { notes: string }) => api.post<BreakGlass>(path(changeId, `break-glass/${encodeURIComponent(breakGlassId)}/review`), input),
    onSuccess: () => afterBreakGlassWrite(queryClient, changeId),
  });
}

export const EVIDENCE_KIND_LABELS: Record<EvidenceKind, string> = {
  test_evidence: 'Test evidence',
  backout_test: 'Backout test',
  security_scan: 'Security scan',
  other: 'Other',
  approval_record: 'Approval record',
  code_review: 'Code review',
  gate_check: 'Deployment gate check',
};

export const EVIDENCE_KIND_COLORS: Record<EvidenceKind, string> = {
  test_evidence: 'blue',
  backout_test: 'grape',
  security_scan: 'red',
  other: 'gray',
  approval_record: 'green',
  code_review: 'teal',
  gate_check: 'orange',
};

/** Kinds in the order the "Add evidence" form offers them. */
export const ATTACHABLE_KIND_LABELS: Record<AttachableEvidenceKind, string> = {
  test_evidence: EVIDENCE_KIND_LABELS.test_evidence,
  backout_test: EVIDENCE_KIND_LABELS.backout_test,
  security_scan: EVIDENCE_KIND_LABELS.security_scan,
  other: EVIDENCE_KIND_LABELS.other,
  code_review: EVIDENCE_KIND_LABELS.code_review,
};

/** `test_evidence` → "Test evidence"; an unknown kind is shown as it is. */
export function evidenceKindLabel(kind: string): string {
  return (EVIDENCE_KIND_LABELS as Record<string, string>)[kind] ?? kind.replace(/_/g, ' ');
}

/** One gate in the 422 `gate_unsatisfied` details. */
export interface BlockingGate {
  name: string;
  reason: string;
  missing: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads `details.gates` of a 422 `gate_unsatisfied`. */
export function blockingGatesOf(details: Record<string, unknown>): BlockingGate[] {
  const list = details.gates;
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((g) => ({
    name: String(g.name ?? ''),
    reason: typeof g.reason === 'string' ? g.reason : '',
    missing: Array.isArray(g.missing) ? g.missing.map(String) : [],
  }));
}
