import { z } from 'zod';
import { ChangeRef, CiRef, Id, Instant, ServiceRef } from './common';

export const INCIDENT_STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
/** 1 critical, 2 high, 3 moderate, 4 low (ServiceNow's scale without "planning"). */
export const INCIDENT_PRIORITIES = [1, 2, 3, 4] as const;

export const Incident = z
  .object({
    id: z.string(),
    /** `INC` and seven digits; an imported incident keeps its number. */
    number: z.string(),
    title: z.string(),
    description: z.string(),
    priority: z.number().int(),
    state: z.enum(INCIDENT_STATES),
    openedAt: z.string(),
    resolvedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    ciIds: z.array(z.string()),
    cis: z.array(z.object({ id: z.string(), name: z.string() })),
    service: z.object({ id: z.string(), name: z.string() }).nullable(),
    /** The change that caused it, when someone knows. */
    causedByChange: z.object({ id: z.string(), number: z.string(), title: z.string() }).nullable(),
    source: z.enum(['cabinet', 'import']),
    /** What an import kept that Cabinet has no field for (source CI name, related change numbers, problem…). */
    external: z.record(z.string(), z.string()),
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Incident' });
export type Incident = z.infer<typeof Incident>;

const Priority = z.number().int().min(1, 'priority is 1 (critical) to 4 (low)').max(4, 'priority is 1 (critical) to 4 (low)');

export const CreateIncidentInput = z
  .strictObject({
    title: z.string().trim().min(1, 'must not be empty').max(200),
    description: z.string().max(20000).default(''),
    priority: Priority.default(3),
    state: z.enum(INCIDENT_STATES).default('new'),
    /** When it started; now when left out. Never in the future. */
    openedAt: Instant.optional(),
    ciIds: z.array(CiRef).max(200).default([]),
    serviceId: ServiceRef.nullable().default(null),
    causedByChangeId: ChangeRef.nullable().default(null),
  })
  .meta({ id: 'CreateIncident' });
export type CreateIncidentInput = z.input<typeof CreateIncidentInput>;

export const UpdateIncidentInput = z
  .strictObject({
    title: CreateIncidentInput.shape.title.optional(),
    description: z.string().max(20000).optional(),
    priority: Priority.optional(),
    /** Entering `resolved` or `closed` stamps resolvedAt / closedAt; going back to an open state clears them. */
    state: z.enum(INCIDENT_STATES).optional(),
    ciIds: z.array(CiRef).max(200).optional(),
    serviceId: ServiceRef.nullable().optional(),
    causedByChangeId: ChangeRef.nullable().optional(),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'UpdateIncident' });
export type UpdateIncidentInput = z.input<typeof UpdateIncidentInput>;

/** The columns the incident list sorts by (`sort=openedAt` ascending, `sort=-openedAt` descending). */
export const INCIDENT_SORT_COLUMNS = ['number', 'title', 'priority', 'state', 'openedAt', 'resolvedAt'] as const;
export type IncidentSortColumn = (typeof INCIDENT_SORT_COLUMNS)[number];
export const INCIDENT_SORTS = INCIDENT_SORT_COLUMNS.flatMap((c) => [c, `-${c}`]) as [string, ...string[]];

export const IncidentListQuery = z.strictObject({
  state: z.string().max(200).optional().describe('One state or several, comma-separated; `open` means new, in_progress and on_hold'),
  priority: z.string().max(20).optional().describe('One priority or several, comma-separated (1 critical … 4 low)'),
  ciId: Id.optional().describe('Incidents on this CI (id or name)'),
  serviceId: Id.optional(),
  changeId: Id.optional().describe('Incidents caused by this change (id or number)'),
  openedFrom: Instant.optional(),
  openedTo: Instant.optional(),
  q: z.string().max(200).optional().describe('Words in the number, title or description'),
  sort: z
    .enum(INCIDENT_SORTS, { error: () => `must be one of ${INCIDENT_SORTS.join(', ')}` })
    .optional()
    .describe(
      `The order: a column, ascending, or with a leading "-" descending (${INCIDENT_SORT_COLUMNS.join(', ')}); newest opened first when absent. Incidents without a value (not resolved) come last either way; ties by number, highest first.`,
    ),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2000).optional(),
});
export type IncidentListQuery = z.output<typeof IncidentListQuery>;

/** The query of the CSV export: the list's filters and sort, without paging (every matching incident is written). */
export const IncidentExportQuery = IncidentListQuery.omit({ limit: true, cursor: true });
export type IncidentExportQuery = z.output<typeof IncidentExportQuery>;

/** What an import did. Rows are numbered from 1 after the header. */
export const ImportIncidentsResult = z
  .object({
    /** Incidents read (a ServiceNow event log has many rows per incident; the last row of each counts). */
    incidents: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    errors: z.array(z.object({ row: z.number().int(), number: z.string().nullable(), message: z.string() })),
    /** CI names in the file that match no CI here (kept in `external.cmdbCi`). */
    unmatchedCis: z.array(z.string()),
    /** Change numbers in the file that match no change here (kept in `external`). */
    unmatchedChanges: z.array(z.string()),
  })
  .meta({ id: 'ImportIncidentsResult' });
export type ImportIncidentsResult = z.infer<typeof ImportIncidentsResult>;
