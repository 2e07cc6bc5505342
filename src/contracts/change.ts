import { z } from 'zod';
import { RISK_LEVELS } from '../domain/risk/score';
import { CiRef, Instant, TeamRef, TemplateRef, UserRef } from './common';

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export const LEVELS = ['low', 'medium', 'high'] as const;
export const CLOSE_CODES = ['successful', 'successful_with_issues', 'unsuccessful', 'rolled_back', 'cancelled'] as const;

export const ChangeLink = z
  .object({
    title: z.string().trim().min(1).max(200),
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000),
  })
  .meta({ id: 'ChangeLink' });
/** A link as sent: unknown fields are refused. */
const ChangeLinkInput = z.strictObject(ChangeLink.shape);

/** The fields a person edits on a change (everything but state, number and bookkeeping). */
const editable = {
  title: z.string().trim().min(1, 'must not be empty').max(200),
  description: z.string().max(20000),
  justification: z.string().max(20000),
  ownerId: UserRef.nullable(),
  assignmentTeamId: TeamRef.nullable(),
  changeManagerId: UserRef.nullable(),
  implementerId: UserRef.nullable(),
  ciIds: z.array(CiRef).max(500),
  plannedStart: Instant.nullable(),
  plannedEnd: Instant.nullable(),
  actualStart: Instant.nullable(),
  actualEnd: Instant.nullable(),
  implementationPlan: z.string().max(50000),
  testPlan: z.string().max(50000),
  backoutPlan: z.string().max(50000),
  backoutTested: z.boolean(),
  impact: z.enum(LEVELS),
  urgency: z.enum(LEVELS),
  priority: z.number().int().min(1).max(4).nullable(),
  closeCode: z.enum(CLOSE_CODES).nullable(),
  closeNotes: z.string().max(20000),
  links: z.array(ChangeLinkInput).max(50),
};

export const CreateChangeInput = z
  .strictObject({
    type: z.enum(CHANGE_TYPES),
    title: editable.title,
    description: editable.description.default(''),
    justification: editable.justification.default(''),
    ownerId: editable.ownerId.optional(),
    assignmentTeamId: editable.assignmentTeamId.default(null),
    changeManagerId: editable.changeManagerId.default(null),
    implementerId: editable.implementerId.default(null),
    ciIds: editable.ciIds.default([]),
    plannedStart: editable.plannedStart.default(null),
    plannedEnd: editable.plannedEnd.default(null),
    implementationPlan: editable.implementationPlan.default(''),
    testPlan: editable.testPlan.default(''),
    backoutPlan: editable.backoutPlan.default(''),
    backoutTested: editable.backoutTested.default(false),
    impact: editable.impact.default('medium'),
    urgency: editable.urgency.default('medium'),
    priority: editable.priority.default(null),
    links: editable.links.default([]),
    /** The template the change is made from: recorded, and its type must match (POST /templates/{id}/changes fills the rest in). */
    templateId: TemplateRef.nullable().default(null),
  })
  .meta({ id: 'CreateChange' });
export type CreateChangeInput = z.input<typeof CreateChangeInput>;

export const UpdateChangeInput = z
  .strictObject({
    ...Object.fromEntries(Object.entries(editable).map(([k, v]) => [k, v.optional()])),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'UpdateChange' }) as unknown as z.ZodObject<
  {
    [K in keyof typeof editable]: z.ZodOptional<(typeof editable)[K]>;
  } & { version: z.ZodOptional<z.ZodNumber> }
>;
export type UpdateChangeInput = z.input<typeof UpdateChangeInput>;

export const TransitionInput = z
  .strictObject({
    to: z.string().min(1).max(64),
    version: z.number().int().min(1).optional(),
    /** Recorded as a work note; required (non-empty) to cancel or reject a change. */
    comment: z.string().max(5000).optional(),
  })
  .meta({ id: 'Transition' });

