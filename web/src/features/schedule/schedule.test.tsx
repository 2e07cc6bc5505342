import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { MonthCalendar } from './month-calendar';
import type { CalendarChange, MaintenanceWindow, ScheduledWindow } from './schedule-api';
import { dayKey, durationWords, monthGrid, ruleWords } from './schedule-words';
import { formToInput, emptyWindowForm, windowToForm } from './window-form';
import { WindowsPage } from './windows-page';

afterEach(() => vi.unstubAllGlobals());

/** A local wall-clock time as an instant, so the tests hold in any TZ the runner has. */
const local = (y: number, m: number, d: number, h = 0) => new Date(y, m - 1, d, h).toISOString();

const change = (over: Partial<CalendarChange> = {}): CalendarChange => ({
  id: 'chg_1', number: 'CHG0000001', title: 'Upgrade pay-db', type: 'normal', state: 'scheduled', riskLevel: 'high',
  plannedStart: local(2026, 12, 10, 22), plannedEnd: local(2026, 12, 10, 23), assignmentTeamId: null, ciIds: [], openConflicts: 0, ...over,
});
const occurrence = (over: Partial<ScheduledWindow>): ScheduledWindow => ({
  windowId: 'win_1', name: 'Year-end freeze', kind: 'freeze', scope: { global: true }, urgent: false, start: local(2026, 12, 20), end: local(2027, 1, 3), ...over,
});

const win = (over: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
  id: 'win_1', name: 'Payments Saturday night', kind: 'maintenance', description: '', start: '2026-01-03T22:00', timeZone: 'Europe/London', durationMinutes: 240,
  rrule: 'FREQ=WEEKLY;BYDAY=SA', scope: { serviceIds: ['svc_pay'] }, urgent: false, version: 1, createdBy: 'u', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over,
});

describe('monthGrid', () => {
  it('lays a month out as whole Monday-to-Sunday weeks', () => {
    const dec = monthGrid(2026, 11);
    expect(dec).toHaveLength(5);
    expect(dayKey(dec[0]![0]!)).toBe('2026-11-30');
    expect(dayKey(dec[4]![6]!)).toBe('2027-01-03');
    // February 2027 starts on a Monday and has exactly four weeks.
    const feb = monthGrid(2027, 1);
    expect(feb.map((w) => dayKey(w[0]!))).toEqual(['2027-02-01', '2027-02-08', '2027-02-15', '2027-02-22']);
    // March 2026 starts on a Sunday: six rows.
    expect(monthGrid(2026, 2)).toHaveLength(6);
  });
});

