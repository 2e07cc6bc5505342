import { z } from 'zod';
import { EVIDENCE_KINDS } from '../domain/change/evidence';
import { RISK_LEVELS } from '../domain/risk/score';
import { CHANGE_TYPES, LEVELS } from './change';
import { CiRef, ServiceRef, TeamRef } from './common';

/**
 * The life of a catalogue entry (docs/catalogue.md): drafted, proposed (waiting for a change manager's
 * activation), active (changes are made from it), suspended (its changes are filed as normal changes), retired.
 */
export const TEMPLATE_STATES = ['draft', 'proposed', 'active', 'suspended', 'retired'] as const;
export type TemplateState = (typeof TEMPLATE_STATES)[number];
/** The states of one content version: proposed (pending), active (in force), superseded (replaced), withdrawn (replaced before activation). */
export const TEMPLATE_VERSION_STATES = ['proposed', 'active', 'superseded', 'withdrawn'] as const;
export type TemplateVersionState = (typeof TEMPLATE_VERSION_STATES)[number];
/**
 * A summary for a list column: new (no change made from it finished yet), healthy, watch (a failure or a caused
 * incident among its recent uses, or a score below zero), suspended, retired.
 */
export const TEMPLATE_HEALTH = ['new', 'healthy', 'watch', 'suspended', 'retired'] as const;
export type TemplateHealth = (typeof TEMPLATE_HEALTH)[number];

/** Where a standard change from the entry may run; every list empty (and rule '') means anywhere. */
export const TemplateEligibility = z
  .strictObject({
    /** Services (ids; names are resolved on write) every CI of the change must belong to; empty = any. */
    services: z.array(ServiceRef).max(200).default([]),
    /** CI types the change's CIs must be of; empty = any. */
    ciTypes: z.array(z.string().trim().min(1).max(64)).max(100).default([]),
    /** Environments of the change's CIs; empty = any. */
    environments: z.array(z.string().trim().min(1).max(64)).max(20).default([]),
    /** The highest risk level (as scored) a change from it may have; null = any. */
    maxRisk: z.enum(RISK_LEVELS).nullable().default(null),
    /** Maintenance windows (by name) the change's planned time must fall in; empty = any time. */
    windows: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
    /** A CEL condition over change, cis and services that must hold; '' = none. */
    rule: z.string().max(5000).default(''),
    /** The most CIs reachable over the CMDB graph (dependency analysis) from the change's CIs; null = no limit. */
    maxImpact: z.number().int().min(0).max(100000).nullable().default(null),
    /** Evidence kinds the change must carry before it enters implement. */
    requiredEvidence: z.array(z.enum(EVIDENCE_KINDS)).max(EVIDENCE_KINDS.length).default([]),
    /** Known errors on the change's CIs: a warning (default) or a failing check. */
    knownErrors: z.enum(['warn', 'fail']).default('warn'),
  })
  .meta({ id: 'TemplateEligibility' });
export type TemplateEligibility = z.output<typeof TemplateEligibility>;
export const NO_ELIGIBILITY: TemplateEligibility = {
  services: [],
  ciTypes: [],
  environments: [],
  maxRisk: null,
  windows: [],
  rule: '',
  maxImpact: null,
  requiredEvidence: [],
  knownErrors: 'warn',
};

/** How the changes made from an entry (or one of its versions) fared, over every use. */
export const TemplateOutcomes = z
  .object({
    /** Changes made from it. */
    uses: z.number().int(),
    /** Closed successful. */
    successful: z.number().int(),
    /** Closed successful with issues. */
    successfulWithIssues: z.number().int(),
    /** Closed unsuccessful or rolled back. */
    failed: z.number().int(),
    /** Incidents its changes caused, by priority. */
    incidents: z.object({ p1: z.number().int(), p2: z.number().int(), p3: z.number().int(), p4: z.number().int() }),
    /** The success score: the outcomes and caused incidents weighted as the policy's catalogue.score says. */
    score: z.number(),
  })
  .meta({ id: 'TemplateOutcomes' });
export type TemplateOutcomes = z.infer<typeof TemplateOutcomes>;

/** What a template fills in on a new change (a change made from it may change any of them). */
export const TemplateFields = z
  .strictObject({
    title: z.string().trim().max(200),
    description: z.string().max(20000),
    justification: z.string().max(20000),
    implementationPlan: z.string().max(50000),
    testPlan: z.string().max(50000),
    backoutPlan: z.string().max(50000),
    backoutTested: z.boolean(),
    impact: z.enum(LEVELS),
    urgency: z.enum(LEVELS),
  })
  .meta({ id: 'TemplateFields' });
