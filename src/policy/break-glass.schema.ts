import { z } from 'zod';
import { ROLES } from '../domain/auth/roles';

/** A duration: minutes, hours or days (`30m`, `4h`, `1d`). */
const Duration = z.string().regex(/^[1-9][0-9]*[mhd]$/, 'a duration is a whole number followed by m, h or d (30m, 4h, 1d)');

/**
 * Break-glass: who may bypass pending approvals and gates, for which change types, and for how long at most.
 * Every use needs a reason, notifies the skipped approvers and flags the change for mandatory review.
 */
export const BreakGlassSection = z
  .strictObject({
    roles: z.array(z.enum(ROLES)).default(['change_manager']),
    types: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)).default(['emergency']),
    maxDuration: Duration.default('4h'),
  })
  .default({ roles: ['change_manager'], types: ['emergency'], maxDuration: '4h' });
export type BreakGlassSectionOutput = z.output<typeof BreakGlassSection>;
