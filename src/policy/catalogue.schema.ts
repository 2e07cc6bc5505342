import { z } from 'zod';

/** A priority of an incident: 1 (critical) to 4 (low). */
const Priority = z.number().int().min(1).max(4);

/** The success score's weights: points per outcome of a change made from an entry, and per incident it caused. */
const ScoreWeights = z.strictObject({
  successful: z.number().int().default(3),
  successfulWithIssues: z.number().int().default(-2),
  failed: z.number().int().default(-5),
  incidentP1: z.number().int().default(-10),
  incidentP2: z.number().int().default(-5),
  incidentP3: z.number().int().default(-2),
  incidentP4: z.number().int().default(0),
});
export const SCORE_DEFAULTS = { successful: 3, successfulWithIssues: -2, failed: -5, incidentP1: -10, incidentP2: -5, incidentP3: -2, incidentP4: 0 };

/**
 * The automatic suspension rule: among the last `lastUses` changes made from an entry, `failures` failures
 * (unsuccessful or rolled back) or one incident of a priority in `incidentPriorities` caused by any of them
 * suspend it at once. `failures: 0` and an empty `incidentPriorities` turn that half of the rule off.
 */
const SuspensionRule = z.strictObject({
  lastUses: z.number().int().min(1).max(1000).default(20),
  failures: z.number().int().min(0).max(1000).default(2),
  incidentPriorities: z.array(Priority).max(4).default([1, 2]),
});
export const SUSPENSION_DEFAULTS = { lastUses: 20, failures: 2, incidentPriorities: [1, 2] };

/**
 * Periodic review (docs/catalogue.md#periodic-review): an active entry is reviewed every `cadenceDays` (an
 * entry's own `reviewCadenceDays` wins); a review still open `graceDays` after its due date suspends the entry.
 */
const ReviewRule = z.strictObject({
  cadenceDays: z.number().int().min(1).max(3650).default(90),
  graceDays: z.number().int().min(0).max(365).default(14),
});
export const REVIEW_DEFAULTS = { cadenceDays: 90, graceDays: 14 };

/**
 * Promotion (docs/catalogue.md#promotion): normal changes that closed successfully at least `successes` times
 * within the last `lookbackDays`, none causing an incident, are candidates for the catalogue.
 */
const PromotionRule = z.strictObject({
  successes: z.number().int().min(2).max(1000).default(5),
  lookbackDays: z.number().int().min(1).max(3650).default(180),
});
export const PROMOTION_DEFAULTS = { successes: 5, lookbackDays: 180 };

/**
 * The standard change catalogue (docs/catalogue.md): what happens to a standard change whose pre-approval checks
 * fail (`convert`: filed as a normal change, with its approvals; `refuse`: 422 checks_failed), to one asked for
 * without an active standard entry (`withoutEntry`: `convert`, or `refuse` with 422 no_entry), the success
 * score's weights and the automatic suspension rule.
 */
export const CatalogueSection = z
  .strictObject({
    onFailedChecks: z.enum(['convert', 'refuse']).default('convert'),
    withoutEntry: z.enum(['convert', 'refuse']).default('convert'),
    score: ScoreWeights.default(SCORE_DEFAULTS),
    suspension: SuspensionRule.default(SUSPENSION_DEFAULTS),
    review: ReviewRule.default(REVIEW_DEFAULTS),
    promotion: PromotionRule.default(PROMOTION_DEFAULTS),
  })
  .default({ onFailedChecks: 'convert', withoutEntry: 'convert', score: SCORE_DEFAULTS, suspension: SUSPENSION_DEFAULTS, review: REVIEW_DEFAULTS, promotion: PROMOTION_DEFAULTS });
export type CatalogueSectionOutput = z.output<typeof CatalogueSection>;
