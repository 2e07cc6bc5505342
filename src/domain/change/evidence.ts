/**
 * Evidence a person attaches to a change (`test_evidence`, `backout_test`, `security_scan`, `other`),
 * or that Cabinet records itself (`approval_record`: the approvals and their votes, sealed by a hash when the
 * last approval is granted).
 */
export const EVIDENCE_KINDS = ['test_evidence', 'approval_record', 'backout_test', 'security_scan', 'other'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** Each kind in words, for messages people read (a check's reason, a refusal). */
export const EVIDENCE_KIND_WORDS: Record<EvidenceKind, string> = {
  test_evidence: 'test evidence',
  approval_record: 'the approval record',
  backout_test: 'a backout test',
  security_scan: 'a security scan',
  other: 'other evidence',
};
