import { z } from 'zod';
import { CHANGE_TYPES, CLOSE_CODES } from './change';
import { Instant } from './common';

/**
 * A catalogue that learns (docs/catalogue.md#periodic-review, #promotion, #misclassification): periodic
 * reviews of its entries, normal changes that could become entries, and changes judged to be of another type.
 */

export const CATALOGUE_REVIEW_STATES = ['open', 'decided'] as const;
export const CATALOGUE_REVIEW_DECISIONS = ['keep', 'revise', 'retire'] as const;
export type CatalogueReviewDecision = (typeof CATALOGUE_REVIEW_DECISIONS)[number];

const PersonRef = z.object({ id: z.string(), name: z.string() });

/** One periodic review of a catalogue entry. */
export const CatalogueReview = z
  .object({
    id: z.string(),
    templateId: z.string(),
    templateName: z.string(),
    /** The entry's state today (active, suspended, retired…). */
    templateState: z.string(),
    /** The entry's version the review is about. */
    templateVersion: z.number().int(),
    ownerTeam: z.object({ id: z.string(), name: z.string() }).nullable().describe('The team that owns the entry and decides its review'),
    dueAt: z.string(),
    /** After this moment an open review suspends its entry (due date plus the policy's catalogue.review.graceDays). */
    graceEndsAt: z.string(),
    state: z.enum(CATALOGUE_REVIEW_STATES),
    overdue: z.boolean().describe('Open and past its due date'),
    decision: z.enum(CATALOGUE_REVIEW_DECISIONS).nullable(),
    reason: z.string(),
    history: z.record(z.string(), z.unknown()).describe("The entry's history (uses, outcomes, score) when the review opened"),
    decidedBy: PersonRef.nullable(),
    decidedAt: z.string().nullable(),
    /** When the review, overdue past the grace period, suspended the entry; null if it did not. */
    suspendedAt: z.string().nullable(),
    /** Where to write the entry's next version, for a review decided `revise`. */
    reviseLink: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'CatalogueReview' });
export type CatalogueReview = z.infer<typeof CatalogueReview>;

