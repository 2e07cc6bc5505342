/**
 * The values of one VEVENT as windows need them: dates and date-times in an IANA zone (see ics-zones.ts),
 * durations in whole minutes, RDATE and EXDATE lists. Each reader adds what is wrong to the reader's
 * problems instead of throwing, so that every problem of an event is reported at once. Pure: no I/O.
 */
// NOTE: ical.js is an ES module whose only export is the default namespace object (`import { parse }` fails).
import ICAL from 'ical.js';
import { describeTime, instantOfTime, type IcsTime } from './ics-recurrence';
import type { ZoneResolver } from './ics-zones';

const MINUTE_MS = 60_000;
/** jCal date and date-time values: `2026-10-03` and `2026-10-03T20:00:00` (with `Z` for UTC). */
const JCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z)?)?$/;

type JCalProperty = [string, Record<string, unknown>, string, ...unknown[]];

/** What reading one VEVENT's values needs, and where it puts what it finds wrong or worth saying. */
export interface ValueReader {
  /** The zone for all-day (DATE) and floating (no TZID, no Z) times: an IANA name. */
  timeZone: string;
  zones: ZoneResolver;
  problems: string[];
  notes: string[];
}

/**
 * Reads one jCal date or date-time value in its zone: a TZID (IANA, vendor-prefixed, Windows or defined by
 * a VTIMEZONE of the file), `Z` (UTC), or the import's zone for dates and floating times. Pushes a problem
 * and returns null when it cannot.
 */
function readTimeValue(raw: unknown, type: string, params: Record<string, unknown>, what: string, r: ValueReader): IcsTime | null {
  // NOTE: "DTSTART:20220101" (a date without VALUE=DATE) is invalid but common; ical.js reads it as the
  // date-time "2022-01-01T::". Taken as the date it plainly is.
  const bareDate = typeof raw === 'string' ? /^(\d{4}-\d{2}-\d{2})T::$/.exec(raw)?.[1] : undefined;
  const value = bareDate ?? raw;
  const m = typeof value === 'string' ? JCAL_DATE.exec(value) : null;
  const [year, month, day, hour, minute, second] = (m?.slice(1, 7) ?? []).map((v) => Number(v ?? 0));
  const local = m ? Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) : NaN;
  if (!m || Number.isNaN(local) || new Date(local).getUTCDate() !== day || month! > 12 || hour! > 23 || minute! > 59 || second! > 60) {
    r.problems.push(`${what} is not a valid date or date-time (${JSON.stringify(String(raw).slice(0, 60))}).`);
    return null;
  }
  const isDate = bareDate !== undefined || type === 'date';
  if (isDate) return { isDate, local, timeZone: r.timeZone };
  if (m[7] === 'Z') return { isDate, local, timeZone: 'UTC' };
  const tzid = typeof params.tzid === 'string' ? params.tzid : null;
  if (tzid === null) return { isDate, local, timeZone: r.timeZone };
  const answer = r.zones.resolve(tzid, year!);
  if ('problem' in answer) {
    r.problems.push(`${what}: ${answer.problem}`);
    return null;
  }
  if (answer.note && !r.notes.includes(answer.note)) r.notes.push(answer.note);
  return { isDate, local, timeZone: answer.zone };
}

/** DTSTART, DTEND or RECURRENCE-ID: one value. */
export function readTime(prop: ICAL.Property | null, what: string, r: ValueReader, wholeMinutes: boolean): IcsTime | null {
  if (!prop) return null;
  const [, params, type, value] = prop.toJSON() as JCalProperty;
  const time = readTimeValue(value, type, params, what, r);
  if (time && wholeMinutes && time.local % MINUTE_MS !== 0) r.problems.push(`${what} has seconds (${JSON.stringify(String(value))}); windows start and end on whole minutes.`);
  return time;
}

/** Elapsed whole minutes of an iCalendar duration ("PT2H"), or null with a problem. */
export function durationValue(value: unknown, what: string, r: ValueReader): number | null {
  let seconds: number;
  try {
    seconds = (value instanceof ICAL.Duration ? value : ICAL.Duration.fromString(String(value))).toSeconds();
  } catch {
    r.problems.push(`${what} is not a duration such as PT2H (${JSON.stringify(String(value).slice(0, 40))}).`);
    return null;
  }
  if (!Number.isSafeInteger(seconds) || Math.abs(seconds) > 366 * 86_400) {
    r.problems.push(`${what} (${String(value).slice(0, 40)}) is far longer than a window may last (31 days).`);
    return null;
  }
  if (seconds % 60 !== 0) {
    r.problems.push(`${what} (${String(value)}) is not a whole number of minutes.`);
    return null;
  }
  return seconds / 60;
}

/** Every value of every RDATE (dates, date-times, periods) or EXDATE. */
export function readDateList(event: ICAL.Component, name: 'rdate' | 'exdate', r: ValueReader): { time: IcsTime; durationMinutes: number | null; what: string }[] {
  const what = name.toUpperCase();
  const out: { time: IcsTime; durationMinutes: number | null; what: string }[] = [];
  for (const prop of event.getAllProperties(name)) {
    const [, params, type, ...values] = prop.toJSON() as JCalProperty;
    if (!['date', 'date-time', 'period'].includes(type)) {
      r.problems.push(`${what} has VALUE=${type.toUpperCase()}; it must be a date, a date-time or (for RDATE) a period.`);
      continue;
    }
    for (const value of values) {
      // An empty value ("EXDATE;VALUE=DATE:") reaches us as punctuation only ("--", "--T::"): it names no date.
      if (value === null || (typeof value === 'string' && /^[-T:Z]*$/.test(value))) {
        const note = `an empty ${what} is ignored.`;
        if (!r.notes.includes(note)) r.notes.push(note);
        continue;
      }
      if (type === 'period' && Array.isArray(value)) {
        const [from, to] = value as [string, string];
        const time = readTimeValue(from, 'date-time', params, what, r);
        if (!time) continue;
        let minutes: number | null;
        if (/^[+-]?P/.test(to)) minutes = durationValue(to, `${what} period length`, r);
        else {
          const end = readTimeValue(to, 'date-time', params, `${what} period end`, r);
          minutes = end ? (instantOfTime(end) - instantOfTime(time)) / MINUTE_MS : null;
        }
        if (minutes !== null && (minutes <= 0 || !Number.isInteger(minutes))) {
          r.problems.push(`${what} period ${describeTime(time)} must last a positive whole number of minutes.`);
          continue;
        }
        out.push({ time, durationMinutes: minutes, what });
      } else {
        const time = readTimeValue(value, type, params, what, r);
        if (time) out.push({ time, durationMinutes: null, what });
      }
    }
  }
  if (name === 'rdate') {
    for (const x of out) if (x.time.local % MINUTE_MS !== 0) r.problems.push(`RDATE ${describeTime(x.time)} has seconds; windows start on whole minutes.`);
  }
  return out;
}

export function textOf(event: ICAL.Component, name: string): string | null {
  const value = event.getFirstPropertyValue(name);
  return typeof value === 'string' ? value.trim() : null;
}
