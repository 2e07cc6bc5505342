import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import type { Delegation } from './delegations-api';
import { DelegationsPage } from './delegations-page';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  setCsrfToken(null);
});

const DELEGATIONS = '/api/v1/me/delegations';

function delegation(over: Partial<Delegation> = {}): Delegation {
  return {
    id: 'dl_1',
    userId: 'u_admin',
    userName: 'Ada Admin',
    delegateId: 'u_erin',
    delegateName: 'Erin Silva',
    startsAt: '2026-11-02T08:00:00.000Z',
    endsAt: '2026-11-09T18:00:00.000Z',
    reason: 'On holiday',
    createdAt: '2026-11-01T10:00:00.000Z',
    active: true,
    ...over,
  };
}

const users = {
  items: [
    { id: 'u_admin', name: 'Ada Admin', email: 'admin@example.com', roles: [], teamIds: [], disabled: false, createdAt: '2026-01-01T00:00:00.000Z' },
    { id: 'u_erin', name: 'Erin Silva', email: 'erin@example.com', roles: [], teamIds: [], disabled: false, createdAt: '2026-01-01T00:00:00.000Z' },
  ],
  nextCursor: null,
};

describe('DelegationsPage', () => {
  it('lists the delegations given and received, with their times, reason and status', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: DELEGATIONS, body: { given: [delegation()], received: [delegation({ id: 'dl_2', userId: 'u_dave', userName: 'Dave Kowalski', delegateId: 'u_admin', delegateName: 'Ada Admin', active: false, reason: '' })] } },
        { path: '/api/v1/people', body: users },
      ]).fetch,
    );
    renderWithProviders(<DelegationsPage />, { me: adminMe });
    const given = await screen.findByRole('table', { name: 'Delegations given' });
    const row = within(given).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('Erin Silva');
    expect(row.textContent).toContain('On holiday');
    expect(row.textContent).toContain('In force');
    expect(within(row).getByRole('button', { name: 'Revoke the delegation to Erin Silva' })).toBeTruthy();

    const received = screen.getByRole('table', { name: 'Delegations received' });
    const other = within(received).getAllByRole('row')[1]!;
    expect(other.textContent).toContain('Dave Kowalski');
    expect(other.textContent).toContain('Starts ');
    expect(within(received).queryByRole('button')).toBeNull();
  });

  it('says so when there is nothing either way', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: DELEGATIONS, body: { given: [], received: [] } }, { path: '/api/v1/people', body: users }]).fetch);
    renderWithProviders(<DelegationsPage />, { me: adminMe });
    expect(await screen.findByText('You have not delegated your approvals.')).toBeTruthy();
    expect(screen.getByText('Nobody has delegated their approvals to you.')).toBeTruthy();
  });

  it('asks for a delegate before sending anything, and does not offer yourself', async () => {
    const server = fakeServer([
      { path: DELEGATIONS, body: { given: [], received: [] } },
      { path: '/api/v1/people', body: users },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<DelegationsPage />, { me: adminMe });
    const form = await screen.findByRole('form', { name: 'Give a delegation' });
    // From now for a week, by default.
    expect((within(form).getByLabelText(/^From/) as HTMLInputElement).value).not.toBe('');
    expect((within(form).getByLabelText(/^Until/) as HTMLInputElement).value).not.toBe('');
    fireEvent.click(within(form).getByRole('button', { name: 'Delegate' }));
    expect(await within(form).findByText('Choose who decides for you')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
    // Only the other person is offered (the dropdown itself is exercised in the browser journey).
    await waitFor(() => expect([...document.querySelectorAll('[role=option]')].map((o) => o.textContent)).toEqual(['Erin Silva']));
  });

  it('revokes a delegation after confirming and fetches the list again', async () => {
    const server = fakeServer([
      { path: DELEGATIONS, body: { given: [delegation()], received: [] } },
      { path: '/api/v1/people', body: users },
      { method: 'DELETE', path: `${DELEGATIONS}/dl_1`, status: 204 },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderWithProviders(<DelegationsPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke the delegation to Erin Silva' }));
    await waitFor(() => expect(server.calls.filter((c) => c.url === DELEGATIONS && c.method === 'GET')).toHaveLength(2));
    expect(server.calls.some((c) => c.method === 'DELETE' && c.url === `${DELEGATIONS}/dl_1`)).toBe(true);
  });
});
