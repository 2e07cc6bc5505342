import { z } from 'zod';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'names are lowercase letters, digits and "_"');
const StateId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'state ids are lowercase letters, digits and "_"');

const RuleSchema = z.strictObject({
  name: Name,
  /**
   * CEL over the change context, `risk` (`score`, `level`) and `outcome` (`closeCode`, `failed`,
   * `incidentsCaused`, `worstIncidentPriority`, `brokeGlass`, `finalState`): true asks for a review.
   */
  when: z.string().min(1),
  /** Why, in words the reviewers read on the review. */
  reason: z.string().min(1),
});

/** The shipped rules, also what a bundle without a `reviews` section gets. */
export const DEFAULT_REVIEW_RULES = [
  { name: 'emergency', when: 'change.type == "emergency"', reason: 'It was an emergency change.' },
  { name: 'failed', when: 'outcome.failed', reason: 'It failed or was rolled back.' },
  { name: 'caused_incident', when: 'outcome.incidentsCaused > 0', reason: 'It caused an incident.' },
  { name: 'broke_glass', when: 'outcome.brokeGlass', reason: 'Someone broke glass to let it past its approvals or gates.' },
  { name: 'very_high_risk', when: 'risk.level == "very_high"', reason: 'Its risk was very high.' },
];

/**
 * The shipped `blockClose`: every change but a standard one waits for its review. A standard change closes at
 * once (its review opens as it closes), so that the catalogue counts its failure and suspends a failing entry
 * without waiting for the review.
 */
export const DEFAULT_BLOCK_CLOSE = 'change.type != "standard"';
/** The final states that need no review unless the policy names others: the change was never carried out. */
export const DEFAULT_EXEMPT_STATES = ['cancelled', 'rejected'];

/**
 * reviews.yaml: which changes need a post-implementation review (any rule whose `when` holds), how many days the
 * reviewers have, and whether the change waits for the completed review before it may close (`blockClose`:
 * true, false, or CEL in the same scope as the rules).
 */
export const ReviewsSection = z
  .strictObject({
    rules: z.array(RuleSchema).default(DEFAULT_REVIEW_RULES),
    dueDays: z.number().int().min(1).max(365).default(10),
    blockClose: z.union([z.boolean(), z.string().min(1)]).default(DEFAULT_BLOCK_CLOSE),
    /** Final states that never need a review: the change was never carried out. Absent: those of DEFAULT_EXEMPT_STATES the models have. */
    exemptStates: z.array(StateId).optional(),
  })
  .default({ rules: DEFAULT_REVIEW_RULES, dueDays: 10, blockClose: DEFAULT_BLOCK_CLOSE });
export type ReviewsSectionOutput = z.output<typeof ReviewsSection>;
