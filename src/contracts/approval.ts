import { z } from 'zod';

export const APPROVAL_STATES = ['waiting', 'pending', 'approved', 'rejected', 'withdrawn'] as const;

export const ApprovalVote = z
  .object({
    userId: z.string(),
    userName: z.string(),
    decision: z.enum(['approve', 'reject']),
    comment: z.string(),
    createdAt: z.string(),
    /** Set when a delegate decided for someone away: the vote counts as theirs. */
    onBehalfOfId: z.string().nullable(),
    onBehalfOfName: z.string().nullable(),
    /** The fingerprint of the change's material content the vote was cast on (null for votes cast before fingerprints). */
    contentHash: z.string().nullable(),
    /** True when the change's material content moved on after the vote: it no longer counts. */
    superseded: z.boolean(),
    /** True when the voter, or the person voted for, became a party to the change: it no longer counts. */
    voided: z.boolean(),
    /** Why the vote no longer counts (null while it counts). */
    why: z.string().nullable(),
    /** When it stopped counting. */
    endedAt: z.string().nullable(),
  })
  .meta({ id: 'ApprovalVote' });

/** One approval of a change, as people and the web app read it. */
export const Approval = z
  .object({
    id: z.string(),
    changeId: z.string(),
    stage: z.string(),
    stageLabel: z.string(),
    stageOrder: z.number().int(),
    rule: z.string(),
    reason: z.string(),
    approver: z.object({ kind: z.enum(['team', 'role', 'user', 'board']), ref: z.string(), label: z.string() }),
    quorum: z.object({ kind: z.enum(['any', 'all', 'n', 'percent', 'board']), value: z.number().int().nullable() }),
    state: z.enum(APPROVAL_STATES),
    dueAt: z.string().nullable(),
    /** When the approval went past its due time and was escalated; from then on its escalation target may decide it too. */
    escalatedAt: z.string().nullable(),
    /** Who an overdue approval escalates to (team id, role or user id; `board`: the board's delegates, its id), or null. */
    escalation: z.object({ kind: z.enum(['team', 'role', 'user', 'board']), ref: z.string() }).nullable(),
    policyVersion: z.number().int(),
    /** The fingerprint of the change's material content this approval was requested for. */
    contentHash: z.string().nullable(),
    /** Why a withdrawn approval was withdrawn. */
    withdrawnReason: z.string().nullable(),
    votes: z.array(ApprovalVote),
    /** Whether the caller may approve or reject it now. */
    canDecide: z.boolean(),
    /** When the caller may decide only as someone's delegate: whose vote theirs would be. */
    decidesFor: z.object({ userId: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: 'Approval' });
export type Approval = z.infer<typeof Approval>;

/** A pending approval waiting for the caller, with the change it belongs to. */
export const MyApproval = Approval.extend({ changeNumber: z.string(), changeTitle: z.string() }).meta({ id: 'MyApproval' });
export type MyApproval = z.infer<typeof MyApproval>;

export const ApprovalList = z.object({ items: z.array(Approval) });
export const MyApprovalList = z.object({ items: z.array(MyApproval) });

export const DecisionInput = z
  .strictObject({
    decision: z.enum(['approve', 'reject']),
    /** Required to reject: the requester needs to know why. */
    comment: z.string().trim().max(4000).default(''),
    /** Decide as the delegate of this user (someone away who delegated to you); by default, whoever you may decide for. */
    onBehalfOf: z.string().min(1).max(64).optional(),
  })
  .meta({ id: 'Decision' });
export type DecisionInput = z.output<typeof DecisionInput>;
