import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WEBHOOK_EVENTS } from '../../../../src/contracts/communication';
import { setCsrfToken } from '../../api/client';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { ALL_EVENTS, EVENT_GROUPS, emptyForm, formOf, formProblems, parseAllowList, updateBody } from './webhook-form';
import type { Webhook } from './webhooks-api';
import { WebhooksPage } from './webhooks-page';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  setCsrfToken(null);
});

const saved: Webhook = {
  id: 'wh_1',
  url: 'https://hooks.slack.com/services/T1/B2/xyz',
  format: 'slack',
  events: ['scheduled', 'cancelled'],
  enabled: true,
  secretHint: '…beef',
  createdAt: '2026-11-01T08:00:00.000Z',
  createdBy: 'u_admin',
  updatedAt: '2026-11-01T08:00:00.000Z',
};

describe('the webhook form (logic)', () => {
  it('groups every webhook event exactly once', () => {
    const grouped = EVENT_GROUPS.flatMap((g) => g.events);
    expect([...grouped].sort()).toEqual([...WEBHOOK_EVENTS].sort());
    expect([...ALL_EVENTS].sort()).toEqual([...WEBHOOK_EVENTS].sort());
  });

  it('says what is missing before anything is sent; an empty secret keeps the saved one when editing', () => {
    expect(formProblems({ ...emptyForm(), events: [] }, false)).toEqual({
      url: 'Enter the URL your receiver gave you',
      secret: 'At least 16 characters',
      events: 'Choose at least one event',
    });
    expect(formProblems({ ...emptyForm(), url: 'ftp://x', secret: '0123456789abcdef' }, false)).toEqual({
      url: 'Must start with https:// or http://',
    });
    expect(formProblems(formOf(saved), true)).toEqual({});
    expect(formProblems({ ...formOf(saved), secret: 'short' }, true).secret).toMatch(/leave it empty to keep/);
  });

  it('sends only what changed, and a new secret only when one was typed', () => {
    expect(updateBody(saved, formOf(saved))).toEqual({});
    expect(updateBody(saved, { ...formOf(saved), events: ['cancelled', 'scheduled'] })).toEqual({});
    expect(updateBody(saved, { ...formOf(saved), enabled: false, secret: 'a-new-secret-of-16+' })).toEqual({
      enabled: false,
      secret: 'a-new-secret-of-16+',
    });
  });

  it('reads the allow-list one entry per line or comma', () => {
    expect(parseAllowList(' hooks.internal\n\n10.0.0.0/8, fd00::/8 \n')).toEqual(['hooks.internal', '10.0.0.0/8', 'fd00::/8']);
  });
});

describe('WebhooksPage', () => {
  it('tests a new webhook before saving and shows what the receiver answered, then saves it', async () => {
    const server = fakeServer([
      { path: '/api/v1/webhooks', body: { items: [], nextCursor: null } },
      { path: '/api/v1/webhooks/allow-list', body: { entries: [], allowPrivate: false } },
      { method: 'POST', path: '/api/v1/webhooks/test', body: { ok: false, status: 500, durationMs: 12, error: 'HTTP 500: boom' } },
      { method: 'POST', path: '/api/v1/webhooks', status: 201, body: saved },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<WebhooksPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Add webhook' }));
    const form = screen.getByRole('form', { name: 'Add a webhook' });
    fireEvent.click(within(form).getByRole('button', { name: 'Send test message' }));
    expect(await within(form).findByText('Enter the URL your receiver gave you')).toBeTruthy();
    fireEvent.change(within(form).getByLabelText(/^URL/), { target: { value: 'https://hooks.example.com/x' } });
    fireEvent.change(within(form).getByLabelText(/^Secret/), { target: { value: '0123456789abcdef-s' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Send test message' }));
    expect(await within(form).findByText('The test message failed')).toBeTruthy();
    expect(within(form).getByText('HTTP 500: boom')).toBeTruthy();
    fireEvent.click(within(form).getByRole('button', { name: 'Add webhook' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST' && c.url === '/api/v1/webhooks')).toBe(true));
    const created = server.calls.find((c) => c.method === 'POST' && c.url === '/api/v1/webhooks')!;
    expect(created.body).toEqual({
      url: 'https://hooks.example.com/x',
      secret: '0123456789abcdef-s',
      format: 'generic',
      events: ['scheduled', 'rescheduled', 'cancelled'],
      enabled: true,
    });
  });

  it('lists webhooks with their secret hint and shows a server refusal under the URL', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/webhooks', body: { items: [saved], nextCursor: null } },
        { path: '/api/v1/webhooks/allow-list', body: { entries: ['10.0.0.0/8'], allowPrivate: false } },
        {
          method: 'PATCH',
          path: '/api/v1/webhooks/wh_1',
          status: 400,
          body: {
            error: {
              code: 'invalid_input',
              message: 'x',
              details: { issues: [{ path: 'url', message: '10.1.1.1 is a private (RFC 1918) address' }] },
            },
          },
        },
      ]).fetch,
    );
    renderWithProviders(<WebhooksPage />, { me: adminMe });
    const table = await screen.findByRole('table', { name: 'Webhooks' });
    expect(table.textContent).toContain('…beef');
    expect(table.textContent).toContain('Scheduled, Cancelled');
    expect(((await screen.findByLabelText('Hosts, addresses and ranges')) as HTMLTextAreaElement).value).toBe('10.0.0.0/8');
    fireEvent.click(within(table).getByRole('button', { name: `Edit ${saved.url}` }));
    const form = screen.getByRole('form', { name: 'Edit the webhook' });
    fireEvent.change(within(form).getByLabelText(/^URL/), { target: { value: 'http://10.1.1.1/hook' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByText('10.1.1.1 is a private (RFC 1918) address')).toBeTruthy();
  });
});
