import { z } from 'zod';
import { ChangeRef, Id, Instant, UserRef } from './common';
import { BOARD_KINDS } from './boards';

/**
 * Board meetings, their agendas, decisions, conditions and minutes (issue 15, docs/cab.md#meetings). The names
 * in the contract stay as written: `POST /boards/{id}/meetings {start, durationMinutes}`, `GET
 * /meetings/{id}/agenda` → `{items: [{changeId, number, riskLevel, allottedMinutes, …}]}`, `POST
 * /meetings/{id}/items/{changeId}/decision`, `POST /meetings/{id}/end` → the minutes.
 */

export const MEETING_STATES = ['planned', 'live', 'ended', 'cancelled'] as const;
export type MeetingState = (typeof MEETING_STATES)[number];

export const BOARD_DECISIONS = ['approve', 'approve_with_conditions', 'defer', 'reject', 'request_info', 'ratify', 'flag'] as const;
/** The decisions on a retrospective item (an approval already given, reviewed after the fact): they leave the approval as it is. */
export const RETROSPECTIVE_DECISIONS = ['ratify', 'flag'] as const;
export type BoardDecision = (typeof BOARD_DECISIONS)[number];

export const MeetingRequest = z
  .strictObject({
    start: Instant.describe('When the meeting starts'),
    durationMinutes: z.number().int('must be a whole number').min(5, 'must be at least 5').max(600, 'must be at most 600 (ten hours)'),
    title: z.string().trim().max(200).optional().describe('Defaults to the board name and the date'),
    chairId: UserRef.optional().describe('Who chairs it (id or email); left out: the board’s chair rule picks a member'),
  })
  .meta({ id: 'MeetingRequest' });
export type MeetingRequest = z.input<typeof MeetingRequest>;

export const MeetingUpdate = z
  .strictObject({
    start: Instant.optional(),
    durationMinutes: MeetingRequest.shape.durationMinutes.optional(),
    title: z.string().trim().min(1).max(200).optional(),
    chairId: UserRef.optional(),
    notes: z.string().max(50_000).optional().describe('The meeting’s notes (while it is planned or live)'),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'MeetingUpdate' });
export type MeetingUpdate = z.input<typeof MeetingUpdate>;

export const MeetingCancelRequest = z
  .strictObject({ reason: z.string().trim().min(1, 'say why the meeting is cancelled').max(2000), version: z.number().int().min(1).optional() })
  .meta({ id: 'MeetingCancelRequest' });

export const AttendanceRequest = z
  .strictObject({
    attendees: z
      .array(z.strictObject({ userId: UserRef.describe('User id or email'), present: z.boolean() }))
      .min(1, 'name at least one person')
      .max(300),
  })
  .meta({ id: 'AttendanceRequest' });
export type AttendanceRequest = z.input<typeof AttendanceRequest>;

export const CurrentItemRequest = z
  .strictObject({ changeId: ChangeRef.nullable().describe('The item now discussed; null: none') })
  .meta({ id: 'CurrentItemRequest' });

export const AgendaEditRequest = z
  .strictObject({
    action: z.enum(['add', 'remove', 'move']),
    changeId: ChangeRef,
    position: z.number().int().min(1).optional().describe('For move: the position it takes (1 is first)'),
    reason: z.string().trim().min(1, 'say why the agenda changes').max(2000),
  })
  .meta({ id: 'AgendaEditRequest' });
export type AgendaEditRequest = z.input<typeof AgendaEditRequest>;

/** Who checks a condition: a person (id or email), or a CEL check over the change that must hold. */
export const ConditionVerifier = z.union([
  UserRef.describe('User id or email of the person who verifies it'),
  z.strictObject({ userId: UserRef.describe('User id or email') }),
  z.strictObject({ check: z.string().trim().min(1).max(4000).describe('CEL over the change (docs/policy.md): the condition is met while it holds') }),
]);

export const ConditionRequest = z.strictObject({
  text: z.string().trim().min(1, 'say what must be done').max(2000),
  dueAt: Instant.optional().describe('When it must be met by; left out: before implementation'),
  verifier: ConditionVerifier.optional().describe('Left out: any change manager verifies it'),
});

export const DecisionRequest = z
  .strictObject({
    decision: z.enum(BOARD_DECISIONS),
    rationale: z.string().trim().min(1, 'a decision always gives its rationale').max(10_000),
    conditions: z.array(ConditionRequest).max(20).optional().describe('For approve_with_conditions: at least one'),
    deferTo: Id.optional().describe('For defer: the meeting (id) the item goes to'),
  })
  .meta({ id: 'DecisionRequest' });
