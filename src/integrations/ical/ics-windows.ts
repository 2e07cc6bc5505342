/**
 * Reading maintenance windows and freezes out of an iCalendar (RFC 5545) file: each VEVENT becomes one or
 * more window drafts (name, description, local start in an IANA zone, elapsed duration, optional RRULE), or
 * the list of every reason it cannot. A recurring event with exceptions (EXDATE, RDATE, or other VEVENTs of
 * the same UID that change one occurrence with RECURRENCE-ID) becomes several windows that together hold
 * exactly its occurrences (see ics-recurrence.ts). Kind and scope are not iCalendar notions; the caller adds
 * them. Pure: no I/O, no clock.
 */
import { windowRuleIssues, type WindowRule } from '../../domain/schedule/windows';
import { basicUtc, describeTime, formatLocal, instantOfTime, seriesPieces, type IcsTime, type SeriesSpec } from './ics-recurrence';
import { readerMessage, splitIcs, type IcsBlock } from './ics-text';
import { durationValue, readDateList, readTime, textOf, type ValueReader } from './ics-values';
import { createZoneResolver, type ZoneResolver } from './ics-zones';

/** One window an event becomes, before kind and scope are added. */
export interface IcsWindowDraft {
  /**
   * What finds this window again on a re-import: the event's UID for its first window; the UID, `#` and the
   * first occurrence (`20261003T190000Z`) for the others; `UID#RECURRENCE-ID=…` for a changed occurrence.
   */
  key: string;
  name: string;
  description: string;
  /** Local wall-clock start, `YYYY-MM-DDTHH:mm`, in `timeZone`. */
  start: string;
  timeZone: string;
  durationMinutes: number;
  rrule: string | null;
}

/** One VEVENT of the file: the windows it becomes, or every problem that keeps it from becoming any. */
export interface IcsEvent {
  /** 1-based position of the VEVENT in the file. */
  index: number;
  /** 1-based line of its BEGIN:VEVENT. */
  line: number;
  uid: string | null;
  summary: string | null;
  /** For a VEVENT that changes one occurrence: which one (`2026-10-03 20:00 Europe/London`). */
  recurrenceId: string | null;
  /**
   * The UID whose windows this event (a recurring event, or one of its changed occurrences, in the same
   * file) fully describes: windows of that UID it no longer needs may be removed. Null for a changed
   * occurrence whose recurring event is not in the file, which describes only itself.
   */
  series: string | null;
  /** Empty when refused, and for a changed occurrence that cancels its occurrence. */
  windows: IcsWindowDraft[];
  problems: string[];
  /** What a person should know although nothing is wrong: how a zone was read, what an exception did. */
  notes: string[];
}

export interface IcsReadResult {
  events: IcsEvent[];
  /** What in the file was skipped outside the events (other components, stray lines). */
  warnings: string[];
}

export interface IcsReadOptions {
  /** The zone for all-day (DATE) and floating (no TZID, no Z) times: an IANA name. */
  timeZone: string;
}