describe('rule in words', () => {
  it.each([
    [{ rrule: 'FREQ=WEEKLY;BYDAY=SA' }, 'Every Saturday 22:00 Europe/London, 4 h'],
    [{ rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', durationMinutes: 120 }, 'Every weekday 22:00 Europe/London, 2 h'],
    [{ rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=WE', durationMinutes: 60 }, 'Every 2 weeks on Wednesday 22:00 Europe/London, 1 h'],
    [{ rrule: 'FREQ=MONTHLY;BYDAY=1SU;COUNT=12', durationMinutes: 90 }, 'Monthly on the first Sunday 22:00 Europe/London, 1 h 30 min (12 times)'],
    [{ rrule: 'FREQ=DAILY' }, 'Every day 22:00 Europe/London, 4 h'],
    [{ rrule: 'FREQ=YEARLY', start: '2026-12-20T00:00', durationMinutes: 20160 }, 'Every year on 20 December 00:00 Europe/London, 14 d'],
    [{ rrule: null, start: '2026-11-03T01:00', timeZone: 'America/New_York', durationMinutes: 120 }, 'Once, 3 Nov 2026 01:00 America/New_York, 2 h'],
    [{ rrule: 'FREQ=MONTHLY;BYMONTH=3,6;BYDAY=-1FR' }, 'FREQ=MONTHLY;BYMONTH=3,6;BYDAY=-1FR from 3 Jan 2026 22:00 Europe/London, 4 h'],
  ])('%j reads "%s"', (over, words) => {
    expect(ruleWords(win(over as Partial<MaintenanceWindow>))).toBe(words);
  });
  it('says durations in days, hours and minutes', () => {
    expect(durationWords(45)).toBe('45 min');
    expect(durationWords(1500)).toBe('1 d 1 h');
  });
});

describe('MonthCalendar', () => {
  it('shades the days a freeze covers, bands maintenance days, marks today and shows changes as risk chips', () => {
    renderWithProviders(
      <MonthCalendar
        year={2026}
        month={11}
        today={new Date(2026, 11, 4)}
        changes={[change(), change({ id: 'chg_2', number: 'CHG0000002', title: 'Low one', riskLevel: 'low', plannedStart: local(2026, 12, 10, 9), plannedEnd: local(2026, 12, 10, 10) }), change({ id: 'chg_3', number: 'CHG0000003', riskLevel: null, plannedStart: local(2026, 11, 28), plannedEnd: local(2026, 12, 2) })]}
        windows={[occurrence({}), occurrence({ windowId: 'win_2', name: 'Payments Saturday night', kind: 'maintenance', start: local(2026, 12, 5, 22), end: local(2026, 12, 6, 2) })]}
      />,
    );
    const grid = screen.getByRole('grid', { name: 'Month' });
    const cells = within(grid).getAllByRole('gridcell');
    expect(cells).toHaveLength(35);
    const frozen = cells.filter((c) => c.hasAttribute('data-freeze')).map((c) => c.getAttribute('data-day'));
    // 20 December 00:00 to 3 January 00:00: the 3rd itself is free.
    expect(frozen).toEqual(['2026-12-20', '2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(cells.filter((c) => c.hasAttribute('data-maintenance')).map((c) => c.getAttribute('data-day'))).toEqual(['2026-12-05', '2026-12-06']);
    expect(cells.filter((c) => c.hasAttribute('data-today')).map((c) => c.getAttribute('data-day'))).toEqual(['2026-12-04']);
    expect(cells.filter((c) => c.hasAttribute('data-outside')).map((c) => c.getAttribute('data-day'))).toEqual(['2026-11-30', '2027-01-01', '2027-01-02', '2027-01-03']);
    // The day is named by words inside the cell (its visible number and freeze name are for the eye).
    expect(cells.find((c) => c.getAttribute('data-day') === '2026-12-24')!.querySelector('.mantine-VisuallyHidden-root, [class*="VisuallyHidden"]')?.textContent).toMatch(/^Thursday.*24.*: Year-end freeze$/);

    const tenth = cells.find((c) => c.getAttribute('data-day') === '2026-12-10')!;
    const chips = within(tenth).getAllByRole('link');
    expect(chips.map((c) => [c.getAttribute('data-change'), c.getAttribute('data-risk'), c.getAttribute('href')])).toEqual([
      ['CHG0000001', 'high', '/changes/CHG0000001'],
      ['CHG0000002', 'low', '/changes/CHG0000002'],
    ]);
    expect((chips[0] as HTMLElement).style.background).toContain('orange');
    expect((chips[1] as HTMLElement).style.background).toContain('green');
    // A change that began before the grid is drawn on the grid's first day.
    const first = cells[0]!;
    expect(within(first).getByRole('link').getAttribute('data-change')).toBe('CHG0000003');
  });
});

const managerMe: Me = { ...adminMe, id: 'u_alice', name: 'Alice', roles: [{ role: 'change_manager', scopeType: null, scopeId: null }], permissions: [...adminMe.permissions, 'window.write'] };
const requesterMe: Me = { ...adminMe, id: 'u_bob', name: 'Bob', roles: [{ role: 'requester', scopeType: null, scopeId: null }] };

describe('WindowsPage', () => {
  const routes = [
    { path: '/api/v1/windows', body: { items: [win()], nextCursor: null } },
    { path: '/api/v1/services', body: { items: [{ id: 'svc_pay', name: 'Payments' }], nextCursor: null } },
  ];

  it('lists windows with their rule in words and scope, without write controls for a requester', async () => {
    vi.stubGlobal('fetch', fakeServer(routes).fetch);
    renderWithProviders(<WindowsPage />, { me: requesterMe });
    const table = await screen.findByRole('table', { name: 'Windows' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('Every Saturday 22:00 Europe/London, 4 h');
    await waitFor(() => expect(row.textContent).toContain('Payments'));
    expect(screen.queryByRole('button', { name: 'New window' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();
  });

  it('shows the server’s 400 issues beside the fields they concern', async () => {
    const issues = [
      { path: 'timeZone', message: 'unknown time zone Mars/Olympus' },
      { path: 'rrule', message: 'FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY' },
      { path: 'scope', message: 'give global: true, or at least one service, CI, environment or tag' },
      { path: 'durationMinutes', message: 'at least 1 minute' },
    ];
    const server = fakeServer([...routes, { method: 'POST', path: '/api/v1/windows', status: 400, body: { error: { code: 'invalid_input', message: 'The window has invalid values.', details: { issues } } } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<WindowsPage />, { me: managerMe });
    fireEvent.click(await screen.findByRole('button', { name: 'New window' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/^Name/), { target: { value: 'Bad window' } });
    fireEvent.change(within(dialog).getByLabelText(/^Time zone/), { target: { value: 'Mars/Olympus' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('unknown time zone Mars/Olympus')).toBeTruthy();
    expect(within(dialog).getByText('FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY')).toBeTruthy();
    expect(within(dialog).getByText('at least 1 minute')).toBeTruthy();
    expect(within(dialog).getByTestId('scope-error').textContent).toContain('give global: true');
    expect(within(dialog).getByLabelText(/^Time zone/).getAttribute('aria-invalid')).toBe('true');
    const sent = server.calls.find((c) => c.method === 'POST')!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ name: 'Bad window', kind: 'maintenance', timeZone: 'Mars/Olympus', durationMinutes: 240, rrule: 'FREQ=WEEKLY;BYDAY=SA' });
  });
});

describe('window form values', () => {
  it('turns choices into a rule and back', () => {
    const input = formToInput({ ...emptyWindowForm(), name: 'n', start: '2026-10-03T22:00', timeZone: 'Europe/London', weekdays: ['SU', 'SA'], serviceIds: ['svc_pay'] });
    expect(input).toMatchObject({ rrule: 'FREQ=WEEKLY;BYDAY=SA,SU', durationMinutes: 240, scope: { serviceIds: ['svc_pay'], environments: [], tags: [] }, urgent: false });
    expect(formToInput({ ...emptyWindowForm(), global: true, recurrence: 'custom', rrule: 'RRULE:FREQ=MONTHLY;BYDAY=1SU', duration: 90, unit: 'minutes' })).toMatchObject({ scope: { global: true }, rrule: 'FREQ=MONTHLY;BYDAY=1SU', durationMinutes: 90 });
    expect(windowToForm(win())).toMatchObject({ recurrence: 'weekly', weekdays: ['SA'], duration: 4, unit: 'hours' });
    expect(windowToForm(win({ rrule: 'FREQ=MONTHLY;BYDAY=1SU', durationMinutes: 20160 }))).toMatchObject({ recurrence: 'custom', rrule: 'FREQ=MONTHLY;BYDAY=1SU', duration: 14, unit: 'days' });
  });
});
