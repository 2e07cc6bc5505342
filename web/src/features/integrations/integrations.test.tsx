import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import type { IntegrationSettings } from './integrations-api';
import { IntegrationsPage } from './integrations-page';
import { linesToMap } from './integration-fields';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const services = { path: '/api/v1/services', body: { items: [{ id: 'svc_pay', name: 'payments' }], nextCursor: null } };

const github = (overrides: Partial<IntegrationSettings> = {}): IntegrationSettings => ({
  kind: 'github',
  configured: true,
  settings: {
    enabled: true,
    appId: '12345',
    apiUrl: 'https://api.github.com',
    reviewCountsAs: 'evidence',
    repositories: [{ repository: 'acme/payments', serviceId: 'svc_pay' }],
    environments: { prod: 'production' },
    people: [],
    deadlineMinutes: 1440,
  },
  secrets: { privateKey: { configured: true, hint: null }, webhookSecret: { configured: true, hint: 'a1b2' } },
  webhookPath: '/api/v1/integrations/github/webhook',
  version: 3,
  updatedAt: '2026-12-06T10:00:00.000Z',
  updatedBy: 'Ada Admin',
  ...overrides,
});

describe('linesToMap', () => {
  it('reads "name = value" lines and names the lines it cannot read', () => {
    expect(linesToMap('prod = production\n\nstage=staging\nnonsense')).toEqual({
      map: { prod: 'production', stage: 'staging' },
      problems: ['Line 4: write it as “name = value”.'],
    });
  });
});

describe('IntegrationsPage', { timeout: 20_000 }, () => {
  it('says which secrets are set without showing them, keeps them when left empty, and shows a generated one once', async () => {
    const saved = github({
      version: 4,
      generated: { webhookSecret: 'whsec_new_secret_value_1234' },
      secrets: { privateKey: { configured: true, hint: null }, webhookSecret: { configured: true, hint: '1234' } },
    });
    const server = fakeServer([
      { path: '/api/v1/integrations/github', body: github() },
      { method: 'PUT', path: '/api/v1/integrations/github', body: saved },
      services,
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<IntegrationsPage />, { path: '/admin/integrations', route: '/admin/integrations', me: adminMe });

    const form = await screen.findByRole('form', { name: 'GitHub App settings' }, LOAD);
    expect(screen.getByTestId('integration-state').textContent).toBe('Configured');
    expect(screen.getByLabelText('Webhook address').textContent).toBe(`${window.location.origin}/api/v1/integrations/github/webhook`);
    const secret = within(form).getByLabelText('Webhook secret') as HTMLInputElement;
    expect(secret.value).toBe('');
    expect(within(form).getByText(/Configured \(ends in …a1b2\)\. It is never shown again/)).toBeTruthy();
    expect(within(form).getByRole('textbox', { name: 'Environments' })).toHaveProperty('value', 'prod = production');

    fireEvent.click(within(form).getByRole('checkbox', { name: /Generate a new webhook secret/ }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save the GitHub settings' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'PUT')).toHaveLength(1));
    const body = server.calls.find((c) => c.method === 'PUT')!.body as Record<string, unknown>;
    expect(body).toMatchObject({ appId: '12345', generateWebhookSecret: true, version: 3, environments: { prod: 'production' } });
    expect(body.repositories).toEqual([{ repository: 'acme/payments', serviceId: 'svc_pay' }]);
    expect('webhookSecret' in body).toBe(false);
    expect('privateKey' in body).toBe(false);

    const notice = await screen.findByTestId('generated-secret', {}, LOAD);
    expect(within(form).getByRole('status').textContent).toBe('Saved.');
    expect(screen.getByText(/Configured \(ends in …1234\)/)).toBeTruthy();
    expect(within(notice).getByLabelText('Webhook secret').textContent).toBe('whsec_new_secret_value_1234');
    fireEvent.click(within(notice).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByTestId('generated-secret')).toBeNull();
    expect(screen.queryByText('whsec_new_secret_value_1234')).toBeNull();
  });

  it('puts a refusal under its field', async () => {
    const server = fakeServer([
      {
        path: '/api/v1/integrations/github',
        body: github({
          configured: false,
          version: 0,
          settings: {},
          secrets: { privateKey: { configured: false, hint: null }, webhookSecret: { configured: false, hint: null } },
          updatedAt: null,
          updatedBy: null,
        }),
      },
      {
        method: 'PUT',
        path: '/api/v1/integrations/github',
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'Invalid input',
            details: { issues: [{ path: ['appId'], message: 'must be the numeric App ID GitHub shows on the App page' }] },
          },
        },
      },
      services,
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<IntegrationsPage />, { path: '/admin/integrations', route: '/admin/integrations', me: adminMe });
    const form = await screen.findByRole('form', { name: 'GitHub App settings' }, LOAD);
    expect(screen.getByTestId('integration-state').textContent).toBe('Not configured');
    fireEvent.click(within(form).getByRole('button', { name: 'Save the GitHub settings' }));
    expect(await within(form).findByText('must be the numeric App ID GitHub shows on the App page', {}, LOAD)).toBeTruthy();
  });

  it('shows the Argo CD sync windows and offers them as YAML', async () => {
    const argo: IntegrationSettings = {
      kind: 'argocd',
      configured: true,
      settings: {
        enabled: true,
        project: 'payments',
        applications: [{ serviceId: 'svc_pay', environment: 'production', applications: ['payments-*'], namespaces: [], clusters: [] }],
      },
      secrets: {},
      webhookPath: '/api/v1/integrations/argocd/notifications',
      version: 1,
      updatedAt: null,
      updatedBy: null,
    };
    const windows = {
      project: 'payments',
      syncWindows: [
        {
          kind: 'deny',
          schedule: '0 18 20 12 *',
          duration: '336h',
          applications: ['payments-*'],
          manualSync: false,
          timeZone: 'Europe/Amsterdam',
          description: 'Cabinet freeze: Year-end freeze',
        },
      ],
      skipped: [{ windowId: 'w2', name: 'Odd window', reason: 'its rule has no cron form' }],
    };
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/integrations/argocd', body: argo },
        { path: '/api/v1/integrations/argocd/sync-windows', body: windows },
        services,
      ]).fetch,
    );
    renderWithProviders(<IntegrationsPage />, { path: '/admin/integrations?tab=argocd', route: '/admin/integrations', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Sync windows' }, LOAD);
    expect(table.textContent).toContain('Deny');
    expect(table.textContent).toContain('0 18 20 12 *');
    expect(table.textContent).toContain('Europe/Amsterdam');
    expect(screen.getByTestId('argo-skipped').textContent).toContain('Odd window (its rule has no cron form)');
    expect(screen.getByRole('link', { name: 'Download YAML' }).getAttribute('href')).toBe(
      '/api/v1/integrations/argocd/sync-windows?format=yaml',
    );
  });
});
