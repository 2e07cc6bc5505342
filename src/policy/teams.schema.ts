import { z } from 'zod';

/** The same rule as a team's handle in the API (`contracts/common.ts` Slug), so every declared handle can exist. */
const TeamHandle = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, 'team handles are lowercase letters, digits, "-" or "_"');

const DeclaredTeam = z.strictObject({
  handle: TeamHandle,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
});

/**
 * The `teams` section: the teams the bundle's rules name by handle. The first start creates the missing
 * ones (empty); applying a bundle refuses any handle that is not a team yet.
 */
export const TeamsSection = z
  .array(DeclaredTeam)
  .superRefine((teams, ctx) => {
    const seen = new Set<string>();
    teams.forEach((t, i) => {
      if (seen.has(t.handle)) ctx.addIssue({ code: 'custom', path: [i, 'handle'], message: `team "${t.handle}" is declared twice` });
      seen.add(t.handle);
    });
  })
  .default([]);

/** A team as the bundle declares it. */
export type DeclaredTeam = z.output<typeof DeclaredTeam>;
