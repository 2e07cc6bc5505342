/**
 * Maintenance windows and freezes: a local start, an IANA time zone, a duration and an optional RRULE.
 *
 * Recurrence is computed in wall-clock local time, then each local occurrence becomes an instant in the
 * window's zone, so "every Saturday 22:00 Europe/London" starts at 22:00 local in summer and in winter.
 * Pure: no I/O, no clock.
 */
// NOTE: rrule must be the default import: the package ships CommonJS under "main" with no "exports" map, so Node's
// ESM loader exposes no named exports (`import { RRule } from 'rrule'` type-checks but throws at run time).
import rrulePackage from 'rrule';
import type { Options as RRuleOptions } from 'rrule';
import { formatterFor, instantOf } from '../time/zoned';

const { RRule } = rrulePackage;

export interface WindowRule {
  /** The first occurrence's start as a wall-clock local date-time in `timeZone`, "YYYY-MM-DDTHH:mm". */
  start: string;
  /** IANA zone, e.g. "Europe/London". */
  timeZone: string;
  /** Elapsed minutes (not wall-clock): a 4-hour window across a clock change still lasts 4 real hours. 1 to 44 640 (31 days). */
  durationMinutes: number;
  /**
   * An RFC 5545 RRULE value without DTSTART, e.g. "FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20270101T000000Z" or
   * "FREQ=MONTHLY;BYDAY=1SU;COUNT=12"; null for a one-off. `start` supplies the time of day and the first
   * possible date; as in the rrule library, `start` itself is an occurrence only if it matches the rule.
   * UNTIL ending in "Z" is an instant (RFC 5545); UNTIL without "Z" is read as local time in `timeZone`.
   */
  rrule: string | null;
}

/** One occurrence of a window: [start, end). */
export interface Occurrence {
  start: Date;
  end: Date;
}

/** One problem with a window rule. */
export interface WindowRuleIssue {
  path: 'start' | 'timeZone' | 'durationMinutes' | 'rrule';
  message: string;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MAX_DURATION_MINUTES = 31 * 24 * 60;
const DEFAULT_LIMIT = 10_000;

// ---------------------------------------------------------------------------------------------------------
// Local wall-clock time <-> instants. A "local" value is the wall-clock reading encoded as if it were UTC
// milliseconds (2026-03-28T22:00 local is Date.UTC(2026, 2, 28, 22, 0)); rrule computes on those values.

// ---------------------------------------------------------------------------------------------------------
// Validation

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** "YYYY-MM-DDTHH:mm" as local milliseconds, or null when it is not a real calendar date-time. */
function parseLocalDateTime(value: string): number | null {
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute);
  // Date.UTC rolls 31 April over to 1 May; a real date survives the round trip.
  if (new Date(local).getUTCDate() !== day) return null;
  return local;
}

