import { z } from 'zod';
import { ENVIRONMENTS } from './cmdb';
import { CiRef, Id, Instant, ServiceRef, Tag } from './common';

export const WINDOW_KINDS = ['maintenance', 'freeze'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

/** The longest range one request may expand into occurrences. */
export const MAX_RANGE_DAYS = 400;

/**
 * Where a window applies: `{ global: true }`, or any of services, CIs, environments and tags. Whether it
 * targets anything is checked with the rule (so that every problem is reported at once), not here.
 */
export const WindowScope = z
  .strictObject({
    global: z.literal(true, { error: 'global is true, or leave it out' }).optional(),
    serviceIds: z.array(ServiceRef).max(500).optional(),
    ciIds: z.array(CiRef).max(5000).optional(),
    environments: z.array(z.enum(ENVIRONMENTS)).max(ENVIRONMENTS.length).optional(),
    tags: z.array(Tag).max(50).optional(),
  })
  .meta({ id: 'WindowScope' });
export type WindowScope = z.infer<typeof WindowScope>;

export const Window = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(WINDOW_KINDS),
    description: z.string(),
    /** Local wall-clock start in `timeZone`, `YYYY-MM-DDTHH:mm`. */
    start: z.string(),
    /** IANA zone, e.g. Europe/London. */
    timeZone: z.string(),
    durationMinutes: z.number().int(),
    /** RRULE value without DTSTART (`FREQ=WEEKLY;BYDAY=SA`), or null for a one-off window. */
    rrule: z.string().nullable(),
    scope: WindowScope,
    /** An urgent freeze is a lockdown: it holds in-flight changes in its scope. */
    urgent: z.boolean(),
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Window' });
export type Window = z.infer<typeof Window>;

/** The fields a person edits, without defaults (so an update never resets what it omits). */
const WindowFields = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  kind: z.enum(WINDOW_KINDS, { error: `kind is one of ${WINDOW_KINDS.join(', ')}` }),
  description: z.string().max(5000),
  // The rule's values (start, zone, duration, RRULE) are checked with the scope by the service, so that one
  // answer lists every problem; the schema only checks their types.
  start: z.string().max(40),
  timeZone: z.string().max(64),
  durationMinutes: z.number().int(),
  rrule: z.string().trim().max(1000).nullable(),
  scope: WindowScope,
  urgent: z.boolean(),
});
export const CreateWindowInput = WindowFields.extend({
  description: WindowFields.shape.description.default(''),
  rrule: WindowFields.shape.rrule.default(null),
  urgent: WindowFields.shape.urgent.default(false),
}).meta({ id: 'CreateWindow' });
export type CreateWindowInput = z.input<typeof CreateWindowInput>;
export const UpdateWindowInput = WindowFields.partial().extend({ version: z.number().int().optional() }).meta({ id: 'UpdateWindow' });
export type UpdateWindowInput = z.input<typeof UpdateWindowInput>;

export const WindowListQuery = z.strictObject({
  kind: z.enum(WINDOW_KINDS).optional(),
  serviceId: Id.optional().describe('Windows that apply to this service (id or name)'),
  ciId: Id.optional().describe('Windows that apply to this CI (id or name)'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(400).optional(),
});
export type WindowListQuery = z.output<typeof WindowListQuery>;

export const RangeQuery = z.strictObject({ from: Instant, to: Instant });

export const Occurrence = z.object({ start: z.string(), end: z.string() }).meta({ id: 'Occurrence' });
export type Occurrence = z.infer<typeof Occurrence>;
export const OccurrenceList = z.object({
  items: z.array(Occurrence),
  /** True when the range held more occurrences than one answer gives; ask for a shorter range. */
  truncated: z.boolean(),
});

export const ScheduleWindowsQuery = RangeQuery.extend({
  kind: z.enum(WINDOW_KINDS).optional(),
  serviceId: Id.optional(),
  ciId: Id.optional(),
});
export type ScheduleWindowsQuery = z.output<typeof ScheduleWindowsQuery>;

/** One occurrence of a window, with the window it belongs to. */
export const ScheduledWindow = Occurrence.extend({
  windowId: z.string(),
  name: z.string(),
  kind: z.enum(WINDOW_KINDS),
  scope: WindowScope,
  urgent: z.boolean(),
}).meta({ id: 'ScheduledWindow' });
export type ScheduledWindow = z.infer<typeof ScheduledWindow>;
export const ScheduledWindowList = z.object({ items: z.array(ScheduledWindow), truncated: z.boolean() });
