import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { fakeServer, renderWithProviders } from '../../test/render';
import { NotificationBell } from './notification-bell';
import type { Notification } from './notifications-api';
import { NotificationsPage } from './notifications-page';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const INBOX = '/api/v1/me/notifications';

function notification(over: Partial<Notification> = {}): Notification {
  return {
    id: 'n1',
    kind: 'approval_requested',
    title: 'CHG0000007 needs your approval',
    body: 'Upgrade the orders database. A database is affected.',
    changeId: 'chg_7',
    approvalId: 'apr_1',
    createdAt: '2026-11-02T09:00:00.000Z',
    readAt: null,
    changeNumber: 'CHG0000007',
    link: '/changes/CHG0000007',
    needsAction: true,
    resolvedAt: null,
    resolution: null,
    ...over,
  };
}

describe('NotificationBell', () => {
  it('shows how many notifications are unread and links to the inbox', async () => {
    const server = fakeServer([{ path: INBOX, body: { items: [notification()], nextCursor: null, unread: 3 } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NotificationBell />);
    const bell = await screen.findByRole('link', { name: 'Notifications (3 unread)' });
    expect(bell.getAttribute('href')).toBe('/notifications');
    expect(screen.getByText('3')).toBeTruthy();
    expect(server.calls[0]!.url).toContain('unread=true');
  });

  it('shows no count when everything is read', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: INBOX, body: { items: [], nextCursor: null, unread: 0 } }]).fetch);
    renderWithProviders(<NotificationBell />);
    await waitFor(() => expect(screen.getByRole('link', { name: 'Notifications' })).toBeTruthy());
    expect(screen.queryByText('0')).toBeNull();
  });
});

describe('NotificationsPage', () => {
  it('lists notifications newest first, marks one read, and links to its change', async () => {
    const read = notification({ id: 'n2', kind: 'approval_escalated', title: 'Escalated to you: CHG0000003 is overdue', readAt: '2026-11-02T10:00:00.000Z' });
    const server = fakeServer([
      { path: INBOX, body: { items: [notification(), read], nextCursor: null, unread: 1 } },
      { method: 'POST', path: `${INBOX}/n1/read`, body: notification({ readAt: '2026-11-02T11:00:00.000Z' }) },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NotificationsPage />);

    const list = await screen.findByRole('list', { name: 'Notifications' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.getAttribute('aria-label'))).toEqual(['CHG0000007 needs your approval', 'Escalated to you: CHG0000003 is overdue']);
    expect(items[0]!.getAttribute('data-unread')).toBe('true');
    expect(items[1]!.getAttribute('data-unread')).toBeNull();
    expect(within(items[1]!).getByText('Escalated to you')).toBeTruthy();
    expect(within(items[0]!).getByRole('link', { name: 'CHG0000007 needs your approval' }).getAttribute('href')).toBe('/changes/CHG0000007');
    expect(screen.getByText('1 unread.')).toBeTruthy();

    fireEvent.click(within(items[0]!).getByRole('button', { name: 'Mark read: CHG0000007 needs your approval' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST' && c.url.endsWith('/n1/read'))).toBe(true));
    expect(within(items[1]!).queryByRole('button', { name: /^Mark read/ })).toBeNull();
  });

  it('shows a decided request as resolved, says who decided, and offers nothing to do', async () => {
    const resolved = notification({
      id: 'n3',
      title: 'CHG0000123 "Upgrade payments DB" needs your approval by Sat 12 Dec 2026, 22:00 UTC.',
      needsAction: false,
      resolvedAt: '2026-11-02T12:00:00.000Z',
      resolution: 'Decided by Ada Lovelace (approved).',
      changeNumber: 'CHG0000123',
      link: '/changes/CHG0000123',
    });
    const moved = notification({
      id: 'n4',
      kind: 'change_transitioned',
      title: 'CHG0000123 "Upgrade payments DB" was approved by Ada Lovelace and is ready to schedule.',
      body: '',
      approvalId: null,
      needsAction: false,
      changeNumber: 'CHG0000123',
      link: '/changes/CHG0000123',
    });
    vi.stubGlobal('fetch', fakeServer([{ path: INBOX, body: { items: [moved, resolved], nextCursor: null, unread: 1 } }]).fetch);
    renderWithProviders(<NotificationsPage />);
    const list = await screen.findByRole('list', { name: 'Notifications' });
    const [first, second] = within(list).getAllByRole('listitem');
    expect(first!.getAttribute('data-unread')).toBe('true');
    expect(within(first!).getByText('Your change moved')).toBeTruthy();
    expect(within(first!).getByRole('link', { name: /was approved by Ada Lovelace and is ready to schedule\.$/ }).getAttribute('href')).toBe('/changes/CHG0000123');

    expect(second!.getAttribute('data-resolved')).toBe('true');
    expect(second!.getAttribute('data-unread')).toBeNull();
    expect(within(second!).getByText('Resolved')).toBeTruthy();
    expect(within(second!).queryByText('Needs your decision')).toBeNull();
    expect(within(second!).getByTestId('resolution').textContent).toMatch(/^Decided by Ada Lovelace \(approved\)\./);
    expect(within(second!).queryByRole('button', { name: /^Mark read/ })).toBeNull();
    expect(within(second!).getByRole('link', { name: /needs your approval by Sat 12 Dec 2026, 22:00 UTC\.$/ }).getAttribute('href')).toBe('/changes/CHG0000123');
  });

  it('marks a request that still waits for the reader as needing their decision', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: INBOX, body: { items: [notification()], nextCursor: null, unread: 1 } }]).fetch);
    renderWithProviders(<NotificationsPage />);
    const [item] = within(await screen.findByRole('list', { name: 'Notifications' })).getAllByRole('listitem');
    expect(within(item!).getByText('Needs your decision')).toBeTruthy();
    expect(item!.getAttribute('data-resolved')).toBeNull();
  });

  it('marks all read and filters to unread ones', async () => {
    const server = fakeServer([
      { path: INBOX, body: { items: [notification()], nextCursor: null, unread: 1 } },
      { method: 'POST', path: `${INBOX}/read-all`, body: { marked: 1 } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NotificationsPage />);
    await screen.findByRole('list', { name: 'Notifications' });
    fireEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST' && c.url.endsWith('/read-all'))).toBe(true));
    fireEvent.click(screen.getByText('Unread'));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'GET' && c.url.includes('unread=true'))).toBe(true));
  });

  it('says so when there is nothing', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: INBOX, body: { items: [], nextCursor: null, unread: 0 } }]).fetch);
    renderWithProviders(<NotificationsPage />);
    expect(await screen.findByText(/No notifications yet/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Mark all read' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
