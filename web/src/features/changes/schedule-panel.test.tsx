import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { ChangeDetail, Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangePage } from './change-page';
import { formatInterval } from './conflicts-api';
import { plannedChange, sampleCi, sampleConflicts, sampleEvidence, sampleImpact, sampleRisk } from './test-fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const CONFLICTS = '/api/v1/changes/chg_1/conflicts';
const IMPACT = '/api/v1/changes/chg_1/impact';
const EXCEPTIONS = '/api/v1/changes/chg_1/freeze-exceptions';

const users = {
  items: [
    {
      id: 'u_alice',
      name: 'Alice Martin',
      email: 'alice@example.com',
      roles: [],
      teamIds: [],
      disabled: false,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  nextCursor: null,
};
const changeManager: Me = {
  ...adminMe,
  id: 'u_alice',
  name: 'Alice Martin',
  roles: [{ role: 'change_manager', scopeType: null, scopeId: null }],
  permissions: [...adminMe.permissions, 'change.acknowledge_conflict'],
};
const requester: Me = { ...adminMe, id: 'u_bob', name: 'Bob Okafor', roles: [{ role: 'requester', scopeType: null, scopeId: null }] };

/** The change page's routes, with the schedule's answers; `extra` comes first so it wins. */
function schedulePageServer(change: ChangeDetail, extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    ...extra,
    { path: '/api/v1/changes/chg_1', body: change },
    { path: CONFLICTS, body: { items: sampleConflicts, checked: true } },
    { path: IMPACT, body: sampleImpact },
    { path: EXCEPTIONS, body: { items: [] } },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/people', body: users },
    { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
    { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
    { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
    { path: '/api/v1/changes/chg_1/approvals', body: { items: [] } },
    { path: '/api/v1/changes/chg_1/evidence', body: sampleEvidence },
    { path: '/api/v1/changes/chg_1/break-glass', body: { items: [] } },
  ]);
}

// NOTE: the whole change page loads first; on a busy machine that takes longer than findBy's default second.
const LOAD = { timeout: 5000 };
/** A whole page renders per test: on a busy machine that is more than vitest's default five seconds. */
const PAGE_TEST_TIMEOUT = 20_000;

async function openScheduleTab() {
  const tab = await screen.findByRole('tab', { name: 'Schedule: 4 conflicts, 2 blocking' }, LOAD);
  fireEvent.click(tab);
  return screen.findByRole('list', { name: 'Conflicts' }, LOAD);
}

describe('ChangePage schedule', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('counts the conflicts on the tab in red and lists each with its kind in words, interval, links and badges, blocking first', async () => {
    vi.stubGlobal('fetch', schedulePageServer(plannedChange).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });

    const count = await screen.findByTestId('schedule-tab-count', {}, LOAD);
    await waitFor(() => expect(count.textContent).toBe('4'));
    expect(count.getAttribute('style')).toContain('--mantine-color-red');
    const list = await openScheduleTab();
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('aria-label'))).toEqual([
      'Freeze (blocking)',
      'Outside a maintenance window (blocking)',
      'Implementer busy',
      'Same CI at the same time',
    ]);

    const [freeze, window, busy, overlap] = items as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    expect(within(freeze).getByText('Blocking')).toBeTruthy();
    expect(freeze.textContent).toContain('The change falls in the freeze "Year-end freeze".');
    expect(within(freeze).getByTestId('conflict-interval').textContent).toBe(
      formatInterval('2026-12-20T00:00:00.000Z', '2027-01-03T00:00:00.000Z'),
    );
    expect(within(freeze).getByRole('link', { name: 'Year-end freeze' }).getAttribute('href')).toBe('/schedule/windows');
    expect(within(freeze).getByTestId('proposed-slot').textContent).toContain(
      `Proposed: ${formatInterval('2027-01-03T00:00:00.000Z', '2027-01-03T02:00:00.000Z')}`,
    );
    // A freeze is not acknowledged away: it needs an exception.
    expect(within(freeze).queryByRole('button', { name: 'Acknowledge' })).toBeNull();

    expect(within(window).getByRole('link', { name: 'Payments' }).getAttribute('href')).toBe('/cmdb/services/svc_pay');
    expect(within(window).getByRole('button', { name: 'Acknowledge' })).toBeTruthy();

    expect(within(overlap).queryByText('Blocking')).toBeNull();
    expect(within(overlap).getByRole('link', { name: 'CHG0000002' }).getAttribute('href')).toBe('/changes/CHG0000002');
    expect(within(overlap).getByRole('link', { name: 'orders-db' }).getAttribute('href')).toBe('/cmdb/cis/ci_db');

    expect(within(busy).getByText('Acknowledged by Alice Martin')).toBeTruthy();
    expect(within(busy).getByTestId('acknowledgement').textContent).toContain('Carol does both from the same console');
    expect(within(busy).queryByRole('button', { name: 'Acknowledge' })).toBeNull();

    // The banner above the page names the freeze.
    const banner = screen.getByTestId('freeze-banner');
    expect(banner.textContent).toContain('Planned inside the freeze “Year-end freeze”');
    expect(banner.textContent).toContain('request an exception or take the proposed slot');
  });

  it('sends the reason of an acknowledgement, and shows the server refusal in words', async () => {
    const server = schedulePageServer(plannedChange, [
      {
        method: 'POST',
        path: `${CONFLICTS}/cf_window/acknowledge`,
        status: 409,
        body: { error: { code: 'already_acknowledged', message: 'This conflict was already acknowledged.', details: {} } },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    const list = await openScheduleTab();
    const window = within(list).getByRole('listitem', { name: 'Outside a maintenance window (blocking)' });
    fireEvent.click(within(window).getByRole('button', { name: 'Acknowledge' }));
    const form = within(window).getByRole('form', { name: 'Acknowledge the conflict' });
    fireEvent.change(within(form).getByRole('textbox', { name: /Why is this conflict acceptable/ }), {
      target: { value: 'The vendor is only available then' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Acknowledge' }));

    expect(await within(form).findByText('This conflict was already acknowledged.')).toBeTruthy();
    const post = server.calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe(`${CONFLICTS}/cf_window/acknowledge`);
    expect(post?.body).toEqual({ reason: 'The vendor is only available then' });
    expect(post?.headers['X-CSRF-Token']).toBe('csrf-123');
  });

  it('offers no Acknowledge to people who may not acknowledge', async () => {
    vi.stubGlobal('fetch', schedulePageServer(plannedChange).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: requester });
    const list = await openScheduleTab();
    expect(within(list).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
    expect(list.textContent).toContain('A change manager may acknowledge this conflict');
  });

  it('takes the proposed slot with a PATCH of the planned times and the version, then fetches the conflicts again', async () => {
    const moved = { ...plannedChange, plannedStart: '2027-01-03T00:00:00.000Z', plannedEnd: '2027-01-03T02:00:00.000Z', version: 4 };
    const server = schedulePageServer(plannedChange, [{ method: 'PATCH', path: '/api/v1/changes/chg_1', body: moved }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    const list = await openScheduleTab();
    const conflictReads = () => server.calls.filter((c) => c.method === 'GET' && c.url === CONFLICTS).length;
    const before = conflictReads();

    fireEvent.click(
      within(within(list).getByRole('listitem', { name: 'Freeze (blocking)' })).getByRole('button', { name: 'Take this slot' }),
    );

    await waitFor(() => expect(server.calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      plannedStart: '2027-01-03T00:00:00.000Z',
      plannedEnd: '2027-01-03T02:00:00.000Z',
      version: 3,
    });
    await waitFor(() => expect(conflictReads()).toBeGreaterThan(before));
    expect(await screen.findByText('Moved to the new slot.')).toBeTruthy();
  });

  it('finds a slot for the saved change (leaving its own interval out) and takes it', async () => {
    const server = schedulePageServer(plannedChange, [
      {
        path: '/api/v1/schedule/next-slot',
        body: {
          slots: [{ start: '2027-01-04T22:00:00.000Z', end: '2027-01-05T00:00:00.000Z' }],
          requiresMaintenanceWindow: [],
          searchedUntil: '2027-03-21T22:00:00.000Z',
        },
      },
      { method: 'PATCH', path: '/api/v1/changes/chg_1', body: { ...plannedChange, version: 4 } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    await openScheduleTab();
    fireEvent.click(screen.getByRole('button', { name: 'Find a slot' }));
    const slots = await screen.findByRole('region', { name: 'Free slots' });
    fireEvent.click(await within(slots).findByRole('button', { name: 'Take this slot' }));

    const search = new URL(server.calls.find((c) => c.url.startsWith('/api/v1/schedule/next-slot'))!.url, 'http://x').searchParams;
    expect(Object.fromEntries(search)).toMatchObject({ ciIds: 'ci_db', durationMinutes: '120', limit: '3', excludeChangeId: 'chg_1' });
    await waitFor(() =>
      expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
        plannedStart: '2027-01-04T22:00:00.000Z',
        plannedEnd: '2027-01-05T00:00:00.000Z',
        version: 3,
      }),
    );
  });

  it('requests a freeze exception, with each server issue under its field', async () => {
    const server = schedulePageServer(plannedChange, [
      {
        method: 'POST',
        path: EXCEPTIONS,
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The freeze exception has invalid values.',
            details: {
              issues: [
                { path: 'risk', message: 'say what could go wrong' },
                { path: 'acceptedBy', message: 'unknown user nobody' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    await openScheduleTab();
    fireEvent.click(screen.getByRole('button', { name: 'Request a freeze exception' }));
    const form = screen.getByRole('form', { name: 'Request a freeze exception' });
    fireEvent.change(within(form).getByRole('textbox', { name: /Why it cannot wait/ }), {
      target: { value: 'The regulator needs it before the year ends' },
    });
    fireEvent.change(within(form).getByRole('textbox', { name: /Mitigation/ }), { target: { value: 'Run at night' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Request the exception' }));

    expect(await within(form).findByText('say what could go wrong')).toBeTruthy();
    expect(
      within(form)
        .getByRole('textbox', { name: /What could go wrong/ })
        .getAttribute('aria-invalid'),
    ).toBe('true');
    expect(within(form).getByText('unknown user nobody')).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({
      reason: 'The regulator needs it before the year ends',
      risk: '',
      mitigation: 'Run at night',
      acceptedBy: '',
    });
  });

  it('asks a requester, who may not list people, for the email of whoever accepts the risk, and lists the exception once requested', async () => {
    const requested = {
      id: 'fx_1',
      changeId: 'chg_1',
      windows: [{ id: 'w_freeze', name: 'Year-end freeze' }],
      reason: 'The regulator needs it',
      risk: 'Reports slow for an hour',
      mitigation: 'Run at night',
      acceptedBy: { id: 'u_alice', name: 'Alice Martin' },
      state: 'requested',
      createdBy: 'u_bob',
      createdAt: '2026-11-22T10:00:00.000Z',
      decidedAt: null,
    };
    const server = schedulePageServer(plannedChange, [
      { path: '/api/v1/people', status: 403, body: { error: { code: 'forbidden', message: 'You may not list users.', details: {} } } },
      { method: 'POST', path: EXCEPTIONS, status: 201, body: { items: [requested] } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: requester });
    await openScheduleTab();
    fireEvent.click(screen.getByRole('button', { name: 'Request a freeze exception' }));
    const form = screen.getByRole('form', { name: 'Request a freeze exception' });
    fireEvent.change(within(form).getByRole('textbox', { name: /Why it cannot wait/ }), { target: { value: 'The regulator needs it' } });
    fireEvent.change(within(form).getByRole('textbox', { name: /What could go wrong/ }), { target: { value: 'Reports slow for an hour' } });
    fireEvent.change(within(form).getByRole('textbox', { name: /Mitigation/ }), { target: { value: 'Run at night' } });
    fireEvent.change(await within(form).findByRole('textbox', { name: /Who accepts the risk \(email\)/ }, LOAD), {
      target: { value: ' alice@example.com ' },
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Request the exception' }));

    expect(await screen.findByRole('listitem', { name: 'Freeze exception: Waiting for approval' })).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Request a freeze exception' })).toBeNull();
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({
      reason: 'The regulator needs it',
      risk: 'Reports slow for an hour',
      mitigation: 'Run at night',
      acceptedBy: 'alice@example.com',
    });
  });

  it('lists the freeze exceptions with their state, and withdraws one after confirming', async () => {
    const exception = {
      id: 'fx_1',
      changeId: 'chg_1',
      windows: [{ id: 'w_freeze', name: 'Year-end freeze' }],
      reason: 'The regulator needs it',
      risk: 'Reports slow for an hour',
      mitigation: 'Run at night',
      acceptedBy: { id: 'u_alice', name: 'Alice Martin' },
      state: 'requested',
      createdBy: 'u_bob',
      createdAt: '2026-11-22T10:00:00.000Z',
      decidedAt: null,
    };
    const server = schedulePageServer(plannedChange, [
      { path: EXCEPTIONS, body: { items: [exception] } },
      {
        method: 'POST',
        path: `${EXCEPTIONS}/fx_1/withdraw`,
        body: { items: [{ ...exception, state: 'withdrawn', decidedAt: '2026-11-22T11:00:00.000Z' }] },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    await openScheduleTab();
    const item = await screen.findByRole('listitem', { name: 'Freeze exception: Waiting for approval' });
    expect(item.textContent).toContain('For Year-end freeze');
    expect(item.textContent).toContain('Risk accepted by Alice Martin');
    // One exception at a time: while it waits, no second request is offered.
    expect(screen.queryByRole('button', { name: 'Request a freeze exception' })).toBeNull();
    fireEvent.click(within(item).getByRole('button', { name: 'Withdraw' }));
    fireEvent.click(within(item).getByRole('button', { name: 'Withdraw' }));
    expect(await screen.findByRole('listitem', { name: 'Freeze exception: Withdrawn' })).toBeTruthy();
    expect(server.calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual([`${EXCEPTIONS}/fx_1/withdraw`]);
  });

  it('shows the impact with depth and via, excludes a CI with a reason and includes another again', async () => {
    const server = schedulePageServer(plannedChange, [
      { method: 'POST', path: `${IMPACT}/exclusions`, status: 201, body: { ...sampleImpact, impacted: [], impactedCount: 0 } },
      { method: 'DELETE', path: `${IMPACT}/exclusions/ci_report`, body: { ...sampleImpact, excluded: [] } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    await openScheduleTab();
    const table = await screen.findByRole('table', { name: 'Impacted CIs' });
    const row = within(table).getByRole('row', { name: /orders-api/ });
    expect(
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['orders-api', '1', 'orders-db', 'Payments', 'Exclude']);
    const excluded = screen.getByRole('listitem', { name: 'report-runner' });
    expect(excluded.textContent).toContain('Reads a replica');
    expect(excluded.textContent).toContain('Excluded by Alice Martin');

    fireEvent.click(within(row).getByRole('button', { name: 'Exclude orders-api' }));
    const form = screen.getByRole('form', { name: 'Exclude orders-api' });
    fireEvent.change(within(form).getByRole('textbox'), { target: { value: 'The API reads a replica during the upgrade' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Exclude' }));
    await waitFor(() => expect(screen.queryByRole('table', { name: 'Impacted CIs' })).toBeNull());
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({
      ciId: 'ci_api',
      reason: 'The API reads a replica during the upgrade',
    });

    fireEvent.click(screen.getByRole('button', { name: 'Include report-runner again' }));
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'report-runner' })).toBeNull());
    expect(server.calls.some((c) => c.method === 'DELETE' && c.url === `${IMPACT}/exclusions/ci_report`)).toBe(true);
  });

  it('shows the hold banner while an urgent freeze holds the change', async () => {
    const held = { ...plannedChange, hold: { windowId: 'w_lock', until: '2026-11-23T15:00:00.000Z' } };
    const lockdown = {
      ...sampleConflicts[1]!,
      id: 'cf_lock',
      window: { id: 'w_lock', name: 'Incident lockdown', kind: 'freeze' },
      proposedSlot: null,
    };
    vi.stubGlobal('fetch', schedulePageServer(held, [{ path: CONFLICTS, body: { items: [lockdown], checked: true } }]).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    const banner = await screen.findByTestId('hold-banner', {}, LOAD);
    await waitFor(() => expect(banner.textContent).toContain('On hold by an urgent freeze (Incident lockdown) until'));
    expect(screen.getByTestId('freeze-banner').textContent).toContain('Planned inside the freeze “Incident lockdown”');
  });
});
