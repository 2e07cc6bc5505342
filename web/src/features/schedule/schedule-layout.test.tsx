import { describe, expect, it } from 'vitest';
import type { Ci } from '../../api/types';
import type { CalendarChange, ScheduledWindow } from './schedule-api';
import {
  addDays,
  assignLanes,
  axisPosition,
  blocksOutOfView,
  axisSpan,
  changeLabel,
  daySegments,
  hiddenPerDay,
  layoutColumns,
  monthBars,
  monthLabels,
  openingMinute,
  parseDayKey,
  rangeTitle,
  startOfWeek,
  timelineBars,
} from './schedule-layout';
import { readScheduleParams, stepDate, viewRange, writeScheduleParams } from './schedule-url';
import { dayKey, monthGrid } from './schedule-words';
import { timelineRows, windowAppliesToCi, windowExtentForService } from './timeline-rows';

/** A local wall-clock time as an instant, so the tests hold in any TZ the runner has. */
const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min).toISOString();

const change = (over: Partial<CalendarChange> = {}): CalendarChange => ({
  id: 'chg_1', number: 'CHG0000001', title: 'Upgrade pay-db', type: 'normal', state: 'scheduled', riskLevel: 'high',
  plannedStart: local(2026, 12, 10, 14), plannedEnd: local(2026, 12, 10, 16), assignmentTeamId: null, ciIds: [], openConflicts: 0, ...over,
});
const occurrence = (over: Partial<ScheduledWindow> = {}): ScheduledWindow => ({
  windowId: 'win_1', name: 'Year-end freeze', kind: 'freeze', scope: { global: true }, urgent: false, start: local(2026, 12, 20), end: local(2027, 1, 3), ...over,
});
const ci = (over: Partial<Ci>): Ci => ({
  id: 'ci_1', name: 'pay-db-prod', type: 'database', environment: 'production', serviceId: 'svc_pay', ownerTeamId: null, criticality: 'high', tags: [], attributes: {},
  version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over,
});

const monday = new Date(2026, 11, 7); // Monday 7 December 2026

describe('days', () => {
  it('finds the Monday of a week and reads only real day keys', () => {
    expect(dayKey(startOfWeek(new Date(2026, 11, 13, 23)))).toBe('2026-12-07');
    expect(dayKey(startOfWeek(monday))).toBe('2026-12-07');
    expect(dayKey(parseDayKey('2026-02-28')!)).toBe('2026-02-28');
    expect(parseDayKey('2026-02-30')).toBeNull();
    expect(parseDayKey('tomorrow')).toBeNull();
  });
});

describe('daySegments', () => {
  it.each([
    ['within one day', local(2026, 12, 10, 14), local(2026, 12, 10, 16, 30), [{ day: 3, startMin: 840, endMin: 990, continuesBefore: false, continuesAfter: false }]],
    [
      'across midnight, cut into two days',
      local(2026, 12, 10, 22),
      local(2026, 12, 11, 2),
      [
        { day: 3, startMin: 1320, endMin: 1440, continuesBefore: false, continuesAfter: true },
        { day: 4, startMin: 0, endMin: 120, continuesBefore: true, continuesAfter: false },
      ],
    ],
    ['begun before the week', local(2026, 12, 5, 10), local(2026, 12, 7, 1), [{ day: 0, startMin: 0, endMin: 60, continuesBefore: true, continuesAfter: false }]],
    ['ending exactly at midnight, not on the next day', local(2026, 12, 8, 23), local(2026, 12, 9), [{ day: 1, startMin: 1380, endMin: 1440, continuesBefore: false, continuesAfter: false }]],
    ['of no length, still on its day', local(2026, 12, 9, 9), local(2026, 12, 9, 9), [{ day: 2, startMin: 540, endMin: 540, continuesBefore: false, continuesAfter: false }]],
    ['outside the week', local(2026, 12, 14, 9), local(2026, 12, 14, 10), []],
  ])('places an interval %s', (_name, start, end, expected) => {
    expect(daySegments(start, end, monday, 7)).toEqual(expected);
  });
});

