import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import type { CalendarFeed, CreatedCalendarFeed } from './calendar-feeds-api';
import { CalendarFeedsPage } from './calendar-feeds-page';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  setCsrfToken(null);
});

const FEEDS = '/api/v1/me/calendar-feeds';
const SECRET_URL = 'https://cabinet.example.com/feeds/cal_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIz.ics';

function feed(over: Partial<CalendarFeed> = {}): CalendarFeed {
  return {
    id: 'cf_1',
    userId: 'u_admin',
    name: 'Payments',
    scope: { kind: 'service', ref: 'svc_pay', label: 'Service Payments' },
    prefix: 'cal_c2VjcmV0',
    createdAt: '2026-11-01T10:00:00.000Z',
    lastUsedAt: null,
    ...over,
  };
}

const teams = {
  items: [
    {
      id: 'team_db',
      name: 'Database team',
      handle: 'database-team',
      description: '',
      memberIds: [],
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  nextCursor: null,
};
const services = { items: [{ id: 'svc_pay', name: 'Payments' }], nextCursor: null };
const lists = [
  { path: '/api/v1/teams', body: teams },
  { path: '/api/v1/services', body: services },
];

describe('CalendarFeedsPage', () => {
  it('lists your feeds with what they hold, their visible prefix and last fetch, never a secret', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        {
          path: FEEDS,
          body: {
            items: [
              feed(),
              feed({
                id: 'cf_2',
                name: 'Mine',
                scope: { kind: 'user', ref: 'u_admin', label: 'Changes of Ada Admin' },
                lastUsedAt: '2026-11-02T09:30:00.000Z',
              }),
            ],
            nextCursor: null,
          },
        },
        ...lists,
      ]).fetch,
    );
    renderWithProviders(<CalendarFeedsPage />, { me: adminMe });
    const table = await screen.findByRole('table', { name: 'Calendar feeds' });
    const [, first, second] = within(table).getAllByRole('row');
    expect(first!.textContent).toContain('Payments');
    expect(first!.textContent).toContain('Service Payments');
    expect(first!.textContent).toContain('cal_c2VjcmV0…');
    expect(first!.textContent).toContain('Never');
    expect(second!.textContent).toContain('My changes');
    expect(second!.textContent).not.toContain('Never');
    expect(within(second!).getByRole('button', { name: 'Revoke the feed Mine' })).toBeTruthy();
  });

  it('says so when there are none', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: FEEDS, body: { items: [], nextCursor: null } }, ...lists]).fetch);
    renderWithProviders(<CalendarFeedsPage />, { me: adminMe });
    expect(await screen.findByText('You have no calendar feeds.')).toBeTruthy();
  });

  it('creates a feed of a team, named after it unless named, and shows its secret address once with a copy button', async () => {
    const created: CreatedCalendarFeed = {
      ...feed({ id: 'cf_3', name: 'Database team', scope: { kind: 'team', ref: 'team_db', label: 'Team Database team' } }),
      url: SECRET_URL,
    };
    const server = fakeServer([
      { path: FEEDS, body: { items: [], nextCursor: null } },
      ...lists,
      { method: 'POST', path: FEEDS, status: 201, body: created },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<CalendarFeedsPage />, { me: adminMe });
    const form = await screen.findByRole('form', { name: 'Create a calendar feed' });
    fireEvent.click(within(form).getByRole('radio', { name: /^A team/ }));
    // No team chosen yet: asked for, nothing sent.
    fireEvent.click(within(form).getByRole('button', { name: 'Create feed' }));
    expect(await within(form).findByText('Choose the team')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);

    await waitFor(() => expect(document.querySelectorAll('[role=option]').length).toBe(1));
    fireEvent.click(screen.getByRole('option', { name: 'Database team', hidden: true }));
    fireEvent.click(within(form).getByRole('button', { name: 'Create feed' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({ name: 'Database team', scope: { kind: 'team', ref: 'team_db' } });

    const notice = await screen.findByRole('status');
    expect(within(notice).getByLabelText('Feed address').textContent).toBe(SECRET_URL);
    expect(notice.textContent).toContain('This address is secret');
    expect(within(notice).getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(within(notice).getByRole('link', { name: 'open it in your calendar app' }).getAttribute('href')).toBe(
      SECRET_URL.replace('https:', 'webcal:'),
    );
    // Dismissed, the address is gone for good.
    fireEvent.click(within(notice).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByText(SECRET_URL)).toBeNull();
  });

  it('sends "my changes" without a reference, and shows the server’s problems beside the name', async () => {
    const server = fakeServer([
      { path: FEEDS, body: { items: [], nextCursor: null } },
      ...lists,
      {
        method: 'POST',
        path: FEEDS,
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The calendar feed has invalid values.',
            details: { issues: [{ path: 'name', message: 'must not be empty' }] },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<CalendarFeedsPage />, { me: adminMe });
    const form = await screen.findByRole('form', { name: 'Create a calendar feed' });
    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: 'Ada on call' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create feed' }));
    expect(await within(form).findByText('must not be empty')).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({ name: 'Ada on call', scope: { kind: 'user' } });
  });

  it('revokes a feed after confirming and fetches the list again', async () => {
    const server = fakeServer([
      { path: FEEDS, body: { items: [feed()], nextCursor: null } },
      ...lists,
      { method: 'DELETE', path: `${FEEDS}/cf_1`, status: 204 },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderWithProviders(<CalendarFeedsPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke the feed Payments' }));
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining('Payments'));
    await waitFor(() => expect(server.calls.filter((c) => c.url === FEEDS && c.method === 'GET')).toHaveLength(2));
    expect(server.calls.some((c) => c.method === 'DELETE' && c.url === `${FEEDS}/cf_1`)).toBe(true);
  });

  it('does not revoke when the confirmation is declined', async () => {
    const server = fakeServer([{ path: FEEDS, body: { items: [feed()], nextCursor: null } }, ...lists]);
    vi.stubGlobal('fetch', server.fetch);
    vi.spyOn(window, 'confirm').mockReturnValue(false);
    renderWithProviders(<CalendarFeedsPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke the feed Payments' }));
    expect(server.calls.some((c) => c.method === 'DELETE')).toBe(false);
  });
});
