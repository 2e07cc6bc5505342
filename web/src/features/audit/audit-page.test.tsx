import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import type { AuditEventPage } from './audit-api';
import { AuditPage } from './audit-page';

const auditor: Me = {
  ...adminMe,
  id: 'u_erin',
  name: 'Erin Silva',
  roles: [{ role: 'auditor', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'cmdb.read', 'audit.read', 'user.read', 'team.read'],
};
const requester: Me = { ...adminMe, id: 'u_bob', name: 'Bob', roles: [{ role: 'requester', scopeType: null, scopeId: null }], permissions: ['change.read'] };

const HASH = 'a'.repeat(64);
const page: AuditEventPage = {
  items: [
    {
      seq: 42,
      at: '2026-11-20T21:05:00.000Z',
      actorId: 'u_alice',
      actorName: 'Alice Martin',
      action: 'change.updated',
      entityType: 'change',
      entityId: 'chg_12',
      data: { number: 'CHG0000012', changes: { changeManagerId: { from: null, to: 'u_alice' }, ciIds: { from: [], to: ['ci_1'] } }, requestId: 'req-1', via: 'session' },
      prevHash: 'b'.repeat(64),
      hash: HASH,
    },
    {
      seq: 40,
      at: '2026-11-20T20:00:00.000Z',
      actorId: 'u_bob',
      actorName: 'Bob Okafor',
      action: 'change.transitioned',
      entityType: 'change',
      entityId: 'chg_12',
      data: { from: 'draft', to: 'assess', changes: { state: { from: 'draft', to: 'assess' } } },
      prevHash: 'c'.repeat(64),
      hash: 'd'.repeat(64),
    },
  ],
  nextCursor: '40',
  names: {
    chg_12: { type: 'change', label: 'CHG0000012', title: 'Rotate the payments database credentials' },
    u_alice: { type: 'user', label: 'Alice Martin', title: null },
    ci_1: { type: 'ci', label: 'pay-db-prod', title: null },
  },
  records: [{ id: 'chg_12', type: 'change', label: 'CHG0000012', title: 'Rotate the payments database credentials' }],
};

const older: AuditEventPage = {
  items: [{ ...page.items[1]!, seq: 7, action: 'ci.created', entityType: 'ci', entityId: 'ci_1', data: { after: { name: 'pay-db-prod' } } }],
  nextCursor: null,
  names: { ci_1: { type: 'ci', label: 'pay-db-prod', title: null } },
  records: [],
};

function server(extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    ...extra,
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
    { path: '/api/v1/people', body: { items: [], nextCursor: null } },
  ]);
}

afterEach(() => vi.unstubAllGlobals());

