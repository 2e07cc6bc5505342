import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { ServicePage } from './service-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
/** A whole page renders per test: on a busy machine that is more than vitest's default five seconds. */
const PAGE_TEST_TIMEOUT = 20_000;
const payments = {
  id: 'svc_pay',
  name: 'Payments',
  description: 'Card payments',
  tier: 1,
  ownerTeamId: null,
  tags: [],
  provider: 'aws',
  requiresMaintenanceWindow: false,
  version: 4,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const changeManager: Me = { ...adminMe, roles: [{ role: 'change_manager', scopeType: null, scopeId: null }] };
const requester: Me = {
  ...adminMe,
  roles: [{ role: 'requester', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'cmdb.read'],
};

function serviceServer(extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    ...extra,
    { path: '/api/v1/services/svc_pay', body: payments },
    { path: '/api/v1/cis', body: { items: [], nextCursor: null } },
    { path: '/api/v1/changes', body: { items: [], nextCursor: null } },
    { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
  ]);
}

describe('ServicePage: maintenance window', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('saves "Requires a maintenance window" with the version read', async () => {
    const server = serviceServer([
      { method: 'PATCH', path: '/api/v1/services/svc_pay', body: { ...payments, requiresMaintenanceWindow: true, version: 5 } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ServicePage />, { path: '/cmdb/services/svc_pay', route: '/cmdb/services/:id', me: changeManager });
    const box = (await screen.findByRole('checkbox', { name: 'Requires a maintenance window' }, LOAD)) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await waitFor(
      () => expect((screen.getByRole('checkbox', { name: 'Requires a maintenance window' }) as HTMLInputElement).checked).toBe(true),
      LOAD,
    );
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ requiresMaintenanceWindow: true, version: 4 });
  });

  it('shows the setting in words to people who may not edit the CMDB', async () => {
    vi.stubGlobal('fetch', serviceServer().fetch);
    renderWithProviders(<ServicePage />, { path: '/cmdb/services/svc_pay', route: '/cmdb/services/:id', me: requester });
    expect(await screen.findByText('Not required', {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('checkbox')).toBeNull();
  });
});