function isKnownTimeZone(timeZone: string): boolean {
  // Intl also accepts offsets such as "+05:30"; a window needs a zone with rules, so ask for a name.
  if (typeof timeZone !== 'string' || !/^[A-Za-z]/.test(timeZone)) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const SUPPORTED_FREQ = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'];

/** A comma-separated list of non-zero integers in [-max, max] (or [min, max] when min >= 0). */
function intListProblem(name: string, value: string, min: number, max: number): string | null {
  const items = value.split(',');
  for (const item of items) {
    if (!/^[+-]?\d{1,3}$/.test(item)) return `${name} must be a comma-separated list of whole numbers, got "${item}".`;
    const n = Number(item);
    const ok = min < 0 ? n !== 0 && Math.abs(n) <= max : n >= min && n <= max;
    if (!ok)
      return min < 0
        ? `${name} values must be between -${max} and ${max} and not 0, got ${item}.`
        : `${name} values must be between ${min} and ${max}, got ${item}.`;
  }
  return null;
}

interface ParsedRrule {
  options: Partial<RRuleOptions>;
  /** UNTIL given as a UTC instant ("...Z"); compared with each occurrence's instant, not its local time. */
  untilInstant: number | null;
}

/** Checks every part of an RRULE value; returns every problem found and, when there are none, the options. */
function parseRrule(value: string): { issues: string[]; parsed: ParsedRrule | null } {
  const issues: string[] = [];
  if (typeof value !== 'string' || value.trim() === '')
    return { issues: ['must be a non-empty RRULE value such as "FREQ=WEEKLY;BYDAY=SA".'], parsed: null };
  if (/[\r\n]/.test(value) || /(^|[;\s])(DTSTART|RRULE:|EXDATE|RDATE)/i.test(value)) {
    return {
      issues: [
        'must be a bare RRULE value (e.g. "FREQ=WEEKLY;BYDAY=SA"): no DTSTART, RRULE:, EXDATE or RDATE; the start and time zone are separate fields.',
      ],
      parsed: null,
    };
  }
  const parts = new Map<string, string>();
  for (const raw of value.split(';')) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(raw);
    if (!m) {
      issues.push(`"${raw}" is not a NAME=VALUE part.`);
      continue;
    }
    const name = m[1]!.toUpperCase();
    if (parts.has(name)) issues.push(`${name} appears more than once.`);
    parts.set(name, m[2]!.toUpperCase());
  }

  const freq = parts.get('FREQ');
  if (freq === undefined) issues.push('FREQ is required (YEARLY, MONTHLY, WEEKLY or DAILY).');
  else if (['HOURLY', 'MINUTELY', 'SECONDLY'].includes(freq)) {
    issues.push(`FREQ=${freq} is not supported for windows: use DAILY (with BYHOUR if needed), WEEKLY, MONTHLY or YEARLY.`);
  } else if (!SUPPORTED_FREQ.includes(freq)) issues.push(`FREQ=${freq} is not a frequency; use YEARLY, MONTHLY, WEEKLY or DAILY.`);

  let untilInstant: number | null = null;
  for (const [name, v] of parts) {
    let problem: string | null = null;
    switch (name) {
      case 'FREQ':
        break;
      case 'INTERVAL':
      case 'COUNT':
        if (!/^\d{1,6}$/.test(v) || Number(v) < 1) problem = `${name} must be a positive whole number, got "${v}".`;
        break;
      case 'UNTIL': {
        const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(v);
        const local = m ? parseLocalDateTime(`${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}`) : null;
        if (!m || local === null || Number(m[6] ?? 0) > 59) problem = `UNTIL must be a date-time such as 20270101T000000Z, got "${v}".`;
        else if (m[7] === 'Z') untilInstant = local + Number(m[6]) * 1000;
        break;
      }
      case 'BYDAY':
        for (const day of v.split(',')) {
          const m = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(day);
          if (!m || !WEEKDAYS.includes(m[2]!))
            problem = `BYDAY must list days as MO, TU, WE, TH, FR, SA, SU (optionally with a position such as 1SU or -1FR), got "${day}".`;
          else if (m[1] !== undefined && (Number(m[1]) === 0 || Math.abs(Number(m[1])) > 53))
            problem = `BYDAY positions must be between -53 and 53 and not 0, got "${day}".`;
          else if (m[1] !== undefined && freq !== 'MONTHLY' && freq !== 'YEARLY')
            problem = `BYDAY with a position ("${day}") needs FREQ=MONTHLY or FREQ=YEARLY.`;
          if (problem) break;
        }
        break;
      case 'BYMONTHDAY':
        problem = intListProblem(name, v, -1, 31);
        break;
      case 'BYYEARDAY':
        problem = intListProblem(name, v, -1, 366);
        break;
      case 'BYWEEKNO':
        problem = intListProblem(name, v, -1, 53) ?? (freq !== 'YEARLY' ? 'BYWEEKNO needs FREQ=YEARLY.' : null);
        break;
      case 'BYSETPOS':
        problem = intListProblem(name, v, -1, 366);
        break;
      case 'BYMONTH':
        problem = intListProblem(name, v, 1, 12);
        break;
      case 'BYHOUR':
        problem = intListProblem(name, v, 0, 23);
        break;
      case 'BYMINUTE':
        problem = intListProblem(name, v, 0, 59);
        break;
      case 'BYSECOND':
        problem = 'BYSECOND is not supported: windows start on whole minutes.';
        break;
      case 'WKST':
        if (!WEEKDAYS.includes(v)) problem = `WKST must be one of ${WEEKDAYS.join(', ')}, got "${v}".`;
        break;
      default:
        problem = `${name} is not an RRULE part.`;
    }
    if (problem) issues.push(problem);
  }
  if (parts.has('COUNT') && parts.has('UNTIL')) issues.push('COUNT and UNTIL cannot both be given (RFC 5545).');
  if (issues.length > 0) return { issues, parsed: null };

  let options: Partial<RRuleOptions>;
  try {
    // NOTE: rrule's parser is case-sensitive and quietly turns unknown BYDAY values into `undefined` (which
    // crashes later), so it only ever sees the parts checked above, upper-cased.
    options = RRule.parseString([...parts].map(([name, v]) => `${name}=${v}`).join(';'));
  } catch (error) {
    return { issues: [`could not be read: ${(error as Error).message}`], parsed: null };
  }
  // A UTC UNTIL is filtered by instant below; the expansion itself runs on local values, where it would be
  // off by the zone's offset.
  if (untilInstant !== null) options.until = null;
  return { issues: [], parsed: { options, untilInstant } };
}

/**
 * Every problem with a rule, as `{ path, message }` (path is 'start' | 'timeZone' | 'durationMinutes' |
 * 'rrule'); empty when valid. All problems are reported together, not only the first.
 */
