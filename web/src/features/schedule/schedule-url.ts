import { useSearchParams } from 'react-router';
import { fromZonedDate, toZonedDate } from '../../shared/format';
import type { CalendarFilters } from './schedule-api';
import { addDays, parseDayKey, startOfDay, startOfWeek } from './schedule-layout';
import { dayKey, monthGrid } from './schedule-words';
import type { TimelineGrouping } from './timeline-rows';

export const SCHEDULE_VIEWS = ['month', 'week', 'timeline'] as const;
export type ScheduleView = (typeof SCHEDULE_VIEWS)[number];
export const VIEW_LABELS: Record<ScheduleView, string> = { month: 'Month', week: 'Week', timeline: 'Timeline' };

/** How many days the timeline shows, and how far ‹ / › move it. */
export const TIMELINE_DAYS = 14;

const FILTER_KEYS = ['serviceId', 'teamId', 'ciId', 'type', 'state'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** What /schedule shows, all of it from the query string so that a view can be shared and reloaded. */
export interface ScheduleState {
  view: ScheduleView;
  /** The day the view is about (today when the URL says nothing). */
  date: Date;
  groupBy: TimelineGrouping;
  filters: CalendarFilters;
}

/** Reads `?view=&date=&by=&serviceId=&teamId=&ciId=&type=&state=`; anything unreadable falls back to the default. */
export function readScheduleParams(params: URLSearchParams, today: Date): ScheduleState {
  const view = params.get('view');
  const filters: CalendarFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  return {
    view: SCHEDULE_VIEWS.includes(view as ScheduleView) ? (view as ScheduleView) : 'month',
    date: parseDayKey(params.get('date')) ?? startOfDay(today),
    groupBy: params.get('by') === 'ci' ? 'ci' : 'service',
    filters,
  };
}

/** The query string for a state; defaults (month, today, by service) are left out to keep links short. */
export function writeScheduleParams(state: ScheduleState, today: Date): URLSearchParams {
  const out = new URLSearchParams();
  if (state.view !== 'month') out.set('view', state.view);
  if (dayKey(state.date) !== dayKey(today)) out.set('date', dayKey(state.date));
  if (state.view === 'timeline' && state.groupBy === 'ci') out.set('by', 'ci');
  for (const key of FILTER_KEYS) {
    const value = state.filters[key];
    if (value) out.set(key, value);
  }
  return out;
}

/**
 * The days a view shows: first day and how many, and the range to ask the calendar for. Days are the
 * person's (shared/format.ts, toZonedDate); `from` and `to` are the instants their midnights fall on.
 */
export function viewRange(view: ScheduleView, date: Date): { first: Date; dayCount: number; from: string; to: string } {
  let first: Date;
  let dayCount: number;
  if (view === 'month') {
    const weeks = monthGrid(date.getFullYear(), date.getMonth());
    first = weeks[0]![0]!;
    dayCount = weeks.length * 7;
  } else {
    first = startOfWeek(date);
    dayCount = view === 'week' ? 7 : TIMELINE_DAYS;
  }
  return { first, dayCount, from: fromZonedDate(first).toISOString(), to: fromZonedDate(addDays(first, dayCount)).toISOString() };
}

/** The date one step back or forward: a month, a week, or the timeline's 14 days. */
export function stepDate(view: ScheduleView, date: Date, delta: number): Date {
  if (view === 'month') return new Date(date.getFullYear(), date.getMonth() + delta, 1);
  return addDays(startOfWeek(date), delta * (view === 'week' ? 7 : TIMELINE_DAYS));
}

type ScheduleChange = Partial<ScheduleState>;

/**
 * The schedule's state in the URL, and a setter that merges a change into it (replacing the history
 * entry). A change may be a function of the latest state, so that quick clicks on › add up.
 */
export function useScheduleParams() {
  const [params, setParams] = useSearchParams();
  const today = toZonedDate(Date.now());
  const state = readScheduleParams(params, today);
  const update = (change: ScheduleChange | ((current: ScheduleState) => ScheduleChange)) =>
    setParams(
      (prev) => {
        const current = readScheduleParams(prev, today);
        return writeScheduleParams({ ...current, ...(typeof change === 'function' ? change(current) : change) }, today);
      },
      { replace: true },
    );
  return { state, update };
}
