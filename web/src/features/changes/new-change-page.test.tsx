import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { NewChangePage } from './new-change-page';

afterEach(() => vi.unstubAllGlobals());

/** The text of the element(s) that describe a field (where Mantine puts its error). */
function describedBy(el: HTMLElement): string {
  return (el.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

/** What describes the type of change (where Mantine puts the group's error). */
const describedByType = () => describedBy(screen.getByRole('radiogroup'));

describe('NewChangePage', () => {
  it('shows each issue of a 400 under its own field', async () => {
    const server = fakeServer([
      { path: '/api/v1/policy', body: testPolicy },
      { path: '/api/v1/cis', body: { items: [], nextCursor: null } },
      {
        method: 'POST',
        path: '/api/v1/changes',
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The request has 3 problems.',
            details: {
              issues: [
                { path: 'title', message: 'must not be empty' },
                { path: 'plannedEnd', message: 'must be an ISO 8601 date-time with a time zone' },
                { path: 'links.0.url', message: 'must be an http(s) URL' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NewChangePage />, { me: adminMe });

    fireEvent.click(await screen.findByRole('radio', { name: /Normal change/ }));
    fireEvent.change(screen.getByLabelText('Planned end'), { target: { value: '2026-12-01T22:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create draft' }));

    await waitFor(() => expect(describedBy(screen.getByLabelText(/^Title/))).toContain('must not be empty'));
    expect(describedBy(screen.getByLabelText('Planned end'))).toContain('must be an ISO 8601 date-time');
    expect(describedBy(screen.getByLabelText('Description'))).not.toContain('must');
    // An issue on a field the form does not show is still reported, above the form.
    expect(screen.getByRole('alert').textContent).toContain('Links: must be an http(s) URL');

    const post = server.calls.find((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({ type: 'normal', title: '', plannedEnd: new Date('2026-12-01T22:00').toISOString() });
    expect((post?.body as { plannedEnd: string }).plannedEnd).toMatch(/Z$/);
  });

  it('says a standard change needs a catalogue entry when none is picked, and shows a refusal under the type', async () => {
    const server = fakeServer([
      { path: '/api/v1/policy', body: testPolicy },
      { path: '/api/v1/cis', body: { items: [], nextCursor: null } },
      {
        method: 'POST',
        path: '/api/v1/changes',
        status: 422,
        body: {
          error: {
            code: 'no_entry',
            message: 'A standard change is pre-authorised only when it is made from an active entry of the standard change catalogue.',
            details: {
              issues: [
                { path: 'templateId', message: 'a standard change must be made from an active entry of the standard change catalogue' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NewChangePage />, { me: adminMe });

    fireEvent.click(await screen.findByRole('radio', { name: /Normal change/ }));
    expect(screen.queryByTestId('no-entry-notice')).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: /Standard change/ }));
    expect(screen.getByTestId('no-entry-notice').textContent).toContain('Without one, it is filed as a normal change, with approvals');
    fireEvent.change(screen.getByLabelText(/^Title/), { target: { value: 'Restart the web tier' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create draft' }));
    // The refusal's issue is on templateId: shown under the type, where the choice is made.
    const shown = await screen.findAllByText(/must be made from an active entry of the standard change catalogue/);
    expect(shown.some((el) => el.closest('[role="radiogroup"]') ?? describedByType().includes(el.textContent ?? ''))).toBe(true);
    const post = server.calls.find((c) => c.method === 'POST')?.body;
    expect(post).toMatchObject({ type: 'standard', title: 'Restart the web tier' });
    expect(post).not.toHaveProperty('templateId');
  });

  it('asks for a type before sending anything', async () => {
    const server = fakeServer([{ path: '/api/v1/policy', body: testPolicy }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<NewChangePage />, { me: adminMe });
    await screen.findByRole('radio', { name: /Normal change/ });
    fireEvent.click(screen.getByRole('button', { name: 'Create draft' }));
    expect(await screen.findByText('Choose the type of change')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
  });
});
