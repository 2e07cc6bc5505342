import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { GlobalSearch } from './global-search';
import type { Home, SearchResult } from './home-api';
import { HomePage, relativeWords } from './home-page';

afterEach(() => vi.unstubAllGlobals());

const requesterMe: Me = {
  ...adminMe,
  id: 'u_bob',
  name: 'Bob Okafor',
  roles: [{ role: 'requester', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create', 'change.update', 'approval.decide', 'cmdb.read'],
};
const auditorMe: Me = {
  ...adminMe,
  id: 'u_erin',
  name: 'Erin Silva',
  roles: [{ role: 'auditor', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'cmdb.read', 'audit.read', 'sla.read', 'user.read'],
};

const change = (number: string, title: string, over: Partial<Home['approvals']['items'][number]['change']> = {}) => ({
  id: `id_${number}`,
  number,
  title,
  type: 'normal' as const,
  state: 'draft',
  stateLabel: 'Draft',
  plannedStart: null,
  plannedEnd: null,
  ...over,
});

const empty = { count: 0, items: [] };
function home(over: Partial<Home> = {}): Home {
  return {
    generatedAt: '2026-12-06T09:00:00.000Z',
    sees: { approvals: true, changeManagement: false, oversight: false },
    approvals: empty,
    myChanges: { ...empty, states: [] },
    implementing: { ...empty, from: '2026-12-06T09:00:00.000Z', to: '2026-12-13T09:00:00.000Z' },
    triage: null,
    conflicts: null,
    slaAtRisk: null,
    freezes: null,
    oversight: null,
    ...over,
  };
}

describe('relativeWords', () => {
  const now = Date.parse('2026-12-06T09:00:00Z');
  it.each([
    ['2026-12-06T09:20:00Z', 'in 20 min'],
    ['2026-12-06T12:00:00Z', 'in 3 h'],
    ['2026-12-09T09:00:00Z', 'in 3 d'],
    ['2026-12-06T07:00:00Z', '2 h ago'],
  ])('%s reads "%s"', (iso, words) => expect(relativeWords(iso, now)).toBe(words));
});

describe('HomePage', () => {
  it('shows a requester what needs them, each count linking to the list behind it', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        {
          path: '/api/v1/home',
          body: home({
            myChanges: {
              count: 2,
              states: ['draft'],
              items: [
                {
                  change: change('CHG0000001', 'Upgrade PostgreSQL'),
                  nextMove: 'Submit for assessment',
                  reasons: [{ kind: 'missing_fields', text: 'Submit for assessment needs backout plan and planned start', fields: ['backoutPlan', 'plannedStart'], at: null }],
                },
                {
                  change: change('CHG0000004', 'Tidy firewall rules'),
                  nextMove: 'Submit for assessment',
                  reasons: [{ kind: 'returned', text: 'Alice returned it to Draft: “Name the rules.”', fields: [], at: '2026-12-05T10:00:00.000Z' }],
                },
              ],
            },
          }),
        },
      ]).fetch,
    );
    renderWithProviders(<HomePage />, { me: requesterMe });
    expect(await screen.findByRole('heading', { name: 'Home', level: 1 })).toBeTruthy();
    expect(screen.getByText('What needs you now, Bob.')).toBeTruthy();

    const approvals = await screen.findByRole('region', { name: 'Approvals waiting for you' });
    expect(within(approvals).getByText('Nothing waits for your approval.')).toBeTruthy();
    expect(within(approvals).getByRole('link', { name: '0 approvals in My approvals' }).getAttribute('href')).toBe('/approvals');

    const mine = screen.getByRole('region', { name: 'Your changes that need you' });
    expect(within(mine).getByRole('link', { name: '2 changes in the list' }).getAttribute('href')).toBe('/changes?state=draft&mine=requested,owned');
    expect(within(mine).getByRole('link', { name: 'CHG0000001' }).getAttribute('href')).toBe('/changes/CHG0000001');
    expect(within(mine).getByText('Submit for assessment needs backout plan and planned start')).toBeTruthy();
    expect(within(mine).getByText(/returned it to Draft/)).toBeTruthy();

    expect(within(screen.getByRole('region', { name: 'You implement in the next 7 days' })).getByText('Nothing to implement in the next 7 days.')).toBeTruthy();
    // No change-management sections for a requester.
    expect(screen.queryByRole('region', { name: /Triage/ })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Change management' })).toBeNull();
  });

  it('gives a change manager the triage queue, conflicts, SLA clocks and freezes', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        {
          path: '/api/v1/home',
          body: home({
            sees: { approvals: true, changeManagement: true, oversight: true },
            approvals: {
              count: 1,
              items: [
                {
                  approvalId: 'apr_1',
                  change: change('CHG0000003', 'Add read replica', { state: 'authorize', stateLabel: 'Authorize' }),
                  stageLabel: 'Change authority',
                  approverLabel: 'Change Managers',
                  reason: 'A normal change of low or moderate risk is authorised by a change manager',
                  dueAt: '2020-01-01T10:00:00.000Z',
                  overdue: true,
                  decidesFor: null,
                },
              ],
            },
            triage: { count: 3, states: ['assess'], items: [{ change: change('CHG0000002', 'Rotate TLS certificates', { state: 'assess', stateLabel: 'Assess' }), since: '2026-11-28T09:00:00.000Z', routedToMe: true, changeManagerName: 'Alice' }] },
            conflicts: { count: 1, states: ['scheduled'], items: [{ change: change('CHG0000005', 'Kubernetes upgrade', { state: 'scheduled', stateLabel: 'Scheduled' }), count: 2, kinds: ['ci_overlap'] }] },
            slaAtRisk: { count: 0, items: [], until: '2026-12-07T09:00:00.000Z' },
            freezes: {
              count: 1,
              until: '2026-12-20T09:00:00.000Z',
              items: [{ windowId: 'w_1', name: 'Year-end freeze', start: '2026-12-20T00:00:00.000Z', end: '2027-01-03T00:00:00.000Z', inForce: false, urgent: false, scope: 'everywhere' }],
            },
            oversight: { slaBreaches: 1, breakGlassToReview: 0, since: '2026-11-06T09:00:00.000Z' },
          }),
        },
      ]).fetch,
    );
    renderWithProviders(<HomePage />, { me: adminMe });
    const triage = await screen.findByRole('region', { name: 'Triage: submitted, waiting for assessment' });
    expect(within(triage).getByRole('link', { name: '3 changes to assess' }).getAttribute('href')).toBe('/changes?state=assess');
    expect(within(triage).getByText('Routed to you')).toBeTruthy();
    const approvals = screen.getByRole('region', { name: 'Approvals waiting for you' });
    expect(within(approvals).getByText('Overdue')).toBeTruthy();
    const conflicts = screen.getByRole('region', { name: 'Conflicts nobody acknowledged' });
    expect(within(conflicts).getByText(/2 conflicts \(same CI at the same time\)/)).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'SLA clocks due within 24 hours' })).getByText('No SLA clock is about to run out.')).toBeTruthy();
    const freezes = screen.getByRole('region', { name: 'Freezes in the next 14 days' });
    expect(within(freezes).getByText('Year-end freeze')).toBeTruthy();
    expect(within(freezes).getByRole('link', { name: '1 freeze in Windows' }).getAttribute('href')).toBe('/schedule/windows');
    expect(screen.getByRole('link', { name: /1 SLA breach since/ }).getAttribute('href')).toBe('/sla/breaches');
  });

  it('gives an auditor oversight instead of queues, and no approvals to decide', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([{ path: '/api/v1/home', body: home({ sees: { approvals: false, changeManagement: false, oversight: true }, oversight: { slaBreaches: 0, breakGlassToReview: 2, since: '2026-11-06T09:00:00.000Z' } }) }]).fetch,
    );
    renderWithProviders(<HomePage />, { me: auditorMe });
    const oversight = await screen.findByRole('region', { name: 'Oversight' });
    expect(within(oversight).getByText('2 break-glass changes wait for review.')).toBeTruthy();
    expect(within(oversight).getByRole('link', { name: 'Search and verify the audit trail' }).getAttribute('href')).toBe('/audit');
    expect(screen.queryByRole('region', { name: 'Approvals waiting for you' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Your changes that need you' })).toBeNull();
  });

  it('shows the server’s message when the page cannot load', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/home', status: 500, body: { error: { code: 'internal', message: 'Something broke (request r1).', details: {} } } }]).fetch);
    renderWithProviders(<HomePage />, { me: requesterMe });
    expect(await screen.findByText('Something broke (request r1).')).toBeTruthy();
  });
});

