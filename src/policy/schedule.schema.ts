import { z } from 'zod';
import { RELATION_TYPES } from '../contracts/cmdb';
import { IMPACT_DIRECTIONS } from '../domain/schedule/impact';

/** The kinds of conflict between two changes. */
export const PAIR_KINDS = ['ci_overlap', 'related_ci_overlap', 'assignee_busy'] as const;
/** The pair kinds a change must have acknowledged before it is scheduled, when the policy does not say. */
export const ACKNOWLEDGE_DEFAULTS = ['ci_overlap'] as const;
const IMPACT_DEFAULTS = { direction: 'dependents' as const, depth: 2, relationTypes: [...RELATION_TYPES], summariseAbove: 50 };

/**
 * The schedule: how far a change's impact reaches over the CMDB's relationships (which CIs count for
 * `related_ci_overlap` conflicts), and which approval stage a freeze exception adds.
 */
export const ScheduleSection = z
  .strictObject({
    impact: z
      .strictObject({
        /**
         * `dependents`: the CIs that depend on, run on or connect to a changed CI (follow relations backwards);
         * `dependencies`: what a changed CI relies on (forwards); `both`.
         */
        direction: z.enum(IMPACT_DIRECTIONS).default(IMPACT_DEFAULTS.direction),
        /** How many relationship steps from an affected CI; 0 means the affected CIs only. */
        depth: z.number().int().min(0).max(6).default(IMPACT_DEFAULTS.depth),
        relationTypes: z.array(z.enum(RELATION_TYPES)).min(1).default(IMPACT_DEFAULTS.relationTypes),
        /** Above this many impacted CIs, the change shows them summarised by service. */
        summariseAbove: z.number().int().min(1).max(100_000).default(IMPACT_DEFAULTS.summariseAbove),
      })
      .default(IMPACT_DEFAULTS),
    freezeExceptions: z
      .strictObject({
        /** The approval stage (in approvals.yaml) whose rules decide a freeze exception. */
        stage: z.string().min(1),
      })
      .nullable()
      .default(null),
    /**
     * Conflicts with another change that stop it entering `scheduled` or `implement` until a change manager
     * acknowledges them with a reason. Default: two changes on the same CI at the same time.
     */
    acknowledgeBeforeScheduling: z
      .array(z.enum(PAIR_KINDS))
      .default([...ACKNOWLEDGE_DEFAULTS])
      .refine((kinds) => new Set(kinds).size === kinds.length, 'list each kind once'),
    /**
     * Whether a change with a concern not yet answered is refused `implement` (422 `concerns_open`), so that
     * the people it affects are heard before the work starts (docs/communication.md). Default: off.
     */
    concernsBlockImplement: z.boolean().default(false),
  })
  .default({ impact: IMPACT_DEFAULTS, freezeExceptions: null, acknowledgeBeforeScheduling: [...ACKNOWLEDGE_DEFAULTS], concernsBlockImplement: false });
export type ScheduleSectionOutput = z.output<typeof ScheduleSection>;