export const CatalogueReviewQuery = z.strictObject({
  state: z.enum(['open', 'overdue', 'decided']).default('open').describe('open (every open review), overdue (open and past due) or decided'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type CatalogueReviewQuery = z.output<typeof CatalogueReviewQuery>;

export const CatalogueReviewList = z.object({ items: z.array(CatalogueReview) }).meta({ id: 'CatalogueReviewList' });

export const DecideReviewInput = z.strictObject({
  decision: z.enum(CATALOGUE_REVIEW_DECISIONS),
  reason: z.string().trim().min(1, 'say why: the decision is kept with the entry').max(5000),
});
export type DecideReviewInput = z.output<typeof DecideReviewInput>;

/** When each active standard entry is reviewed next (the catalogue's "review due" column). */
export const ReviewScheduleItem = z
  .object({
    templateId: z.string(),
    /** The entry's own cadence in days, or null when it follows the policy's. */
    cadenceDays: z.number().int().nullable(),
    /** The cadence in force: the entry's own, else the policy's catalogue.review.cadenceDays. */
    effectiveCadenceDays: z.number().int(),
    /** The due date of its open review, else of its next one. */
    nextReviewAt: z.string(),
    overdue: z.boolean().describe('Its review is due (or was due) and not decided yet'),
    openReviewId: z.string().nullable(),
  })
  .meta({ id: 'ReviewScheduleItem' });
export type ReviewScheduleItem = z.infer<typeof ReviewScheduleItem>;
export const ReviewSchedule = z.object({ items: z.array(ReviewScheduleItem) }).meta({ id: 'ReviewSchedule' });

export const ReviewCadenceInput = z.strictObject({
  cadenceDays: z.number().int().min(1).max(3650).nullable().describe("The entry's own review cadence in days; null: the policy's"),
});
export type ReviewCadenceInput = z.output<typeof ReviewCadenceInput>;

/** A change behind a promotion candidate. */
export const CandidateChange = z.object({
  id: z.string(),
  number: z.string(),
  title: z.string(),
  closeCode: z.enum(CLOSE_CODES).nullable(),
  closedAt: z.string().nullable(),
});

/** Normal changes that repeat successfully: a candidate for a standard change entry. */
export const PromotionCandidate = z
  .object({
    /** Stable while the group lasts: `template:<id>` or `plan:<CI types>:<hash of the first plan>`. */
    key: z.string(),
    /** template: made from the same normal template; plan: the same CI types and near-identical plans. */
    kind: z.enum(['template', 'plan']),
    template: z.object({ id: z.string(), name: z.string() }).nullable(),
    ciTypes: z.array(z.string()),
    /** The title of the latest change of the group, as a name to start from. */
    title: z.string(),
    successes: z.number().int(),
    lastClosedAt: z.string().nullable(),
    changes: z.array(CandidateChange),
    /** An entry already proposed from one of these changes, if any. */
    proposedEntry: z.object({ id: z.string(), name: z.string(), state: z.string() }).nullable(),
  })
  .meta({ id: 'PromotionCandidate' });
export type PromotionCandidate = z.infer<typeof PromotionCandidate>;

export const PromotionCandidateList = z
  .object({
    items: z.array(PromotionCandidate),
    /** The policy's catalogue.promotion settings the list was made with. */
    successes: z.number().int(),
    lookbackDays: z.number().int(),
  })
  .meta({ id: 'PromotionCandidateList' });
export type PromotionCandidateList = z.infer<typeof PromotionCandidateList>;

export const ProposeEntryInput = z.strictObject({
  name: z.string().trim().min(1).max(200).optional().describe("The entry's name; default: the change's title"),
  category: z.string().trim().min(1).max(100).optional(),
});
export type ProposeEntryInput = z.output<typeof ProposeEntryInput>;

/**
 * What a reclassification says about how the change was filed: an emergency that was not urgent, a normal
 * change that should have been standard, a standard change that was not standard, or another pair.
 */
export const RECLASSIFICATION_KINDS = ['not_urgent', 'should_be_standard', 'not_standard', 'other'] as const;
export type ReclassificationKind = (typeof RECLASSIFICATION_KINDS)[number];

/** The kind of a reclassification from one type to another. */
export function reclassificationKind(from: string, to: string): ReclassificationKind {
  if (from === 'emergency' && to === 'normal') return 'not_urgent';
  if (from === 'normal' && to === 'standard') return 'should_be_standard';
  if (from === 'standard' && to === 'normal') return 'not_standard';
  return 'other';
}

export const Reclassification = z
  .object({
    id: z.string(),
    changeId: z.string(),
    changeNumber: z.string(),
    from: z.enum(CHANGE_TYPES),
    to: z.enum(CHANGE_TYPES),
    kind: z.enum(RECLASSIFICATION_KINDS),
    reason: z.string(),
    teamId: z.string().nullable().describe("The change's assignment team when it was reclassified"),
    serviceIds: z.array(z.string()).describe("The change's services (through its CIs) when it was reclassified"),
    by: PersonRef,
    at: z.string(),
  })
  .meta({ id: 'Reclassification' });
export type Reclassification = z.infer<typeof Reclassification>;

export const ReclassifyInput = z.strictObject({
  as: z.enum(CHANGE_TYPES).describe('The type the change should have had'),
  reason: z.string().trim().min(1, 'say why the change was of another type').max(5000),
});
export type ReclassifyInput = z.output<typeof ReclassifyInput>;

export const ReclassificationList = z.object({ items: z.array(Reclassification) }).meta({ id: 'ReclassificationList' });

export const ReclassificationSummaryQuery = z.strictObject({
  by: z.enum(['team', 'service']).default('team'),
  since: Instant.optional().describe('Count reclassifications made at or after this instant; default: all'),
});
export type ReclassificationSummaryQuery = z.output<typeof ReclassificationSummaryQuery>;

export const ReclassificationSummaryRow = z.object({
  /** The team's or service's id; null: changes without a team (or without a service). */
  id: z.string().nullable(),
  name: z.string(),
  total: z.number().int(),
  notUrgent: z.number().int(),
  shouldBeStandard: z.number().int(),
  notStandard: z.number().int(),
  other: z.number().int(),
});
export type ReclassificationSummaryRow = z.infer<typeof ReclassificationSummaryRow>;

export const ReclassificationSummary = z
  .object({
    by: z.enum(['team', 'service']),
    since: z.string().nullable(),
    rows: z.array(ReclassificationSummaryRow),
  })
  .meta({ id: 'ReclassificationSummary' });
export type ReclassificationSummary = z.infer<typeof ReclassificationSummary>;