describe('GlobalSearch', () => {
  const result: SearchResult = {
    q: 'pay-db',
    groups: [
      { kind: 'change', more: false, items: [{ kind: 'change', id: 'c1', title: 'CHG0000001 Upgrade PostgreSQL on pay-db-prod', detail: 'Normal change · Draft', path: '/changes/CHG0000001' }] },
      { kind: 'ci', more: false, items: [{ kind: 'ci', id: 'ci_1', title: 'pay-db-prod', detail: 'database · production · Payments', path: '/cmdb/cis/ci_1' }] },
      { kind: 'person', more: false, items: [] },
    ],
  };

  it('opens with "/", groups the results by kind, and Enter opens the one chosen with the arrows', async () => {
    const server = fakeServer([{ path: '/api/v1/search', body: result }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<GlobalSearch />, { me: requesterMe, route: '/' });
    fireEvent.keyDown(window, { key: '/' });
    const box = await screen.findByRole('combobox', { name: /Changes, CIs, services/ });
    fireEvent.change(box, { target: { value: 'pay-db' } });
    const listbox = screen.getByRole('listbox', { name: 'Search results' });
    await waitFor(() => expect(within(listbox).getByRole('group', { name: 'CIs' })).toBeTruthy());
    expect(server.calls.some((c) => c.url.includes('/api/v1/search?q=pay-db'))).toBe(true);
    expect(within(listbox).getByRole('group', { name: 'Changes' })).toBeTruthy();
    // Kinds without hits are not shown; the last option searches the whole change list.
    expect(within(listbox).queryByRole('group', { name: 'People' })).toBeNull();
    expect(within(listbox).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'CHG0000001 Upgrade PostgreSQL on pay-db-prodNormal change · Draft',
      'pay-db-proddatabase · production · Payments',
      'All changes matching “pay-db”Number, title or text, in the change list',
    ]);
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(box.getAttribute('aria-activedescendant')).toBe('global-search-option-1');
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('elsewhere')).toBeTruthy());
  });

  it('does not open while the person types in a field', () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch);
    renderWithProviders(
      <>
        <input aria-label="Notes" />
        <GlobalSearch />
      </>,
      { me: requesterMe },
    );
    fireEvent.keyDown(screen.getByLabelText('Notes'), { key: '/' });
    expect(screen.queryByRole('combobox')).toBeNull();
  });
});
