import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ci, Service } from '../../api/types';
import { setDisplayTimeZone } from '../../shared/format';
import { fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { MonthCalendar } from './month-calendar';
import type { CalendarChange, ScheduledWindow } from './schedule-api';
import { SchedulePage } from './schedule-page';
import { TimelineCalendar } from './timeline-calendar';
import { HOUR_PX, WeekCalendar } from './week-calendar';

afterEach(() => {
  vi.unstubAllGlobals();
  setDisplayTimeZone(null);
});

/** A local wall-clock time as an instant, so the tests hold in any TZ the runner has. */
const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min).toISOString();

const change = (over: Partial<CalendarChange> = {}): CalendarChange => ({
  id: 'chg_1', number: 'CHG0000001', title: 'Upgrade pay-db', type: 'normal', state: 'scheduled', riskLevel: 'high',
  plannedStart: local(2026, 12, 10, 14), plannedEnd: local(2026, 12, 10, 16), assignmentTeamId: null, ciIds: ['ci_db'], openConflicts: 0, ...over,
});
const occurrence = (over: Partial<ScheduledWindow> = {}): ScheduledWindow => ({
  windowId: 'win_freeze', name: 'Year-end freeze', kind: 'freeze', scope: { global: true }, urgent: false, start: local(2026, 12, 12), end: local(2026, 12, 27), ...over,
});
const saturdayNight = occurrence({ windowId: 'win_sat', name: 'Payments Saturday night', kind: 'maintenance', scope: { serviceIds: ['svc_pay'] }, start: local(2026, 12, 12, 22), end: local(2026, 12, 13, 2) });
const ci = (over: Partial<Ci>): Ci => ({
  id: 'ci_db', name: 'pay-db-prod', type: 'database', environment: 'production', serviceId: 'svc_pay', ownerTeamId: null, criticality: 'high', tags: [], attributes: {},
  version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over,
});
const service = (over: Partial<Service>): Service =>
  ({
    id: 'svc_pay', name: 'Payments', description: '', tier: 1, ownerTeamId: null, tags: [], provider: 'on_premises', requiresMaintenanceWindow: false,
    version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over,
  }) as Service;

const upgrade = change();
const overlapping = change({ id: 'chg_2', number: 'CHG0000002', title: 'Rotate certificates', riskLevel: 'low', plannedStart: local(2026, 12, 10, 15), plannedEnd: local(2026, 12, 10, 17), ciIds: ['ci_portal'] });
const overnight = change({ id: 'chg_3', number: 'CHG0000003', title: 'Move the ETL', riskLevel: null, plannedStart: local(2026, 12, 11, 22), plannedEnd: local(2026, 12, 12, 2), ciIds: [] });

