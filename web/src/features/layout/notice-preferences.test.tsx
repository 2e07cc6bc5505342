import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { NoticePreferences } from './notice-preferences';

afterEach(() => vi.unstubAllGlobals());

const PREFERENCES = '/api/v1/me/preferences';
const LOAD = { timeout: 5000 };

describe('NoticePreferences', { timeout: 20_000 }, () => {
  it('turns quiet hours on with their times and chooses a weekly digest', async () => {
    const server = fakeServer([
      { path: PREFERENCES, body: { timeZone: 'Europe/Amsterdam', quietHours: null, digest: 'off', approvalEmails: true } },
      { method: 'PATCH', path: PREFERENCES, body: { timeZone: 'Europe/Amsterdam', quietHours: { start: '21:30', end: '06:45' }, digest: 'weekly' } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NoticePreferences />, { me: adminMe });
    const quiet = (await screen.findByRole('checkbox', { name: /Quiet hours/ }, LOAD)) as HTMLInputElement;
    expect(quiet.checked).toBe(false);
    expect(screen.queryByLabelText('From')).toBeNull();
    fireEvent.click(quiet);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '21:30' } });
    fireEvent.change(screen.getByLabelText('Until'), { target: { value: '06:45' } });
    expect(screen.getByText('The next morning')).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: /Weekly, on Monday at 07:00/ }));
    const approvals = screen.getByRole('checkbox', { name: /Email me the approvals I am asked for/ }) as HTMLInputElement;
    expect(approvals.checked).toBe(true);
    fireEvent.click(approvals);
    fireEvent.click(screen.getByRole('button', { name: 'Save email settings' }));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ quietHours: { start: '21:30', end: '06:45' }, digest: 'weekly', approvalEmails: false }), LOAD);
    expect(await screen.findByRole('status', undefined, LOAD)).toHaveProperty('textContent', 'Email settings saved.');
  });

  it('shows the stored settings, turns quiet hours off with null, and puts the server’s refusal under its field', async () => {
    const issues = [{ path: 'digest', message: 'must be one of off, daily, weekly' }];
    const server = fakeServer([
      { path: PREFERENCES, body: { timeZone: null, quietHours: { start: '22:00', end: '07:00' }, digest: 'daily', approvalEmails: false } },
      { method: 'PATCH', path: PREFERENCES, status: 400, body: { error: { code: 'invalid_input', message: 'The request has invalid values.', details: { issues } } } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NoticePreferences />, { me: adminMe });
    expect(((await screen.findByLabelText('From', undefined, LOAD)) as HTMLInputElement).value).toBe('22:00');
    expect((screen.getByRole('radio', { name: /Daily, at 07:00/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText(/Read in UTC, as you chose no time zone/)).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: /Quiet hours/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Save email settings' }));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ quietHours: null, digest: 'daily', approvalEmails: false }), LOAD);
    expect(await screen.findByText(issues[0]!.message, {}, LOAD)).toBeTruthy();
  });
});
