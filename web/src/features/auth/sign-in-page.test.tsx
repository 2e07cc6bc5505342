import { fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithProviders } from '../../test/render';
import { SignInPage } from './sign-in-page';

afterEach(() => vi.unstubAllGlobals());

const unauthenticated = { path: '/api/v1/me', status: 401, body: { error: { code: 'unauthenticated', message: 'Sign in.', details: {} } } };

async function submit(email: string, password: string) {
  fireEvent.change(await screen.findByLabelText('Email'), { target: { value: email } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('SignInPage', () => {
  it('shows the server’s own message when the credentials are wrong', async () => {
    const login = {
      method: 'POST',
      path: '/api/v1/auth/login',
      status: 401,
      body: { error: { code: 'invalid_credentials', message: 'The email or password is wrong.', details: {} } },
    };
    vi.stubGlobal('fetch', fakeServer([unauthenticated, login]).fetch);
    renderWithProviders(<SignInPage />, { path: '/sign-in' });
    await submit('ada@example.com', 'nope');
    expect((await screen.findByRole('alert')).textContent).toContain('The email or password is wrong.');
  });

  it('says "too many attempts" when the server rate-limits sign-in (429)', async () => {
    const login = {
      method: 'POST',
      path: '/api/v1/auth/login',
      status: 429,
      body: { error: { code: 'rate_limited', message: 'Rate limit exceeded, retry in 1 minute', details: {} } },
    };
    vi.stubGlobal('fetch', fakeServer([unauthenticated, login]).fetch);
    renderWithProviders(<SignInPage />, { path: '/sign-in' });
    await submit('ada@example.com', 'nope');
    expect((await screen.findByRole('alert')).textContent).toMatch(/too many attempts/i);
  });

  it('asks for both fields before calling the server', async () => {
    const server = fakeServer([unauthenticated]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<SignInPage />, { path: '/sign-in' });
    await screen.findByLabelText('Email');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your email')).toBeTruthy();
    expect(screen.getByText('Enter your password')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
  });
});
