import { z } from 'zod';
import { RISK_LEVELS } from '../domain/risk/score';
import { CHANGE_TYPES } from './change';
import { Id } from './common';
import { RangeQuery, ScheduledWindow } from './windows';

/** The most changes one calendar answer lists; `truncated` says when there were more. */
export const CALENDAR_CHANGE_LIMIT = 2000;

export const CalendarQuery = RangeQuery.extend({
  serviceId: Id.optional().describe('Changes on CIs of this service, and windows that apply to it (id or name)'),
  teamId: Id.optional().describe('Changes assigned to this team (id or handle)'),
  ciId: Id.optional().describe('Changes on this CI, and windows that apply to it (id or name)'),
  type: z.enum(CHANGE_TYPES).optional(),
  state: z.string().max(200).optional().describe('One state or several, comma-separated'),
});
export type CalendarQuery = z.output<typeof CalendarQuery>;

/** A change as the calendar draws it: just enough for a chip and a link. */
export const CalendarChange = z
  .object({
    id: z.string(),
    number: z.string(),
    title: z.string(),
    type: z.enum(CHANGE_TYPES),
    state: z.string(),
    riskLevel: z.enum(RISK_LEVELS).nullable(),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    assignmentTeamId: z.string().nullable(),
    ciIds: z.array(z.string()),
    /** Its conflicts nobody acknowledged: window conflicts, and pairs on the same CI or with the same implementer (docs/schedule.md). */
    openConflicts: z.number().int(),
  })
  .meta({ id: 'CalendarChange' });
export type CalendarChange = z.infer<typeof CalendarChange>;

export const Calendar = z
  .object({
    /** Changes whose planned interval overlaps [from, to), by planned start. */
    changes: z.array(CalendarChange),
    /** Window occurrences overlapping [from, to), by start. */
    windows: z.array(ScheduledWindow),
    /** True when changes or occurrences were left out; ask for a shorter range or narrower filters. */
    truncated: z.boolean(),
  })
  .meta({ id: 'Calendar' });
export type Calendar = z.infer<typeof Calendar>;
