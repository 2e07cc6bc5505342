import { z } from 'zod';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'names are lowercase letters, digits and "_"');

/**
 * Evidence a person attaches to a change (`test_evidence`, `backout_test`, `security_scan`, `other`),
 * or that Cabinet records itself (`approval_record`: the approvals and their votes, sealed by a hash when the
 * last approval is granted).
 */
export const EVIDENCE_KINDS = ['test_evidence', 'approval_record', 'backout_test', 'security_scan', 'other'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

const GateSchema = z.strictObject({
  name: Name,
  /** CEL over the change context; a gate without `when` applies to every change. */
  when: z.string().min(1).default('true'),
  /** The states the change cannot enter while the gate is not satisfied. */
  before: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).min(1),
  /** Evidence of each kind the change must hold. */
  evidence: z.array(z.enum(EVIDENCE_KINDS)).min(1),
  reason: z.string().min(1),
});

/** Workflow gates: evidence a change needs before it enters some states. Only break-glass passes one unsatisfied. */
export const GatesSection = z.array(GateSchema).default([]);
export type GatesSectionOutput = z.output<typeof GatesSection>;
