import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { BoardPage } from './board-page';
import { recurrenceWords } from './board-recurrence';
import type { Board } from './boards-api';
import { BoardsPage } from './boards-page';
import { NewBoardPage } from './new-board-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };

/** The error text Mantine ties to an input. */
const fieldError = (el: HTMLElement) =>
  document.getElementById(
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .find((id) => id.endsWith('error'))!,
  )?.textContent;

/** The options a select offers (every select's options stay in the page, hidden). */
const optionsOf = (combobox: HTMLElement) =>
  within(document.getElementById(combobox.getAttribute('aria-controls')!)!)
    .getAllByRole('option', { hidden: true })
    .map((o) => o.textContent);

function sampleBoard(over: Partial<Board> = {}): Board {
  return {
    id: 'brd_pay',
    name: 'Payments CAB',
    kind: 'cab',
    recurrence: null,
    description: 'Decides the payment changes.',
    memberIds: ['u_ana'],
    teamIds: ['t_ops'],
    members: [
      { userId: 'u_ana', teamId: null, name: 'Ana', domains: [], delegate: false },
      { userId: null, teamId: 't_ops', name: 'Payments ops', domains: ['database'], delegate: false },
      { userId: 'u_sec', teamId: null, name: 'Sam Security', domains: ['security'], delegate: true },
    ],
    people: 5,
    scope: 'change.type != "standard"',
    quorum: { minMembers: 3, requiredDomains: ['security'] },
    chairRule: 'round_robin',
    responseMinutes: null,
    active: true,
    version: 1,
    createdBy: 'u_admin',
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedBy: 'u_admin',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}

const ecab = sampleBoard({
  id: 'brd_ecab',
  name: 'ECAB',
  kind: 'ecab',
  description: '',
  members: [{ userId: 'u_ana', teamId: null, name: 'Ana', domains: [], delegate: false }],
  people: 1,
  scope: null,
  quorum: { minMembers: 1, requiredDomains: [] },
  responseMinutes: 60,
  active: false,
});

const people = {
  path: '/api/v1/people',
  body: {
    items: [
      { id: 'u_ana', name: 'Ana', email: 'ana@example.com' },
      { id: 'u_sec', name: 'Sam Security', email: 'sam@example.com' },
    ],
    nextCursor: null,
  },
};
const teams = { path: '/api/v1/teams', body: { items: [{ id: 't_ops', name: 'Payments ops', handle: 'payments-ops' }], nextCursor: null } };

const changeManager: Me = {
  ...adminMe,
  id: 'u_cm',
  roles: [{ role: 'change_manager', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'board.read', 'board.manage'],
};
const requester: Me = {
  ...adminMe,
  id: 'u_req',
  roles: [{ role: 'requester', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create'],
};
const cabMember: Me = {
  ...adminMe,
  id: 'u_cab',
  roles: [{ role: 'cab_member', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'board.read'],
};

describe('recurrenceWords', () => {
  const base = { start: '2027-01-12T10:00', timeZone: 'Europe/London', durationMinutes: 60, daysAhead: 7, holidays: [] };
  const tail = 'at 10:00 Europe/London, 60 minutes; meetings made 7 days ahead';
  it.each([
    ['FREQ=WEEKLY;BYDAY=TU', `Every Tuesday ${tail}`],
    ['FREQ=WEEKLY', `Every Tuesday ${tail}`],
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=TU', `Every two weeks on Tuesday ${tail}`],
    ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', `Every weekday ${tail}`],
    ['FREQ=WEEKLY;BYDAY=TH,MO', `Every Monday and Thursday ${tail}`],
    ['FREQ=MONTHLY;BYDAY=2TU', `Every month on the second Tuesday ${tail}`],
    ['FREQ=MONTHLY;BYDAY=-1FR', `Every month on the last Friday ${tail}`],
    ['FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15;COUNT=4', `Every 3 months on day 15 (4 meetings) ${tail}`],
    ['FREQ=YEARLY;BYMONTH=1', `FREQ=YEARLY;BYMONTH=1 from 2027-01-12 ${tail}`],
  ])('%s reads "%s"', (rrule, words) => expect(recurrenceWords({ ...base, rrule })).toBe(words));

  it('counts one day ahead and one holiday in the singular', () => {
    expect(recurrenceWords({ ...base, rrule: 'FREQ=DAILY', daysAhead: 1, holidays: ['2027-12-25'] })).toBe(
      'Every day at 10:00 Europe/London, 60 minutes; meetings made 1 day ahead; 1 holiday',
    );
  });
});

describe('BoardsPage', { timeout: 20_000 }, () => {
  it('lists the boards with kind, members, quorum, scope and whether they are active, filtered from the address', async () => {
    const server = fakeServer([{ path: '/api/v1/boards', body: { items: [sampleBoard(), ecab], nextCursor: null } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardsPage />, { path: '/boards?kind=cab&active=true', route: '/boards', me: changeManager });
    const table = await screen.findByRole('table', { name: 'Boards' }, LOAD);
    const row = within(table).getByRole('link', { name: 'Payments CAB' }).closest('tr')!;
    expect(row.textContent).toContain('CAB');
    expect(row.textContent).toContain('3 (5 people)');
    expect(row.textContent).toContain('3 people, with security');
    expect(row.textContent).toContain('change.type != "standard"');
    expect(row.textContent).toContain('Active');
    const other = within(table).getByRole('link', { name: 'ECAB' }).closest('tr')!;
    expect(other.textContent).toContain('Every change routed to it');
    expect(other.textContent).toContain('Deactivated');
    expect(other.textContent).toContain('1 person');
    const url = server.calls.find((c) => c.url.startsWith('/api/v1/boards'))!.url;
    expect(Object.fromEntries(new URL(url, 'http://x').searchParams)).toEqual({ kind: 'cab', active: 'true', limit: '50' });
    expect(screen.getByRole('link', { name: 'New board' }).getAttribute('href')).toBe('/boards/new');
  });

  it('offers no “New board” to someone who may only read the boards', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/boards', body: { items: [sampleBoard()], nextCursor: null } }]).fetch);
    renderWithProviders(<BoardsPage />, { path: '/boards', route: '/boards', me: cabMember });
    await screen.findByRole('table', { name: 'Boards' }, LOAD);
    expect(screen.queryByRole('link', { name: 'New board' })).toBeNull();
  });

  it('offers a requester no “New board” and shows the refusal to read', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        {
          path: '/api/v1/boards',
          status: 403,
          body: { error: { code: 'forbidden', message: 'You may not see the boards.', details: {} } },
        },
      ]).fetch,
    );
    renderWithProviders(<BoardsPage />, { path: '/boards', route: '/boards', me: requester });
    expect(await screen.findByText('You may not see the boards.', {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'New board' })).toBeNull();
  });
});

describe('NewBoardPage', { timeout: 20_000 }, () => {
  it('sends the board and puts each of the server’s problems at its field', async () => {
    const server = fakeServer([
      people,
      teams,
      {
        method: 'POST',
        path: '/api/v1/boards',
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The board has invalid values.',
            details: {
              issues: [
                { path: ['name'], message: 'a board named "payments cab" already exists' },
                { path: ['kind'], message: 'Invalid option: expected one of "cab"|"ecab"|"technical"' },
                { path: ['members', 0, 'userId'], message: 'no such person: u_gone' },
                { path: ['quorum', 'minMembers'], message: 'is more than the 1 people the board can count' },
                { path: ['quorum', 'requiredDomains', 0], message: 'no member represents "security"' },
                { path: ['scope'], message: 'CEL: unknown field "typo" (did you mean "type"?) (at character 8 of the expression)' },
                { path: ['responseMinutes'], message: 'must be at most 10080 (a week)' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NewBoardPage />, { path: '/boards/new', route: '/boards/new', me: changeManager });
    const form = await screen.findByRole('form', { name: 'New board' }, LOAD);
    fireEvent.change(within(form).getByRole('textbox', { name: /^Name/ }), { target: { value: 'payments cab' } });
    fireEvent.change(within(form).getByRole('textbox', { name: 'Scope (CEL)' }), { target: { value: 'change.typo == "x"' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create board' }));

    await waitFor(() => expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({
      name: 'payments cab',
      description: '',
      members: [],
      scope: 'change.typo == "x"',
      quorum: { minMembers: 1, requiredDomains: [] },
      chairRule: 'round_robin',
    });
    const nameBox = within(form).getByRole('textbox', { name: /^Name/ });
    await waitFor(() => expect(nameBox.getAttribute('aria-invalid')).toBe('true'), LOAD);
    const errorOf = (el: HTMLElement) =>
      document.getElementById(
        el
          .getAttribute('aria-describedby')!
          .split(' ')
          .find((id) => id.endsWith('error'))!,
      )!.textContent;
    expect(errorOf(nameBox)).toBe('a board named "payments cab" already exists');
    expect(errorOf(within(form).getByRole('textbox', { name: 'Scope (CEL)' }))).toContain('CEL: unknown field "typo"');
    expect(errorOf(within(form).getByRole('textbox', { name: /Quorum: people who must vote/ }))).toBe(
      'is more than the 1 people the board can count',
    );
    expect(errorOf(within(form).getByRole('textbox', { name: /Response time/ }))).toBe('must be at most 10080 (a week)');
    expect(within(form).getByText('no member represents "security"')).toBeTruthy();
    expect(within(form).getByText('Invalid option: expected one of "cab"|"ecab"|"technical"')).toBeTruthy();
    // A member's problem that has no row shows with the members.
    expect(within(form).getByText('no such person: u_gone')).toBeTruthy();
    expect(screen.queryByRole('alert', { name: /was not set up/ })).toBeNull();
  });

  it('sends the regular meetings switched on, and puts the server’s problems with them at their fields', async () => {
    const server = fakeServer([
      people,
      teams,
      {
        method: 'POST',
        path: '/api/v1/boards',
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The board has invalid values.',
            details: {
              issues: [
                { path: ['recurrence', 'start'], message: 'is in the past' },
                { path: ['recurrence', 'timeZone'], message: 'unknown time zone "Mars/Olympus"' },
                { path: ['recurrence', 'rrule'], message: 'FREQ=SOMETIMES is not a frequency' },
                { path: ['recurrence', 'durationMinutes'], message: 'must be at most 600' },
                { path: ['recurrence', 'daysAhead'], message: 'must be at most 60' },
                { path: ['recurrence', 'holidays', 1], message: 'must be a date YYYY-MM-DD' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NewBoardPage />, { path: '/boards/new', route: '/boards/new', me: changeManager });
    const form = await screen.findByRole('form', { name: 'New board' }, LOAD);
    fireEvent.change(within(form).getByRole('textbox', { name: /^Name/ }), { target: { value: 'Payments CAB' } });
    expect(within(form).queryByLabelText(/^First meeting/)).toBeNull();
    fireEvent.click(within(form).getByRole('switch', { name: /Meets regularly/ }));

    // 12 January 2027 is the second Tuesday of its month.
    fireEvent.change(within(form).getByLabelText(/^First meeting/), { target: { value: '2027-01-12T10:00' } });
    fireEvent.change(within(form).getByRole('combobox', { name: /^Time zone/ }), { target: { value: 'Mars/Olympus' } });
    fireEvent.click(within(form).getByRole('combobox', { name: /^Repeats/ }));
    expect(optionsOf(within(form).getByRole('combobox', { name: /^Repeats/ }))).toEqual([
      'Every week on Tuesday',
      'Every two weeks on Tuesday',
      'Every month on the second Tuesday',
      'Another rule (RRULE)',
    ]);
    fireEvent.click(screen.getByRole('option', { name: 'Another rule (RRULE)', hidden: true }));
    const rrule = within(form).getByRole('textbox', { name: /^RRULE/ });
    // "Another rule" starts from the rule chosen before.
    expect((rrule as HTMLInputElement).value).toBe('FREQ=WEEKLY;BYDAY=TU');
    fireEvent.change(rrule, { target: { value: 'FREQ=SOMETIMES' } });
    fireEvent.change(within(form).getByRole('textbox', { name: /^Length/ }), { target: { value: '900' } });
    fireEvent.change(within(form).getByRole('textbox', { name: /^Days ahead/ }), { target: { value: '90' } });
    const holiday = within(form).getByLabelText(/^Holiday/);
    for (const date of ['2027-12-25', '2027-04-02', '2027-08-30']) {
      fireEvent.change(holiday, { target: { value: date } });
      fireEvent.click(within(form).getByRole('button', { name: 'Add holiday' }));
    }
    const holidays = within(form).getByRole('list', { name: 'Holidays' });
    expect(within(holidays).getAllByRole('listitem')).toHaveLength(3);
    // The list is in date order; the summer one is taken out again.
    fireEvent.click(within(holidays).getAllByRole('button', { name: /^Remove the holiday/ })[1]!);
    fireEvent.click(within(form).getByRole('button', { name: 'Create board' }));

    await waitFor(() => expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect((server.calls.find((c) => c.method === 'POST')!.body as { recurrence: unknown }).recurrence).toEqual({
      start: '2027-01-12T10:00',
      timeZone: 'Mars/Olympus',
      rrule: 'FREQ=SOMETIMES',
      durationMinutes: 900,
      daysAhead: 90,
      holidays: ['2027-04-02', '2027-12-25'],
    });
    const start = within(form).getByLabelText(/^First meeting/);
    await waitFor(() => expect(start.getAttribute('aria-invalid')).toBe('true'), LOAD);
    expect(fieldError(start)).toBe('is in the past');
    expect(fieldError(within(form).getByRole('combobox', { name: /^Time zone/ }))).toBe('unknown time zone "Mars/Olympus"');
    expect(fieldError(within(form).getByRole('textbox', { name: /^RRULE/ }))).toBe('FREQ=SOMETIMES is not a frequency');
    expect(fieldError(within(form).getByRole('textbox', { name: /^Length/ }))).toBe('must be at most 600');
    expect(fieldError(within(form).getByRole('textbox', { name: /^Days ahead/ }))).toBe('must be at most 60');
    // The second holiday sent is the second shown.
    const second = within(within(form).getByRole('list', { name: 'Holidays' })).getAllByRole('listitem')[1]!;
    expect(second.textContent).toContain('must be a date YYYY-MM-DD');
    // Every problem is at a field: none in the alert above the form.
    expect(screen.queryByRole('alert', { name: /was not set up/ })).toBeNull();
  });

  it('writes the rule from the first meeting’s date: a last Friday is offered as “the last”, not “the fifth”', async () => {
    const server = fakeServer([people, teams, { method: 'POST', path: '/api/v1/boards', body: sampleBoard() }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NewBoardPage />, { path: '/boards/new', route: '/boards/new', me: changeManager });
    const form = await screen.findByRole('form', { name: 'New board' }, LOAD);
    fireEvent.click(within(form).getByRole('switch', { name: /Meets regularly/ }));
    fireEvent.change(within(form).getByLabelText(/^First meeting/), { target: { value: '2027-01-29T15:30' } });
    fireEvent.change(within(form).getByRole('combobox', { name: /^Time zone/ }), { target: { value: 'Europe/London' } });
    fireEvent.click(within(form).getByRole('combobox', { name: /^Repeats/ }));
    expect(optionsOf(within(form).getByRole('combobox', { name: /^Repeats/ }))).toEqual([
      'Every week on Friday',
      'Every two weeks on Friday',
      'Every month on the last Friday',
      'Another rule (RRULE)',
    ]);
    fireEvent.click(screen.getByRole('option', { name: 'Every month on the last Friday', hidden: true }));
    fireEvent.click(within(form).getByRole('button', { name: 'Create board' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect((server.calls.find((c) => c.method === 'POST')!.body as { recurrence: unknown }).recurrence).toEqual({
      start: '2027-01-29T15:30',
      timeZone: 'Europe/London',
      rrule: 'FREQ=MONTHLY;BYDAY=-1FR',
      durationMinutes: 60,
      daysAhead: 7,
      holidays: [],
    });
  });

  it('tells a requester they cannot set up boards and shows no form', async () => {
    vi.stubGlobal('fetch', fakeServer([people, teams]).fetch);
    renderWithProviders(<NewBoardPage />, { path: '/boards/new', route: '/boards/new', me: requester });
    expect(await screen.findByText('You cannot set up boards', {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'New board' })).toBeNull();
  });
});

describe('BoardPage', { timeout: 20_000 }, () => {
  const path = '/api/v1/boards/brd_pay';

  it('shows the members with their domains, saves only what changed with the version, and handles a stale save', async () => {
    const server = fakeServer([
      { path, body: sampleBoard() },
      people,
      teams,
      { method: 'PATCH', path, status: 412, body: { error: { code: 'stale_version', message: 'The board was changed.', details: {} } } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardPage />, { path: '/boards/brd_pay', route: '/boards/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Board' }, LOAD);
    const members = within(form).getByRole('list', { name: 'Members and what they represent' });
    expect(
      within(members)
        .getAllByRole('listitem')
        .map((li) => li.getAttribute('aria-label')),
    ).toEqual(['Ana', 'Payments ops', 'Sam Security']);
    expect((within(members).getAllByRole('switch')[2] as HTMLInputElement).checked).toBe(true);

    fireEvent.click(within(members).getAllByRole('switch')[0]!);
    fireEvent.change(within(form).getByRole('textbox', { name: /Quorum: people who must vote/ }), { target: { value: '4' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'PATCH')!.body).toEqual({
      members: [
        { userId: 'u_ana', domains: [], delegate: true },
        { teamId: 't_ops', domains: ['database'], delegate: false },
        { userId: 'u_sec', domains: ['security'], delegate: true },
      ],
      quorum: { minMembers: 4 },
      version: 1,
    });
    expect(await screen.findByText('Someone changed this board, reload', {}, LOAD)).toBeTruthy();
  });

  it('deactivates the board with the reason given in the dialog', async () => {
    const server = fakeServer([
      { path, body: sampleBoard() },
      people,
      teams,
      { method: 'POST', path: `${path}/deactivate`, body: sampleBoard({ active: false, version: 2 }) },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardPage />, { path: '/boards/brd_pay', route: '/boards/:id', me: changeManager });
    fireEvent.click(await screen.findByRole('button', { name: 'Deactivate' }, LOAD));
    const dialog = await screen.findByRole('dialog', { name: 'Deactivate Payments CAB?' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Reason' }), { target: { value: 'merged into the Commerce CAB' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Deactivate the board' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({ version: 1, reason: 'merged into the Commerce CAB' });
    expect(await screen.findByRole('button', { name: 'Reactivate' }, LOAD)).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('Deactivated');
  });

  it('puts a member’s problem on that member’s row', async () => {
    const server = fakeServer([
      { path, body: sampleBoard() },
      people,
      teams,
      {
        method: 'PATCH',
        path,
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The board has invalid values.',
            details: { issues: [{ path: ['members', 1, 'domains', 0], message: 'a domain is lowercase letters, digits, "-" or "_"' }] },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardPage />, { path: '/boards/brd_pay', route: '/boards/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Board' }, LOAD);
    fireEvent.change(within(form).getByRole('textbox', { name: 'Description' }), { target: { value: 'Payments, and the cards.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    const row = within(form).getByRole('listitem', { name: 'Payments ops' });
    expect(await within(row).findByText('a domain is lowercase letters, digits, "-" or "_"', {}, LOAD)).toBeTruthy();
    expect(within(within(form).getByRole('listitem', { name: 'Ana' })).queryByText(/a domain is/)).toBeNull();
  });

  const weekly = {
    start: '2027-01-12T10:00',
    timeZone: 'Europe/London',
    rrule: 'BYDAY=TU;FREQ=WEEKLY',
    durationMinutes: 60,
    daysAhead: 7,
    holidays: ['2027-04-06', '2027-12-28'],
  };

  it('says when the board meets, and sends null when regular meetings are switched off', async () => {
    const server = fakeServer([
      { path, body: sampleBoard({ recurrence: weekly }) },
      people,
      teams,
      { method: 'PATCH', path, body: sampleBoard({ recurrence: null, version: 2 }) },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardPage />, { path: '/boards/brd_pay', route: '/boards/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Board' }, LOAD);
    expect(screen.getByTestId('board-recurrence').textContent).toBe(
      'Regular meetings: Every Tuesday at 10:00 Europe/London, 60 minutes; meetings made 7 days ahead; 2 holidays',
    );
    // The stored rule, its parts in another order, reads as the choice that writes it; nothing is changed yet.
    expect((within(form).getByRole('combobox', { name: /^Repeats/ }) as HTMLInputElement).value).toBe('Every week on Tuesday');
    expect(within(within(form).getByRole('list', { name: 'Holidays' })).getAllByRole('listitem')).toHaveLength(2);
    expect((within(form).getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(within(form).getByRole('switch', { name: /Meets regularly/ }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ recurrence: null, version: 1 });
    await waitFor(() => expect(screen.getByTestId('board-recurrence').textContent).toBe('Regular meetings: none; each meeting is scheduled on its own.'));
  });

  it('sends the whole recurrence when one part of it changes', async () => {
    const server = fakeServer([
      { path, body: sampleBoard({ recurrence: weekly }) },
      people,
      teams,
      { method: 'PATCH', path, body: sampleBoard({ recurrence: { ...weekly, daysAhead: 14 }, version: 2 }) },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardPage />, { path: '/boards/brd_pay', route: '/boards/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Board' }, LOAD);
    fireEvent.change(within(form).getByRole('textbox', { name: /^Days ahead/ }), { target: { value: '14' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'PATCH')!.body).toEqual({
      recurrence: { ...weekly, rrule: 'FREQ=WEEKLY;BYDAY=TU', daysAhead: 14 },
      version: 1,
    });
  });

  it('shows the board read-only to someone who may only read it', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path, body: sampleBoard() }, people, teams]).fetch);
    renderWithProviders(<BoardPage />, { path: '/boards/brd_pay', route: '/boards/:id', me: cabMember });
    expect(await screen.findByText('Change managers set up and edit the boards.', {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Deactivate' })).toBeNull();
  });
});