const RoutedTarget = z.object({ rule: z.string(), reason: z.string(), value: z.string() });
/** Routing's decisions on a change: the rule that chose each target, under which policy version. */
export const Routing = z
  .object({
    policyVersion: z.number().int(),
    team: RoutedTarget.nullable(),
    changeManager: RoutedTarget.nullable(),
    /** Targets someone set by hand (even to none): routing leaves them alone from then on. */
    manual: z.object({ team: z.boolean(), changeManager: z.boolean() }),
  })
  .meta({ id: 'Routing' });
export type Routing = z.infer<typeof Routing>;

export const Change = z
  .object({
    id: z.string(),
    number: z.string(),
    type: z.enum(CHANGE_TYPES),
    state: z.string(),
    title: z.string(),
    description: z.string(),
    justification: z.string(),
    requesterId: z.string(),
    ownerId: z.string().nullable(),
    assignmentTeamId: z.string().nullable(),
    changeManagerId: z.string().nullable(),
    implementerId: z.string().nullable(),
    ciIds: z.array(z.string()),
    serviceIds: z.array(z.string()),
    plannedStart: z.string().nullable(),
    plannedEnd: z.string().nullable(),
    actualStart: z.string().nullable(),
    actualEnd: z.string().nullable(),
    implementationPlan: z.string(),
    testPlan: z.string(),
    backoutPlan: z.string(),
    backoutTested: z.boolean(),
    impact: z.enum(LEVELS),
    urgency: z.enum(LEVELS),
    priority: z.number().int(),
    closeCode: z.enum(CLOSE_CODES).nullable(),
    closeNotes: z.string(),
    links: z.array(ChangeLink),
    policyVersion: z.number().int(),
    /** The risk in force: the computed level, or a change manager's override of it. */
    risk: z
      .object({
        score: z.number().int(),
        level: z.enum(RISK_LEVELS),
        computedLevel: z.enum(RISK_LEVELS),
        overridden: z.boolean(),
        policyVersion: z.number().int(),
      })
      .nullable(),
    /** What routing chose and why; a target someone set by hand has no entry. */
    routing: Routing.nullable(),
    /** Set when break-glass was used: the change must be reviewed after the fact. */
    reviewRequired: z.boolean(),
    /** Set while an urgent freeze holds the change (lockdown): no transition but cancelling until `until`. */
    hold: z.object({ windowId: z.string(), until: z.string() }).nullable(),
    /** The template the change was made from. */
    templateId: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** In the list only: schedule conflicts of the change nobody acknowledged yet (freezes included). */
    openConflicts: z.number().int().optional(),
    /** In the list only: the worst SLA clock still running, past due (breached) or past its reminder time (at_risk); null when none is. */
    slaStatus: z.enum(['at_risk', 'breached']).nullable().optional(),
  })
  .meta({ id: 'Change' });
export type Change = z.infer<typeof Change>;

export const RiskFactor = z
  .object({ name: z.string(), label: z.string(), contribution: z.number(), reason: z.string() })
  .meta({ id: 'RiskFactor' });
export const RiskDetail = z
  .object({
    score: z.number().int(),
    level: z.enum(RISK_LEVELS),
    computedLevel: z.enum(RISK_LEVELS),
    factors: z.array(RiskFactor),
    policyVersion: z.number().int(),
    override: z
      .object({ level: z.enum(RISK_LEVELS), justification: z.string(), by: z.string(), byName: z.string(), at: z.string() })
      .nullable(),
  })
  .meta({ id: 'RiskDetail' });
export type RiskDetail = z.infer<typeof RiskDetail>;
export const RiskOverrideInput = z
  .strictObject({
    level: z.enum(RISK_LEVELS),
    justification: z.string().trim().min(10, 'explain the override in at least 10 characters').max(5000),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'RiskOverride' });

/** What the current user may do next with a change, computed from the policy. */
export const AvailableTransition = z
  .object({
    to: z.string(),
    label: z.string(),
    /** Whether the caller's role or relation to the change lets them fire it. */
    allowed: z.boolean(),
    missingFields: z.array(z.string()),
    /** What else would refuse the move now, in plain words (not your role, approvals pending, a gate, a blocking conflict, a hold). */
    reasons: z.array(z.string()),
    /** The move needs a reason, sent as the transition's `comment` (cancelling, rejecting). */
    needsReason: z.boolean(),
  })
  .meta({ id: 'AvailableTransition' });
