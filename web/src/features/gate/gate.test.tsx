import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { ChangeDeploymentsPanel } from '../deployments/change-deployments-panel';
import { GateCheckPage } from './gate-check-page';
import { GateChecksPage } from './gate-checks-page';
import { sampleDeployment, sampleGateCheck } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const services = { path: '/api/v1/services', body: { items: [{ id: 'svc_pay', name: 'payments' }], nextCursor: null } };

const queriesOf = (server: ReturnType<typeof fakeServer>, path: string) =>
  server.calls
    .filter((c) => c.method === 'GET' && c.url.split('?')[0] === path)
    .map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

describe('GateCheckPage', { timeout: 20_000 }, () => {
  it('says the deployment waits and names the freeze behind it, with when it ends, and the change', async () => {
    const server = fakeServer([{ path: '/api/v1/gate/checks/gc_1', body: sampleGateCheck() }, services]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<GateCheckPage />, { path: '/gate/checks/gc_1', route: '/gate/checks/:id', me: adminMe });

    const decision = await screen.findByTestId('gate-decision', {}, LOAD);
    expect(decision.textContent).toContain('The deployment waits');
    expect(decision.textContent).toContain('the gate says no');
    const reasons = screen.getByRole('list', { name: 'Reasons' });
    const freeze = within(reasons).getByRole('listitem');
    expect(freeze.textContent).toContain('Freeze:');
    expect(freeze.textContent).toContain('The freeze “Payments launch” covers payments in production.');
    expect(freeze.textContent).toMatch(/until .*2026/);
    expect(within(freeze).getByRole('link', { name: 'Payments launch' }).getAttribute('href')).toBe('/schedule/windows');
    expect(screen.getByRole('link', { name: 'CHG0000042' }).getAttribute('href')).toBe('/changes/CHG0000042');
    expect(await screen.findByRole('link', { name: 'payments' }, LOAD)).toBeTruthy();
  });

  it('links an approval still pending to the change’s Approvals tab', async () => {
    const check = sampleGateCheck({
      reasons: [
        {
          code: 'change_not_authorized',
          message: 'CHG0000042 waits on the CAB.',
          ref: { type: 'approval', id: 'apr_1', label: 'CAB approval' },
        },
      ],
    });
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/gate/checks/gc_1', body: check }, services]).fetch);
    renderWithProviders(<GateCheckPage />, { path: '/gate/checks/gc_1', route: '/gate/checks/:id', me: adminMe });
    const link = await screen.findByRole('link', { name: 'CAB approval' }, LOAD);
    expect(link.getAttribute('href')).toBe('/changes/CHG0000042?tab=approvals');
    expect(screen.getByText('Change not authorised:')).toBeTruthy();
  });

  it('says plainly when there is no such check', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch);
    renderWithProviders(<GateCheckPage />, { path: '/gate/checks/nope', route: '/gate/checks/:id', me: adminMe });
    expect(await screen.findByText('There is no such gate check', {}, LOAD)).toBeTruthy();
  });
});

describe('GateChecksPage', { timeout: 20_000 }, () => {
  it('lists checks with decision and reasons and sends the address’s filters to the server', async () => {
    const server = fakeServer([
      {
        path: '/api/v1/gate/checks',
        body: {
          items: [sampleGateCheck(), sampleGateCheck({ id: 'gc_2', decision: 'allow', reasons: [], change: null })],
          nextCursor: null,
        },
      },
      services,
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<GateChecksPage />, { path: '/gate/checks?decision=pending&source=github', route: '/gate/checks', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Gate checks' }, LOAD);
    const rows = within(table).getAllByRole('row');
    expect(rows[1]!.textContent).toContain('Waiting');
    expect(rows[1]!.textContent).toContain('The freeze “Payments launch”');
    expect(rows[2]!.textContent).toContain('Allowed');
    expect(rows[2]!.textContent).toContain('Nothing stands in the way.');
    expect(queriesOf(server, '/api/v1/gate/checks')[0]).toEqual({ decision: 'pending', source: 'github', limit: '50' });
  });
});

describe('ChangeDeploymentsPanel', { timeout: 20_000 }, () => {
  it('lists the change’s gate checks with their reasons, and its deployments', async () => {
    const server = fakeServer([
      { path: '/api/v1/gate/checks', body: { items: [sampleGateCheck()], nextCursor: null } },
      { path: '/api/v1/deployments', body: { items: [sampleDeployment()], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangeDeploymentsPanel changeId="chg_1" />, { me: adminMe });
    const checks = await screen.findByRole('list', { name: 'Gate checks' }, LOAD);
    expect(within(checks).getByRole('listitem', { name: 'Gate check: pending' }).textContent).toContain('Payments launch');
    const deployments = await screen.findByRole('table', { name: 'Deployments of the change' }, LOAD);
    expect(deployments.textContent).toContain('payments in Production');
    await waitFor(() => expect(queriesOf(server, '/api/v1/gate/checks')[0]).toEqual({ changeId: 'chg_1', limit: '50' }));
    expect(queriesOf(server, '/api/v1/deployments')[0]).toEqual({ changeId: 'chg_1', limit: '50' });
  });

  it('shows nothing to someone who may read neither', async () => {
    const server = fakeServer([]);
    vi.stubGlobal('fetch', server.fetch);
    const reader = { ...adminMe, roles: [{ role: 'requester' as const, scopeType: null, scopeId: null }], permissions: ['change.read'] };
    renderWithProviders(<ChangeDeploymentsPanel changeId="chg_1" />, { me: reader });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('heading')).toBeNull();
    expect(server.calls).toHaveLength(0);
  });
});