export type TemplateFields = z.infer<typeof TemplateFields>;

export const TEMPLATE_FIELD_DEFAULTS: TemplateFields = {
  title: '',
  description: '',
  justification: '',
  implementationPlan: '',
  testPlan: '',
  backoutPlan: '',
  backoutTested: false,
  impact: 'medium',
  urgency: 'medium',
};

/** How changes made from a template fared: finished in the last 90 days, failed (unsuccessful or rolled back). */
export const TemplateHistory = z
  .object({
    changes90d: z.number().int(),
    failed90d: z.number().int(),
    /** failed90d / changes90d, or null before any change made from it finished. */
    failureRate: z.number().nullable(),
    /** How many changes were ever made from it. */
    used: z.number().int(),
    lastUsedAt: z.string().nullable(),
  })
  .extend(TemplateOutcomes.shape)
  .meta({ id: 'TemplateHistory' });
export type TemplateHistory = z.infer<typeof TemplateHistory>;

export const Template = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    type: z.enum(CHANGE_TYPES),
    fields: TemplateFields,
    ciIds: z.array(z.string()),
    cis: z.array(z.object({ id: z.string(), name: z.string() })),
    assignmentTeamId: z.string().nullable(),
    /** state === 'active'. */
    active: z.boolean(),
    state: z.enum(TEMPLATE_STATES),
    category: z.string(),
    ownerTeamId: z.string().nullable(),
    ownerTeam: z.object({ id: z.string(), name: z.string() }).nullable(),
    eligibility: TemplateEligibility,
    /** The number of the content version in force (the one new changes pin). */
    contentVersion: z.number().int(),
    /** A proposed edit waiting for activation, or null. */
    pendingVersion: z.object({ number: z.number().int(), proposedBy: z.string(), proposedAt: z.string(), note: z.string() }).nullable(),
    history: TemplateHistory,
    health: z.enum(TEMPLATE_HEALTH),
    /** The row version (ETag, If-Match); not the content version. */
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Template' });
export type Template = z.infer<typeof Template>;

/** One row of an entry's suspension log: suspended or reinstated, by whom, why, and the numbers behind it. */
export const TemplateSuspension = z
  .object({
    id: z.string(),
    kind: z.enum(['suspended', 'reinstated']),
    /** Why: a person's reason, or the rule's words when automatic. */
    reason: z.string(),
    /** What suspended it: the failure rule, an overdue review, or a person. */
    cause: z.string(),
    automatic: z.boolean(),
    by: z.string(),
    byName: z.string(),
    at: z.string(),
    /** The numbers that triggered it (last uses counted, failures, caused incidents by priority, the change that tipped it). */
    numbers: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TemplateSuspension' });
export type TemplateSuspension = z.infer<typeof TemplateSuspension>;

/** An entry as GET /api/v1/templates/{id} gives it: with its suspension log, newest first. */
export const TemplateDetail = Template.extend({ suspensions: z.array(TemplateSuspension) }).meta({ id: 'TemplateDetail' });
export type TemplateDetail = z.infer<typeof TemplateDetail>;

/** What one content version holds: everything a change made from it copies, and its eligibility. */
export const TemplateContent = z
  .object({
    name: z.string(),
    description: z.string(),
    type: z.enum(CHANGE_TYPES),
    fields: TemplateFields,
    ciIds: z.array(z.string()),
    assignmentTeamId: z.string().nullable(),
    category: z.string(),
    ownerTeamId: z.string().nullable(),
    eligibility: TemplateEligibility,
  })
  .meta({ id: 'TemplateContent' });
export type TemplateContent = z.infer<typeof TemplateContent>;

export const TemplateVersion = z
  .object({
    number: z.number().int(),
    state: z.enum(TEMPLATE_VERSION_STATES),
    content: TemplateContent,
    /** What changed, in the proposer's words. */
    note: z.string(),
    proposedBy: z.string(),
    proposedByName: z.string(),
    proposedAt: z.string(),
    activatedBy: z.string().nullable(),
    activatedByName: z.string().nullable(),
    activatedAt: z.string().nullable(),
    /** How the changes pinned to this version fared. */
    history: TemplateOutcomes,
  })
  .meta({ id: 'TemplateVersion' });
export type TemplateVersion = z.infer<typeof TemplateVersion>;

/** A reason, required: suspending or reinstating an entry by hand. */
export const TemplateReasonInput = z
  .strictObject({ reason: z.string().trim().min(1, 'give a reason').max(5000) })
  .meta({ id: 'TemplateReason' });
export const ActivateTemplateInput = z
  .strictObject({ note: z.string().max(5000).optional() })
  .meta({ id: 'ActivateTemplate' });

export const CreateTemplateInput = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    description: z.string().max(5000).default(''),
    type: z.enum(CHANGE_TYPES, { error: `type is one of ${CHANGE_TYPES.join(', ')}` }),
    fields: TemplateFields.partial().default({}),
    ciIds: z.array(CiRef).max(500).default([]),
    assignmentTeamId: TeamRef.nullable().default(null),
    /** Retired at once when false (as before states); `state` says more. */
    active: z.boolean().default(true),
    /**
     * draft or proposed (anyone who files changes may propose an entry), or active (change managers; the default
     * for them). A requester's entry is proposed unless they send draft.
     */
    state: z.enum(['draft', 'proposed', 'active']).optional(),
    category: z.string().trim().max(100).default(''),
    ownerTeamId: TeamRef.nullable().default(null),
    eligibility: TemplateEligibility.default(NO_ELIGIBILITY),
    /** Recorded on version 1: what the entry is for or what changed. */
    note: z.string().max(5000).default(''),
  })
  .meta({ id: 'CreateTemplate' });