const MAX_NAME = 200;
const MAX_DESCRIPTION = 5000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** The key suffixes ics-windows gives the further windows of one UID (see IcsWindowDraft.key). */
const PIECE_SUFFIX = /^(?:RECURRENCE-ID=\d{8}T\d{6}Z(?:#\d{8}T\d{6}Z)?|\d{8}T\d{6}Z)$/;

/** Whether a window's source key is one of the windows made from the event with this UID. */
export function isWindowOfUid(key: string, uid: string): boolean {
  return key === uid || (key.startsWith(`${uid}#`) && PIECE_SUFFIX.test(key.slice(uid.length + 1)));
}

/** One VEVENT read, before it is put together with the other VEVENTs of its UID. */
interface RawEvent {
  index: number;
  line: number;
  uid: string | null;
  summary: string | null;
  description: string;
  cancelled: boolean;
  recurrence: { time: IcsTime; thisAndFuture: boolean } | null;
  start: IcsTime | null;
  /** Elapsed minutes from DTEND, DURATION or the all-day default; null when not known. */
  durationMinutes: number | null;
  /** True for a DATE-TIME start without DTEND or DURATION: RFC 5545 gives it no length at all. */
  lengthless: boolean;
  rrule: string | null;
  rdates: SeriesSpec['extras'];
  exdates: SeriesSpec['exclusions'];
  problems: string[];
  notes: string[];
  /** ical.js could not read it at all: its only problem is that. */
  unreadable: boolean;
}


/** Reads one VEVENT's own values; every problem is collected, not only the first. */
function readRaw(block: IcsBlock, index: number, opts: IcsReadOptions, zones: ZoneResolver): RawEvent {
  const problems: string[] = [];
  const notes: string[] = [];
  const r: ValueReader = { timeZone: opts.timeZone, zones, problems, notes };
  const base: RawEvent = { index, line: block.line, uid: null, summary: null, description: '', cancelled: false, recurrence: null, start: null, durationMinutes: null, lengthless: false, rrule: null, rdates: [], exdates: [], problems, notes, unreadable: false };
  const event = block.component;
  if (!event) {
    problems.push(`it cannot be read: ${block.error}`);
    return { ...base, uid: block.uid ?? null, summary: block.summary ?? null, unreadable: true };
  }
  const uid = textOf(event, 'uid') || null;
  const summary = textOf(event, 'summary') || null;
  for (const name of ['dtstart', 'dtend', 'duration', 'recurrence-id']) {
    const count = event.getAllProperties(name).length;
    if (count > 1) problems.push(`${name.toUpperCase()} appears ${count} times; an event has one.`);
  }
  const recurrenceProp = event.getFirstProperty('recurrence-id');
  const recurrenceTime = readTime(recurrenceProp, 'RECURRENCE-ID', r, false);
  const range = recurrenceProp?.getParameter('range');
  let start = readTime(event.getFirstProperty('dtstart'), 'DTSTART', r, true);
  if (!event.hasProperty('dtstart')) {
    if (!recurrenceTime) problems.push('DTSTART is missing.');
    else {
      start = recurrenceTime;
      notes.push('it has no DTSTART, so its occurrence keeps the start its RECURRENCE-ID names.');
    }
  }
  const end = readTime(event.getFirstProperty('dtend'), 'DTEND', r, true);
  const durationProp = event.getFirstProperty('duration');
  if (end && durationProp) problems.push('it has both DTEND and DURATION (RFC 5545 allows one).');

  let durationMinutes: number | null = null;
  let lengthless = false;
  if (start) {
    if (end) {
      if (end.isDate !== start.isDate) problems.push('DTSTART and DTEND must both be dates or both be date-times.');
      else {
        // Elapsed time between the two instants of the first occurrence (all-day: midnight to midnight in the zone).
        const minutes = (instantOfTime(end) - instantOfTime(start)) / MINUTE_MS;
        if (minutes === 0 && start.isDate) {
          // Some exporters write an all-day event's DTEND as its own day; they mean that one day.
          durationMinutes = (instantOfTime({ ...start, local: start.local + DAY_MS }) - instantOfTime(start)) / MINUTE_MS;
          notes.push('its DTEND is its DTSTART, read as the one day it names.');
        } else if (minutes <= 0) problems.push(`DTEND (${describeTime(end)}) is not after DTSTART (${describeTime(start)}): it lasts no time.`);
        else durationMinutes = Math.floor(minutes);
      }
    } else if (durationProp) {
      durationMinutes = durationValue(durationProp.getFirstValue(), 'DURATION', r);
      if (durationMinutes !== null && durationMinutes <= 0) {
        problems.push(`DURATION (${String(durationProp.getFirstValue())}) is not a positive length.`);
        durationMinutes = null;
      }
    } else if (start.isDate) {
      // RFC 5545: a DATE start without an end lasts one day.
      durationMinutes = (instantOfTime({ ...start, local: start.local + DAY_MS }) - instantOfTime(start)) / MINUTE_MS;
    } else lengthless = true;
  }

  const rrules = event.getAllProperties('rrule');
  if (rrules.length > 1) problems.push('it has more than one RRULE; a window has one.');
  // NOTE: the RRULE is taken as written, not as ical.js re-writes it: ical.js drops parts it does not know
  // (RSCALE=HEBREW, SKIP) and turns leap months (BYMONTH=5L) into plain ones, which would make a rule of
  // another calendar repeat on wrong Gregorian days instead of being refused.
  const written = block.text.map((line) => /^RRULE(?:;[^:]*)?:(.*)$/i.exec(line)?.[1]).find((v) => v !== undefined);
  const rrule = rrules.length === 1 && written !== undefined ? written.split(';').map((part) => part.trim().toUpperCase()).filter(Boolean).join(';') : null;
  return {
    ...base,
    uid,
    summary,
    description: (textOf(event, 'description') ?? '').slice(0, MAX_DESCRIPTION),
    cancelled: textOf(event, 'status')?.toUpperCase() === 'CANCELLED',
    recurrence: recurrenceTime ? { time: recurrenceTime, thisAndFuture: typeof range === 'string' && range.toUpperCase() === 'THISANDFUTURE' } : null,
    start,
    durationMinutes,
    lengthless,
    rrule,
    rdates: readDateList(event, 'rdate', r),
    exdates: readDateList(event, 'exdate', r).map(({ time, what }) => ({ time, what })),
  };
}

/** The words for the window rule's fields in an event's problems. */
const RULE_LABELS = { start: 'DTSTART', timeZone: 'time zone', durationMinutes: 'length (DTEND or DURATION) in minutes', rrule: 'RRULE' } as const;

/** The event's rule checked as a window rule (with the same words an API caller would get). */
function ruleProblems(raw: RawEvent): string[] {
  if (raw.start && raw.durationMinutes !== null) {
    const rule: WindowRule = { start: formatLocal(raw.start.local), timeZone: raw.start.timeZone, durationMinutes: raw.durationMinutes, rrule: raw.rrule };
    return windowRuleIssues(rule).map((issue) => `${RULE_LABELS[issue.path]} ${issue.message}`);
  }
  // Without a usable start or length the RRULE is still checked, so that every problem is listed.
  if (raw.rrule === null) return [];
  return windowRuleIssues({ start: '2000-01-01T00:00', timeZone: 'UTC', durationMinutes: 1, rrule: raw.rrule }).map((issue) => `RRULE ${issue.message}`);
}

/** The windows of one event's recurrence set, keyed from `baseKey`. */
function windowsOf(raw: RawEvent, baseKey: string, name: string, exclusions: SeriesSpec['exclusions']): IcsWindowDraft[] {
  const result = seriesPieces({ start: raw.start!, durationMinutes: raw.durationMinutes!, rrule: raw.rrule, exclusions: [...raw.exdates, ...exclusions], extras: raw.rdates });
  raw.notes.push(...result.notes);
  raw.problems.push(...result.problems);
  if (result.pieces.length > 1) raw.notes.push(`it becomes ${result.pieces.length} windows, which together hold exactly its occurrences: a window repeats by one rule without exceptions.`);
  return result.pieces.map((piece, i) => ({
    key: i === 0 ? baseKey : `${baseKey}#${basicUtc(piece.instant)}`,
    name,
    description: raw.description,
    start: piece.start,
    timeZone: piece.timeZone,
    durationMinutes: piece.durationMinutes,
    rrule: piece.rrule,
  }));
}

const LENGTHLESS =
  'it has a start time but neither DTEND nor DURATION: RFC 5545 makes such an event an instant that lasts no time, and a window lasts at least a minute. Give it DTEND or DURATION.';

/**
 * Puts the VEVENTs of each UID together (a recurring event and the VEVENTs that change its occurrences)
 * and makes their windows. A group is refused as a whole when any of its VEVENTs is: importing a series
 * without one of its changes would put a window on the wrong day.
 */
function assemble(raws: RawEvent[]): IcsEvent[] {
  const masters = new Map<string, RawEvent>();
  const changes = new Map<string, RawEvent[]>();
  for (const raw of raws) {
    if (raw.unreadable) continue;
    if (!raw.uid) {
      raw.problems.unshift('UID is missing: it is what lets a re-import update this window instead of adding another.');
      continue;
    }
    if (raw.recurrence) {
      const list = changes.get(raw.uid) ?? [];
      const same = list.find((o) => instantOfTime(o.recurrence!.time) === instantOfTime(raw.recurrence!.time));
      if (same) raw.problems.push(`it changes the same occurrence as event ${same.index}.`);
      changes.set(raw.uid, [...list, raw]);
      continue;
    }
    const first = masters.get(raw.uid);
    if (first) raw.problems.push(`UID ${raw.uid} already appears in event ${first.index}.`);
    else masters.set(raw.uid, raw);
  }

  // An unreadable VEVENT may be a changed occurrence of a readable one: that one cannot be imported without it.
  for (const bad of raws.filter((r) => r.unreadable && r.uid)) {
    for (const raw of raws) if (!raw.unreadable && raw.uid === bad.uid) raw.problems.push(`another VEVENT with its UID (event ${bad.index}) cannot be read.`);
  }

  const windows = new Map<RawEvent, IcsWindowDraft[]>();
  for (const raw of raws) {
    if (raw.unreadable) continue;
    const master = raw.uid ? masters.get(raw.uid) : undefined;
    const change = raw.recurrence !== null;
    const summary = raw.summary ?? (change ? master?.summary ?? null : null);
    if (!summary) raw.problems.push('SUMMARY is missing: it becomes the window name.');
    else if (summary.length > MAX_NAME) raw.problems.push(`SUMMARY is longer than ${MAX_NAME} characters.`);
    if (change && raw.uid && master && raw.recurrence!.thisAndFuture) {
      raw.problems.push('its RECURRENCE-ID has RANGE=THISANDFUTURE (it changes this and every later occurrence), which Cabinet cannot apply to the recurring event.');
    }
    if (change && master && raw.description === '') raw.description = master.description;
    if (change && master && raw.cancelled) {
      raw.notes.push(`it cancels the occurrence of ${describeTime(raw.recurrence!.time)} of event ${master.index}.`);
      continue;
    }
    if (raw.cancelled) raw.problems.push('STATUS is CANCELLED.');
    if (change && master && raw.lengthless && master.durationMinutes !== null) {
      raw.durationMinutes = master.durationMinutes;
      raw.lengthless = false;
      raw.notes.push(`it has no DTEND or DURATION, so it keeps the length of event ${master.index} (${master.durationMinutes} minutes).`);
    }
    if (raw.lengthless) raw.problems.push(LENGTHLESS);
    raw.problems.push(...ruleProblems(raw));
    if (change && !master && raw.recurrence?.thisAndFuture) raw.notes.push('its recurring event is not in the file: it is imported as it stands.');
    if (raw.problems.length > 0 || !raw.uid || !summary || !raw.start || raw.durationMinutes === null) continue;
    if (change) windows.set(raw, windowsOf(raw, `${raw.uid}#RECURRENCE-ID=${basicUtc(instantOfTime(raw.recurrence!.time))}`, summary, []));
  }

  // The recurring events last: their changed occurrences are taken out of them.
  for (const master of masters.values()) {
    const group = changes.get(master.uid!) ?? [];
    if (master.problems.length === 0 && group.every((c) => c.problems.length === 0)) {
      const exclusions = group.map((c) => ({ time: c.recurrence!.time, what: `RECURRENCE-ID of event ${c.index}:` }));
      windows.set(master, windowsOf(master, master.uid!, master.summary!, exclusions));
    }
    const refused = [master, ...group].filter((e) => e.problems.length > 0);
    if (refused.length === 0) continue;
    for (const e of [master, ...group]) {
      if (e.problems.length > 0) continue;
      e.problems.push(e === master ? `its changed occurrence${refused.length > 1 ? 's' : ''} (event ${refused.map((x) => x.index).join(', ')}) cannot be imported, so neither can the series.` : `its recurring event (event ${master.index}) cannot be imported.`);
    }
  }

  // Keys are unique by construction, except when a UID itself looks like another event's further window.
  const keys = new Map<string, number>();
  for (const raw of raws) {
    for (const draft of windows.get(raw) ?? []) {
      const first = keys.get(draft.key);
      if (first !== undefined && first !== raw.index) raw.problems.push(`one of its windows would have the same key (${draft.key}) as one of event ${first}.`);
      else keys.set(draft.key, raw.index);
    }
  }

  return raws.map((raw) => {
    const master = raw.uid ? masters.get(raw.uid) : undefined;
    const inSeries = master !== undefined && (raw === master || raw.recurrence !== null);
    const refused = raw.problems.length > 0;
    return {
      index: raw.index,
      line: raw.line,
      uid: raw.uid,
      summary: raw.summary ?? (raw.recurrence ? master?.summary ?? null : null),
      recurrenceId: raw.recurrence ? describeTime(raw.recurrence.time) : null,
      series: inSeries ? raw.uid : null,
      windows: refused ? [] : (windows.get(raw) ?? []),
      problems: raw.problems,
      notes: raw.notes,
    };
  });
}

/**
 * Reads every VEVENT of an iCalendar text. A text that is not iCalendar (its structure broken, no VEVENT)
 * is refused as a whole with an InputError `invalid_calendar` naming what is wrong and the line; otherwise
 * each event is returned with the windows it becomes or its problems, and one unreadable event (a bad
 * RRULE, a broken line) is refused alone.
 */
export function readIcsEvents(text: string, opts: IcsReadOptions): IcsReadResult {
  const structure = splitIcs(text);
  const zones = createZoneResolver(structure.timezones);
  const raws = structure.events.map((block, i) => {
    try {
      return readRaw(block, i + 1, opts, zones);
    } catch (error) {
      // ical.js decodes some values lazily; one it cannot decode refuses that event, not the file.
      const raw = readRaw({ ...block, component: null, error: readerMessage(error) }, i + 1, opts, zones);
      return raw;
    }
  });
  return { events: assemble(raws), warnings: structure.warnings };
}