describe('AuditPage', () => {
  it('searches with the filters of the URL and lists each event readably: who, what in words, which record, when with its zone', async () => {
    const fake = server([{ path: '/api/v1/audit/events', body: page }]);
    vi.stubGlobal('fetch', fake.fetch);
    renderWithProviders(<AuditPage />, {
      path: '/audit?record=CHG0000012&action=change.updated,change.transitioned&from=2026-11-01T00:00:00.000Z',
      me: auditor,
    });

    const table = await screen.findByRole('table', { name: 'Audit events, newest first' });
    const search = fake.calls.find((c) => c.url.startsWith('/api/v1/audit/events'))!;
    const params = new URL(search.url, 'http://x').searchParams;
    expect(params.get('record')).toBe('CHG0000012');
    expect(params.get('action')).toBe('change.updated,change.transitioned');
    expect(params.get('from')).toBe('2026-11-01T00:00:00.000Z');
    expect(params.get('limit')).toBe('50');

    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('Alice Martin');
    expect(rows[0]!.textContent).toContain('Edited a change: Change manager, Affected CIs');
    expect(rows[1]!.textContent).toContain('Moved from Draft to Assess');
    const link = within(rows[0]!).getByRole('link', { name: 'CHG0000012' });
    expect(link.getAttribute('href')).toBe('/changes/CHG0000012');
    // The time carries its zone (the tests run in UTC here, or whatever TZ says).
    expect(rows[0]!.textContent).toMatch(/2026.*\d{2}:\d{2}:\d{2}\s*\S+/);
    expect(screen.getByTestId('records-note').textContent).toContain('Events about Change CHG0000012 Rotate the payments database credentials');
  });

  it('expands an event into a definition list with names for ids, the request and the hashes', async () => {
    vi.stubGlobal('fetch', server([{ path: '/api/v1/audit/events', body: page }]).fetch);
    renderWithProviders(<AuditPage />, { path: '/audit', me: auditor });

    fireEvent.click(await screen.findByRole('button', { name: /^Show the details of event 42/ }));
    const details = screen.getByTestId('event-42-details');
    const terms = within(details).getAllByRole('term').map((t) => t.textContent);
    expect(terms).toEqual(expect.arrayContaining(['What', 'Record', 'Who', 'When', 'Changed', 'Request id', 'Event', 'Hash', 'Previous hash']));
    expect(details.textContent).toContain('Alice Martin, through a browser session');
    const changed = within(details).getAllByRole('term').find((t) => t.textContent === 'Changed')!.nextElementSibling!;
    expect(changed.textContent).toContain('Change manager');
    expect(changed.textContent).toContain('— → Alice Martin');
    expect(within(changed as HTMLElement).getByRole('link', { name: 'pay-db-prod' }).getAttribute('href')).toBe('/cmdb/cis/ci_1');
    expect(details.textContent).toContain(HASH);
    expect(details.textContent).toContain('number 42 of the chain');
    expect(screen.getByRole('button', { name: /^Hide the details of event 42/ }).getAttribute('aria-expanded')).toBe('true');
  });

  it('loads older events with the cursor of the page before', async () => {
    const fake = fakeServer([
      { path: '/api/v1/policy', body: testPolicy },
      { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
      { path: '/api/v1/people', body: { items: [], nextCursor: null } },
    ]);
    const base = fake.fetch;
    vi.stubGlobal('fetch', (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      if (url.startsWith('/api/v1/audit/events')) {
        await base(input, init);
        return new Response(JSON.stringify(url.includes('cursor=40') ? older : page), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }
      return base(input, init);
    }) as typeof fetch);
    renderWithProviders(<AuditPage />, { path: '/audit', me: auditor });

    fireEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    await screen.findByText('Created a CI');
    expect(screen.getAllByRole('row')).toHaveLength(4);
    expect(fake.calls.some((c) => c.url.includes('cursor=40'))).toBe(true);
    expect(screen.getByText('3 rows, all shown')).toBeTruthy();
  });

  it('verifies the chain and shows the head hash to keep, with a copy button', async () => {
    const fake = server([
      { path: '/api/v1/audit/events', body: page },
      { path: '/api/v1/audit/verify', body: { ok: true, checked: 151, headSeq: 151, lastSeq: 151, lastHash: HASH } },
    ]);
    vi.stubGlobal('fetch', fake.fetch);
    renderWithProviders(<AuditPage />, { path: '/audit', me: auditor });

    expect(fake.calls.some((c) => c.url.startsWith('/api/v1/audit/verify'))).toBe(false);
    fireEvent.click(await screen.findByRole('button', { name: 'Verify the chain' }));
    const result = await screen.findByTestId('verify-result');
    expect(result.textContent).toContain('The chain is intact');
    expect(result.textContent).toContain('151 events checked, from event 1 to event 151');
    expect(screen.getByTestId('head-hash').textContent).toBe(HASH);
    expect(result.textContent).toContain('Keep this hash to prove later that nothing was rewritten');
    expect(within(result).getByRole('button', { name: 'Copy the head hash' })).toBeTruthy();
  });

  it('names the first broken event and shows it as stored when the chain is broken', async () => {
    const broken = { ...page.items[0]!, seq: 41 };
    const fake = server([
      { path: '/api/v1/audit/verify', body: { ok: false, checked: 40, headSeq: 151, brokenSeq: 41, reason: 'its content does not match its hash (the event was altered)' } },
    ]);
    const base = fake.fetch;
    vi.stubGlobal('fetch', (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      if (url.startsWith('/api/v1/audit/events')) {
        const body = url.includes('cursor=42') ? { ...page, items: [broken] } : page;
        return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
      }
      return base(input, init);
    }) as typeof fetch);
    renderWithProviders(<AuditPage />, { path: '/audit', me: auditor });

    fireEvent.click(await screen.findByRole('button', { name: 'Verify the chain' }));
    const result = await screen.findByRole('alert');
    expect(result.textContent).toContain('The chain is broken at event 41');
    expect(result.textContent).toContain('Event 41: its content does not match its hash (the event was altered)');
    expect(result.textContent).toContain('The 40 events before it check out');
    await waitFor(() => expect(within(result).getByTestId('event-41-details')).toBeTruthy());
  });

  it('offers the export as a real download of the chosen range, and says how to check it offline', async () => {
    vi.stubGlobal('fetch', server([{ path: '/api/v1/audit/events', body: page }]).fetch);
    renderWithProviders(<AuditPage />, { path: '/audit', me: auditor });

    const whole = await screen.findByRole('link', { name: 'Download the whole trail' });
    expect(whole.getAttribute('href')).toBe('/api/v1/audit/export');
    expect(whole.hasAttribute('download')).toBe(true);
    const exportPanel = screen.getByRole('region', { name: 'Export' });
    fireEvent.change(within(exportPanel).getByLabelText('From'), { target: { value: '2026-11-01T00:00' } });
    fireEvent.change(within(exportPanel).getByLabelText('To'), { target: { value: '2026-12-01T00:00' } });
    const range = within(exportPanel).getByRole('link', { name: 'Download export' });
    const params = new URL(range.getAttribute('href')!, 'http://x').searchParams;
    expect(params.get('from')).toBe(new Date('2026-11-01T00:00').toISOString());
    expect(params.get('to')).toBe(new Date('2026-12-01T00:00').toISOString());
    expect(exportPanel.textContent).toContain('npx cabinet audit verify --after HASH');

    fireEvent.change(within(exportPanel).getByLabelText('From'), { target: { value: '2026-12-02T00:00' } });
    expect(within(exportPanel).queryByRole('link', { name: 'Download export' })).toBeNull();
    expect(exportPanel.textContent).toContain('must be after From');
  });

  it('tells people without the auditor role that the trail is not for them, and asks the server nothing', async () => {
    const fake = server();
    vi.stubGlobal('fetch', fake.fetch);
    renderWithProviders(<AuditPage />, { path: '/audit', me: requester });
    expect(await screen.findByText('The audit trail is for auditors')).toBeTruthy();
    expect(fake.calls.some((c) => c.url.startsWith('/api/v1/audit'))).toBe(false);
  });
});
