/**
 * An iCalendar recurrence set (DTSTART and RRULE, plus RDATE, minus EXDATE and the occurrences that
 * RECURRENCE-ID events change) as Cabinet windows. A window holds one rule without exceptions, so a set
 * with exceptions becomes several windows: the rule cut around each excluded occurrence (the runs between
 * two exclusions end with a local UNTIL; the last run keeps the rule's own end), and each extra date a
 * one-off window. The windows are expanded again and compared with the set, so that the cut never changes
 * which occurrences there are. Pure: no I/O, no clock.
 */
import { instantOf, wallClockOf } from '../../domain/time/zoned';
import { occurrences, windowRuleIssues, type WindowRule } from '../../domain/schedule/windows';

/** A DTSTART, DTEND, RDATE, EXDATE or RECURRENCE-ID value, its zone resolved. */
export interface IcsTime {
  isDate: boolean;
  /** Wall-clock reading as if it were UTC milliseconds. */
  local: number;
  /** The IANA zone it is read in (the import's zone for dates and floating times). */
  timeZone: string;
}

export interface SeriesSpec {
  start: IcsTime;
  durationMinutes: number;
  rrule: string | null;
  /** EXDATE values and the original starts of changed occurrences (RECURRENCE-ID), each with its name. */
  exclusions: { time: IcsTime; what: string }[];
  /** RDATE values, with their own length when written as a PERIOD. */
  extras: { time: IcsTime; durationMinutes: number | null; what: string }[];
}

/** One window of the set, with the instant of its first occurrence. */
export interface SeriesPiece extends WindowRule {
  instant: number;
}