export function windowRuleIssues(rule: WindowRule): WindowRuleIssue[] {
  const issues: WindowRuleIssue[] = [];
  if (typeof rule.start !== 'string' || parseLocalDateTime(rule.start) === null) {
    issues.push({
      path: 'start',
      message: `must be a local date-time "YYYY-MM-DDTHH:mm" on a real calendar date, got ${JSON.stringify(rule.start)}.`,
    });
  }
  if (!isKnownTimeZone(rule.timeZone)) {
    issues.push({ path: 'timeZone', message: `must be an IANA time zone such as "Europe/London", got ${JSON.stringify(rule.timeZone)}.` });
  }
  const d = rule.durationMinutes;
  if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0 || d > MAX_DURATION_MINUTES) {
    issues.push({
      path: 'durationMinutes',
      message: `must be a whole number of minutes from 1 to ${MAX_DURATION_MINUTES} (31 days), got ${JSON.stringify(d)}.`,
    });
  }
  if (rule.rrule !== null) {
    for (const message of parseRrule(rule.rrule).issues) issues.push({ path: 'rrule', message });
  }
  return issues;
}

function assertValid(rule: WindowRule): ParsedRrule | null {
  const issues = windowRuleIssues(rule);
  if (issues.length > 0) {
    throw new RangeError(`Invalid window rule: ${issues.map((i) => `${i.path}: ${i.message}`).join(' ')}`);
  }
  return rule.rrule === null ? null : parseRrule(rule.rrule).parsed;
}

// ---------------------------------------------------------------------------------------------------------
// Expansion and interval logic

/** Whether [start, end) overlaps [from, to): intervals that only touch end to start do not overlap. */
export function overlaps(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

/**
 * The occurrences that overlap [from, to), in start order; at most `limit` (default 10 000). An occurrence
 * that started before `from` and is still running is included. Throws a RangeError for an invalid rule
 * (validate with `windowRuleIssues` first to get the problems with their paths).
 */
export function occurrences(rule: WindowRule, from: Date, to: Date, limit = DEFAULT_LIMIT): Occurrence[] {
  const parsed = assertValid(rule);
  const fromMs = from.getTime();
  const toMs = to.getTime();
  const result: Occurrence[] = [];
  if (!(fromMs < toMs) || limit <= 0) return result;

  const durationMs = rule.durationMinutes * MINUTE_MS;
  const startLocal = parseLocalDateTime(rule.start)!;
  let lastStart = Number.NEGATIVE_INFINITY;
  /** Converts one local start and keeps it if it overlaps; returns false once the search can stop. */
  const take = (local: number): boolean => {
    const start = instantOf(rule.timeZone, local);
    if (parsed && parsed.untilInstant !== null && start > parsed.untilInstant) return false;
    if (start >= toMs) return false;
    // Two local times can map to one instant (a gap shifts forward onto the next one): keep it once.
    if (start !== lastStart && start + durationMs > fromMs) {
      result.push({ start: new Date(start), end: new Date(start + durationMs) });
    }
    lastStart = start;
    return result.length < limit;
  };

  if (parsed === null) {
    take(startLocal);
    return result;
  }

  // Local values differ from instants by the zone offset (under 15 hours either way) plus at most a gap's
  // shift; two days of slack on each side of the range is safe, and `take` filters exactly.
  const lo = new Date(fromMs - durationMs - 2 * DAY_MS);
  const hi = new Date(toMs + 2 * DAY_MS);
  const rrule = new RRule({ ...parsed.options, dtstart: new Date(nearStart(startLocal, parsed.options, lo.getTime())), tzid: null });
  rrule.between(lo, hi, true, (date) => take(date.getTime()));
  return result;
}

/**
 * The local start moved forward by whole periods to before `lo`, for daily and weekly rules without COUNT:
 * the same weekdays, time of day and INTERVAL phase, so the same occurrences from `lo` on. Other rules keep
 * their start. NOTE: rrule steps through every period from DTSTART, so without this a weekly window made two
 * years ago takes a hundred steps before reaching the range asked about.
 */
function nearStart(startLocal: number, options: Partial<RRuleOptions>, lo: number): number {
  if (options.count || (options.freq !== RRule.DAILY && options.freq !== RRule.WEEKLY)) return startLocal;
  const periodMs = (options.interval ?? 1) * (options.freq === RRule.WEEKLY ? 7 : 1) * DAY_MS;
  // `lo` is an instant; a local reading differs by less than a day, so a further day of slack is enough.
  const periods = Math.floor((lo - DAY_MS - startLocal) / periodMs);
  return periods > 0 ? startLocal + periods * periodMs : startLocal;
}

/**
 * Whether [start, end) lies wholly inside one occurrence of the rule. An empty or reversed interval is
 * never within. Occurrences that merely abut do not join up: the interval must fit one of them.
 */
export function within(rule: WindowRule, start: Date, end: Date): boolean {
  if (!(start.getTime() < end.getTime())) return false;
  return occurrences(rule, start, end).some((o) => o.start.getTime() <= start.getTime() && end.getTime() <= o.end.getTime());
}