export type DecisionRequest = z.input<typeof DecisionRequest>;

export const ConditionVerifyRequest = z
  .strictObject({ note: z.string().trim().max(2000).optional().describe('How it was met (kept with the condition)') })
  .meta({ id: 'ConditionVerifyRequest' });

export const Condition = z
  .object({
    id: z.string(),
    changeId: z.string(),
    decisionId: z.string(),
    text: z.string(),
    dueAt: z.string().nullable(),
    verifier: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('person'), userId: z.string(), name: z.string() }),
      z.object({ kind: z.literal('check'), check: z.string() }),
      z.object({ kind: z.literal('change_manager') }),
    ]),
    state: z.enum(['open', 'met']),
    /** An open condition past its due time. */
    overdue: z.boolean(),
    /** For a check: whether it holds now (null for people). */
    holds: z.boolean().nullable(),
    metAt: z.string().nullable(),
    metBy: z.object({ userId: z.string(), name: z.string() }).nullable(),
    note: z.string().nullable(),
    createdAt: z.string(),
    /** Whether the caller may mark it met now. */
    canVerify: z.boolean(),
  })
  .meta({ id: 'Condition' });
export type Condition = z.infer<typeof Condition>;

export const DecisionView = z
  .object({
    id: z.string(),
    meetingId: z.string().nullable(),
    boardId: z.string(),
    boardName: z.string(),
    changeId: z.string(),
    number: z.string(),
    decision: z.enum(BOARD_DECISIONS),
    rationale: z.string(),
    conditions: z.array(Condition),
    deferredTo: z.object({ meetingId: z.string(), start: z.string() }).nullable(),
    decidedBy: z.object({ userId: z.string(), name: z.string() }),
    decidedAt: z.string(),
    /** The members' votes on the item when it was decided. */
    votes: z.array(z.object({ userId: z.string(), name: z.string(), decision: z.enum(['approve', 'reject']) })),
    /** Who was present (a meeting's decision) and whether they made the board's quorum. */
    quorum: z.object({ met: z.boolean(), voters: z.number().int(), missingMembers: z.number().int(), missingDomains: z.array(z.string()) }),
    /** Minutes the item took in the meeting (null outside a meeting). */
    minutesSpent: z.number().nullable(),
  })
  .meta({ id: 'BoardDecision' });
export type DecisionView = z.infer<typeof DecisionView>;

const Person = z.object({ userId: z.string(), name: z.string() });