describe('WeekCalendar', () => {
  const renderWeek = () =>
    renderWithProviders(<WeekCalendar weekStart={new Date(2026, 11, 7)} now={new Date(2026, 11, 10, 9, 30)} changes={[upgrade, overlapping, overnight]} windows={[occurrence(), saturdayNight]} />);
  const day = (key: string) => document.querySelector<HTMLElement>(`[data-day="${key}"]`)!;

  it('opens scrolled to the week’s earliest change (every change at 22:00: not the morning)', () => {
    const late = [overnight, change({ id: 'chg_9', number: 'CHG0000009', plannedStart: local(2026, 12, 8, 22), plannedEnd: local(2026, 12, 8, 23) })];
    renderWithProviders(<WeekCalendar weekStart={new Date(2026, 11, 7)} now={new Date(2026, 11, 10, 9, 30)} changes={late} windows={[]} />);
    // An hour before the first one, a little above it so that the hour's label shows under the day headers.
    expect(screen.getByRole('region', { name: 'Week, hour by hour' }).scrollTop).toBe(21 * HOUR_PX - 8);
  });

  it('opens at the current hour when the week has nothing planned', () => {
    renderWithProviders(<WeekCalendar weekStart={new Date(2026, 11, 7)} now={new Date(2026, 11, 10, 15, 30)} changes={[]} windows={[]} />);
    expect(screen.getByRole('region', { name: 'Week, hour by hour' }).scrollTop).toBe(14 * HOUR_PX - 8);
  });

  it('has a heading per day and places changes at their times, overlapping ones side by side', () => {
    renderWeek();
    expect(screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toHaveLength(7);
    const thursday = within(day('2026-12-10'));
    expect(thursday.getByRole('heading', { level: 3 }).textContent).toContain('Thursday');
    const first = thursday.getByRole('link', { name: 'CHG0000001 Upgrade pay-db, high risk, Thu 10 Dec 14:00–16:00' });
    const second = thursday.getByRole('link', { name: 'CHG0000002 Rotate certificates, low risk, Thu 10 Dec 15:00–17:00' });
    expect(first.getAttribute('href')).toBe('/changes/CHG0000001');
    expect([first.style.top, first.style.height]).toEqual([`${14 * HOUR_PX}px`, `${2 * HOUR_PX - 1}px`]);
    expect(second.style.top).toBe(`${15 * HOUR_PX}px`);
    expect([first.style.left, first.style.width]).toEqual(['calc(0% + 1px)', 'calc(50% - 3px)']);
    expect([second.style.left, second.style.width]).toEqual(['calc(50% + 1px)', 'calc(50% - 3px)']);
    expect(first.style.background).toContain('orange');
    expect(second.style.background).toContain('green');
  });

  it('cuts a change over midnight into the two days, shades freezes and bands maintenance over their hours, and draws now', () => {
    renderWeek();
    const name = /^CHG0000003 Move the ETL, risk not assessed, Fri 11 Dec 22:00 – Sat 12 Dec 02:00$/;
    const friday = within(day('2026-12-11')).getByRole('link', { name });
    const saturday = within(day('2026-12-12')).getByRole('link', { name });
    expect([friday.style.top, friday.getAttribute('data-continues-after')]).toEqual([`${22 * HOUR_PX}px`, 'true']);
    expect([saturday.style.top, saturday.style.height, saturday.getAttribute('data-continues-before')]).toEqual(['0px', `${2 * HOUR_PX - 1}px`, 'true']);

    expect(within(day('2026-12-11')).queryByTestId('freeze-shade')).toBeNull();
    const shade = within(day('2026-12-12')).getByTestId('freeze-shade');
    expect([shade.style.top, shade.style.height]).toEqual(['0px', `${24 * HOUR_PX}px`]);
    const bands = [day('2026-12-12'), day('2026-12-13')].map((d) => within(d).getByTestId('maintenance-band'));
    expect(bands.map((b) => [b.style.top, b.style.height])).toEqual([
      [`${22 * HOUR_PX}px`, `${2 * HOUR_PX}px`],
      ['0px', `${2 * HOUR_PX}px`],
    ]);
    expect(within(day('2026-12-12')).getByRole('banner').textContent).toContain('Year-end freeze');

    expect(within(day('2026-12-10')).getByTestId('now-line').style.top).toBe(`${9.5 * HOUR_PX}px`);
    expect(screen.getAllByTestId('now-line')).toHaveLength(1);
  });

  it('draws a change that fills whole days as a strip at the left of each, leaving the rest to the other changes', () => {
    const move = change({ id: 'chg_5', number: 'CHG0000005', title: 'Data centre move', plannedStart: local(2026, 12, 11, 20), plannedEnd: local(2026, 12, 14, 6) });
    renderWithProviders(<WeekCalendar weekStart={new Date(2026, 11, 7)} changes={[move, overnight]} windows={[]} />);
    const name = /^CHG0000005 Data centre move, high risk, Fri 11 Dec 20:00 – Mon 14 Dec 06:00$/;
    expect(within(day('2026-12-11')).getByRole('link', { name }).className).toBe('cabinet-week-block');
    for (const key of ['2026-12-12', '2026-12-13']) expect(within(day(key)).getByRole('link', { name }).className).toBe('cabinet-week-strip');
    const early = within(day('2026-12-12')).getByRole('link', { name: /^CHG0000003 / });
    // Its left edge moves past the strip (18px, plus the 1px gap), and its width is what is left.
    expect(early.style.left).toMatch(/^calc\(18px \+ .*\+ 1px\)$/);
    expect(early.style.width).toContain('(100% - 18px)');
  });
});

describe('MonthCalendar bars', () => {
  it('draws a change over several days as a bar over them, continued on the next week row', () => {
    const weekend = change({ id: 'chg_w', number: 'CHG0000009', title: 'Data centre move', plannedStart: local(2026, 12, 12, 20), plannedEnd: local(2026, 12, 15, 8) });
    renderWithProviders(<MonthCalendar year={2026} month={11} today={new Date(2026, 11, 1)} changes={[weekend]} windows={[]} />);
    const cell = (key: string) => screen.getAllByRole('gridcell').find((c) => c.getAttribute('data-day') === key)!;
    const saturday = within(cell('2026-12-12')).getByRole('link');
    expect(saturday.getAttribute('aria-label')).toBe('CHG0000009 Data centre move, high risk, Sat 12 Dec 20:00 – Tue 15 Dec 08:00');
    expect([saturday.getAttribute('data-span'), saturday.getAttribute('data-continues-after')]).toEqual(['2', 'true']);
    expect(saturday.style.width).toBe('calc(2 * 100% + 9px)');
    const monday = within(cell('2026-12-14')).getByRole('link');
    expect([monday.getAttribute('data-span'), monday.getAttribute('data-continues-before')]).toEqual(['2', 'true']);
    expect(within(cell('2026-12-13')).queryByRole('link')).toBeNull();
  });

  it('says how many more changes a crowded day has, and opens that day', () => {
    const busy = Array.from({ length: 5 }, (_, i) => change({ id: `c${i}`, number: `CHG000010${i}`, plannedStart: local(2026, 12, 10, 8 + i), plannedEnd: local(2026, 12, 10, 9 + i) }));
    const onShowDay = vi.fn();
    renderWithProviders(<MonthCalendar year={2026} month={11} changes={busy} windows={[]} onShowDay={onShowDay} />);
    const tenth = screen.getAllByRole('gridcell').find((c) => c.getAttribute('data-day') === '2026-12-10')!;
    expect(within(tenth).getAllByRole('link')).toHaveLength(3);
    fireEvent.click(within(tenth).getByRole('button', { name: /^2 more on .*: show the week$/ }));
    expect((onShowDay.mock.calls[0]![0] as Date).getDate()).toBe(10);
  });
});

const services = new Map([
  ['svc_pay', service({})],
  ['svc_portal', service({ id: 'svc_portal', name: 'Customer Portal' })],
]);
const cis = new Map([
  ['ci_db', ci({})],
  ['ci_portal', ci({ id: 'ci_portal', name: 'portal-web', serviceId: 'svc_portal' })],
]);

describe('TimelineCalendar', () => {
  const long = change({ id: 'chg_4', number: 'CHG0000004', title: 'Re-rack the database', plannedStart: local(2026, 12, 8, 12), plannedEnd: local(2026, 12, 10, 15) });

  it('puts a row per service with bars over exactly the planned interval, and windows on the rows they apply to', () => {
    renderWithProviders(
      <TimelineCalendar firstDay={new Date(2026, 11, 7)} dayCount={14} changes={[long, upgrade, overlapping, overnight]} windows={[occurrence(), saturdayNight]} groupBy="service" services={services} cis={cis} now={new Date(2026, 11, 10, 12)} />,
    );
    const region = screen.getByRole('region', { name: 'Timeline by service' });
    expect(within(region).getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['Customer Portal', 'Payments', 'No service']);
    const row = (key: string) => region.querySelector<HTMLElement>(`[data-row="${key}"]`)!;
    const bar = within(row('svc_pay')).getByRole('link', { name: /^CHG0000004 Re-rack the database, high risk, Tue 8 Dec 12:00 – Thu 10 Dec 15:00$/ });
    expect(parseFloat(bar.style.left)).toBeCloseTo((1.5 / 14) * 100, 6);
    expect(parseFloat(bar.style.width)).toBeCloseTo((2.125 / 14) * 100, 6);
    expect(bar.getAttribute('href')).toBe('/changes/CHG0000004');
    // The 14:00 change overlaps the long one, so it goes on a second lane.
    expect(within(row('svc_pay')).getByRole('link', { name: /^CHG0000001 / }).style.top).toBe('25px');
    expect(within(row('svc_portal')).getAllByRole('link', { name: /^CHG/ }).map((l) => l.getAttribute('data-change'))).toEqual(['CHG0000002']);
    expect(within(row('none')).getByRole('link', { name: /^CHG0000003 / }).hasAttribute('data-withdrawn')).toBe(false);
    // The global freeze shades every row; Payments' window only its own.
    for (const key of ['svc_pay', 'svc_portal', 'none']) expect(within(row(key)).getAllByTestId('freeze-shade')).toHaveLength(1);
    expect(within(row('svc_pay')).getAllByTestId('maintenance-band')).toHaveLength(1);
    expect(within(row('svc_portal')).queryByTestId('maintenance-band')).toBeNull();
    expect(parseFloat(within(row('svc_pay')).getByTestId('freeze-shade').style.left)).toBeCloseTo((5 / 14) * 100, 6);
    expect(row('svc_pay').textContent).toContain('Windows: Year-end freeze (freeze); Payments Saturday night (maintenance window)');
    expect(parseFloat(screen.getByTestId('now-line').style.left)).toBeCloseTo((3.5 / 14) * 100, 6);
  });

  it('puts a row per CI, named with its service, when grouped by CI, and fades a cancelled change', () => {
    const cancelled = { ...overlapping, state: 'cancelled' };
    renderWithProviders(<TimelineCalendar firstDay={new Date(2026, 11, 7)} dayCount={14} changes={[upgrade, cancelled]} windows={[]} groupBy="ci" services={services} cis={cis} />);
    expect(screen.getByRole('link', { name: /^CHG0000002 Rotate certificates, low risk, .*, cancelled$/ }).getAttribute('data-withdrawn')).toBe('true');
    const region = screen.getByRole('region', { name: 'Timeline by CI' });
    expect(within(region).getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['portal-web', 'pay-db-prod']);
    expect(within(region).getByRole('link', { name: 'pay-db-prod' }).getAttribute('href')).toBe('/cmdb/cis/ci_db');
  });
});

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.search}</output>;
}