describe('layoutColumns', () => {
  const at = (h1: number, h2: number) => ({ startMin: h1 * 60, endMin: h2 * 60 });
  it.each([
    ['one block fills the day', [at(9, 10)], 0, [{ column: 0, columns: 1 }]],
    ['two overlapping blocks sit side by side', [at(9, 11), at(10, 12)], 0, [{ column: 0, columns: 2 }, { column: 1, columns: 2 }]],
    ['touching blocks share a column', [at(9, 10), at(10, 11)], 0, [{ column: 0, columns: 1 }, { column: 0, columns: 1 }]],
    [
      'a chain of overlaps is one cluster, and a later block reuses a freed column',
      [at(9, 11), at(10, 12), at(11, 13), at(15, 16)],
      0,
      [{ column: 0, columns: 2 }, { column: 1, columns: 2 }, { column: 0, columns: 2 }, { column: 0, columns: 1 }],
    ],
    ['three at once take three columns, earlier and longer ones to the left', [at(10, 11), at(9, 12), at(10, 12)], 0, [{ column: 2, columns: 3 }, { column: 0, columns: 3 }, { column: 1, columns: 3 }]],
    ['short blocks drawn taller than they are do not cover each other', [{ startMin: 540, endMin: 545 }, { startMin: 550, endMin: 555 }], 30, [{ column: 0, columns: 2 }, { column: 1, columns: 2 }]],
    ['without a minimum they follow each other', [{ startMin: 540, endMin: 545 }, { startMin: 550, endMin: 555 }], 0, [{ column: 0, columns: 1 }, { column: 0, columns: 1 }]],
  ])('%s', (_name, items, minSpan, expected) => {
    expect(layoutColumns(items, minSpan)).toEqual(expected);
  });
});

describe('blocksOutOfView', () => {
  it('counts the blocks above and below the hours in view, and finds the nearest of each', () => {
    const blocks = [
      { startMin: 60, endMin: 120 },
      { startMin: 300, endMin: 350 },
      { startMin: 355, endMin: 356 },
      { startMin: 600, endMin: 660 },
      { startMin: 1080, endMin: 1140 },
      { startMin: 1380, endMin: 1440 },
    ];
    // 06:00 to 16:00 in view; the 05:55 block is drawn half an hour tall, so it reaches into view.
    expect(blocksOutOfView(blocks, 360, 960, 30)).toEqual({ earlier: 2, later: 2, nearestEarlier: 300, nearestLater: 1080 });
    expect(blocksOutOfView(blocks, 360, 960)).toEqual({ earlier: 3, later: 2, nearestEarlier: 355, nearestLater: 1080 });
    expect(blocksOutOfView(blocks, 0, 1440)).toEqual({ earlier: 0, later: 0, nearestEarlier: null, nearestLater: null });
  });
});

describe('assignLanes', () => {
  it('stacks overlapping intervals first fit, and lets touching ones share a lane', () => {
    expect(
      assignLanes([
        { start: 0, end: 2 },
        { start: 1, end: 3 },
        { start: 2, end: 4 },
        { start: 3, end: 5 },
      ]),
    ).toEqual({ lanes: [0, 1, 0, 1], laneCount: 2 });
  });
});