export type AvailableTransition = z.infer<typeof AvailableTransition>;

/** The pre-approval checks a standard change from a catalogue entry runs (docs/catalogue.md#pre-approval-checks). */
export const CHANGE_CHECK_NAMES = ['eligibility', 'schedule', 'incidents', 'known_errors', 'dependencies', 'evidence'] as const;
export const CHANGE_CHECK_RESULTS = ['pass', 'warn', 'fail'] as const;
export const ChangeCheck = z
  .object({
    name: z.enum(CHANGE_CHECK_NAMES),
    result: z.enum(CHANGE_CHECK_RESULTS),
    /** Why, in plain words (every problem the check found). */
    reason: z.string(),
    checkedAt: z.string(),
    /** When the checks ran: at filing, before implement, or again by hand. */
    stage: z.enum(['filing', 'implement', 'manual']),
  })
  .meta({ id: 'ChangeCheck' });
export type ChangeCheck = z.infer<typeof ChangeCheck>;
/**
 * Why a change asked for as standard was filed as a normal change: its catalogue entry is suspended, a
 * pre-approval check failed, or it named no active standard entry at all (`no_entry`).
 */
export const ChangeConversion = z
  .object({
    from: z.literal('standard'),
    reason: z.enum(['template_suspended', 'checks_failed', 'no_entry']),
    message: z.string(),
  })
  .meta({ id: 'ChangeConversion' });
export type ChangeConversion = z.infer<typeof ChangeConversion>;

export const ChangeDetail = Change.extend({
  /** The content version of the template it was made from (pinned when filed), or null. */
  templateVersion: z.number().int().nullable(),
  /** The latest pre-approval checks of a change from a catalogue entry; empty for others. */
  checks: z.array(ChangeCheck),
  /** Set when it was asked for as a standard change and filed as a normal one. */
  conversion: ChangeConversion.nullable(),
  availableTransitions: z.array(AvailableTransition),
  /** What the caller may edit: every field, the implementation fields only (as its implementer), or nothing. */
  editable: z.enum(['all', 'implementation', 'none']),
  /** The fields the caller may edit when `editable` is `implementation`. */
  implementationFields: z.array(z.string()),
  /** Material fields the policy locks in the change's state (an edit of one is refused: locked_for_approval). */
  lockedFields: z.array(z.string()),
  /** The concerns raised about it (docs/communication.md): still waiting for an answer, and answered. */
  concerns: z.object({ open: z.number().int(), answered: z.number().int() }),
}).meta({ id: 'ChangeDetail' });
export type ChangeDetail = z.infer<typeof ChangeDetail>;

/** The columns the change list sorts by (`sort=plannedStart` ascending, `sort=-plannedStart` descending). */
export const CHANGE_SORT_COLUMNS = ['number', 'title', 'type', 'state', 'risk', 'plannedStart', 'plannedEnd', 'updatedAt', 'createdAt'] as const;
export type ChangeSortColumn = (typeof CHANGE_SORT_COLUMNS)[number];
export const CHANGE_SORTS = CHANGE_SORT_COLUMNS.flatMap((c) => [c, `-${c}`]) as [string, ...string[]];

/**
 * The ways a change can be the caller's, for `mine=` (several, comma-separated, mean any of them): requested
 * by them, owned by them, implemented by them, waiting for an approval they may decide now (the same as Home's
 * "Awaiting my approval"), or assigned to one of their teams.
 */
export const MINE_FILTERS = ['requested', 'owned', 'implementing', 'approving', 'team'] as const;
export type MineFilter = (typeof MINE_FILTERS)[number];

