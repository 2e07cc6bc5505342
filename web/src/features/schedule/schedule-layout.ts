import { RISK_LEVEL_LABELS } from '../changes/risk-badge';
import type { CalendarChange } from './schedule-api';
import { monthTitle } from './schedule-words';

/**
 * Placement maths for the schedule views, as pure functions of dates and intervals (browser-local days,
 * Monday starts the week). The views only turn these numbers into styles.
 */

const MINUTES_PER_DAY = 1440;
const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SHORT_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

// ---- days ----------------------------------------------------------------------------------------------

/** Local midnight of `d`'s day. */
export const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());

/** `n` calendar days after `d`'s day, at local midnight (DST days are 23 or 25 hours, so never add ms). */
export const addDays = (d: Date, n: number) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);

/** The Monday of `d`'s week, at local midnight. */
export const startOfWeek = (d: Date) => addDays(d, -((d.getDay() + 6) % 7));

/** Calendar days from `a`'s day to `b`'s day (negative when `b` is earlier); DST-safe. */
export function daysBetween(a: Date, b: Date): number {
  return Math.round((Date.UTC(b.getFullYear(), b.getMonth(), b.getDate()) - Date.UTC(a.getFullYear(), a.getMonth(), a.getDate())) / 86_400_000);
}

/** `YYYY-MM-DD` → that local day, or null when it is not a real date. */
export function parseDayKey(key: string | null | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key ?? '');
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d : null;
}

/** Minutes since local midnight of an instant (seconds count as fractions). */
export function localMinutes(t: number): number {
  const d = new Date(t);
  return d.getHours() * 60 + d.getMinutes() + d.getSeconds() / 60;
}

// ---- words ---------------------------------------------------------------------------------------------

const pad = (n: number) => String(n).padStart(2, '0');

/** `14:05` in the browser's time zone, always 24-hour, as the hour axis reads. */
export const clockWords = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** `Thu 10 Dec`. */
export const shortDayWords = (d: Date) => `${SHORT_WEEKDAYS[d.getDay()]} ${d.getDate()} ${SHORT_MONTHS[d.getMonth()]}`;

/**
 * `Thu 10 Dec 14:00–16:00` within one day (`22:00–24:00` when it ends at midnight), and
 * `Thu 10 Dec 22:00 – Fri 11 Dec 02:00` across days.
 */
export function intervalWords(start: string, end: string): string {
  const s = new Date(start);
  const e = new Date(end);
  if (daysBetween(s, e) === 0) return `${shortDayWords(s)} ${clockWords(s)}–${clockWords(e)}`;
  if (daysBetween(s, e) === 1 && e.getTime() === startOfDay(e).getTime()) return `${shortDayWords(s)} ${clockWords(s)}–24:00`;
  return `${shortDayWords(s)} ${clockWords(s)} – ${shortDayWords(e)} ${clockWords(e)}`;
}

/** "high risk", "very high risk", or "risk not assessed". */
export function riskWords(level: CalendarChange['riskLevel']): string {
  return level ? `${RISK_LEVEL_LABELS[level].toLowerCase()} risk` : 'risk not assessed';
}

// NOTE: the default policy's states for changes that will not happen; a custom policy's other final
// states are drawn like any other.
const WITHDRAWN_STATES = ['cancelled', 'rejected'];

/** Whether a change will not happen (cancelled or rejected): the views draw it faded and say so. */
export const isWithdrawn = (state: string) => WITHDRAWN_STATES.includes(state);

/** "2 conflicts not acknowledged", or nothing. */
export const conflictWords = (count: number | undefined) => (count ? `${count} conflict${count === 1 ? '' : 's'} not acknowledged` : '');

/**
 * The accessible name of a change on any view: "CHG0000012 Patch pay-db, high risk, Thu 10 Dec 14:00–16:00",
 * with ", cancelled" or ", rejected" after it when it will not happen, and ", 2 conflicts not acknowledged"
 * when it has some (the views mark it with a red outline, which says nothing to a screen reader).
 */