describe('conflict markers', () => {
  it('marks a change with conflicts nobody acknowledged on every view, and says so in its name', () => {
    const clashing = { ...upgrade, openConflicts: 2 };
    const name = /^CHG0000001 Upgrade pay-db, high risk, Thu 10 Dec 14:00–16:00, 2 conflicts not acknowledged$/;
    const views = [
      <WeekCalendar key="w" weekStart={new Date(2026, 11, 7)} now={new Date(2026, 11, 10, 9, 30)} changes={[clashing, overlapping]} windows={[]} />,
      <MonthCalendar key="m" year={2026} month={11} today={new Date(2026, 11, 1)} changes={[clashing, overlapping]} windows={[]} />,
      <TimelineCalendar key="t" firstDay={new Date(2026, 11, 7)} dayCount={14} changes={[clashing, overlapping]} windows={[]} groupBy="service" services={services} cis={cis} />,
    ];
    for (const view of views) {
      const { unmount } = renderWithProviders(view);
      expect(screen.getByRole('link', { name }).getAttribute('data-conflicts')).toBe('2');
      expect(screen.getByRole('link', { name: /^CHG0000002 / }).hasAttribute('data-conflicts')).toBe(false);
      unmount();
    }
  });
});

describe('SchedulePage', () => {
  const routes = [
    { path: '/api/v1/calendar', body: { changes: [upgrade, overlapping], windows: [saturdayNight], truncated: false } },
    { path: '/api/v1/services', body: { items: [service({}), service({ id: 'svc_portal', name: 'Customer Portal' })], nextCursor: null } },
    { path: '/api/v1/teams', body: { items: [{ id: 'team_dba', name: 'Database Administrators', handle: 'dba' }], nextCursor: null } },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/cis', body: { items: [], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: ci({}) },
    { path: '/api/v1/cis/ci_portal', body: ci({ id: 'ci_portal', name: 'portal-web', serviceId: 'svc_portal' }) },
  ];
  const renderPage = (search: string) =>
    renderWithProviders(
      <>
        <SchedulePage />
        <LocationProbe />
      </>,
      { path: `/schedule${search}`, route: '/schedule' },
    );

  it('opens the view, date and filters the URL names, and asks the calendar for exactly them', async () => {
    const server = fakeServer(routes);
    vi.stubGlobal('fetch', server.fetch);
    renderPage('?view=week&date=2026-12-10&serviceId=svc_pay&state=scheduled,authorize');
    expect(await screen.findByRole('link', { name: /^CHG0000001 Upgrade pay-db, high risk/ })).toBeTruthy();
    expect(screen.getByTestId('schedule-title').textContent).toBe('7 – 13 December 2026');
    expect((screen.getByRole('radio', { name: 'Week' }) as HTMLInputElement).checked).toBe(true);
    const asked = new URL(server.calls.find((c) => c.url.startsWith('/api/v1/calendar'))!.url, 'http://x');
    expect(Object.fromEntries(asked.searchParams)).toEqual({
      from: new Date(2026, 11, 7).toISOString(),
      to: new Date(2026, 11, 14).toISOString(),
      serviceId: 'svc_pay',
      state: 'scheduled,authorize',
    });
  });

  it('lays out and names times in the person’s zone, and asks for that zone’s days', async () => {
    // The runner's zone is not Tokyo's; a change at 13:00 UTC is 22:00 in Tokyo.
    setDisplayTimeZone('Asia/Tokyo');
    const tokyoNight = change({ plannedStart: '2026-12-10T13:00:00.000Z', plannedEnd: '2026-12-10T14:00:00.000Z' });
    const server = fakeServer([{ path: '/api/v1/calendar', body: { changes: [tokyoNight], windows: [], truncated: false } }, ...routes.slice(1)]);
    vi.stubGlobal('fetch', server.fetch);
    renderPage('?view=week&date=2026-12-10');
    const block = await screen.findByRole('link', { name: 'CHG0000001 Upgrade pay-db, high risk, Thu 10 Dec 22:00–23:00' });
    expect(block.style.top).toBe(`${22 * HOUR_PX}px`);
    expect(screen.getByTestId('schedule-zone').textContent).toMatch(/^Times in Asia\/Tokyo/);
    const asked = new URL(server.calls.find((c) => c.url.startsWith('/api/v1/calendar'))!.url, 'http://x');
    // Monday 7 December 00:00 in Tokyo is Sunday 6 December 15:00 UTC.
    expect([asked.searchParams.get('from'), asked.searchParams.get('to')]).toEqual(['2026-12-06T15:00:00.000Z', '2026-12-13T15:00:00.000Z']);
  });

  it('switches to the timeline by service and by CI, steps two weeks, and keeps it all in the URL', async () => {
    vi.stubGlobal('fetch', fakeServer(routes).fetch);
    renderPage('?date=2026-12-10&teamId=team_dba');
    expect(await screen.findByRole('grid', { name: 'Month' })).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: 'Timeline' }));
    const region = await screen.findByRole('region', { name: 'Timeline by service' });
    await waitFor(() => expect(within(region).getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['Customer Portal', 'Payments']));
    expect(screen.getByTestId('location').textContent).toBe('?view=timeline&date=2026-12-10&teamId=team_dba');
    fireEvent.click(screen.getByRole('radio', { name: 'By CI' }));
    expect(await screen.findByRole('region', { name: 'Timeline by CI' })).toBeTruthy();
    expect(screen.getByTestId('location').textContent).toBe('?view=timeline&date=2026-12-10&by=ci&teamId=team_dba');
    fireEvent.click(screen.getByRole('button', { name: 'Next two weeks' }));
    expect(screen.getByTestId('schedule-title').textContent).toBe('21 Dec 2026 – 3 Jan 2027');
    expect(screen.getByTestId('location').textContent).toBe('?view=timeline&date=2026-12-21&by=ci&teamId=team_dba');
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(screen.getByTestId('location').textContent).toBe('?view=timeline&date=2026-12-21&by=ci');
  });
});