describe('monthBars', () => {
  const december = monthGrid(2026, 11); // weeks from Monday 30 November
  it('cuts a change over a weekend at Sunday and continues it on the next row', () => {
    const weekend = change({ id: 'w', number: 'CHG0000009', plannedStart: local(2026, 12, 12, 20), plannedEnd: local(2026, 12, 15, 8) });
    const weeks = monthBars([weekend], december);
    expect(weeks[1]!.bars).toEqual([{ change: weekend, startCol: 5, span: 2, lane: 0, continuesBefore: false, continuesAfter: true }]);
    expect(weeks[2]!.bars).toEqual([{ change: weekend, startCol: 0, span: 2, lane: 0, continuesBefore: true, continuesAfter: false }]);
    expect(weeks[0]!.bars).toEqual([]);
  });
  it('puts longer bars on top and keeps the server order otherwise; bars that only meet at midnight share a lane', () => {
    const a = change({ id: 'a', plannedStart: local(2026, 12, 1, 9), plannedEnd: local(2026, 12, 1, 10) });
    const b = change({ id: 'b', plannedStart: local(2026, 12, 1, 10), plannedEnd: local(2026, 12, 3) });
    const c = change({ id: 'c', plannedStart: local(2026, 12, 1, 12), plannedEnd: local(2026, 12, 1, 13) });
    const d = change({ id: 'd', plannedStart: local(2026, 12, 3, 1), plannedEnd: local(2026, 12, 3, 2) });
    const [first] = monthBars([a, b, c, d], december);
    expect(first!.bars.map((bar) => [bar.change.id, bar.startCol, bar.span, bar.lane])).toEqual([
      ['b', 1, 2, 0],
      ['a', 1, 1, 1],
      ['c', 1, 1, 2],
      ['d', 3, 1, 0],
    ]);
    expect(first!.laneCount).toBe(3);
    expect(hiddenPerDay(first!.bars, 2)).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect(hiddenPerDay(first!.bars, 1)).toEqual([0, 2, 0, 0, 0, 0, 0]);
  });
});

describe('where the week view opens', () => {
  const seg = (startMin: number, endMin: number, continuesBefore = false) => ({ startMin, endMin, continuesBefore });
  it.each([
    ['an hour before the earliest change, when every change is at 22:00', [seg(22 * 60, 24 * 60), seg(22 * 60 + 30, 24 * 60)], 9 * 60, 21 * 60],
    ['an hour before an early change, whatever the time now', [seg(7 * 60 + 45, 9 * 60), seg(22 * 60, 23 * 60)], 15 * 60, 6 * 60],
    ['at midnight for a change just after it', [seg(20, 80)], 12 * 60, 0],
    ['an hour before now when nothing is planned', [], 14 * 60 + 35, 13 * 60],
    ['an hour before now when only whole days are planned (strips)', [seg(0, 1440)], 9 * 60, 8 * 60],
    ['by the start of an overnight change, not its after-midnight part', [seg(0, 120, true), seg(23 * 60, 1440)], 9 * 60, 22 * 60],
  ])('opens %s', (_name, segments, nowMin, expected) => {
    expect(openingMinute(segments, nowMin)).toBe(expected);
  });
});

describe('timeline month labels', () => {
  const run = (first: Date) => Array.from({ length: 14 }, (_, i) => addDays(first, i));
  it.each([
    ['a fortnight inside one month', new Date(2026, 11, 7), [{ start: 0, span: 14, long: 'December 2026', short: 'Dec' }]],
    // The trial's "November 2026December 2026": two labels, each only as wide as its days.
    ['one day of November, then December', new Date(2026, 10, 30), [{ start: 0, span: 1, long: 'November 2026', short: 'Nov' }, { start: 1, span: 13, long: 'December 2026', short: 'Dec' }]],
    ['across the new year', new Date(2026, 11, 28), [{ start: 0, span: 4, long: 'December 2026', short: 'Dec' }, { start: 4, span: 10, long: 'January 2027', short: 'Jan' }]],
  ])('labels %s', (_name, first, expected) => {
    expect(monthLabels(run(first))).toEqual(expected);
  });
});

