import { z } from 'zod';
import { ENVIRONMENTS } from './cmdb';
import { WINDOW_KINDS } from './windows';

/** `a,b` or `?x=a&x=b` → ['a', 'b']; empty items dropped. */
const csvList = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * The query of `POST /api/v1/windows/import`: what the events become (kind, scope) and how to read times that
 * carry no zone. The scope is given flat (`global=true`, or lists of ids, environments and tags) so that the
 * body can stay the plain .ics text.
 */
export const ImportWindowsQuery = z.strictObject({
  kind: z.enum(WINDOW_KINDS, { error: `kind is one of ${WINDOW_KINDS.join(', ')}` }),
  timeZone: z.string().max(64).default('UTC').describe('IANA zone for all-day and floating times (default UTC)'),
  global: z.stringbool().optional().describe('true: the windows apply everywhere'),
  serviceIds: csvList.optional().describe('service ids, comma-separated or repeated'),
  ciIds: csvList.optional().describe('CI ids, comma-separated or repeated'),
  environments: csvList.pipe(z.array(z.enum(ENVIRONMENTS))).optional(),
  tags: csvList.optional(),
  dryRun: z.stringbool().default(false),
  atomic: z.stringbool().default(false),
});
export type ImportWindowsQuery = z.output<typeof ImportWindowsQuery>;

export const IMPORT_EVENT_STATUSES = ['created', 'updated', 'unchanged', 'refused'] as const;

/**
 * What happened (or, in a dry run or refused atomic import, would have happened) to one VEVENT. One event
 * may become several windows: a recurring event with excluded dates (EXDATE), extra dates (RDATE) or changed
 * occurrences (other VEVENTs with its UID and a RECURRENCE-ID) is cut into windows that together hold
 * exactly its occurrences.
 */
export const ImportedEvent = z.object({
  index: z.number().int().describe('1-based position of the VEVENT in the file'),
  line: z.number().int().describe('line of its BEGIN:VEVENT'),
  uid: z.string().nullable(),
  summary: z.string().nullable(),
  recurrenceId: z.string().nullable().describe('for a VEVENT that changes one occurrence: which one'),
  status: z.enum(IMPORT_EVENT_STATUSES),
  windowId: z.string().nullable().describe('its first window'),
  windowIds: z.array(z.string()).describe('every window it became (none when refused, or when it only cancels an occurrence)'),
  problems: z.array(z.string()).describe('why it is refused: every problem, not only the first'),
  notes: z.array(z.string()).describe('what to know although nothing is wrong: how a time zone was read, how exceptions were kept'),
});
export type ImportedEvent = z.infer<typeof ImportedEvent>;

export const ImportWindowsResult = z.object({
  /** False for a dry run, and for an atomic import that refused some event: nothing was written. */
  applied: z.boolean(),
  dryRun: z.boolean(),
  atomic: z.boolean(),
  created: z.number().int().describe('events whose windows are all new'),
  updated: z.number().int(),
  unchanged: z.number().int(),
  refused: z.number().int(),
  removed: z
    .number()
    .int()
    .describe('windows of a re-imported recurring event that it no longer needs (an occurrence now excluded), deleted'),
  warnings: z.array(z.string()).describe('what in the file was skipped outside its events: other components, stray lines'),
  events: z.array(ImportedEvent),
});
export type ImportWindowsResult = z.infer<typeof ImportWindowsResult>;
