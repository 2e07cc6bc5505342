import { z } from 'zod';
import { CONFLICT_KINDS } from '../domain/schedule/conflicts';
import { Id, Instant } from './common';

export { CONFLICT_KINDS };

/** A conflict of a change, as the API shows it: with the other change or window named for display. */
export const Conflict = z
  .object({
    id: z.string(),
    kind: z.enum(CONFLICT_KINDS),
    /** One sentence saying what conflicts with what. */
    message: z.string(),
    /** The interval the conflict covers (the overlap for two changes, the occurrence for a freeze). */
    startsAt: z.string(),
    endsAt: z.string(),
    otherChange: z
      .object({
        id: z.string(),
        number: z.string(),
        title: z.string(),
        state: z.string(),
        plannedStart: z.string().nullable(),
        plannedEnd: z.string().nullable(),
      })
      .nullable(),
    window: z.object({ id: z.string(), name: z.string(), kind: z.string() }).nullable(),
    service: z.object({ id: z.string(), name: z.string() }).nullable(),
    /** Where two changes meet: the shared CIs (ci_overlap) or the related ones (related_ci_overlap). */
    cis: z.array(z.object({ id: z.string(), name: z.string() })),
    /** A freeze covered by an approved freeze exception no longer blocks scheduling. */
    excepted: z.boolean(),
    /** Whether the conflict stops the change entering `scheduled`: a freeze without an approved exception, or an unacknowledged outside_maintenance_window. */
    blocking: z.boolean(),
    proposedSlot: z.object({ start: z.string(), end: z.string() }).nullable(),
    acknowledgement: z.object({ by: z.string(), byName: z.string(), at: z.string(), reason: z.string() }).nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Conflict' });
export type Conflict = z.infer<typeof Conflict>;

export const ChangeConflicts = z
  .object({
    items: z.array(Conflict),
    /** The change has no planned interval or is closed: nothing is checked. */
    checked: z.boolean(),
  })
  .meta({ id: 'ChangeConflicts' });
export type ChangeConflicts = z.infer<typeof ChangeConflicts>;

export const AcknowledgeConflictInput = z
  .strictObject({ reason: z.string().trim().min(1, 'say why the conflict is acceptable').max(2000) })
  .meta({ id: 'AcknowledgeConflict' });

/** A change's impact over the CMDB graph. */
export const ChangeImpact = z
  .object({
    settings: z.object({
      direction: z.string(),
      depth: z.number().int(),
      relationTypes: z.array(z.string()),
      summariseAbove: z.number().int(),
    }),
    affected: z.array(z.object({ id: z.string(), name: z.string(), serviceId: z.string().nullable() })),
    /** The impacted CIs, nearest first; empty when `summarised` (then see `services`). */
    impacted: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        serviceId: z.string().nullable(),
        depth: z.number().int(),
        via: z.object({ id: z.string(), name: z.string() }),
      }),
    ),
    impactedCount: z.number().int(),
    /** More impacted CIs than the policy's summariseAbove: listed by service instead. */
    summarised: z.boolean(),
    services: z.array(z.object({ id: z.string().nullable(), name: z.string(), ciCount: z.number().int(), affected: z.boolean() })),
    excluded: z.array(
      z.object({ id: z.string(), name: z.string(), reason: z.string(), by: z.string(), byName: z.string(), at: z.string() }),
    ),
  })
  .meta({ id: 'ChangeImpact' });
export type ChangeImpact = z.infer<typeof ChangeImpact>;

export const ExcludeCiInput = z
  .strictObject({
    ciId: Id.describe('The CI (id or name)'),
    reason: z.string().trim().min(1, 'say why the change does not reach this CI').max(2000),
  })
  .meta({ id: 'ExcludeCi' });

/** A plan to check before it is saved: the conflicts it would have, nothing written. */
export const ConflictCheckInput = z
  .strictObject({
    ciIds: z.array(Id).max(200).default([]).describe('CI ids or names'),
    plannedStart: Instant,
    plannedEnd: Instant,
    implementerId: Id.nullable().optional().describe('User id'),
    changeId: Id.optional().describe('The change being edited (id or number): it is not a conflict of itself, and its acknowledgements and impact exclusions count'),
  })
  // Only when both times are readable: a malformed one is its own problem, not also the other's.
  .refine((v) => !(Date.parse(v.plannedEnd) <= Date.parse(v.plannedStart)), { path: ['plannedEnd'], message: 'must be after plannedStart' })
  .meta({ id: 'ConflictCheck' });
export type ConflictCheckInput = z.output<typeof ConflictCheckInput>;

export const NextSlotQuery = z.strictObject({
  ciIds: z
    .string()
    .max(20_000)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    )
    .pipe(z.array(Id).min(1, 'give at least one CI').max(200))
    .describe('Comma-separated CI ids or names'),
  durationMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
  after: Instant.optional().describe('Search from here (now by default)'),
  limit: z.coerce.number().int().min(1).max(20).default(3),
  implementerId: Id.optional().describe('Also avoid times this person implements another change'),
  excludeChangeId: Id.optional().describe('The change being rescheduled: its own interval is not in the way'),
});
export type NextSlotQuery = z.output<typeof NextSlotQuery>;

export const NextSlots = z
  .object({
    slots: z.array(z.object({ start: z.string(), end: z.string() })),
    /** Services of the CIs that require a maintenance window: slots lie inside one of their windows. */
    requiresMaintenanceWindow: z.array(z.object({ id: z.string(), name: z.string() })),
    searchedUntil: z.string(),
  })
  .meta({ id: 'NextSlots' });
export type NextSlots = z.infer<typeof NextSlots>;

export const FreezeException = z
  .object({
    id: z.string(),
    changeId: z.string(),
    windows: z.array(z.object({ id: z.string(), name: z.string() })),
    reason: z.string(),
    risk: z.string(),
    mitigation: z.string(),
    acceptedBy: z.object({ id: z.string(), name: z.string() }),
    state: z.enum(['requested', 'approved', 'rejected', 'withdrawn']),
    createdBy: z.string(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'FreezeException' });
export type FreezeException = z.infer<typeof FreezeException>;

export const FreezeExceptionInput = z
  .strictObject({
    reason: z.string().trim().min(1, 'say why the change cannot wait for the freeze to end').max(5000),
    risk: z.string().trim().min(1, 'say what could go wrong').max(5000),
    mitigation: z.string().trim().min(1, 'say how the risk is reduced').max(5000),
    acceptedBy: Id.describe('The user who accepts the risk (id or email)'),
  })
  .meta({ id: 'RequestFreezeException' });