/** A comma-separated list whose every value is one of `allowed`; each unknown value is its own issue. */
const commaSeparated = (allowed: readonly string[], what: string) =>
  z
    .string()
    .max(1000)
    .superRefine((value, ctx) => {
      for (const v of value.split(',')) {
        if (!allowed.includes(v)) ctx.addIssue({ code: 'custom', message: `unknown ${what} ${v || '(empty)'} (one of ${allowed.join(', ')})` });
      }
    });

/**
 * One reference or several, comma-separated (`ciId=pay-db,web-1`): ids, or names and handles where the filter
 * takes them. Each value is checked on its own: an empty or overlong one is its own issue, and the service
 * reports each one that names nothing.
 */
const commaSeparatedRefs = (what: string) =>
  z
    .string()
    .max(2000)
    .superRefine((value, ctx) => {
      for (const v of value.split(',')) {
        if (v === '') ctx.addIssue({ code: 'custom', message: `an empty ${what} in the list (separate values with one comma)` });
        else if (v.length > 64) ctx.addIssue({ code: 'custom', message: `${what} ${v.slice(0, 20)}… is longer than 64 characters` });
      }
    });

export const ChangeListQuery = z.strictObject({
  q: z.string().max(200).optional().describe('Words in the number, title or description'),
  type: commaSeparated(CHANGE_TYPES, 'type').optional().describe(`One type or several, comma-separated (${CHANGE_TYPES.join(', ')})`),
  state: z.string().max(1000).optional().describe('One state or several, comma-separated (states of the policy’s change models)'),
  requesterId: commaSeparatedRefs('user id').optional().describe('Changes one of these people requested: one user id or several, comma-separated'),
  assignmentTeamId: commaSeparatedRefs('team').optional().describe('Changes assigned to one of these teams: one id or handle or several, comma-separated'),
  ciId: commaSeparatedRefs('CI').optional().describe('Changes on any of these CIs: one id or name or several, comma-separated'),
  serviceId: commaSeparatedRefs('service').optional().describe('Changes on CIs of any of these services: one id or name or several, comma-separated'),
  templateId: commaSeparatedRefs('template').optional().describe('Changes made from one of these templates: one id or name or several, comma-separated'),
  plannedFrom: Instant.optional().describe('Changes planned to end after this instant'),
  plannedTo: Instant.optional().describe('Changes planned to start before this instant'),
  mine: commaSeparated(MINE_FILTERS, 'mine filter')
    .optional()
    .describe(
      'Changes that are yours, comma-separated for any of several ways: requested (you filed it), owned (you own it), implementing (you implement it), approving (an approval you may decide now is pending), team (assigned to one of your teams)',
    ),
  sort: z
    .enum(CHANGE_SORTS, { error: () => `must be one of ${CHANGE_SORTS.join(', ')}` })
    .optional()
    .describe(`The order: a column, ascending, or with a leading "-" descending (${CHANGE_SORT_COLUMNS.join(', ')}); newest first when absent. Changes without a value (no planned start, no risk) come last either way; ties newest first.`),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2000).optional(),
});

/** The query of the CSV export: the list's filters and sort, without paging (every matching change is written). */
export const ChangeExportQuery = ChangeListQuery.omit({ limit: true, cursor: true });

/**
 * A change as the list gives it: with its markers (Change's optional `openConflicts` and `slaStatus`), read for
 * the whole page at once. NOTE: the same schema as Change, so the OpenAPI document keeps one Change component.
 */
export const ChangeListItem = Change;
export type ChangeListItem = z.infer<typeof ChangeListItem>;

export const COMMENT_KINDS = ['comment', 'work_note'] as const;
export const Comment = z
  .object({
    id: z.string(),
    changeId: z.string(),
    authorId: z.string(),
    authorName: z.string(),
    kind: z.enum(COMMENT_KINDS),
    body: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Comment' });
export const CreateCommentInput = z
  .strictObject({
    body: z.string().trim().min(1, 'must not be empty').max(20000),
    kind: z.enum(COMMENT_KINDS).default('comment'),
  })
  .meta({ id: 'CreateComment' });

export const AuditEvent = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actorId: z.string(),
    actorName: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    data: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEvent>;
