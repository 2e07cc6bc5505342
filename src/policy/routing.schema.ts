import { z } from 'zod';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'names are lowercase letters, digits and "_"');

/** The assignment team a rule picks: a team by handle, or the owner team of the change's services or CIs. */
const TeamTarget = z.union(
  [z.string().min(1), z.strictObject({ field: z.enum(['service_owner', 'ci_owner']) })],
  { error: 'team is a team handle, or { field: service_owner } / { field: ci_owner }' },
);

/** The change manager a rule picks: a user by email, or the member of a team with the fewest open changes. */
const ManagerTarget = z.union([z.strictObject({ user: z.email('must be an email address') }), z.strictObject({ leastBusy: z.string().min(1) })], {
  error: 'changeManager is { user: EMAIL } or { leastBusy: TEAM-HANDLE }',
});

const RoutingRuleSchema = z
  .strictObject({
    name: Name,
    /** CEL over the change context; a rule without `when` always applies. */
    when: z.string().min(1).default('true'),
    assign: z
      .strictObject({ team: TeamTarget.optional(), changeManager: ManagerTarget.optional() })
      .refine((a) => a.team !== undefined || a.changeManager !== undefined, { message: 'assign a team, a changeManager or both' }),
    reason: z.string().min(1),
  });

/**
 * Routing: rules in order; each of the two targets (assignment team, change manager) is filled by the first
 * rule whose `when` holds and that names it. A value someone set by hand is never overwritten.
 */
export const RoutingSection = z.strictObject({ rules: z.array(RoutingRuleSchema).default([]) }).default({ rules: [] });
export type RoutingSectionOutput = z.output<typeof RoutingSection>;
