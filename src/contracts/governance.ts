import { z } from 'zod';
import { EVIDENCE_KINDS } from '../domain/change/evidence';
import { Id, Instant } from './common';

/** Kinds a person may attach; `approval_record` is sealed by Cabinet itself, `gate_check` recorded by the deployment gate. */
export const ATTACHABLE_EVIDENCE_KINDS = EVIDENCE_KINDS.filter((k) => k !== 'approval_record' && k !== 'gate_check') as Exclude<
  (typeof EVIDENCE_KINDS)[number],
  'approval_record' | 'gate_check'
>[];

export const Evidence = z
  .object({
    id: z.string(),
    changeId: z.string(),
    kind: z.enum(EVIDENCE_KINDS),
    title: z.string(),
    body: z.string(),
    url: z.string().nullable(),
    /** sha256 over kind, title, body and url: the evidence as it was attached. */
    sha256: z.string(),
    createdBy: z.string(),
    createdByName: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Evidence' });
export type Evidence = z.infer<typeof Evidence>;

export const AddEvidenceInput = z
  .strictObject({
    kind: z.enum(ATTACHABLE_EVIDENCE_KINDS as [string, ...string[]], { error: `kind is one of ${ATTACHABLE_EVIDENCE_KINDS.join(', ')}` }),
    title: z.string().trim().min(1, 'must not be empty').max(200),
    body: z.string().max(100_000).default(''),
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .max(2000)
      .nullable()
      .default(null),
  })
  .refine((e) => e.body.trim() !== '' || e.url !== null, {
    message: 'give the evidence itself (body) or a link to it (url)',
    path: ['body'],
  })
  .meta({ id: 'AddEvidence' });
export type AddEvidenceInput = z.input<typeof AddEvidenceInput>;

/** A gate on entering a state, and what the change still misses. */
export const GateStatus = z
  .object({
    name: z.string(),
    reason: z.string(),
    before: z.array(z.string()),
    evidence: z.array(z.string()),
    missing: z.array(z.string()),
    /** Set when the gate's condition could not be evaluated (it then applies). */
    error: z.string().nullable(),
  })
  .meta({ id: 'GateStatus' });
export const EvidenceList = z.object({ items: z.array(Evidence), gates: z.array(GateStatus) }).meta({ id: 'EvidenceList' });

export const BreakGlass = z
  .object({
    id: z.string(),
    changeId: z.string(),
    userId: z.string(),
    userName: z.string(),
    reason: z.string(),
    skipped: z.object({
      approvals: z.array(z.object({ id: z.string(), rule: z.string(), approver: z.string(), state: z.string() })),
      gates: z.array(z.object({ name: z.string(), missing: z.array(z.string()) })),
    }),
    createdAt: z.string(),
    expiresAt: z.string(),
    active: z.boolean(),
    usedAt: z.string().nullable(),
    review: z.object({ by: z.string(), byName: z.string(), at: z.string(), notes: z.string() }).nullable(),
  })
  .meta({ id: 'BreakGlass' });
export type BreakGlass = z.infer<typeof BreakGlass>;
export const BreakGlassList = z.object({ items: z.array(BreakGlass) });

export const BreakGlassInput = z
  .strictObject({
    reason: z.string().trim().min(10, 'explain the emergency in at least 10 characters').max(5000),
    /** How long the bypass lasts; at most the policy's breakGlass.maxDuration. */
    durationMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .default(60),
  })
  .meta({ id: 'BreakGlassRequest' });
export type BreakGlassInput = z.input<typeof BreakGlassInput>;

export const ReviewInput = z
  .strictObject({ notes: z.string().trim().min(10, 'say what the review found in at least 10 characters').max(5000) })
  .meta({ id: 'BreakGlassReview' });

export const Delegation = z
  .object({
    id: z.string(),
    userId: z.string(),
    userName: z.string(),
    delegateId: z.string(),
    delegateName: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    reason: z.string(),
    createdAt: z.string(),
    /** Whether it is in force now. */
    active: z.boolean(),
  })
  .meta({ id: 'Delegation' });
export type Delegation = z.infer<typeof Delegation>;
export const DelegationList = z.object({ given: z.array(Delegation), received: z.array(Delegation) }).meta({ id: 'DelegationList' });

export const CreateDelegationInput = z
  .strictObject({
    delegateId: Id,
    startsAt: Instant,
    endsAt: Instant,
    reason: z.string().trim().max(500).default(''),
  })
  .refine((d) => d.endsAt > d.startsAt, { message: 'must be after the start', path: ['endsAt'] })
  .refine((d) => Date.parse(d.endsAt) - Date.parse(d.startsAt) <= 90 * 86_400_000, {
    message: 'a delegation lasts at most 90 days',
    path: ['endsAt'],
  })
  .meta({ id: 'CreateDelegation' });
export type CreateDelegationInput = z.input<typeof CreateDelegationInput>;
