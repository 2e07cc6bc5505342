/**
 * Reading maintenance windows and freezes out of an iCalendar (RFC 5545) file: each VEVENT becomes a window
 * draft (name, description, local start in an IANA zone, elapsed duration, optional RRULE), or the list of
 * every reason it cannot. Pure: no I/O, no clock. Kind and scope are not iCalendar notions; the caller adds
 * them.
 */
// NOTE: ical.js is an ES module whose only export is the default namespace object (`import { parse }` fails).
import ICAL from 'ical.js';
import { InputError } from '../../domain/errors';
import { instantOf } from '../../domain/time/zoned';
import { windowRuleIssues } from '../../domain/schedule/windows';

/** The window an event becomes, before kind and scope are added. */
export interface IcsWindowDraft {
  uid: string;
  name: string;
  description: string;
  /** Local wall-clock start, `YYYY-MM-DDTHH:mm`, in `timeZone`. */
  start: string;
  timeZone: string;
  durationMinutes: number;
  rrule: string | null;
}

/** One VEVENT of the file: its draft, or every problem that keeps it from becoming a window. */
export interface IcsEvent {
  /** 1-based position of the VEVENT in the file. */
  index: number;
  uid: string | null;
  summary: string | null;
  draft: IcsWindowDraft | null;
  problems: string[];
}

export interface IcsReadOptions {
  /** The zone for all-day (DATE) and floating (no TZID, no Z) times: an IANA name. */
  timeZone: string;
}

const MAX_NAME = 200;
const MAX_DESCRIPTION = 5000;
const MINUTE_MS = 60_000;
/** jCal date and date-time values: `2026-10-03` and `2026-10-03T20:00:00` (with `Z` for UTC). */
const JCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z)?)?$/;

type JCalProperty = [string, Record<string, unknown>, string, ...unknown[]];

interface IcsTime {
  isDate: boolean;
  /** Wall-clock reading as if it were UTC milliseconds. */
  local: number;
  /** The IANA zone it is read in. */
  timeZone: string;
}

/**
 * A TZID as an IANA zone: as written ("Europe/London"), or the Area/Location at the end of a vendor prefix
 * ("/mozilla.org/20050126_1/Europe/Berlin"). Windows zone names ("W. Europe Standard Time") are not guessed.
 */
function ianaZoneOf(tzid: string): string | null {
  const parts = tzid.split('/');
  const candidates = [tzid, parts.slice(-3).join('/'), parts.slice(-2).join('/')].filter((z) => z.includes('/') || z === tzid);
  for (const zone of candidates) {
    if (!/^[A-Za-z]/.test(zone)) continue;
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return zone;
    } catch {
      // try the next candidate
    }
  }
  return null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatLocal(local: number): string {
  const d = new Date(local);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Reads a DTSTART/DTEND value; pushes a problem and returns null when it cannot. */
function readTime(prop: ICAL.Property | null, name: string, opts: IcsReadOptions, problems: string[]): IcsTime | null {
  if (!prop) return null;
  const [, params, jcalType, jcalValue] = prop.toJSON() as JCalProperty;
  // NOTE: "DTSTART:20220101" (a date without VALUE=DATE) is invalid but common; ical.js reads it as the
  // date-time "2022-01-01T::". Taken as the date it plainly is.
  const bareDate = typeof jcalValue === 'string' ? /^(\d{4}-\d{2}-\d{2})T::$/.exec(jcalValue)?.[1] : undefined;
  const type = bareDate ? 'date' : jcalType;
  const value = bareDate ?? jcalValue;
  const m = typeof value === 'string' ? JCAL_DATE.exec(value) : null;
  const [year, month, day, hour, minute, second] = (m?.slice(1, 7) ?? []).map((v) => Number(v ?? 0));
  const local = m ? Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) : NaN;
  if (!m || Number.isNaN(local) || new Date(local).getUTCDate() !== day || month! > 12 || hour! > 23 || minute! > 59 || second! > 60) {
    problems.push(`${name} is not a valid date or date-time (${prop.toICALString().slice(0, 80)}).`);
    return null;
  }
  if (second !== 0) problems.push(`${name} has seconds (${JSON.stringify(value)}); windows start and end on whole minutes.`);
  const isDate = type === 'date';
  if (isDate) return { isDate, local, timeZone: opts.timeZone };
  if (m[7] === 'Z') return { isDate, local, timeZone: 'UTC' };
  const tzid = typeof params.tzid === 'string' ? params.tzid : null;
  if (tzid === null) return { isDate, local, timeZone: opts.timeZone };
  const zone = ianaZoneOf(tzid);
  if (zone === null) {
    problems.push(`${name} has TZID ${JSON.stringify(tzid)}, which is not an IANA time zone such as "Europe/London".`);
    return null;
  }
  return { isDate, local, timeZone: zone };
}

