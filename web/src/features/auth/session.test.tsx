import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getCsrfToken, setCsrfToken } from '../../api/client';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { fetchMe, useSignOut } from './session';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

function SignOutButton() {
  const signOut = useSignOut();
  return (
    <button type="button" onClick={() => signOut.mutate()}>
      Sign out
    </button>
  );
}

describe('useSignOut', () => {
  it('sends the session’s CSRF token with the logout, as the server requires, and forgets it afterwards', async () => {
    const server = fakeServer([
      { path: '/api/v1/me', body: { ...adminMe, csrfToken: 'csrf-from-me-0123456789' } },
      { method: 'POST', path: '/api/v1/auth/logout', status: 204 },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    // After a reload the token comes from GET /api/v1/me, not from the sign-in answer.
    await fetchMe();
    renderWithProviders(<SignOutButton />);
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(getCsrfToken()).toBeNull());
    const logout = server.calls.find((c) => c.method === 'POST' && c.url === '/api/v1/auth/logout');
    expect(logout?.headers['X-CSRF-Token']).toBe('csrf-from-me-0123456789');
  });
});