describe('timeline axis', () => {
  it.each([
    ['the first midnight', new Date(2026, 11, 7).getTime(), 0],
    ['noon of the first day', new Date(2026, 11, 7, 12).getTime(), 0.5 / 14],
    ['06:00 on the fourth day', new Date(2026, 11, 10, 6).getTime(), 3.25 / 14],
    ['before the axis', new Date(2026, 11, 1).getTime(), 0],
    ['after the axis', new Date(2026, 11, 25).getTime(), 1],
  ])('puts %s at its fraction', (_name, t, x) => {
    expect(axisPosition(t, monday, 14)).toBeCloseTo(x, 10);
  });
  it('gives every day the same width, also the days the clocks change (wall-clock time inside a day)', () => {
    // 25 October 2026 (Europe) and 1 November 2026 (North America) have 25 hours in those zones.
    expect(axisPosition(new Date(2026, 9, 25, 12).getTime(), new Date(2026, 9, 19), 14)).toBeCloseTo(6.5 / 14, 10);
    expect(axisPosition(new Date(2026, 10, 1, 18).getTime(), new Date(2026, 9, 26), 14)).toBeCloseTo(6.75 / 14, 10);
    expect(daySegments(new Date(2026, 9, 25, 0).toISOString(), new Date(2026, 9, 26, 0).toISOString(), new Date(2026, 9, 19), 7)).toEqual([
      { day: 6, startMin: 0, endMin: 1440, continuesBefore: false, continuesAfter: false },
    ]);
  });
  it('spans exactly the planned interval, clips at the ends and leaves out what lies outside', () => {
    const twoDays = axisSpan(local(2026, 12, 8, 12), local(2026, 12, 10, 12), monday, 14)!;
    expect(twoDays.left).toBeCloseTo(1.5 / 14, 10);
    expect(twoDays.width).toBeCloseTo(2 / 14, 10);
    expect(axisSpan(local(2026, 12, 5), local(2026, 12, 8), monday, 14)).toMatchObject({ left: 0, clippedStart: true, clippedEnd: false });
    expect(axisSpan(local(2026, 12, 20, 12), local(2026, 12, 23), monday, 14)).toMatchObject({ width: 1 - 13.5 / 14, clippedEnd: true });
    expect(axisSpan(local(2026, 12, 1), local(2026, 12, 7), monday, 14)).toBeNull();
    expect(axisSpan(local(2026, 12, 21), local(2026, 12, 22), monday, 14)).toBeNull();
  });
  it('stacks bars into lanes, making room for the labels of narrow bars beside them', () => {
    const one = change({ id: 'one', plannedStart: local(2026, 12, 8, 9), plannedEnd: local(2026, 12, 8, 10) });
    const two = change({ id: 'two', plannedStart: local(2026, 12, 8, 11), plannedEnd: local(2026, 12, 8, 12) });
    const long = change({ id: 'long', plannedStart: local(2026, 12, 8, 8), plannedEnd: local(2026, 12, 11, 8) });
    const last = change({ id: 'last', plannedStart: local(2026, 12, 20, 20), plannedEnd: local(2026, 12, 20, 21) });
    expect(timelineBars([one, two], monday, 14).bars.map((b) => [b.lane, b.label])).toEqual([
      [0, 'inside'],
      [0, 'inside'],
    ]);
    const room = { inside: 0.5 / 14, label: 1 / 14 };
    expect(timelineBars([one, two, last], monday, 14, room).bars.map((b) => [b.change.id, b.lane, b.label])).toEqual([
      ['one', 0, 'after'],
      ['two', 1, 'after'],
      ['last', 0, 'before'],
    ]);
    const { bars, laneCount } = timelineBars([one, long, two], monday, 14, room);
    expect(bars.map((b) => [b.change.id, b.lane, b.label])).toEqual([
      ['long', 0, 'inside'],
      ['one', 1, 'after'],
      ['two', 2, 'after'],
    ]);
    expect(laneCount).toBe(3);
  });
});

