import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangeHistory } from './change-history';

const event = (seq: number, action: string, data: Record<string, unknown>): AuditEvent => ({
  seq,
  at: `2026-11-0${seq}T10:00:00.000Z`,
  actorId: 'u_admin',
  actorName: 'Ada Admin',
  action,
  entityType: 'change',
  entityId: 'chg_1',
  data,
  prevHash: 'x',
  hash: 'y',
});

afterEach(() => vi.unstubAllGlobals());

describe('ChangeHistory', () => {
  it('lists events newest first with actor, state moves in policy words, and changed fields', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/policy', body: testPolicy },
        {
          path: '/api/v1/changes/chg_1/audit',
          body: {
            items: [
              event(1, 'change.created', { number: 'CHG0000001' }),
              event(2, 'change.updated', {
                changes: { backoutPlan: { from: '', to: 'Restore the snapshot' }, ciIds: { from: [], to: ['ci_1'] } },
              }),
              event(3, 'change.transitioned', { from: 'draft', to: 'assess', changes: { state: { from: 'draft', to: 'assess' } } }),
            ],
          },
        },
      ]).fetch,
    );
    renderWithProviders(<ChangeHistory changeId="chg_1" changeType="normal" />, { me: adminMe });

    await screen.findByText('Moved from Draft to Assess');
    const titles = screen.getAllByText(/^(Moved from|Edited|Created)/).map((el) => el.textContent);
    expect(titles).toEqual(['Moved from Draft to Assess', 'Edited the change', 'Created the change']);
    // Only the edit lists fields; the transition's state diff is already its title.
    const changed = within(screen.getByRole('list', { name: 'Changed fields' }))
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(changed).toEqual(['Backout plan: — → Restore the snapshot', 'Affected CIs: — → ci_1']);
    expect(screen.getAllByText(/Ada Admin/)).toHaveLength(3);
  });
});
