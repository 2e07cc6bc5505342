import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { meQueryKey } from '../../api/query-client';
import type { Me } from '../../api/types';
import { browserTimeZone } from '../../shared/format';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { PreferencesPage } from './preferences-page';

afterEach(() => vi.unstubAllGlobals());

const PREFERENCES = '/api/v1/me/preferences';

// The zone list holds every zone the engine knows (over 400), which the DOM of the tests renders slowly.
describe('PreferencesPage', { timeout: 20_000 }, () => {
  it('offers the browser’s zone until one is chosen, saves a chosen zone and the signed-in user follows it', async () => {
    const server = fakeServer([{ method: 'PATCH', path: PREFERENCES, body: { timeZone: 'Asia/Tokyo' } }]);
    vi.stubGlobal('fetch', server.fetch);
    const { client } = renderWithProviders(<PreferencesPage />, { me: adminMe });
    const select = screen.getByRole('combobox', { name: 'Show times in' }) as HTMLInputElement;
    expect(select.value).toBe(`The browser’s zone (${browserTimeZone()})`);
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);

    select.focus();
    fireEvent.change(select, { target: { value: 'Tokyo' } });
    fireEvent.click(await screen.findByRole('option', { name: 'Asia/Tokyo', hidden: true }));
    expect(screen.getByText(/^Now: .*(GMT\+9|JST)/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ timeZone: 'Asia/Tokyo' }));
    await waitFor(() => expect(client.getQueryData<Me>(meQueryKey)?.timeZone).toBe('Asia/Tokyo'));
    expect(await screen.findByRole('status', undefined, { timeout: 5000 })).toHaveProperty('textContent', 'Saved. Times are shown in Asia/Tokyo.');
  });

  it('goes back to the browser’s zone by sending null', async () => {
    const server = fakeServer([{ method: 'PATCH', path: PREFERENCES, body: { timeZone: null } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<PreferencesPage />, { me: { ...adminMe, timeZone: 'America/New_York' } });
    const select = screen.getByRole('combobox', { name: 'Show times in' }) as HTMLInputElement;
    expect(select.value).toBe('America/New York');
    select.focus();
    fireEvent.change(select, { target: { value: 'browser' } });
    fireEvent.click(await screen.findByRole('option', { name: `The browser’s zone (${browserTimeZone()})`, hidden: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ timeZone: null }));
  });

  it('puts the server’s refusal under the field', async () => {
    const issues = [{ path: 'timeZone', message: 'must be an IANA time zone such as "Europe/Amsterdam"' }];
    vi.stubGlobal('fetch', fakeServer([{ method: 'PATCH', path: PREFERENCES, status: 400, body: { error: { code: 'invalid_input', message: 'The time zone is not one this server knows.', details: { issues } } } }]).fetch);
    renderWithProviders(<PreferencesPage />, { me: adminMe });
    const select = screen.getByRole('combobox', { name: 'Show times in' });
    (select as HTMLInputElement).focus();
    fireEvent.change(select, { target: { value: 'UTC' } });
    fireEvent.click(await screen.findByRole('option', { name: 'UTC', hidden: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(issues[0]!.message)).toBeTruthy();
  });
});