describe('words', () => {
  it('names a change with its risk and times', () => {
    expect(changeLabel(change({ number: 'CHG0000012', title: 'Patch pay-db' }))).toBe('CHG0000012 Patch pay-db, high risk, Thu 10 Dec 14:00–16:00');
    expect(changeLabel(change({ riskLevel: null, plannedStart: local(2026, 12, 10, 22), plannedEnd: local(2026, 12, 11, 2, 30) }))).toBe(
      'CHG0000001 Upgrade pay-db, risk not assessed, Thu 10 Dec 22:00 – Fri 11 Dec 02:30',
    );
    expect(changeLabel(change({ riskLevel: 'very_high' }))).toContain('very high risk');
    expect(changeLabel(change({ state: 'cancelled' }))).toBe('CHG0000001 Upgrade pay-db, high risk, Thu 10 Dec 14:00–16:00, cancelled');
    expect(changeLabel(change({ openConflicts: 2 }))).toBe('CHG0000001 Upgrade pay-db, high risk, Thu 10 Dec 14:00–16:00, 2 conflicts not acknowledged');
    expect(changeLabel(change({ openConflicts: 1, state: 'rejected' }))).toMatch(/, rejected, 1 conflict not acknowledged$/);
    expect(changeLabel(change({ plannedStart: local(2026, 12, 10, 23), plannedEnd: local(2026, 12, 11) }))).toBe('CHG0000001 Upgrade pay-db, high risk, Thu 10 Dec 23:00–24:00');
    expect(changeLabel(change({ plannedStart: local(2026, 12, 10, 23), plannedEnd: local(2026, 12, 12) }))).toBe('CHG0000001 Upgrade pay-db, high risk, Thu 10 Dec 23:00 – Sat 12 Dec 00:00');
  });
  it('titles a range by its first and last day, naming months and years only as needed', () => {
    expect(rangeTitle(new Date(2026, 11, 7), new Date(2026, 11, 13))).toBe('7 – 13 December 2026');
    expect(rangeTitle(new Date(2026, 10, 30), new Date(2026, 11, 6))).toBe('30 Nov – 6 Dec 2026');
    expect(rangeTitle(new Date(2026, 11, 28), new Date(2027, 0, 10))).toBe('28 Dec 2026 – 10 Jan 2027');
  });
});

describe('schedule URL', () => {
  const today = new Date(2026, 10, 23, 15);
  it('reads the view, date, rows and filters, falling back to the defaults', () => {
    const state = readScheduleParams(new URLSearchParams('view=timeline&date=2026-12-10&by=ci&serviceId=svc_pay&state=scheduled,implement&teamId='), today);
    expect({ ...state, date: dayKey(state.date) }).toEqual({ view: 'timeline', date: '2026-12-10', groupBy: 'ci', filters: { serviceId: 'svc_pay', state: 'scheduled,implement' } });
    const fallback = readScheduleParams(new URLSearchParams('view=year&date=2026-13-01&by=team'), today);
    expect({ ...fallback, date: dayKey(fallback.date) }).toEqual({ view: 'month', date: '2026-11-23', groupBy: 'service', filters: {} });
  });
  it('writes only what differs from the defaults, so links stay short', () => {
    expect(writeScheduleParams({ view: 'month', date: today, groupBy: 'service', filters: {} }, today).toString()).toBe('');
    expect(writeScheduleParams({ view: 'week', date: new Date(2026, 11, 10), groupBy: 'ci', filters: { ciId: 'ci_1', type: 'normal' } }, today).toString()).toBe('view=week&date=2026-12-10&ciId=ci_1&type=normal');
    expect(writeScheduleParams({ view: 'timeline', date: today, groupBy: 'ci', filters: {} }, today).toString()).toBe('view=timeline&by=ci');
  });
  it('asks for the days each view shows and steps by its length', () => {
    const thursday = new Date(2026, 11, 10);
    const week = viewRange('week', thursday);
    expect([dayKey(week.first), week.dayCount, week.to]).toEqual(['2026-12-07', 7, new Date(2026, 11, 14).toISOString()]);
    expect(viewRange('timeline', thursday)).toMatchObject({ dayCount: 14, from: monday.toISOString(), to: addDays(monday, 14).toISOString() });
    expect(viewRange('month', thursday)).toMatchObject({ dayCount: 35, from: new Date(2026, 10, 30).toISOString() });
    expect(dayKey(stepDate('week', thursday, 1))).toBe('2026-12-14');
    expect(dayKey(stepDate('timeline', thursday, -1))).toBe('2026-11-23');
    expect(dayKey(stepDate('month', new Date(2026, 0, 31), 1))).toBe('2026-02-01');
  });
});

