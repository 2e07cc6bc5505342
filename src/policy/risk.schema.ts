import { z } from 'zod';
import { RISK_LEVELS } from '../domain/risk/score';

const Hour = z.number().int().min(0).max(24);

const CaseSchema = z.strictObject({
  /** CEL, true or false; a case without `when` always applies. */
  when: z.string().min(1).default('true'),
  /** Points added to the score: a number, or a CEL expression giving one. */
  points: z.union([z.number(), z.string().min(1)]),
  /** Why, in words people read on the change. */
  reason: z.string().min(1),
});

const FactorSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'factor names are lowercase letters, digits and "_"'),
  label: z.string().min(1),
  /** The first case whose `when` holds gives the factor's contribution; none holding means 0. */
  cases: z.array(CaseSchema).min(1),
});

export const RiskSection = z
  .strictObject({
    businessHours: z
      .strictObject({
        timeZone: z.string().min(1).default('UTC'),
        days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
        start: Hour.default(8),
        end: Hour.default(18),
      })
      .default({ timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: 8, end: 18 }),
    /** Lowest score of each level above `low`. */
    bands: z
      .strictObject({ moderate: z.number().int().min(1).max(100), high: z.number().int().min(1).max(100), very_high: z.number().int().min(1).max(100) })
      .refine((b) => b.moderate < b.high && b.high < b.very_high, { message: 'bands must rise: moderate < high < very_high' })
      .default({ moderate: 25, high: 50, very_high: 75 }),
    factors: z.array(FactorSchema).default([]),
  })
  .default({ businessHours: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: 8, end: 18 }, bands: { moderate: 25, high: 50, very_high: 75 }, factors: [] });

export type RiskSectionInput = z.input<typeof RiskSection>;
export { RISK_LEVELS };
