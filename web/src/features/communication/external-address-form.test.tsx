import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { SubscriptionsPage } from './subscriptions-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const manager: Me = { ...adminMe, id: 'u_cm', name: 'Cleo Manager', roles: [{ role: 'change_manager', scopeType: null, scopeId: null }], permissions: ['change.read', 'subscription.manage', 'subscription.manage_external'] };
const stakeholder: Me = { ...adminMe, id: 'u_sam', name: 'Sam Stakeholder', roles: [{ role: 'stakeholder', scopeType: null, scopeId: null }], permissions: ['change.read', 'subscription.manage'] };
const pending = {
  id: 'sub_ext',
  subscriber: { kind: 'address', id: 'ops@lists.example.org', name: 'ops@lists.example.org' },
  target: { kind: 'service', id: 'svc_pay', name: 'Payments' },
  includeDependencies: false,
  events: null,
  channels: ['email'],
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'u_cm',
  state: 'pending',
};

describe('external addresses on My subscriptions', { timeout: 20_000 }, () => {
  it('shows an address waiting for confirmation, sends its link again, and adds another by email only', async () => {
    const server = fakeServer([
      { path: '/api/v1/me/subscriptions', body: { items: [pending], nextCursor: null } },
      { path: '/api/v1/mail/status', body: { email: true } },
      { method: 'POST', path: '/api/v1/subscriptions/sub_ext/confirmation', status: 204 },
      { method: 'POST', path: '/api/v1/subscriptions', status: 201, body: { ...pending, id: 'sub_2', subscriber: { kind: 'address', id: 'cab@lists.example.org', name: 'cab@lists.example.org' } } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<SubscriptionsPage />, { me: manager });
    expect(await screen.findByText('Waiting for confirmation', {}, LOAD)).toBeTruthy();
    expect((screen.getByRole('checkbox', { name: 'In Cabinet: Payments' }) as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Send the link again to ops@lists.example.org' }));
    expect(await screen.findByRole('button', { name: 'Link sent again to ops@lists.example.org' }, LOAD)).toBeTruthy();

    const form = screen.getByRole('form', { name: 'Add an external address' });
    fireEvent.change(screen.getByRole('textbox', { name: /Email address/ }), { target: { value: ' cab@lists.example.org ' } });
    fireEvent.change(screen.getByRole('textbox', { name: /Name or id/ }), { target: { value: 'Payments' } });
    fireEvent.submit(form);
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST' && c.url.endsWith('/api/v1/subscriptions'))?.body).toEqual({ target: { kind: 'service', id: 'Payments' }, address: 'cab@lists.example.org', channels: ['email'], includeDependencies: false }), LOAD);
    expect(await screen.findByText('cab@lists.example.org was added and sent a link to confirm.', {}, LOAD)).toBeTruthy();
  });

  it('puts the server’s refusal under the address, and offers no form to those who may not add addresses', async () => {
    const issues = [{ path: 'address', message: 'must be an email address' }];
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/me/subscriptions', body: { items: [], nextCursor: null } },
        { path: '/api/v1/mail/status', body: { email: true } },
        { method: 'POST', path: '/api/v1/subscriptions', status: 400, body: { error: { code: 'invalid_input', message: 'The request has invalid values.', details: { issues } } } },
      ]).fetch,
    );
    const { unmount } = renderWithProviders(<SubscriptionsPage />, { me: manager });
    fireEvent.change(await screen.findByRole('textbox', { name: /Email address/ }, LOAD), { target: { value: 'nope' } });
    fireEvent.change(screen.getByRole('textbox', { name: /Name or id/ }), { target: { value: 'Payments' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Add an external address' }));
    expect(await screen.findByText('must be an email address', {}, LOAD)).toBeTruthy();
    unmount();

    renderWithProviders(<SubscriptionsPage />, { me: stakeholder });
    expect(await screen.findByText(/You follow nothing yet/, {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Add an external address' })).toBeNull();
  });
});