describe('timeline rows', () => {
  const payDb = ci({ id: 'ci_db', name: 'pay-db-prod', serviceId: 'svc_pay', tags: ['pci'] });
  const payApi = ci({ id: 'ci_api', name: 'pay-api-prod', serviceId: 'svc_pay', environment: 'staging' });
  const portal = ci({ id: 'ci_portal', name: 'portal-web', serviceId: 'svc_portal' });
  const services = new Map([
    ['svc_pay', { id: 'svc_pay', name: 'Payments', tags: [] }],
    ['svc_portal', { id: 'svc_portal', name: 'Customer Portal', tags: ['web'] }],
  ]);
  const cis = new Map([payDb, payApi, portal].map((c) => [c.id, c]));

  it.each([
    [{ global: true as const }, 'all'],
    [{ serviceIds: ['svc_pay'] }, 'all'],
    [{ tags: ['web'] }, null],
    [{ tags: ['pci'] }, 'some'],
    [{ ciIds: ['ci_api'] }, 'some'],
    [{ environments: ['staging' as const] }, 'some'],
    [{ serviceIds: ['svc_portal'] }, null],
  ])('a window scoped %j reaches %s of the Payments row', (scope, extent) => {
    expect(windowExtentForService(scope, services.get('svc_pay')!, [payDb, payApi])).toBe(extent);
  });

  it('matches a CI by itself, its service, environment or tags', () => {
    expect(windowAppliesToCi({ serviceIds: ['svc_pay'] }, payDb)).toBe(true);
    expect(windowAppliesToCi({ environments: ['staging'] }, payDb)).toBe(false);
    expect(windowAppliesToCi({ tags: ['pci'] }, payDb)).toBe(true);
  });

  it('groups changes by the services of their CIs, by name, with changes on no service last', () => {
    const both = change({ id: 'both', ciIds: ['ci_db', 'ci_portal'] });
    const pay = change({ id: 'pay', ciIds: ['ci_db', 'ci_api'] });
    const loose = change({ id: 'loose', ciIds: [] });
    const saturday = occurrence({ windowId: 'win_sat', name: 'Payments Saturday night', kind: 'maintenance', scope: { serviceIds: ['svc_pay'] } });
    const rows = timelineRows({ changes: [both, pay, loose], windows: [occurrence(), saturday], groupBy: 'service', services, cis });
    expect(rows.map((r) => [r.label, r.changes.map((c) => c.id), r.windows.map((w) => w.window.windowId)])).toEqual([
      ['Customer Portal', ['both'], ['win_1']],
      ['Payments', ['both', 'pay'], ['win_1', 'win_sat']],
      ['No service', ['loose'], ['win_1']],
    ]);
    expect(rows[1]!.href).toBe('/cmdb/services/svc_pay');
  });

  it('groups by CI under their services, and keeps the filtered row even when nothing is planned on it', () => {
    const rows = timelineRows({ changes: [change({ ciIds: ['ci_db'] })], windows: [], groupBy: 'ci', services, cis, pinned: 'ci_portal' });
    expect(rows.map((r) => [r.label, r.detail, r.changes.length])).toEqual([
      ['portal-web', 'Customer Portal', 0],
      ['pay-db-prod', 'Payments', 1],
    ]);
  });
});