function textOf(event: ICAL.Component, name: string): string | null {
  const value = event.getFirstPropertyValue(name);
  return typeof value === 'string' ? value.trim() : null;
}

/** Maps one VEVENT; every problem is collected, not only the first. */
function readEvent(event: ICAL.Component, index: number, opts: IcsReadOptions): IcsEvent {
  const problems: string[] = [];
  const uid = textOf(event, 'uid') || null;
  const summary = textOf(event, 'summary') || null;
  if (!uid) problems.push('UID is missing: it is what lets a re-import update this window instead of adding another.');
  if (!summary) problems.push('SUMMARY is missing: it becomes the window name.');
  else if (summary.length > MAX_NAME) problems.push(`SUMMARY is longer than ${MAX_NAME} characters.`);
  if (textOf(event, 'status')?.toUpperCase() === 'CANCELLED') problems.push('STATUS is CANCELLED.');
  if (event.hasProperty('recurrence-id')) problems.push('it changes one occurrence of a recurring event (RECURRENCE-ID); a window has no per-occurrence exceptions.');
  for (const name of ['rdate', 'exdate']) {
    if (event.hasProperty(name)) problems.push(`${name.toUpperCase()} is not supported: a window repeats by one RRULE, without extra or excluded dates.`);
  }
  const rrules = event.getAllProperties('rrule');
  if (rrules.length > 1) problems.push('it has more than one RRULE; a window has one.');

  const start = readTime(event.getFirstProperty('dtstart'), 'DTSTART', opts, problems);
  if (!event.hasProperty('dtstart')) problems.push('DTSTART is missing.');
  const end = readTime(event.getFirstProperty('dtend'), 'DTEND', opts, problems);
  const durationProp = event.getFirstProperty('duration');
  if (end && durationProp) problems.push('it has both DTEND and DURATION (RFC 5545 allows one).');

  let durationMinutes: number | null = null;
  if (start) {
    const startInstant = instantOf(start.timeZone, start.local);
    if (end) {
      if (end.isDate !== start.isDate) problems.push('DTSTART and DTEND must both be dates or both be date-times.');
      // Elapsed time between the two instants of the first occurrence (all-day: midnight to midnight in the zone).
      else durationMinutes = (instantOf(end.timeZone, end.local) - startInstant) / MINUTE_MS;
    } else if (durationProp) {
      const value = durationProp.getFirstValue();
      if (value instanceof ICAL.Duration) durationMinutes = value.toSeconds() / 60;
      else problems.push(`DURATION is not a duration: ${JSON.stringify(value)}.`);
    } else if (start.isDate) {
      durationMinutes = (instantOf(start.timeZone, start.local + 86_400_000) - startInstant) / MINUTE_MS;
    } else {
      problems.push('it has no length: give DTEND or DURATION (a window lasts at least a minute).');
    }
    if (durationMinutes !== null && !Number.isInteger(durationMinutes)) {
      problems.push(`its length (${durationMinutes.toFixed(2)} minutes) is not a whole number of minutes.`);
      durationMinutes = null;
    }
  }

  let rrule: string | null = null;
  if (rrules.length === 1) {
    const value = rrules[0]!.getFirstValue();
    rrule = value instanceof ICAL.Recur ? value.toString() : String(value);
  }

  const rule = start && durationMinutes !== null ? { start: formatLocal(start.local), timeZone: start.timeZone, durationMinutes, rrule } : null;
  if (rule) {
    // The window rules say exactly what Cabinet can repeat and how long a window may last; the event is
    // refused with the same words an API caller would get.
    const labels = { start: 'DTSTART', timeZone: 'time zone', durationMinutes: 'length (DTEND or DURATION) in minutes', rrule: 'RRULE' } as const;
    for (const issue of windowRuleIssues(rule)) problems.push(`${labels[issue.path]} ${issue.message}`);
  } else if (rrule !== null) {
    // Without a usable start or length the RRULE is still checked, so that every problem is listed.
    for (const issue of windowRuleIssues({ start: '2000-01-01T00:00', timeZone: 'UTC', durationMinutes: 1, rrule })) problems.push(`RRULE ${issue.message}`);
  }
  if (problems.length > 0 || !rule || !uid || !summary) return { index, uid, summary, draft: null, problems };
  const description = textOf(event, 'description') ?? '';
  return {
    index,
    uid,
    summary,
    draft: { uid, name: summary, description: description.slice(0, MAX_DESCRIPTION), ...rule },
    problems: [],
  };
}

