import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { setCsrfToken } from '../../api/client';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { sampleCi } from '../changes/test-fixtures';
import { CiIncidentsSection } from './ci-incidents-section';
import { IncidentPage } from './incident-page';
import { sampleIncident } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;
const DAY = 86_400_000;
const auditor: Me = {
  ...adminMe,
  roles: [{ role: 'auditor', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'incident.read'],
};

function incidentServer(extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    ...extra,
    { path: '/api/v1/incidents/INC0000001', body: sampleIncident() },
    { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
    { path: '/api/v1/services', body: { items: [], nextCursor: null } },
    { path: '/api/v1/changes', body: { items: [], nextCursor: null } },
  ]);
}

describe('IncidentPage', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('resolves with the version read, keeping other unsaved edits in the form', async () => {
    const server = incidentServer([
      {
        method: 'PATCH',
        path: '/api/v1/incidents/inc_1',
        body: sampleIncident({ state: 'resolved', resolvedAt: '2026-11-21T10:00:00.000Z', version: 2 }),
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<IncidentPage />, { path: '/incidents/INC0000001', route: '/incidents/:id', me: adminMe });

    expect(await screen.findByRole('heading', { name: 'Checkout times out', level: 1 }, LOAD)).toBeTruthy();
    const cause = screen.getByRole('link', { name: 'CHG0000001' });
    expect(cause.getAttribute('href')).toBe('/changes/CHG0000001');
    fireEvent.change(screen.getByLabelText(/^Title/), { target: { value: 'Checkout times out for Visa cards' } });

    const actions = screen.getByRole('group', { name: 'Incident actions' });
    expect(
      within(actions)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Resolve', 'Close']);
    fireEvent.click(within(actions).getByRole('button', { name: 'Resolve' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Resolved.'), LOAD);
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ state: 'resolved', version: 1 });
    expect(
      within(screen.getByRole('group', { name: 'Incident actions' }))
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Close', 'Reopen']);
    expect((screen.getByLabelText(/^Title/) as HTMLInputElement).value).toBe('Checkout times out for Visa cards');
  });

  it('offers a reload when someone else changed the incident first', async () => {
    const server = incidentServer([
      {
        method: 'PATCH',
        path: '/api/v1/incidents/inc_1',
        status: 412,
        body: { error: { code: 'stale_version', message: 'The incident changed since you read it.', details: {} } },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<IncidentPage />, { path: '/incidents/INC0000001', route: '/incidents/:id', me: adminMe });
    fireEvent.change(await screen.findByLabelText(/^Title/, {}, LOAD), { target: { value: 'New title' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert', {}, LOAD);
    expect(alert.textContent).toContain('Someone changed this incident, reload');
    expect(within(alert).getByRole('button', { name: 'Reload' })).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ title: 'New title', version: 1 });
  });

  it('shows the incident without buttons to people who may only read it', async () => {
    vi.stubGlobal('fetch', incidentServer().fetch);
    renderWithProviders(<IncidentPage />, { path: '/incidents/INC0000001', route: '/incidents/:id', me: auditor });
    expect(await screen.findByText('You may read this incident but not edit it.', {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Incident actions' })).toBeNull();
    expect((screen.getByLabelText(/^Title/) as HTMLInputElement).disabled).toBe(true);
  });
});

describe('CiIncidentsSection', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('lists the incidents on the CI newest first and marks those of the last 30 days', async () => {
    const now = Date.now();
    const old = sampleIncident({
      id: 'inc_old',
      number: 'INC0000003',
      title: 'Old outage',
      state: 'closed',
      openedAt: new Date(now - 45 * DAY).toISOString(),
    });
    const recent = sampleIncident({
      id: 'inc_new',
      number: 'INC0000004',
      title: 'Recent outage',
      openedAt: new Date(now - 2 * DAY).toISOString(),
    });
    const server = fakeServer([{ path: '/api/v1/incidents', body: { items: [old, recent], nextCursor: null } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<CiIncidentsSection ciId="ci_db" canReport />, { me: adminMe });

    const table = await screen.findByRole('table', { name: 'Incidents on this CI' }, LOAD);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('link')[0]!.textContent)).toEqual(['INC0000004', 'INC0000003']);
    expect(rows[0]!.getAttribute('data-highlighted')).toBe('true');
    expect(rows[0]!.textContent).toContain('last 30 days');
    expect(rows[1]!.getAttribute('data-highlighted')).toBeNull();
    expect(screen.getByTestId('ci-recent-incidents').textContent).toBe('1 in the last 30 days (they raise the risk of changes to this CI)');
    expect(screen.getByRole('link', { name: 'Report an incident' }).getAttribute('href')).toBe('/incidents/new?ciIds=ci_db');
    const query = new URL(server.calls[0]!.url, 'http://x').searchParams;
    expect(query.get('ciId')).toBe('ci_db');
    expect(query.get('state')).toBeNull();
  });
});