export function changeLabel(c: Pick<CalendarChange, 'number' | 'title' | 'riskLevel' | 'plannedStart' | 'plannedEnd' | 'state'> & { openConflicts?: number }): string {
  const conflicts = conflictWords(c.openConflicts);
  return `${c.number} ${c.title}, ${riskWords(c.riskLevel)}, ${intervalWords(c.plannedStart, c.plannedEnd)}${isWithdrawn(c.state) ? `, ${c.state}` : ''}${conflicts ? `, ${conflicts}` : ''}`;
}

/** Headings: "7 – 13 December 2026", "30 Nov – 6 Dec 2026", "28 Dec 2026 – 10 Jan 2027". */
export function rangeTitle(first: Date, last: Date): string {
  if (first.getFullYear() !== last.getFullYear()) {
    return `${first.getDate()} ${SHORT_MONTHS[first.getMonth()]} ${first.getFullYear()} – ${last.getDate()} ${SHORT_MONTHS[last.getMonth()]} ${last.getFullYear()}`;
  }
  if (first.getMonth() !== last.getMonth()) return `${first.getDate()} ${SHORT_MONTHS[first.getMonth()]} – ${last.getDate()} ${SHORT_MONTHS[last.getMonth()]} ${last.getFullYear()}`;
  return `${first.getDate()} – ${last.getDate()} ${monthTitle(last.getFullYear(), last.getMonth())}`;
}

// ---- intervals on days ---------------------------------------------------------------------------------

/** The part of an interval on one day of a run of days: minutes from that day's local midnight. */
export interface DaySegment {
  /** Index into the run of days. */
  day: number;
  startMin: number;
  /** 1440 when the interval runs past midnight. */
  endMin: number;
  /** The interval began on an earlier day / goes on to a later one. */
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/**
 * Cuts [start, end) into one segment per local day of the `dayCount` days from `firstDay`. A zero-length
 * interval still gets a segment on its day, so that nothing planned disappears.
 */
export function daySegments(start: string, end: string, firstDay: Date, dayCount: number): DaySegment[] {
  const s = Date.parse(start);
  const e = Math.max(Date.parse(end), s);
  const out: DaySegment[] = [];
  for (let i = 0; i < dayCount; i++) {
    const dayStart = addDays(firstDay, i).getTime();
    const dayEnd = addDays(firstDay, i + 1).getTime();
    const overlaps = s < dayEnd && (e > dayStart || (s === e && s >= dayStart));
    if (!overlaps) continue;
    out.push({
      day: i,
      startMin: s <= dayStart ? 0 : localMinutes(s),
      endMin: e >= dayEnd ? MINUTES_PER_DAY : localMinutes(e),
      continuesBefore: s < dayStart,
      continuesAfter: e > dayEnd,
    });
  }
  return out;
}

/** Where a block goes among the blocks it overlaps: column `column` of `columns` equal columns. */
export interface ColumnPlace {
  column: number;
  columns: number;
}

/**
 * Lays out blocks of one day side by side: blocks that overlap (directly or through a chain) form a
 * cluster, each block takes the first free column of its cluster, and every block of the cluster gets the
 * cluster's column count. `minSpan` is the shortest a block is drawn, in minutes, so that short blocks
 * drawn taller than they are do not cover each other. Answers in the order of `items`.
 */
export function layoutColumns(items: readonly { startMin: number; endMin: number }[], minSpan = 0): ColumnPlace[] {
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.startMin - items[b]!.startMin || items[b]!.endMin - items[a]!.endMin || a - b);
  const places: ColumnPlace[] = items.map(() => ({ column: 0, columns: 1 }));
  let cluster: number[] = [];
  let columnEnds: number[] = [];
  let clusterEnd = -Infinity;
  const close = () => {
    for (const i of cluster) places[i]!.columns = columnEnds.length;
    cluster = [];
    columnEnds = [];
  };
  for (const i of order) {
    const { startMin } = items[i]!;
    const endMin = Math.max(items[i]!.endMin, startMin + minSpan);
    if (startMin >= clusterEnd) close();
    let column = columnEnds.findIndex((end) => end <= startMin);
    if (column === -1) column = columnEnds.push(endMin) - 1;
    else columnEnds[column] = endMin;
    places[i]!.column = column;
    cluster.push(i);
    clusterEnd = cluster.length === 1 ? endMin : Math.max(clusterEnd, endMin);
  }
  close();
  return places;
}

