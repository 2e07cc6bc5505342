import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import type { DeadLetter } from './deliveries-api';
import { DeliveriesPage } from './deliveries-page';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  setCsrfToken(null);
});

const LIST = '/api/v1/outbox/dead-letters';

function letter(over: Partial<DeadLetter> = {}): DeadLetter {
  return {
    id: 'ob_1',
    topic: 'notification',
    summary: 'CHG0000012 is waiting for your approval',
    changeId: 'c_12',
    changeNumber: 'CHG0000012',
    attempts: 8,
    lastError: 'connect ECONNREFUSED https://***@mail.example.com',
    createdAt: '2026-11-02T08:00:00.000Z',
    deadAt: '2026-11-02T09:30:00.000Z',
    ...over,
  };
}

describe('DeliveriesPage', () => {
  it('lists the dead letters with what they were about, their change, attempts and last error', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        {
          path: LIST,
          body: {
            items: [letter(), letter({ id: 'ob_2', topic: 'risk.reassess', summary: 'risk.reassess', changeId: null, changeNumber: null })],
            nextCursor: null,
          },
        },
      ]).fetch,
    );
    renderWithProviders(<DeliveriesPage />, { me: adminMe });
    const table = await screen.findByRole('table', { name: 'Dead letters' });
    const [, first, second] = within(table).getAllByRole('row');
    expect(first!.textContent).toContain('CHG0000012 is waiting for your approval');
    expect(within(first!).getByRole('link', { name: 'CHG0000012' }).getAttribute('href')).toBe('/changes/CHG0000012');
    expect(first!.textContent).toContain('ECONNREFUSED');
    expect(first!.textContent).toContain('8');
    expect(second!.textContent).toContain('—');
    expect(screen.getByText('2 rows, all shown')).toBeTruthy();
  });

  it('says so when there are none', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: LIST, body: { items: [], nextCursor: null } }]).fetch);
    renderWithProviders(<DeliveriesPage />, { me: adminMe });
    expect(await screen.findByText(/No dead letters/)).toBeTruthy();
  });

  it('retries a dead letter and says it is queued again', async () => {
    const server = fakeServer([
      { path: LIST, body: { items: [letter()], nextCursor: null } },
      { method: 'POST', path: `${LIST}/ob_1/retry`, body: { id: 'ob_1', state: 'pending' } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<DeliveriesPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Retry “CHG0000012 is waiting for your approval”' }));
    expect(await screen.findByRole('status')).toHaveProperty(
      'textContent',
      expect.stringContaining('Queued “CHG0000012 is waiting for your approval” again'),
    );
    expect(server.calls.some((c) => c.method === 'POST' && c.url.endsWith('/ob_1/retry'))).toBe(true);
  });

  it('asks for a reason before it discards, then sends it', async () => {
    const server = fakeServer([
      { path: LIST, body: { items: [letter()], nextCursor: null } },
      { method: 'POST', path: `${LIST}/ob_1/discard`, body: { id: 'ob_1', state: 'discarded' } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<DeliveriesPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Discard “CHG0000012 is waiting for your approval”' }));
    const dialog = await screen.findByRole('dialog', { name: 'Discard “CHG0000012 is waiting for your approval”?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Discard it' }));
    expect(await within(dialog).findByText('Give a reason: it is kept in the history.')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), { target: { value: 'The approver left; asked by phone.' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Discard it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const discard = server.calls.find((c) => c.method === 'POST' && c.url.endsWith('/ob_1/discard'));
    expect(discard?.body).toEqual({ reason: 'The approver left; asked by phone.' });
  });

  it('shows the server’s word on the reason inside the dialog', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: LIST, body: { items: [letter()], nextCursor: null } },
        {
          method: 'POST',
          path: `${LIST}/ob_1/discard`,
          status: 422,
          body: {
            error: {
              code: 'reason_required',
              message: 'Say why.',
              details: { issues: [{ path: 'reason', message: 'a discarded dead letter needs a reason' }] },
            },
          },
        },
      ]).fetch,
    );
    renderWithProviders(<DeliveriesPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: /^Discard/ }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Reason/ }), { target: { value: 'x' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Discard it' }));
    expect(await within(dialog).findByText('a discarded dead letter needs a reason')).toBeTruthy();
  });
});
