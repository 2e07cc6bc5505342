/**
 * Working time on a business calendar: working days and hours in an IANA time zone, minus whole-day
 * holidays. Pure: instants go in and out as `Date`s; the zone's offsets (and their daylight-saving
 * changes) come from `Intl`, so a working day keeps its local hours on both sides of a clock change.
 */
import { instantOf, wallClockOf } from '../time/zoned';

/** A business-hours calendar. */
export interface WorkCalendar {
  /** IANA name, e.g. Europe/London. */
  timeZone: string;
  /** Working days, 1 = Monday … 7 = Sunday. */
  days: readonly number[];
  /** First working hour and the hour work ends (0–24, local time). */
  start: number;
  end: number;
  /** Whole days off, YYYY-MM-DD in the calendar's zone. */
  holidays: readonly string[];
}

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

const HOUR = 3_600_000;
/** NOTE: bounds the day-by-day walk, so a calendar with no working day at all fails instead of looping forever. */
const MAX_DAYS = 366 * 20;

/** The instant a working day's hour begins in the zone (a time skipped by a clock change moves forward). */
function instantAt(timeZone: string, date: LocalDate, hour: number): number {
  return instantOf(timeZone, Date.UTC(date.y, date.m - 1, date.d, hour));
}

function localDateOf(timeZone: string, t: number): LocalDate {
  const wall = new Date(wallClockOf(timeZone, t));
  return { y: wall.getUTCFullYear(), m: wall.getUTCMonth() + 1, d: wall.getUTCDate() };
}

function nextDay(date: LocalDate): LocalDate {
  const next = new Date(Date.UTC(date.y, date.m - 1, date.d + 1));
  return { y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() };
}

const isoDate = (date: LocalDate) => `${String(date.y).padStart(4, '0')}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
/** 1 = Monday … 7 = Sunday. */
const isoWeekday = (date: LocalDate) => ((new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() + 6) % 7) + 1;

/** The working interval of a local date as instants, or null on a day off. */
function workingInterval(cal: WorkCalendar, date: LocalDate): [number, number] | null {
  if (!cal.days.includes(isoWeekday(date)) || cal.holidays.includes(isoDate(date)) || cal.end <= cal.start) return null;
  const from = instantAt(cal.timeZone, date, cal.start);
  const to = cal.end >= 24 ? instantAt(cal.timeZone, nextDay(date), 0) : instantAt(cal.timeZone, date, cal.end);
  return [from, to];
}

/** Length of one working day in milliseconds (what a business `1d` means). */
export function workingDayMs(cal: Pick<WorkCalendar, 'start' | 'end'>): number {
  return Math.max(cal.end - cal.start, 0) * HOUR;
}

/**
 * The instant `ms` of working time after `from`. Time outside working hours does not count, so a start at
 * night counts from the next working morning. `ms` ≤ 0 gives `from` itself.
 */
export function addWorkingTime(cal: WorkCalendar, from: Date, ms: number): Date {
  if (ms <= 0) return new Date(from.getTime());
  let remaining = ms;
  let date = localDateOf(cal.timeZone, from.getTime());
  for (let i = 0; i < MAX_DAYS; i++, date = nextDay(date)) {
    const interval = workingInterval(cal, date);
    if (!interval) continue;
    const start = Math.max(interval[0], from.getTime());
    if (start >= interval[1]) continue;
    const available = interval[1] - start;
    if (remaining <= available) return new Date(start + remaining);
    remaining -= available;
  }
  throw new Error(`The calendar in ${cal.timeZone} has no working time in ${MAX_DAYS} days.`);
}

/** Working time between two instants, in milliseconds (0 when `to` is not after `from`). */
export function workingTimeBetween(cal: WorkCalendar, from: Date, to: Date): number {
  if (to.getTime() <= from.getTime()) return 0;
  let total = 0;
  let date = localDateOf(cal.timeZone, from.getTime());
  const last = isoDate(localDateOf(cal.timeZone, to.getTime()));
  for (let i = 0; i < MAX_DAYS; i++, date = nextDay(date)) {
    const interval = workingInterval(cal, date);
    if (interval) total += Math.max(0, Math.min(interval[1], to.getTime()) - Math.max(interval[0], from.getTime()));
    if (isoDate(date) >= last) return total;
  }
  return total;
}