/**
 * How many of a day's blocks lie wholly above or below the part of the day in view ([fromMin, toMin)),
 * with the nearest of each, so that a scrolled week view can say "2 later" and scroll to them. Blocks
 * count at their drawn height (`minSpan`).
 */
export function blocksOutOfView(
  items: readonly { startMin: number; endMin: number }[],
  fromMin: number,
  toMin: number,
  minSpan = 0,
): { earlier: number; later: number; nearestEarlier: number | null; nearestLater: number | null } {
  let earlier = 0;
  let later = 0;
  let nearestEarlier: number | null = null;
  let nearestLater: number | null = null;
  for (const { startMin, endMin } of items) {
    if (Math.max(endMin, startMin + minSpan) <= fromMin) {
      earlier += 1;
      nearestEarlier = Math.max(nearestEarlier ?? -Infinity, startMin);
    } else if (startMin >= toMin) {
      later += 1;
      nearestLater = Math.min(nearestLater ?? Infinity, startMin);
    }
  }
  return { earlier, later, nearestEarlier, nearestLater };
}

/**
 * Stacks intervals into lanes, first fit, in the order given (callers sort: earliest first, longest first
 * on a tie). Intervals that only touch share a lane.
 */
export function assignLanes(items: readonly { start: number; end: number }[]): { lanes: number[]; laneCount: number } {
  const laneEnds: number[] = [];
  const lanes = items.map(({ start, end }) => {
    let lane = laneEnds.findIndex((e) => e <= start);
    if (lane === -1) lane = laneEnds.push(end) - 1;
    else laneEnds[lane] = end;
    return lane;
  });
  return { lanes, laneCount: laneEnds.length };
}

/**
 * The minute of the day a week view opens at: an hour before the earliest start of a change in the week
 * (whole-day strips and the after-midnight part of an overnight change do not count), so that the week's
 * first change is in sight; with none, an hour before `fallbackMin` (the current time). Whole hours, never
 * before midnight.
 */
export function openingMinute(segments: readonly Pick<DaySegment, 'startMin' | 'endMin' | 'continuesBefore'>[], fallbackMin: number): number {
  const starts = segments.filter((s) => !s.continuesBefore && !(s.startMin === 0 && s.endMin === MINUTES_PER_DAY)).map((s) => s.startMin);
  const first = starts.length > 0 ? Math.min(...starts) : fallbackMin;
  return Math.max(0, Math.floor(first / 60) - 1) * 60;
}

// ---- month ---------------------------------------------------------------------------------------------

