import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { setDisplayTimeZone } from '../../shared/format';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { BoardPage } from '../boards/board-page';
import type { Board } from '../boards/boards-api';
import { ChangeConditionsPanel } from './change-conditions-panel';
import { MeetingPage } from './meeting-page';
import type { AgendaView, Condition, DecisionView, Meeting, Minutes, PreRead } from './meetings-api';
import { MeetingsPage } from './meetings-page';
import { agendaItem, meeting } from './test-fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  setDisplayTimeZone(null);
});

const LOAD = { timeout: 5000 };

const changeManager: Me = {
  ...adminMe,
  id: 'u_cm',
  name: 'Carla Manager',
  roles: [{ role: 'change_manager', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'board.read', 'board.manage'],
};
const cabMember: Me = {
  ...adminMe,
  id: 'u_cab',
  name: 'Colin Member',
  roles: [{ role: 'cab_member', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'board.read'],
};

const board: Board = {
  id: 'brd_pay',
  name: 'Payments CAB',
  kind: 'cab',
  recurrence: null,
  description: '',
  memberIds: ['u_ana', 'u_ben'],
  teamIds: [],
  members: [
    { userId: 'u_ana', teamId: null, name: 'Ana', domains: [], delegate: false },
    { userId: 'u_ben', teamId: null, name: 'Ben', domains: [], delegate: false },
    { userId: 'u_sec', teamId: null, name: 'Sam Security', domains: ['security'], delegate: false },
  ],
  people: 3,
  scope: null,
  quorum: { minMembers: 2, requiredDomains: ['security'] },
  chairRule: 'round_robin',
  responseMinutes: null,
  active: true,
  version: 1,
  createdBy: 'u_admin',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedBy: 'u_admin',
  updatedAt: '2026-12-01T10:00:00.000Z',
};


const item = agendaItem;

function agenda(over: Partial<AgendaView> = {}): AgendaView {
  return {
    meetingId: 'mtg_1',
    frozen: false,
    items: [item(), item({ changeId: 'chg_43', number: 'CHG0000043', title: 'Rotate the card keys', riskLevel: 'very_high', position: 2, urgent: false, addedReason: 'Asked by security', startsAtMinute: 15 })],
    decidedAhead: [{ changeId: 'chg_40', number: 'CHG0000040', title: 'Patch the web tier', outcome: 'approved', decidedAt: '2026-12-09T12:00:00.000Z' }],
    fyi: [{ changeId: 'chg_41', number: 'CHG0000041', title: 'Certificate renewal', riskLevel: 'low', plannedStart: null }],
    removed: [{ changeId: 'chg_39', number: 'CHG0000039', reason: 'Withdrawn by its requester' }],
    overrunMinutes: 0,
    ...over,
  };
}

const preRead: PreRead = {
  changeId: 'chg_42',
  number: 'CHG0000042',
  title: 'Upgrade the payments database',
  type: 'normal',
  state: 'authorize',
  requester: { userId: 'u_req', name: 'Rita Requester' },
  owner: null,
  implementer: { userId: 'u_imp', name: 'Ivan Implementer' },
  plannedStart: '2026-12-12T22:00:00.000Z',
  plannedEnd: '2026-12-12T23:00:00.000Z',
  risk: { level: 'high', score: 64, factors: [{ name: 'service_tier', label: 'Tier 1 service', contribution: 20, reason: 'payments-api is tier 1' }] },
  cis: [{ id: 'ci_db', name: 'payments-db', type: 'database' }],
  impact: {
    services: [
      { id: 'svc_pay', name: 'Payments', tier: 1, affected: true, ciCount: 2 },
      { id: 'svc_web', name: 'Storefront', tier: 2, affected: false, ciCount: 1 },
    ],
    impacted: [
      { id: 'ci_api', name: 'payments-api', type: 'application', depth: 1, via: 'payments-db', service: 'Payments', tier: 1 },
      { id: 'ci_web', name: 'storefront-web', type: 'application', depth: 2, via: 'payments-api', service: 'Storefront', tier: 2 },
    ],
    impactedCount: 2,
    summarised: false,
  },
  conflicts: [{ kind: 'overlap', message: 'Overlaps CHG0000050 on payments-db' }],
  history: { total: 4, unsuccessful: 1, recent: [{ number: 'CHG0000011', title: 'Minor version upgrade', closeCode: 'rolled_back' }] },
  openConcerns: [{ id: 'cn_1', text: 'Month-end batch runs that night' }],
  approvalsGiven: [{ rule: 'dba_review', approver: 'Dana DBA', decidedAt: '2026-12-08T10:00:00.000Z' }],
  implementationPlan: 'Fail over, upgrade, fail back.',
  backoutPlan: 'Fail back to the old primary.',
};

const decision: DecisionView = {
  id: 'dec_1',
  meetingId: 'mtg_1',
  boardId: 'brd_pay',
  boardName: 'Payments CAB',
  changeId: 'chg_42',
  number: 'CHG0000042',
  decision: 'approve_with_conditions',
  rationale: 'Safe with a load test first.',
  conditions: [],
  deferredTo: null,
  decidedBy: { userId: 'u_cm', name: 'Carla Manager' },
  decidedAt: '2026-12-10T09:20:00.000Z',
  votes: [],
  quorum: { met: true, voters: 3, missingMembers: 0, missingDomains: [] },
  minutesSpent: 12,
};

const M = '/api/v1/meetings/mtg_1';
const people = { path: '/api/v1/people', body: { items: [{ id: 'u_sec', name: 'Sam Security', email: 'sam@example.com' }], nextCursor: null } };

function workbench(m: Meeting, extra: Parameters<typeof fakeServer>[0] = [], a: AgendaView = agenda()) {
  return fakeServer([
    { path: M, body: m },
    { path: `${M}/agenda`, body: a },
    { path: '/api/v1/boards/brd_pay', body: board },
    { path: `${M}/items/chg_42`, body: preRead },
    { path: `${M}/items/chg_43`, body: { ...preRead, changeId: 'chg_43', number: 'CHG0000043', title: 'Rotate the card keys' } },
    people,
    ...extra,
  ]);
}

const posts = (server: ReturnType<typeof fakeServer>, path: string) => server.calls.filter((c) => c.method !== 'GET' && c.url === path);

describe('MeetingsPage', { timeout: 20_000 }, () => {
  it('lists the meetings by day in the viewer’s zone with board, time, state and chair, filtered by board from the address', async () => {
    setDisplayTimeZone('Europe/Amsterdam');
    const server = fakeServer([
      {
        path: '/api/v1/meetings',
        body: {
          items: [
            meeting(),
            // 23:30 UTC on the 10th is already the 11th in Amsterdam.
            meeting({ id: 'mtg_2', title: 'Late review', start: '2026-12-10T23:30:00.000Z', end: '2026-12-11T00:00:00.000Z', state: 'cancelled', cancelledReason: 'Nothing to decide', chair: null }),
          ],
        },
      },
      { path: '/api/v1/boards', body: { items: [board], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingsPage />, { path: '/meetings?boardId=brd_pay', route: '/meetings', me: cabMember });
    const first = await screen.findByRole('listitem', { name: 'Payments CAB weekly' }, LOAD);
    // 09:00 UTC is 10:00 in Amsterdam (the locale decides the rest of the words).
    expect(first.textContent).toMatch(/10:00\D*11:00.*(CET|GMT\+1)/);
    expect(first.textContent).toContain('Payments CAB');
    expect(first.textContent).toContain('chaired by Ana');
    expect(within(first).getByText('Planned')).toBeTruthy();
    expect(within(first).getByRole('link', { name: 'Payments CAB weekly' }).getAttribute('href')).toBe('/meetings/mtg_1');
    const days = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(days).toHaveLength(2);
    expect(days[0]).toMatch(/10/);
    expect(days[1]).toMatch(/11/);
    const late = screen.getByRole('listitem', { name: 'Late review' });
    expect(late.textContent).toContain('Cancelled: Nothing to decide');
    expect(late.textContent).toContain('no chair yet');
    const query = new URL(server.calls.find((c) => c.url.startsWith('/api/v1/meetings'))!.url, 'http://x').searchParams;
    expect(query.get('boardId')).toBe('brd_pay');
    expect(query.get('from')).toMatch(/Z$/);
    expect(query.get('to')).toBeNull();
  });
});

describe('BoardPage meetings', { timeout: 20_000 }, () => {
  it('lists the board’s next meetings and schedules one for a change manager', async () => {
    const created = meeting({ id: 'mtg_9', title: 'Extra CAB' });
    const server = fakeServer([
      { path: '/api/v1/boards/brd_pay', body: board },
      { path: '/api/v1/meetings', body: { items: [meeting()] } },
      people,
      { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
      { method: 'POST', path: '/api/v1/boards/brd_pay/meetings', status: 201, body: created },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardPage />, { path: '/boards/brd_pay', route: '/boards/:id', me: changeManager });
    const next = await screen.findByRole('list', { name: 'Next meetings' }, LOAD);
    expect(within(next).getByRole('link', { name: 'Payments CAB weekly' })).toBeTruthy();
    const form = screen.getByRole('form', { name: 'Schedule a meeting' });
    fireEvent.change(within(form).getByLabelText(/^Start/), { target: { value: '2026-12-17T10:00' } });
    fireEvent.change(within(form).getByRole('textbox', { name: /^Duration/ }), { target: { value: '90' } });
    fireEvent.change(within(form).getByRole('textbox', { name: /^Title/ }), { target: { value: 'Extra CAB' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Schedule the meeting' }));
    await waitFor(() => expect(posts(server, '/api/v1/boards/brd_pay/meetings')).toHaveLength(1));
    const body = posts(server, '/api/v1/boards/brd_pay/meetings')[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({ durationMinutes: 90, title: 'Extra CAB' });
    expect(new Date(body.start as string).toISOString()).toBe(body.start);
    expect(body).not.toHaveProperty('chairId');
    expect(await within(form).findByRole('link', { name: 'Extra CAB' }, LOAD)).toBeTruthy();
  });

  it('offers no scheduling to someone who may only read the boards', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/boards/brd_pay', body: board },
        { path: '/api/v1/meetings', body: { items: [] } },
        people,
        { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
      ]).fetch,
    );
    renderWithProviders(<BoardPage />, { path: '/boards/brd_pay', route: '/boards/:id', me: cabMember });
    expect(await screen.findByText('No meetings planned.', {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Schedule a meeting' })).toBeNull();
  });
});

describe('MeetingPage, the workbench', { timeout: 30_000 }, () => {
  const live = meeting({ state: 'live', startedAt: new Date(Date.now() - 5 * 60_000).toISOString() });

  it('shows the agenda with its marks, votes and the other lists, and the pre-read of the first item', async () => {
    // Started five minutes before this test runs (not before the file loaded: a busy machine runs it later).
    vi.stubGlobal('fetch', workbench({ ...live, startedAt: new Date(Date.now() - 5 * 60_000).toISOString() }).fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    const table = await screen.findByRole('table', { name: 'Agenda items' }, LOAD);
    const first = within(table).getByRole('link', { name: 'CHG0000042' }).closest('tr')!;
    expect(first.textContent).toContain('Urgent');
    expect(first.textContent).toContain('High');
    expect(first.textContent).toContain('15 min');
    expect(first.textContent).toContain('1 for, 0 against; needs 1 more and a voter from security');
    expect(within(table).getByRole('link', { name: 'CHG0000043' }).closest('tr')!.textContent).toContain('Added');
    expect(screen.getByText('Decided before the meeting')).toBeTruthy();
    expect(screen.getByText('Certificate renewal')).toBeTruthy();
    expect(screen.getByText(/Withdrawn by its requester/)).toBeTruthy();
    // The pre-read of the first undecided item.
    expect(await screen.findByText(/payments-api is tier 1/, {}, LOAD)).toBeTruthy();
    expect(screen.getByText('Overlaps CHG0000050 on payments-db')).toBeTruthy();
    // Its impact: the services reached, most critical first, and the CIs that depend on its own.
    const services = screen.getByRole('list', { name: 'Services reached' });
    expect(within(services).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Paymentstier 1its own CIs · 2 CIs', 'Storefronttier 2depends on them · 1 CI']);
    expect(within(screen.getByRole('list', { name: 'Dependent CIs' })).getByText(/storefront-web \(application\), via payments-api · Storefront, tier 2/)).toBeTruthy();
    expect(screen.getByText('Month-end batch runs that night')).toBeTruthy();
    expect(screen.getByText(/dba_review: Dana DBA/)).toBeTruthy();
    expect(screen.getByRole('timer', { name: 'Meeting time' }).textContent).toMatch(/^Meeting 5:[0-5]\d of 1:00:00$/);
    expect(screen.getByRole('button', { name: 'End the meeting' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Start the meeting' })).toBeNull();
  });

  it('refuses a decision without a rationale and sends nothing', async () => {
    const server = workbench(live);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Decision on CHG0000042' }, LOAD);
    fireEvent.click(within(form).getByRole('radio', { name: 'Approve' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Record the decision' }));
    expect(await within(form).findByText('Give the rationale: every decision records why.')).toBeTruthy();
    expect(within(form).getByRole('textbox', { name: /^Rationale/ }).getAttribute('aria-invalid')).toBe('true');
    expect(posts(server, `${M}/items/chg_42/decision`)).toHaveLength(0);
  });

  it('shows the conditions editor only for approve with conditions, and sends the conditions', async () => {
    const server = workbench(live, [{ method: 'POST', path: `${M}/items/chg_42/decision`, status: 201, body: decision }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Decision on CHG0000042' }, LOAD);
    for (const d of ['Approve', 'Reject', 'Ask for information', 'Defer']) {
      fireEvent.click(within(form).getByRole('radio', { name: d }));
      expect(within(form).queryByRole('list', { name: 'Conditions' })).toBeNull();
    }
    fireEvent.click(within(form).getByRole('radio', { name: 'Approve with conditions' }));
    const conditions = within(form).getByRole('list', { name: 'Conditions' });
    fireEvent.change(within(form).getByRole('textbox', { name: /^Rationale/ }), { target: { value: 'Safe with a load test first.' } });
    // An empty condition is refused.
    fireEvent.click(within(form).getByRole('button', { name: 'Record the decision' }));
    expect(await within(conditions).findByText('Say what must be done')).toBeTruthy();
    fireEvent.change(within(conditions).getByRole('textbox', { name: /^Condition 1/ }), { target: { value: 'Run the load test' } });
    fireEvent.change(within(conditions).getByLabelText(/^Due \(condition 1\)/), { target: { value: '2026-12-12T18:00' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add a condition' }));
    fireEvent.change(within(conditions).getByRole('textbox', { name: /^Condition 2/ }), { target: { value: 'Evidence of the scan' } });
    const verifiedBy = within(conditions).getByRole('combobox', { name: /^Verified by \(condition 2\)/ });
    fireEvent.click(verifiedBy);
    // Each condition has its own list of verifiers: the one this box controls.
    const verifiers = await waitFor(() => document.getElementById(verifiedBy.getAttribute('aria-controls')!)!);
    fireEvent.click(within(verifiers).getByRole('option', { name: 'A check (CEL)', hidden: true }));
    fireEvent.change(within(conditions).getByRole('textbox', { name: /^Check \(condition 2\)/ }), { target: { value: '"security_scan" in evidence' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Record the decision' }));
    await waitFor(() => expect(posts(server, `${M}/items/chg_42/decision`)).toHaveLength(1));
    const body = posts(server, `${M}/items/chg_42/decision`)[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      decision: 'approve_with_conditions',
      rationale: 'Safe with a load test first.',
      conditions: [{ text: 'Run the load test' }, { text: 'Evidence of the scan', verifier: { check: '"security_scan" in evidence' } }],
    });
    const [first] = body.conditions as { dueAt?: string; verifier?: unknown }[];
    expect(first!.dueAt).toMatch(/^2026-12-12T\d\d:00:00\.000Z$/);
    expect(first!.verifier).toBeUndefined();
  });

  it('asks for the meeting to defer to, from the board’s planned meetings', async () => {
    const next = meeting({ id: 'mtg_2', title: 'Payments CAB next week', start: '2026-12-17T09:00:00.000Z', end: '2026-12-17T10:00:00.000Z' });
    const server = workbench(live, [
      { path: '/api/v1/meetings', body: { items: [live, next] } },
      { method: 'POST', path: `${M}/items/chg_42/decision`, status: 201, body: { ...decision, decision: 'defer', deferredTo: { meetingId: 'mtg_2', start: next.start } } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Decision on CHG0000042' }, LOAD);
    fireEvent.click(within(form).getByRole('radio', { name: 'Defer' }));
    fireEvent.change(within(form).getByRole('textbox', { name: /^Rationale/ }), { target: { value: 'The DBA is away this week.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Record the decision' }));
    expect(await within(form).findByText('Choose the meeting the item goes to')).toBeTruthy();
    expect(posts(server, `${M}/items/chg_42/decision`)).toHaveLength(0);
    const query = new URL(server.calls.find((c) => c.url.startsWith('/api/v1/meetings?'))!.url, 'http://x').searchParams;
    expect(query.get('boardId')).toBe('brd_pay');
    expect(query.get('state')).toBe('planned');
    fireEvent.click(within(form).getByRole('combobox', { name: /^Defer to/ }));
    // This meeting is not offered, the next one is.
    expect(screen.queryByRole('option', { name: /Payments CAB weekly/, hidden: true })).toBeNull();
    fireEvent.click(await screen.findByRole('option', { name: /Payments CAB next week/, hidden: true }));
    fireEvent.click(within(form).getByRole('button', { name: 'Record the decision' }));
    await waitFor(() => expect(posts(server, `${M}/items/chg_42/decision`)).toHaveLength(1));
    expect(posts(server, `${M}/items/chg_42/decision`)[0]!.body).toEqual({ decision: 'defer', rationale: 'The DBA is away this week.', deferTo: 'mtg_2' });
  });

  it('puts an item under discussion, with its timer', async () => {
    const since = new Date(Date.now() - 65_000).toISOString();
    const server = workbench(live, [{ method: 'PUT', path: `${M}/current`, body: { ...live, version: 4, currentItem: { changeId: 'chg_42', number: 'CHG0000042', since } } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    fireEvent.click(await screen.findByRole('button', { name: 'Discuss now' }, LOAD));
    await waitFor(() => expect(posts(server, `${M}/current`)).toHaveLength(1));
    expect(posts(server, `${M}/current`)[0]!.body).toEqual({ changeId: 'chg_42' });
    const timer = await screen.findByRole('timer', { name: 'Time on this item' }, LOAD);
    expect(timer.textContent).toMatch(/^On this item 1:0\d of 15:00$/);
    expect(screen.getByRole('button', { name: 'Stop discussing' })).toBeTruthy();
  });

  it('records who is present', async () => {
    const server = workbench(live, [{ method: 'PUT', path: `${M}/attendance`, body: { ...live, version: 4 } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Attendance' }, LOAD);
    const sam = await within(form).findByRole('checkbox', { name: 'Sam Security (security)' }, LOAD);
    expect((within(form).getByRole('checkbox', { name: 'Ana' }) as HTMLInputElement).checked).toBe(true);
    expect(form.textContent).toContain('nobody present represents security');
    fireEvent.click(sam);
    expect(form.textContent).toContain('2 present. The quorum needs 2 people, with security: met.');
    fireEvent.click(within(form).getByRole('button', { name: 'Save attendance' }));
    await waitFor(() => expect(posts(server, `${M}/attendance`)).toHaveLength(1));
    expect(posts(server, `${M}/attendance`)[0]!.body).toEqual({
      attendees: [
        { userId: 'u_ana', present: true },
        { userId: 'u_ben', present: false },
        { userId: 'u_sec', present: true },
      ],
    });
  });

  it('saves the notes with the meeting’s version', async () => {
    const server = workbench(live, [{ method: 'PATCH', path: M, body: { ...live, notes: 'Quorum reached at 10:05.', version: 4 } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    const form = await screen.findByRole('form', { name: 'Notes' }, LOAD);
    fireEvent.change(within(form).getByRole('textbox', { name: /Meeting notes/ }), { target: { value: 'Quorum reached at 10:05.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save notes' }));
    await waitFor(() => expect(posts(server, M)).toHaveLength(1));
    expect(posts(server, M)[0]!.body).toEqual({ notes: 'Quorum reached at 10:05.', version: 3 });
  });

  it('asks a reason before removing an item from the agenda', async () => {
    const server = workbench(live, [{ method: 'POST', path: `${M}/agenda`, body: agenda({ items: [agenda().items[1]!] }) }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    fireEvent.click(await screen.findByRole('button', { name: 'Remove CHG0000042' }, LOAD));
    const dialog = await screen.findByRole('dialog', { name: 'Remove CHG0000042 from the agenda?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove it' }));
    expect(await within(dialog).findByText('Give a reason: it is kept in the history.')).toBeTruthy();
    expect(posts(server, `${M}/agenda`)).toHaveLength(0);
    fireEvent.change(within(dialog).getByRole('textbox', { name: /^Reason/ }), { target: { value: 'Postponed by the team' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove it' }));
    await waitFor(() => expect(posts(server, `${M}/agenda`)).toHaveLength(1));
    expect(posts(server, `${M}/agenda`)[0]!.body).toEqual({ action: 'remove', changeId: 'chg_42', reason: 'Postponed by the team' });
  });

  it('shows a member a planned meeting without Start, decisions or agenda edits', async () => {
    vi.stubGlobal('fetch', workbench(meeting()).fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: cabMember });
    await screen.findByRole('table', { name: 'Agenda items' }, LOAD);
    expect(await screen.findByText(/The board decides once the meeting has started/, {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Start the meeting' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel meeting' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Remove / })).toBeNull();
    expect(screen.queryByRole('form', { name: /^Decision on/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save attendance' })).toBeNull();
  });

  it('lets the chair start a planned meeting', async () => {
    const chair: Me = { ...cabMember, id: 'u_ana', name: 'Ana' };
    const server = workbench(meeting(), [{ method: 'POST', path: `${M}/start`, body: live }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: chair });
    fireEvent.click(await screen.findByRole('button', { name: 'Start the meeting' }, LOAD));
    await waitFor(() => expect(posts(server, `${M}/start`)).toHaveLength(1));
    expect(await screen.findByRole('button', { name: 'End the meeting' }, LOAD)).toBeTruthy();
    expect(screen.getByRole('timer', { name: 'Meeting time' })).toBeTruthy();
  });

  it('shows the minutes of an ended meeting with their hash and the Markdown and PDF downloads', async () => {
    const minutes: Minutes = { meetingId: 'mtg_1', markdown: '# Payments CAB weekly\n\n## Decisions\n\n- CHG0000042: approved', sha256: 'ab'.repeat(32), createdAt: '2026-12-10T10:00:00.000Z', createdBy: 'u_cm' };
    const ended = meeting({ state: 'ended', startedAt: '2026-12-10T09:00:00.000Z', endedAt: '2026-12-10T10:00:00.000Z', minutesHash: minutes.sha256 });
    vi.stubGlobal('fetch', workbench(ended, [{ path: `${M}/minutes`, body: minutes }], agenda({ frozen: true, items: [item({ decision })] })).fetch);
    renderWithProviders(<MeetingPage />, { path: '/meetings/mtg_1', route: '/meetings/:id', me: changeManager });
    const section = await screen.findByRole('region', { name: 'Minutes' }, LOAD);
    // The Markdown is shown formatted, its headings under the section's own.
    expect(await within(section).findByRole('heading', { name: 'Decisions', level: 4 }, LOAD)).toBeTruthy();
    expect(within(section).getByRole('heading', { name: 'Payments CAB weekly', level: 3 })).toBeTruthy();
    expect(within(section).getByRole('listitem').textContent).toBe('CHG0000042: approved');
    expect(section.textContent).not.toContain('##');
    expect(within(section).getByTestId('minutes-hash').textContent).toBe('ab'.repeat(32));
    expect(within(section).getByRole('link', { name: 'Download Markdown' }).getAttribute('href')).toBe('/api/v1/meetings/mtg_1/minutes?format=markdown');
    expect(within(section).getByRole('link', { name: 'Download PDF' }).getAttribute('href')).toBe('/api/v1/meetings/mtg_1/minutes?format=pdf');
    expect(screen.queryByRole('button', { name: 'End the meeting' })).toBeNull();
    expect(screen.getByText('Safe with a load test first.')).toBeTruthy();
    // A decided item shows its decision, not what the quorum of votes would still need.
    const row = within(screen.getByRole('table', { name: 'Agenda items' })).getByRole('link', { name: 'CHG0000042' }).closest('tr')!;
    expect(row.textContent).toContain('1 for, 0 against; decided: Approved with conditions');
    expect(document.body.textContent).not.toContain('needs 1 more');
  });
});

describe('ChangeConditionsPanel', { timeout: 20_000 }, () => {
  const condition = (over: Partial<Condition> = {}): Condition => ({
    id: 'cnd_1',
    changeId: 'chg_42',
    decisionId: 'dec_1',
    text: 'Run the load test',
    dueAt: '2026-12-01T18:00:00.000Z',
    verifier: { kind: 'person', userId: 'u_cm', name: 'Carla Manager' },
    state: 'open',
    overdue: true,
    holds: null,
    metAt: null,
    metBy: null,
    note: null,
    createdAt: '2026-11-30T10:00:00.000Z',
    canVerify: true,
    ...over,
  });
  const path = '/api/v1/changes/chg_42/conditions';

  it('lists the conditions and marks one met with a note', async () => {
    const server = fakeServer([
      {
        path,
        body: {
          items: [
            condition(),
            condition({ id: 'cnd_2', text: 'Scan attached', verifier: { kind: 'check', check: '"security_scan" in evidence' }, overdue: false, dueAt: null, holds: false, canVerify: false }),
          ],
        },
      },
      { method: 'POST', path: `${path}/cnd_1/verify`, body: condition({ state: 'met', overdue: false, metAt: '2026-12-02T10:00:00.000Z', metBy: { userId: 'u_cm', name: 'Carla Manager' }, note: 'Passed at 2x load' }) },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangeConditionsPanel changeId="chg_42" />, { me: changeManager });
    const first = await screen.findByRole('listitem', { name: 'Run the load test' }, LOAD);
    expect(within(first).getByText('Overdue')).toBeTruthy();
    expect(first.textContent).toContain('verified by Carla Manager');
    const second = screen.getByRole('listitem', { name: 'Scan attached' });
    expect(second.textContent).toContain('Due before implementation');
    expect(second.textContent).toContain('(does not hold yet)');
    expect(within(second).queryByRole('button', { name: /Mark met/ })).toBeNull();
    expect(screen.getByText('2 open')).toBeTruthy();
    fireEvent.click(within(first).getByRole('button', { name: 'Mark met: Run the load test' }));
    const dialog = await screen.findByRole('dialog', { name: 'Mark the condition met?' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: /How was it met/ }), { target: { value: 'Passed at 2x load' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Mark met' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({ note: 'Passed at 2x load' });
  });

  it('shows nothing for a change without conditions', async () => {
    const server = fakeServer([{ path, body: { items: [] } }]);
    vi.stubGlobal('fetch', server.fetch);
    const { container } = renderWithProviders(<ChangeConditionsPanel changeId="chg_42" />, { me: changeManager });
    await waitFor(() => expect(server.calls).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(container.querySelector('section')).toBeNull();
    expect(screen.queryByText('Conditions')).toBeNull();
  });
});