export type CreateTemplateInput = z.input<typeof CreateTemplateInput>;

export const UpdateTemplateInput = z
  .strictObject({
    name: CreateTemplateInput.shape.name.optional(),
    description: z.string().max(5000).optional(),
    type: z.enum(CHANGE_TYPES, { error: `type is one of ${CHANGE_TYPES.join(', ')}` }).optional(),
    /** Replaces the fields it names; the others stay. */
    fields: TemplateFields.partial().optional(),
    ciIds: z.array(CiRef).max(500).optional(),
    assignmentTeamId: TeamRef.nullable().optional(),
    /** false retires the entry at once; true brings a retired one back (as active for change managers). */
    active: z.boolean().optional(),
    /** A draft may be sent on to proposed (or back to draft). */
    state: z.enum(['draft', 'proposed']).optional(),
    category: z.string().trim().max(100).optional(),
    ownerTeamId: TeamRef.nullable().optional(),
    /** Replaces the keys it names; the others stay. */
    eligibility: TemplateEligibility.partial().optional(),
    /** Why the edit: recorded on the version it makes. */
    note: z.string().max(5000).optional(),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'UpdateTemplate' });
export type UpdateTemplateInput = z.input<typeof UpdateTemplateInput>;

/** The columns the template list sorts by (`sort=type` ascending, `sort=-type` descending). */
export const TEMPLATE_SORT_COLUMNS = ['name', 'type', 'active', 'state', 'category', 'createdAt', 'updatedAt', 'used', 'changes90d', 'score'] as const;
export type TemplateSortColumn = (typeof TEMPLATE_SORT_COLUMNS)[number];
export const TEMPLATE_SORTS = TEMPLATE_SORT_COLUMNS.flatMap((c) => [c, `-${c}`]) as [string, ...string[]];

export const TemplateListQuery = z.strictObject({
  active: z
    .enum(['true', 'false', 'all'])
    .optional()
    .describe('Active templates (the default when neither this nor state is given), retired ones, or all; `state` wins when both are given'),
  state: z
    .enum([...TEMPLATE_STATES, 'all'])
    .optional()
    .describe(`Entries in this state (${TEMPLATE_STATES.join(', ')}), or all`),
  category: z.string().max(100).optional().describe('Entries of this category'),
  type: z.enum(CHANGE_TYPES).optional().describe('Templates of this change type'),
  q: z.string().max(200).optional().describe('Words in the name or description'),
  sort: z
    .enum(TEMPLATE_SORTS, { error: () => `must be one of ${TEMPLATE_SORTS.join(', ')}` })
    .optional()
    .describe(
      `The order: a column, ascending, or with a leading "-" descending (${TEMPLATE_SORT_COLUMNS.join(', ')}); by name when absent. \`active\` puts retired templates first; \`used\` orders by the changes ever made from a template, \`changes90d\` by those that finished in the last 90 days; ties by id.`,
    ),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(2000).optional(),
});
export type TemplateListQuery = z.output<typeof TemplateListQuery>;

/** The query of the CSV export: the list's filters and sort, without paging (every matching template is written). */
export const TemplateExportQuery = TemplateListQuery.omit({ limit: true, cursor: true });
export type TemplateExportQuery = z.output<typeof TemplateExportQuery>;