/** A change's piece in one week row of the month: from column `startCol` over `span` days, in `lane`. */
export interface MonthBar {
  change: CalendarChange;
  startCol: number;
  span: number;
  lane: number;
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/**
 * Bars for the month grid: each change is cut at week boundaries, so a change over the weekend ends on
 * Sunday's cell and continues on Monday's of the next row. Within a week, earlier and longer bars take
 * the upper lanes; otherwise the server's order (by planned start) holds.
 */
export function monthBars(changes: readonly CalendarChange[], weeks: readonly (readonly Date[])[]): { bars: MonthBar[]; laneCount: number }[] {
  return weeks.map((week) => {
    const pieces = changes.flatMap((change, index) => {
      const segments = daySegments(change.plannedStart, change.plannedEnd, week[0]!, week.length);
      if (segments.length === 0) return [];
      const first = segments[0]!;
      const last = segments[segments.length - 1]!;
      return [{ change, index, startCol: first.day, span: last.day - first.day + 1, continuesBefore: first.continuesBefore, continuesAfter: last.continuesAfter }];
    });
    pieces.sort((a, b) => a.startCol - b.startCol || b.span - a.span || a.index - b.index);
    const { lanes, laneCount } = assignLanes(pieces.map((p) => ({ start: p.startCol, end: p.startCol + p.span })));
    return { bars: pieces.map(({ index: _index, ...p }, i) => ({ ...p, lane: lanes[i]! })), laneCount };
  });
}

/** For each of the week's days, how many bars covering it sit in lanes the cell has no room for. */
export function hiddenPerDay(bars: readonly MonthBar[], visibleLanes: number, days = 7): number[] {
  const hidden = Array.from({ length: days }, () => 0);
  for (const b of bars) {
    if (b.lane < visibleLanes) continue;
    for (let d = b.startCol; d < b.startCol + b.span; d++) hidden[d]! += 1;
  }
  return hidden;
}

// ---- timeline ------------------------------------------------------------------------------------------

/** A month's label over the timeline's axis: from day `start` for `span` days, in full or short. */
export interface MonthLabel {
  start: number;
  span: number;
  /** "December 2026". */
  long: string;
  /** "Dec": for a month the axis shows only a few days of. */
  short: string;
}

/**
 * The month labels of a run of days: one per month shown, each as wide as its days, so that two labels never
 * overlap ("November 2026December 2026" when the run starts on 30 November). The view writes a month it
 * shows only a few days of short.
 */
export function monthLabels(days: readonly Date[]): MonthLabel[] {
  const out: MonthLabel[] = [];
  days.forEach((day, i) => {
    const last = out[out.length - 1];
    if (last && days[last.start]!.getMonth() === day.getMonth() && days[last.start]!.getFullYear() === day.getFullYear()) last.span += 1;
    else out.push({ start: i, span: 1, long: monthTitle(day.getFullYear(), day.getMonth()), short: SHORT_MONTHS[day.getMonth()]! });
  });
  return out;
}

/**
 * Where an instant falls on an axis of `dayCount` local days from `firstDay`, from 0 to 1. Every day is
 * the same width, whatever its length, and the position inside a day is its wall-clock time.
 */
export function axisPosition(t: number, firstDay: Date, dayCount: number): number {
  const index = daysBetween(firstDay, new Date(t));
  if (index < 0) return 0;
  if (index >= dayCount) return 1;
  return (index + localMinutes(t) / MINUTES_PER_DAY) / dayCount;
}

/** An interval's place on the axis: left edge and width as fractions, and whether it runs off either end. */
export interface AxisSpan {
  left: number;
  width: number;
  clippedStart: boolean;
  clippedEnd: boolean;
}

/** [start, end) on the axis, or null when it lies wholly outside. */
export function axisSpan(start: string, end: string, firstDay: Date, dayCount: number): AxisSpan | null {
  const s = Date.parse(start);
  const e = Math.max(Date.parse(end), s);
  const from = firstDay.getTime();
  const to = addDays(firstDay, dayCount).getTime();
  if (s >= to || e < from || (e === from && s < from)) return null;
  const left = axisPosition(s, firstDay, dayCount);
  const right = e >= to ? 1 : axisPosition(e, firstDay, dayCount);
  return { left, width: Math.max(0, right - left), clippedStart: s < from, clippedEnd: e > to };
}

/** A change's bar on a timeline row, and where its label goes: inside it, or beside it when it is narrow. */
export interface TimelineBar extends AxisSpan {
  change: CalendarChange;
  lane: number;
  label: 'inside' | 'after' | 'before';
}

/**
 * Bars for one timeline row, stacked into lanes so that neither a bar nor its label covers another. A bar
 * at least `room.inside` wide (a fraction of the axis) holds its label; a narrower one carries it after
 * its end, `room.label` wide, or before its start when that would run off the axis.
 */
export function timelineBars(
  changes: readonly CalendarChange[],
  firstDay: Date,
  dayCount: number,
  room: { inside: number; label: number } = { inside: 0, label: 0 },
): { bars: TimelineBar[]; laneCount: number } {
  const placed = changes.flatMap((change) => {
    const span = axisSpan(change.plannedStart, change.plannedEnd, firstDay, dayCount);
    if (!span) return [];
    const label: TimelineBar['label'] = span.width >= room.inside ? 'inside' : span.left + span.width + room.label <= 1 ? 'after' : 'before';
    const from = label === 'before' ? span.left - room.label : span.left;
    const to = span.left + span.width + (label === 'after' ? room.label : 0);
    return [{ change, ...span, label, from, to }];
  });
  placed.sort((a, b) => a.from - b.from || b.width - a.width);
  const { lanes, laneCount } = assignLanes(placed.map((p) => ({ start: p.from, end: p.to })));
  return { bars: placed.map(({ from: _from, to: _to, ...p }, i) => ({ ...p, lane: lanes[i]! })), laneCount };
}
