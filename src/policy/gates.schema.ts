import { z } from 'zod';
import { EVIDENCE_KINDS } from '../domain/change/evidence';

export { EVIDENCE_KINDS, type EvidenceKind } from '../domain/change/evidence';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'names are lowercase letters, digits and "_"');

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