export const Meeting = z
  .object({
    id: z.string(),
    boardId: z.string(),
    boardName: z.string(),
    boardKind: z.enum(BOARD_KINDS),
    title: z.string(),
    start: z.string(),
    end: z.string(),
    durationMinutes: z.number().int(),
    state: z.enum(MEETING_STATES),
    chair: Person.nullable(),
    /** When it started (its agenda froze then); null while planned. */
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    cancelledReason: z.string().nullable(),
    currentItem: z.object({ changeId: z.string(), number: z.string(), since: z.string() }).nullable(),
    notes: z.string(),
    /**
     * Who was there. `attested`: the person recorded it themself, or a change manager did; only attested
     * presences count towards a decision's quorum (a chair cannot make a quorum by ticking others present).
     */
    attendance: z.array(Person.extend({ present: z.boolean(), attested: z.boolean(), domains: z.array(z.string()) })),
    /** The minutes' SHA-256 once the meeting ended. */
    minutesHash: z.string().nullable(),
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Meeting' });
export type Meeting = z.infer<typeof Meeting>;

export const MeetingListQuery = z.strictObject({
  boardId: Id.optional().describe('Board id or name'),
  from: Instant.optional().describe('Meetings starting at or after'),
  to: Instant.optional().describe('Meetings starting before'),
  state: z.enum(MEETING_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type MeetingListQuery = z.output<typeof MeetingListQuery>;

export const AgendaItemView = z
  .object({
    changeId: z.string(),
    number: z.string(),
    title: z.string(),
    riskLevel: z.string(),
    riskScore: z.number(),
    plannedStart: z.string().nullable(),
    position: z.number().int(),
    allottedMinutes: z.number().int(),
    startsAtMinute: z.number().int(),
    urgent: z.boolean(),
    overflow: z.boolean(),
    addedReason: z.string().nullable(),
    late: z.boolean(),
    movedReason: z.string().nullable(),
    /** The board approval this item decides (null for an item added by hand that awaits no decision of this board). */
    approvalId: z.string().nullable(),
    /** Votes cast so far by members, and what the quorum still needs (nothing once the item has a `decision`). */
    votes: z.object({ approve: z.number().int(), reject: z.number().int(), missingMembers: z.number().int(), missingDomains: z.array(z.string()) }),
    /** The board's decision at this meeting, once made. */
    decision: DecisionView.nullable(),
    /** A retrospective item: another board (an ECAB) already approved the change, and the policy has this board review that after the fact (ratify or flag). */
    retrospective: z.object({ boardId: z.string(), boardName: z.string(), approvalId: z.string(), approvedAt: z.string() }).optional(),
  })
  .meta({ id: 'AgendaItem' });
export type AgendaItemView = z.infer<typeof AgendaItemView>;

const AgendaFyi = z.object({ changeId: z.string(), number: z.string(), title: z.string(), riskLevel: z.string(), plannedStart: z.string().nullable() });

export const AgendaView = z
  .object({
    meetingId: z.string(),
    /** The agenda froze when the meeting started: later additions are marked late. */
    frozen: z.boolean(),
    items: z.array(AgendaItemView),
    /** Items decided before the meeting by members' votes (asynchronous review): no longer on the live agenda. */
    decidedAhead: z.array(z.object({ changeId: z.string(), number: z.string(), title: z.string(), outcome: z.string(), decidedAt: z.string().nullable() })),
    /** Standard and pre-authorised changes in the board's scope: for information, not decided. */
    fyi: z.array(AgendaFyi),
    removed: z.array(z.object({ changeId: z.string(), number: z.string(), reason: z.string() })),
    overrunMinutes: z.number().int(),
  })
  .meta({ id: 'Agenda' });
export type AgendaView = z.infer<typeof AgendaView>;

export const PreRead = z
  .object({
    changeId: z.string(),
    number: z.string(),
    title: z.string(),
    type: z.string(),
    state: z.string(),
    requester: Person.nullable(),
    owner: Person.nullable(),
    implementer: Person.nullable(),
    plannedStart: z.string().nullable(),
    plannedEnd: z.string().nullable(),
    risk: z.object({ level: z.string(), score: z.number(), factors: z.array(z.object({ name: z.string(), label: z.string(), contribution: z.number(), reason: z.string() })) }),
    cis: z.array(z.object({ id: z.string(), name: z.string(), type: z.string() })),
    /**
     * What the change reaches over the CMDB, as its change page shows it (the policy's impact direction and
     * depth, less the CIs excluded by hand): the services of its CIs and of the CIs that depend on them, most
     * critical tier first (1 is the most critical; null for CIs without a service), and those CIs, nearest first.
     */
    impact: z.object({
      services: z.array(
        z.object({
          id: z.string().nullable(),
          name: z.string(),
          tier: z.number().int().nullable(),
          /** A service of one of the change's own CIs (else reached only through its dependents). */
          affected: z.boolean(),
          /** The impacted CIs in this service (the change's own CIs are not counted), as on the change page. */
          ciCount: z.number().int(),
        }),
      ),
      /** The impacted CIs; empty when `summarised` (more than the policy's summariseAbove: see `services`). */
      impacted: z.array(
        z.object({ id: z.string(), name: z.string(), type: z.string(), depth: z.number().int(), via: z.string(), service: z.string().nullable(), tier: z.number().int().nullable() }),
      ),
      impactedCount: z.number().int(),
      summarised: z.boolean(),
    }),
    conflicts: z.array(z.object({ kind: z.string(), message: z.string() })),
    /** Closed changes of the same team, CIs or template: how they went. */
    history: z.object({ total: z.number().int(), unsuccessful: z.number().int(), recent: z.array(z.object({ number: z.string(), title: z.string(), closeCode: z.string().nullable() })) }),
    openConcerns: z.array(z.object({ id: z.string(), text: z.string() })),
    /** Approvals already given (the specialists'), with who gave them. */
    approvalsGiven: z.array(z.object({ rule: z.string(), approver: z.string(), decidedAt: z.string().nullable() })),
    implementationPlan: z.string(),
    backoutPlan: z.string(),
  })
  .meta({ id: 'PreRead' });
export type PreRead = z.infer<typeof PreRead>;

export const Minutes = z
  .object({
    meetingId: z.string(),
    markdown: z.string(),
    /** SHA-256 (hex) of the Markdown: the same hash is in the audit chain (`meeting.ended`). */
    sha256: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'Minutes' });
export type Minutes = z.infer<typeof Minutes>;

export const MeetingParams = z.object({ id: Id.describe('Meeting id') });
export const MeetingItemParams = z.object({ id: Id.describe('Meeting id'), changeId: ChangeRef });
