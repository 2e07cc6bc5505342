import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { ChangeDeliveriesPanel } from './change-deliveries-panel';
import type { Delivery } from './deliveries-api';

afterEach(() => {
  vi.unstubAllGlobals();
});

const PATH = '/api/v1/changes/c_12/deliveries';

function delivery(over: Partial<Delivery> = {}): Delivery {
  return {
    id: 'd_1',
    outboxId: 'ob_1',
    channel: 'in_app',
    recipient: 'u_ada',
    userId: 'u_ada',
    recipientName: 'Ada Lovelace',
    attempt: 1,
    attemptedAt: '2026-11-02T09:30:00.000Z',
    result: 'delivered',
    error: null,
    summary: 'CHG0000012 "Upgrade" needs your approval',
    ...over,
  };
}

describe('ChangeDeliveriesPanel', () => {
  it('shows who was told what, on which channel, when, and how it went', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        {
          path: PATH,
          body: {
            items: [
              delivery(),
              delivery({
                id: 'd_2',
                recipient: null,
                userId: null,
                recipientName: null,
                channel: 'email',
                result: 'dead',
                error: '550 mailbox unavailable',
              }),
            ],
            nextCursor: null,
          },
        },
      ]).fetch,
    );
    renderWithProviders(<ChangeDeliveriesPanel changeId="c_12" />, { me: adminMe });
    const table = await screen.findByRole('table', { name: 'Delivery log' });
    const [, first, second] = within(table).getAllByRole('row');
    expect(first!.textContent).toContain('Ada Lovelace');
    expect(first!.textContent).toContain('In-app');
    expect(first!.textContent).toContain('Delivered');
    expect(first!.textContent).toContain('2026');
    expect(second!.textContent).toContain('All recipients');
    expect(second!.textContent).toContain('Given up');
    expect(second!.textContent).toContain('550 mailbox unavailable');
  });

  it('says so when nothing was delivered yet', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: PATH, body: { items: [], nextCursor: null } }]).fetch);
    renderWithProviders(<ChangeDeliveriesPanel changeId="c_12" />, { me: adminMe });
    expect(await screen.findByText('No notices about this change have been delivered yet.')).toBeTruthy();
  });
});
