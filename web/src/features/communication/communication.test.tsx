import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { ConcernsPanel } from './concerns-panel';
import { EVENTS, FollowButton } from './follow-button';
import { SubscriptionsPage } from './subscriptions-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const stakeholder: Me = { ...adminMe, id: 'u_sam', name: 'Sam Stakeholder', roles: [{ role: 'stakeholder', scopeType: null, scopeId: null }], permissions: ['change.read', 'subscription.manage', 'change.raise_concern'] };
const followed = {
  id: 'sub_1',
  subscriber: { kind: 'user', id: 'u_sam', name: 'Sam Stakeholder' },
  target: { kind: 'service', id: 'svc_pay', name: 'Payments' },
  includeDependencies: true,
  events: null,
  channels: ['in_app'],
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'u_sam',
};
const concern = { id: 'con_1', changeId: 'chg_1', text: 'Month-end run that night.', author: { id: 'u_sam', name: 'Sam Stakeholder' }, createdAt: '2026-12-01T10:00:00.000Z', answer: null };

describe('FollowButton', { timeout: 20_000 }, () => {
  it('follows a service with what it depends on and every event, in Cabinet, by default', async () => {
    const server = fakeServer([
      { path: '/api/v1/me/subscriptions', body: { items: [], nextCursor: null } },
      { path: '/api/v1/mail/status', body: { email: false } },
      { method: 'POST', path: '/api/v1/subscriptions', status: 201, body: followed },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<FollowButton kind="service" id="svc_pay" name="Payments" />, { me: stakeholder });
    fireEvent.click(await screen.findByRole('button', { name: 'Follow Payments' }, LOAD));
    expect(((await screen.findByRole('checkbox', { name: /Include what it depends on/ }, LOAD)) as HTMLInputElement).checked).toBe(true);
    // Email is offered, and said not to be sent while no mail server is set up.
    expect(await screen.findByText('Not sent yet: no mail server is set up here', {}, LOAD)).toBeTruthy();
    fireEvent.submit(screen.getByRole('form', { name: 'Follow Payments' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST')).toBe(true), LOAD);
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ target: { kind: 'service', id: 'svc_pay' }, includeDependencies: true, channels: ['in_app'] });
  });

  it('offers Unfollow for what one follows, and deletes that subscription', async () => {
    const server = fakeServer([
      { path: '/api/v1/me/subscriptions', body: { items: [followed], nextCursor: null } },
      { method: 'DELETE', path: '/api/v1/subscriptions/sub_1', status: 204 },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<FollowButton kind="service" id="svc_pay" name="Payments" />, { me: stakeholder });
    expect(await screen.findByText('You follow Payments and what it depends on.', {}, LOAD)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Unfollow Payments' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'DELETE' && c.url === '/api/v1/subscriptions/sub_1')).toBe(true), LOAD);
  });
});

describe('ConcernsPanel', { timeout: 20_000 }, () => {
  it('raises a concern and shows the counts', async () => {
    const server = fakeServer([
      { path: '/api/v1/changes/chg_1/concerns', body: { items: [], open: 0, answered: 0, canAnswer: false, blocksImplement: true } },
      { method: 'POST', path: '/api/v1/changes/chg_1/concerns', status: 201, body: concern },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ConcernsPanel changeId="chg_1" canRaise implemented={false} />, { me: stakeholder });
    expect((await screen.findByTestId('concern-counts', {}, LOAD)).textContent).toBe('0 open, 0 answered');
    fireEvent.change(screen.getByRole('textbox', { name: /Raise a concern/ }), { target: { value: 'Month-end run that night.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Raise concern' }));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ text: 'Month-end run that night.' }), LOAD);
    expect(screen.queryByRole('textbox', { name: /This affected me/ })).toBeNull();
  });

  it('lets the owner answer an open concern, and shows answers to everyone', async () => {
    const server = fakeServer([
      { path: '/api/v1/changes/chg_1/concerns', body: { items: [concern, { ...concern, id: 'con_2', text: 'And backups?', answer: { text: 'Taken at 21:00.', by: { id: 'u_owner', name: 'Olga Owner' }, at: '2026-12-01T11:00:00.000Z' } }], open: 1, answered: 1, canAnswer: true, blocksImplement: false } },
      { method: 'POST', path: '/api/v1/concerns/con_1/answer', body: { ...concern, answer: { text: 'Moved a day.', by: { id: 'u_owner', name: 'Olga Owner' }, at: '2026-12-01T12:00:00.000Z' } } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ConcernsPanel changeId="chg_1" canRaise={false} implemented />, { me: { ...adminMe, id: 'u_owner' } });
    expect(await screen.findByText('Taken at 21:00.', {}, LOAD)).toBeTruthy();
    expect(screen.getByTestId('concern-counts').textContent).toBe('1 open, 1 answered');
    expect(screen.queryByRole('form', { name: 'Raise a concern' })).toBeNull();
    fireEvent.change(screen.getByRole('textbox', { name: 'Your answer' }), { target: { value: 'Moved a day.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Answer' }));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ text: 'Moved a day.' }), LOAD);
  });

  it('offers "This affected me" after the implementation to those who may raise concerns', async () => {
    const server = fakeServer([
      { path: '/api/v1/changes/chg_1/concerns', body: { items: [], open: 0, answered: 0, canAnswer: false, blocksImplement: false } },
      { method: 'POST', path: '/api/v1/changes/chg_1/affected', status: 201, body: { id: 'inc_1', number: 'INC0000007' } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ConcernsPanel changeId="chg_1" canRaise implemented />, { me: stakeholder });
    fireEvent.change(await screen.findByRole('textbox', { name: /This affected me/ }, LOAD), { target: { value: 'Card payments fail.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Report it' }));
    expect(await screen.findByText(/INC0000007 was opened/, {}, LOAD)).toBeTruthy();
  });
});

describe('SubscriptionsPage', { timeout: 20_000 }, () => {
  it('narrows a subscription to some events at once, and keeps the last channel', async () => {
    const server = fakeServer([
      { path: '/api/v1/me/subscriptions', body: { items: [followed], nextCursor: null } },
      { method: 'PATCH', path: '/api/v1/subscriptions/sub_1', body: { ...followed, events: ['rescheduled', 'cancelled'] } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<SubscriptionsPage />, { me: stakeholder });
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Scheduled: Payments' }, LOAD));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ events: EVENTS.filter((e) => e !== 'scheduled') }), LOAD);
    expect((screen.getByRole('checkbox', { name: 'In Cabinet: Payments' }) as HTMLInputElement).disabled).toBe(true);
  });

  it('says when the server sends no email, and says nothing when it does', async () => {
    for (const email of [false, true]) {
      const server = fakeServer([
        { path: '/api/v1/me/subscriptions', body: { items: [{ ...followed, channels: ['email'] }], nextCursor: null } },
        { path: '/api/v1/mail/status', body: { email } },
      ]);
      vi.stubGlobal('fetch', server.fetch);
      const { unmount } = renderWithProviders(<SubscriptionsPage />, { me: stakeholder });
      await screen.findByRole('checkbox', { name: 'Email: Payments' }, LOAD);
      await waitFor(() => expect(server.calls.some((c) => c.url.includes('/api/v1/mail/status'))).toBe(true), LOAD);
      if (email) {
        await new Promise((r) => setTimeout(r, 50));
        expect(screen.queryByText('Email is not set up')).toBeNull();
      } else {
        expect(await screen.findByText('Email is not set up', {}, LOAD)).toBeTruthy();
      }
      unmount();
      vi.unstubAllGlobals();
    }
  });
});
