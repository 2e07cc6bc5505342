import { act, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithProviders } from '../../test/render';
import type { Conflict, PlanToCheck } from './conflicts-api';
import { ConflictPreview } from './conflict-preview';

afterEach(() => vi.unstubAllGlobals());

const pair = (over: Partial<Conflict> = {}): Conflict => ({
  id: 'cf_1',
  kind: 'ci_overlap',
  message: 'CHG0000007 (Patch the ledger) works on pay-db-prod at the same time.',
  startsAt: '2026-12-10T22:00:00.000Z',
  endsAt: '2026-12-10T23:00:00.000Z',
  otherChange: { id: 'chg_7', number: 'CHG0000007', title: 'Patch the ledger', state: 'scheduled', plannedStart: '2026-12-10T21:00:00.000Z', plannedEnd: '2026-12-10T23:00:00.000Z' },
  window: null,
  service: null,
  cis: [{ id: 'ci_db', name: 'pay-db-prod' }],
  excepted: false,
  blocking: true,
  proposedSlot: null,
  acknowledgement: null,
  createdAt: '2026-12-01T00:00:00.000Z',
  ...over,
});

const plan = { ciIds: ['ci_db'], plannedStart: '2026-12-10T22:00:00.000Z', plannedEnd: '2026-12-11T00:00:00.000Z', implementerId: 'u_carol', changeId: 'chg_1' };

describe('ConflictPreview', () => {
  it('asks the server about the whole plan and says which changes it meets and what that means for scheduling', async () => {
    const freeze = pair({ id: 'cf_f', kind: 'freeze', message: 'The change falls in the freeze "Year end".', otherChange: null });
    const busy = pair({ id: 'cf_2', kind: 'assignee_busy', message: 'Carol also implements CHG0000007 (Patch the ledger) at the same time.', blocking: false });
    const server = fakeServer([{ method: 'POST', path: '/api/v1/conflicts/check', body: { items: [pair(), busy, freeze], checked: true } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ConflictPreview {...plan} />);
    const preview = await screen.findByText('This plan meets 1 other change', undefined, { timeout: 3000 });
    const region = preview.closest('[data-testid="conflict-preview"]')!;
    expect(region.getAttribute('role')).toBe('status');
    expect(region.textContent).toContain('works on pay-db-prod at the same time. It needs a change manager’s acknowledgement before the change can be scheduled.');
    expect(region.textContent).toContain('Carol also implements CHG0000007');
    expect(region.textContent).not.toContain('Year end');
    expect(region.textContent).toContain('You can still save.');
    expect(server.calls[0]!.body).toEqual(plan);
  });

  it('asks nothing until the plan is whole, and shows nothing when the plan meets nobody', async () => {
    const server = fakeServer([{ method: 'POST', path: '/api/v1/conflicts/check', body: { items: [], checked: true } }]);
    vi.stubGlobal('fetch', server.fetch);
    let setPlan: (p: PlanToCheck) => void = () => undefined;
    function Form() {
      const [current, set] = useState<PlanToCheck>({ ciIds: ['ci_db'], plannedStart: plan.plannedStart, plannedEnd: null });
      setPlan = set;
      return <ConflictPreview {...current} />;
    }
    renderWithProviders(<Form />);
    await new Promise((r) => setTimeout(r, 600));
    expect(server.calls).toHaveLength(0);
    act(() => setPlan({ ciIds: ['ci_db'], plannedStart: plan.plannedEnd, plannedEnd: plan.plannedStart }));
    await new Promise((r) => setTimeout(r, 600));
    expect(server.calls).toHaveLength(0);
    act(() => setPlan({ ciIds: ['ci_db'], plannedStart: plan.plannedStart, plannedEnd: plan.plannedEnd }));
    await waitFor(() => expect(server.calls).toHaveLength(1), { timeout: 3000 });
    expect(screen.getByTestId('conflict-preview').textContent).toBe('');
  });
});