/** The 1-based line that a parser message quotes ("invalid line ... "X""), when it can be found. */
function lineOf(text: string, message: string): number | null {
  const lines = text.split(/\r\n|\n|\r/);
  // Messages also quote punctuation (`no token ";" or ":"`): only longer quotes can name a line.
  for (const [, double, single] of message.matchAll(/"([^"]+)"|'([^']+)'/g)) {
    const needle = (double ?? single)!;
    if (needle.trim().length < 3) continue;
    const at = lines.findIndex((line) => line.includes(needle));
    if (at >= 0) return at + 1;
  }
  return null;
}

function refuse(message: string): never {
  throw new InputError('The file is not an iCalendar file Cabinet can import.', [{ path: 'body', message }], 'invalid_calendar');
}

/**
 * Reads every VEVENT of an iCalendar text. A text that is not iCalendar (unparseable, no VCALENDAR, no VEVENT)
 * is refused as a whole with an InputError `invalid_calendar` naming what is wrong (and the line, when the
 * parser's message lets us find it); otherwise each event is returned with its draft or its problems.
 */
export function readIcsEvents(text: string, opts: IcsReadOptions): IcsEvent[] {
  const body = text.replace(/^\uFEFF/, '');
  if (!/^\s*BEGIN:VCALENDAR/i.test(body)) {
    const first = body.trim().split(/\r\n|\n|\r/)[0] ?? '';
    refuse(first === '' ? 'The file is empty.' : `line 1: an iCalendar file starts with BEGIN:VCALENDAR, not ${JSON.stringify(first.slice(0, 80))}.`);
  }
  let calendars: ICAL.Component[];
  try {
    const jcal = ICAL.parse(body) as unknown[];
    const list = (Array.isArray(jcal[0]) ? jcal : [jcal]) as unknown[][];
    calendars = list.map((j) => new ICAL.Component(j as never));
  } catch (error) {
    // NOTE: ical.js throws its own ParserError, but also plain Errors and TypeErrors on some malformed input;
    // all of them mean the file cannot be read, never a server fault.
    const message = (error as Error).message ?? String(error);
    const line = lineOf(body, message);
    refuse(`${line ? `line ${line}: ` : ''}${message}`);
  }
  const stray = calendars.find((c) => c.name !== 'vcalendar');
  if (stray) refuse(`the file holds a ${stray.name.toUpperCase()} outside any VCALENDAR.`);
  const events = calendars.flatMap((c) => c.getAllSubcomponents('vevent'));
  if (events.length === 0) refuse('the calendar holds no events (VEVENT) to import.');
  return events.map((event, i) => {
    try {
      return readEvent(event, i + 1, opts);
    } catch (error) {
      // ical.js decodes some values lazily; one it cannot decode refuses that event, not the file.
      return { index: i + 1, uid: null, summary: null, draft: null, problems: [`cannot be read: ${(error as Error).message}`] };
    }
  });
}
