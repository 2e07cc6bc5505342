import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangeHistory } from './change-history';
import { sampleRisk } from './test-fixtures';

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

  it('titles risk events in words and shows the justification of an override', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/policy', body: testPolicy },
        { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
        {
          path: '/api/v1/changes/chg_1/audit',
          body: {
            items: [
              event(1, 'change.risk_assessed', {
                changes: { riskScore: { from: null, to: 40 }, riskLevel: { from: null, to: 'moderate' } },
                factors: [{ name: 'ci_criticality', contribution: 20 }],
              }),
              event(2, 'change.risk_assessed', {
                changes: { riskScore: { from: 40, to: 55 }, riskLevel: { from: 'moderate', to: 'high' } },
                factors: [
                  { name: 'rollback', contribution: -5 },
                  { name: 'ci_criticality', contribution: 20 },
                ],
              }),
              event(3, 'change.risk_overridden', {
                changes: { riskLevel: { from: 'high', to: 'moderate' } },
                computedLevel: 'high',
                justification: 'Rehearsed twice on the staging copy.',
              }),
              event(4, 'change.risk_override_cleared', { changes: { riskLevel: { from: 'moderate', to: 'very_high' } } }),
            ],
          },
        },
      ]).fetch,
    );
    renderWithProviders(<ChangeHistory changeId="chg_1" changeType="normal" />, { me: adminMe });

    await screen.findByText('Risk override removed');
    const titles = screen.getAllByText(/^Risk (assessed|overridden|override)/).map((el) => el.textContent);
    expect(titles).toEqual([
      'Risk override removed',
      'Risk overridden to moderate',
      'Risk assessed: moderate → high (score 40 → 55)',
      'Risk assessed: moderate (score 40)',
    ]);
    expect(screen.getByText('Rehearsed twice on the staging copy.')).toBeTruthy();
    // Factors are named as the policy names them (once the risk has loaded), largest first.
    expect(await screen.findByText('Factors: CI criticality +20, Rollback feasibility −5')).toBeTruthy();
    // The override and its removal name the level change; an assessment's title already says it all.
    const changed = screen.getAllByRole('list', { name: 'Changed fields' }).map((list) => list.textContent);
    expect(changed).toEqual(['Risk level: moderate → very high', 'Risk level: high → moderate']);
  });

  it('names people, teams and CIs by the names the server gives for their ids, and says what evidence was added', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/policy', body: testPolicy },
        {
          path: '/api/v1/changes/chg_1/audit',
          body: {
            items: [
              event(1, 'change.routed', { changes: { changeManagerId: { from: null, to: 'u_alice' }, assignmentTeamId: { from: null, to: 't_dba' } } }),
              event(2, 'change.updated', { changes: { ciIds: { from: ['ci_1'], to: ['ci_1', 'ci_gone'] } } }),
              event(3, 'change.evidence_added', { kind: 'approval_record', title: 'Approval record', sha256: 'abc' }),
            ],
            nextCursor: null,
            names: {
              u_alice: { type: 'user', label: 'Alice Martin', title: null },
              t_dba: { type: 'team', label: 'Database Administration', title: null },
              ci_1: { type: 'ci', label: 'pay-db-prod', title: null },
            },
          },
        },
      ]).fetch,
    );
    renderWithProviders(<ChangeHistory changeId="chg_1" changeType="normal" />, { me: adminMe });

    await screen.findByText('Sealed the approval record');
    expect(screen.getByText('Routed by the policy: change manager and assignment team chosen')).toBeTruthy();
    const changed = screen.getAllByRole('list', { name: 'Changed fields' }).map((list) => list.textContent);
    expect(changed).toEqual([
      // A CI that no longer exists keeps its id.
      'Affected CIs: pay-db-prod → pay-db-prod, ci_gone',
      'Change manager: — → Alice MartinAssignment team: — → Database Administration',
    ]);
  });
});
