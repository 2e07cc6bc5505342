import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { sampleDeployment, sampleGateCheck } from '../gate/test-fixtures';
import { DeploymentPage } from './deployment-page';
import { DeploymentsPage } from './deployments-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const services = { path: '/api/v1/services', body: { items: [{ id: 'svc_pay', name: 'payments' }], nextCursor: null } };
const queriesOf = (server: ReturnType<typeof fakeServer>, path: string) =>
  server.calls
    .filter((c) => c.method === 'GET' && c.url.split('?')[0] === path)
    .map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

describe('DeploymentsPage', { timeout: 20_000 }, () => {
  it('lists deployments with where, what and the change, and sends service, environment and result from the address', async () => {
    const bare = sampleDeployment({ id: 'dep_2', change: null, result: 'failure', status: 'failure' });
    const server = fakeServer([{ path: '/api/v1/deployments', body: { items: [sampleDeployment(), bare], nextCursor: null } }, services]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<DeploymentsPage />, {
      path: '/deployments?serviceId=svc_pay&environment=production&result=failure',
      route: '/deployments',
      me: adminMe,
    });
    const table = await screen.findByRole('table', { name: 'Deployments' }, LOAD);
    const rows = within(table).getAllByRole('row');
    expect(rows[1]!.textContent).toContain('Succeeded');
    expect(rows[1]!.textContent).toContain('payments on pay-api-prod in Production');
    expect(within(rows[1]!).getByRole('link', { name: 'CHG0000042' }).getAttribute('href')).toBe('/changes/CHG0000042');
    expect(rows[2]!.textContent).toContain('Failed');
    expect(rows[2]!.textContent).toContain('None');
    expect(queriesOf(server, '/api/v1/deployments')[0]).toEqual({
      serviceId: 'svc_pay',
      environment: 'production',
      result: 'failure',
      limit: '50',
    });
  });
});

describe('DeploymentPage', { timeout: 20_000 }, () => {
  it('shows its change, its pull requests with lead time, and the gate checks of its commit', async () => {
    const other = sampleGateCheck({ id: 'gc_9', sha: '0000000', change: null, repository: 'acme/payments' });
    const server = fakeServer([
      { path: '/api/v1/deployments/dep_1', body: sampleDeployment() },
      { path: '/api/v1/gate/checks', body: { items: [sampleGateCheck({ decision: 'allow', reasons: [] }), other], nextCursor: null } },
      services,
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<DeploymentPage />, { path: '/deployments/dep_1', route: '/deployments/:id', me: adminMe });
    expect(await screen.findByRole('heading', { name: 'payments to Production', level: 1 }, LOAD)).toBeTruthy();
    expect(screen.getByText(/found through its gate check/)).toBeTruthy();
    const prs = screen.getByRole('table', { name: 'Pull requests' });
    expect(within(prs).getByRole('link', { name: '#17' }).getAttribute('href')).toBe('https://github.com/acme/payments/pull/17');
    expect(prs.textContent).toContain('1 d 1 h');
    const checks = await screen.findByRole('list', { name: 'Gate checks' }, LOAD);
    expect(within(checks).getAllByRole('listitem')).toHaveLength(1);
    await waitFor(() => expect(queriesOf(server, '/api/v1/gate/checks')[0]).toEqual({ changeId: 'chg_1', limit: '50' }));
  });

  it('says when no change covers a production deployment and links the unauthorized change it raised', async () => {
    const d = sampleDeployment({
      change: null,
      pullRequests: [],
      unauthorizedChanges: [{ id: 'una_1', number: 'UNA0000001', state: 'open' }],
    });
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/deployments/dep_1', body: d },
        { path: '/api/v1/gate/checks', body: { items: [], nextCursor: null } },
        services,
      ]).fetch,
    );
    renderWithProviders(<DeploymentPage />, { path: '/deployments/dep_1', route: '/deployments/:id', me: adminMe });
    expect(await screen.findByText('No change covers this deployment.', {}, LOAD)).toBeTruthy();
    const raised = screen.getByTestId('deployment-unauthorized');
    expect(within(raised).getByRole('link', { name: 'UNA0000001' }).getAttribute('href')).toBe('/unauthorized-changes/una_1');
    expect(raised.textContent).toContain('Review due');
    expect(screen.getByText(/named no pull request/)).toBeTruthy();
    expect(await screen.findByText('No pipeline asked the gate before this deployment.', {}, LOAD)).toBeTruthy();
  });
});