export interface SeriesResult {
  pieces: SeriesPiece[];
  notes: string[];
  problems: string[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** NOTE: bounds the work one event can cause: occurrences walked to find the excluded ones, windows made. */
export const MAX_SCANNED_OCCURRENCES = 5000;
export const MAX_WINDOWS_PER_EVENT = 500;
/** How far past the last exception the windows are checked against the recurrence set. */
const CHECK_DAYS = 800;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local milliseconds as a window start, `YYYY-MM-DDTHH:mm`. */
export function formatLocal(local: number): string {
  const d = new Date(local);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** An instant in iCalendar's UTC form, `20261003T190000Z`: stable keys for the windows of one event. */
export function basicUtc(instant: number): string {
  return new Date(instant).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** How a person reads a time in a note: `2026-10-03 20:00 Europe/London`, or the date alone for all-day. */
export function describeTime(t: IcsTime): string {
  const local = formatLocal(t.local);
  return t.isDate ? local.slice(0, 10) : `${local.replace('T', ' ')} ${t.timeZone}`;
}

export const instantOfTime = (t: IcsTime): number => instantOf(t.timeZone, t.local);

const dayOf = (local: number) => Math.floor(local / DAY_MS);

/** The rule with its COUNT or UNTIL replaced (in place, so the parts keep ical.js's order). */
function withEnd(rrule: string, end: { count: number } | { untilLocal: number }): string {
  const value = 'count' in end ? `COUNT=${end.count}` : `UNTIL=${formatLocal(end.untilLocal).replace(/[-:]/g, '')}00`;
  const isEnd = (part: string) => /^(COUNT|UNTIL)=/i.test(part);
  const parts = rrule.split(';');
  const at = parts.findIndex(isEnd);
  const rest = parts.filter((p) => !isEnd(p));
  rest.splice(at >= 0 ? at : rest.length, 0, value);
  return rest.join(';');
}

function countOf(rrule: string): number | null {
  const m = /(?:^|;)COUNT=(\d+)/i.exec(rrule);
  return m ? Number(m[1]) : null;
}

/**
 * The windows that together hold exactly the recurrence set, or the problems that keep it from being held.
 * `spec.start` and the rule must already be valid window values.
 */
export function seriesPieces(spec: SeriesSpec): SeriesResult {
  const { start, durationMinutes, rrule } = spec;
  const rule: WindowRule = { start: formatLocal(start.local), timeZone: start.timeZone, durationMinutes, rrule };
  const startInstant = instantOfTime(start);
  if (spec.exclusions.length === 0 && spec.extras.length === 0) return { pieces: [{ ...rule, instant: startInstant }], notes: [], problems: [] };
  try {
    return cut(spec, rule, startInstant);
  } catch (error) {
    // occurrences() throws a RangeError only for a rule windowRuleIssues refuses; the caller checked it.
    return { pieces: [], notes: [], problems: [`its recurrence cannot be expanded (${(error as Error).message}).`] };
  }
}

function cut(spec: SeriesSpec, rule: WindowRule, startInstant: number): SeriesResult {
  const { start, durationMinutes, rrule } = spec;
  const notes: string[] = [];
  const problems: string[] = [];
  const pieces: SeriesPiece[] = [];
  const oneOff = (instant: number, timeZone: string, minutes: number): SeriesPiece => ({
    start: formatLocal(wallClockOf(timeZone, instant)),
    timeZone,
    durationMinutes: minutes,
    rrule: null,
    instant,
  });

  // Where a cut run starts again, as the rule's own local time: an occurrence moved forward out of a
  // spring-forward gap (01:30 → 02:30) must restart the rule at 01:30, or every later one would be at 02:30.
  const timeOfDay = start.local - dayOf(start.local) * DAY_MS;
  const restartAt = (instant: number): string => {
    const nominal = dayOf(wallClockOf(rule.timeZone, instant)) * DAY_MS + timeOfDay;
    return formatLocal(instantOf(rule.timeZone, nominal) === instant ? nominal : wallClockOf(rule.timeZone, instant));
  };

  // An exclusion matches an occurrence at the same instant; a DATE against date-times (and the other way
  // round) matches the occurrences on that day, read in the event's zone.
  const dayIn = (instant: number) => dayOf(wallClockOf(start.timeZone, instant));
  const exclusions = spec.exclusions.map((x) => {
    const instant = instantOfTime(x.time);
    return { ...x, instant, day: x.time.isDate !== start.isDate ? (x.time.isDate ? dayOf(x.time.local) : dayIn(instant)) : null, used: false };
  });
  const isExcluded = (instant: number): boolean => {
    let hit = false;
    for (const x of exclusions) {
      if (x.day !== null ? x.day === dayIn(instant) : x.instant === instant) x.used = hit = true;
    }
    return hit;
  };

  if (exclusions.length === 0) pieces.push({ ...rule, instant: startInstant });
  else {
    // The last moment an exclusion can touch: the end of its day for a DATE.
    const lastExcluded = Math.max(...exclusions.map((x) => x.instant + (x.day !== null ? DAY_MS : 0)));
    const scanned = lastExcluded < startInstant ? [] : occurrences(rule, new Date(startInstant), new Date(lastExcluded + 1), MAX_SCANNED_OCCURRENCES + 1).map((o) => o.start.getTime());
    if (scanned.length > MAX_SCANNED_OCCURRENCES) {
      problems.push(`its excluded dates (EXDATE, changed occurrences) reach beyond its first ${MAX_SCANNED_OCCURRENCES} occurrences; Cabinet does not follow a rule that far.`);
      return { pieces: [], notes, problems };
    }
    let runStart = -1;
    const closeRun = (last: number) => {
      if (runStart < 0) return;
      const [first, end] = [scanned[runStart]!, scanned[last]!];
      if (runStart === last) pieces.push(oneOff(first, rule.timeZone, durationMinutes));
      else pieces.push({ ...rule, start: restartAt(first), rrule: withEnd(rrule!, { untilLocal: wallClockOf(rule.timeZone, end) }), instant: first });
      runStart = -1;
    };
    scanned.forEach((instant, i) => {
      if (isExcluded(instant)) closeRun(i - 1);
      else if (runStart < 0) runStart = i;
    });
    if (rrule === null) closeRun(scanned.length - 1);
    else {
      // The run after the last exclusion keeps the rule's own end: the same UNTIL, or what is left of COUNT.
      const tailIndex = runStart >= 0 ? runStart : scanned.length;
      const tail =
        runStart >= 0
          ? scanned[runStart]
          : occurrences(rule, new Date(lastExcluded + 1), new Date(lastExcluded + 1 + 11 * 366 * DAY_MS), 64)
              .map((o) => o.start.getTime())
              .find((t) => t > lastExcluded);
      const count = countOf(rrule);
      const left = count === null ? null : count - tailIndex;
      if (tail !== undefined && (left === null || left > 0)) {
        const from = restartAt(tail);
        if (left === 1) pieces.push(oneOff(tail, rule.timeZone, durationMinutes));
        else pieces.push({ ...rule, start: from, rrule: left === null ? rrule : withEnd(rrule, { count: left }), instant: tail });
      }
    }
  }
  // RDATEs: each a one-off window, unless excluded or already an occurrence of the rule.
  const extras: SeriesPiece[] = [];
  for (const x of spec.extras) {
    const instant = instantOfTime(x.time);
    if (isExcluded(instant)) {
      notes.push(`${x.what} ${describeTime(x.time)} is also excluded, so it is left out.`);
      continue;
    }
    const minutes = x.durationMinutes ?? durationMinutes;
    const duplicate = pieces.concat(extras).some((p) => p.instant === instant) || occurrences(rule, new Date(instant), new Date(instant + 1), 64).some((o) => o.start.getTime() === instant);
    if (!duplicate) extras.push(oneOff(instant, x.time.timeZone, minutes));
  }
  pieces.push(...extras);
  pieces.sort((a, b) => a.instant - b.instant);
  for (const x of exclusions) if (!x.used) notes.push(`${x.what} ${describeTime(x.time)} matches no occurrence and changes nothing.`);

  for (const piece of pieces) {
    for (const issue of windowRuleIssues(piece)) problems.push(`one of the windows it becomes (from ${piece.start}) is invalid: ${issue.path} ${issue.message}`);
  }
  if (problems.length > 0) return { pieces: [], notes, problems };
  if (pieces.length === 0) return { pieces, notes, problems: ['every one of its occurrences is excluded (EXDATE or a changed occurrence), so there is nothing to import.'] };
  if (pieces.length > MAX_WINDOWS_PER_EVENT) return { pieces: [], notes, problems: [`its exceptions would make ${pieces.length} windows; one event becomes at most ${MAX_WINDOWS_PER_EVENT}.`] };

  if (exclusions.length > 0) {
    const mismatch = firstDifference(spec, rule, startInstant, pieces, isExcluded);
    if (mismatch) return { pieces: [], notes, problems: [`its excluded dates cannot be kept exactly by cutting its rule into windows (${mismatch}).`] };
  }
  return { pieces, notes, problems };
}

/**
 * Expands the windows and the recurrence set to a little past the last exception and names the first
 * occurrence on which they differ, or returns null when they agree.
 */
function firstDifference(spec: SeriesSpec, rule: WindowRule, startInstant: number, pieces: SeriesPiece[], isExcluded: (t: number) => boolean): string | null {
  const lastException = Math.max(startInstant, ...spec.exclusions.map((x) => instantOfTime(x.time)), ...spec.extras.map((x) => instantOfTime(x.time)));
  const from = new Date(Math.min(startInstant, ...pieces.map((p) => p.instant)));
  const to = new Date(lastException + CHECK_DAYS * DAY_MS);
  const limit = MAX_SCANNED_OCCURRENCES;
  const key = (o: { start: Date; end: Date }) => `${o.start.toISOString()}/${(o.end.getTime() - o.start.getTime()) / MINUTE_MS}`;
  const expected = occurrences(rule, from, to, limit).filter((o) => !isExcluded(o.start.getTime()));
  for (const x of spec.extras) {
    const instant = instantOfTime(x.time);
    if (isExcluded(instant) || expected.some((o) => o.start.getTime() === instant)) continue;
    expected.push({ start: new Date(instant), end: new Date(instant + (x.durationMinutes ?? spec.durationMinutes) * MINUTE_MS) });
  }
  const actual = pieces.flatMap((p) => occurrences(p, from, to, limit));
  const byStart = (a: { start: Date }, b: { start: Date }) => a.start.getTime() - b.start.getTime();
  expected.sort(byStart);
  actual.sort(byStart);
  // Either list may have stopped at the limit: compare only as far as both reach.
  const reach = Math.min(expected.length >= limit ? expected[expected.length - 1]!.start.getTime() : Infinity, actual.length >= limit ? actual[actual.length - 1]!.start.getTime() : Infinity);
  const a = expected.filter((o) => o.start.getTime() <= reach).map(key);
  const b = actual.filter((o) => o.start.getTime() <= reach).map(key);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] ? `the occurrence at ${a[i]!.split('/')[0]} would ${b.includes(a[i]!) ? 'move' : 'be lost'}` : `an extra occurrence at ${b[i]!.split('/')[0]} would appear`;
  }
  return null;
}
