/**
 * Evidence a person attaches to a change (`test_evidence`, `backout_test`, `security_scan`, `other`),
 * a code review GitHub or GitLab reports (`code_review`: an approved pull or merge request, integrations),
 * what the deployment gate answered a pipeline (`gate_check`: docs/pipelines.md),
 * or that Cabinet records itself (`approval_record`: the approvals and their votes, sealed by a hash when the
 * last approval is granted).
 */
export const EVIDENCE_KINDS = ['test_evidence', 'approval_record', 'backout_test', 'security_scan', 'other', 'code_review', 'gate_check'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** Each kind in words, for messages people read (a check's reason, a refusal). */
export const EVIDENCE_KIND_WORDS: Record<EvidenceKind, string> = {
  test_evidence: 'test evidence',
  approval_record: 'the approval record',
  backout_test: 'a backout test',
  security_scan: 'a security scan',
  other: 'other evidence',
  code_review: 'a code review (an approved pull or merge request)',
  gate_check: 'a deployment gate check',
};
