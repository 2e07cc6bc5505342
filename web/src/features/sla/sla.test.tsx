import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithProviders } from '../../test/render';
import { ApprovalsPanel } from '../approvals/approvals-panel';
import { approval } from '../approvals/test-fixtures';
import { ChangeSlaPanel } from './change-sla-panel';
import { lateness, type SlaBreach, type SlaClock, targetWords } from './sla-api';
import { SlaBreachesPage } from './sla-breaches-page';

afterEach(() => vi.unstubAllGlobals());

function clock(over: Partial<SlaClock> = {}): SlaClock {
  return {
    id: 'clk_1',
    changeId: 'chg_1',
    approvalId: 'apr_dba',
    metric: 'approval_response',
    target: 'approval_response',
    clock: 'business',
    policyVersion: 1,
    startedAt: '2026-11-02T09:00:00.000Z',
    dueAt: '2026-11-04T09:00:00.000Z',
    remindAt: '2026-11-03T14:00:00.000Z',
    remindedAt: null,
    stoppedAt: null,
    breachedAt: null,
    escalatedAt: null,
    status: 'running',
    rule: 'dba',
    approverLabel: 'dba',
    ...over,
  };
}

const breach = (over: Partial<SlaBreach> = {}): SlaBreach => ({
  ...clock({ id: 'clk_ecab', target: 'ecab_response', clock: 'wall', rule: 'ecab', approverLabel: 'ecab', dueAt: '2026-11-02T10:00:00.000Z', breachedAt: '2026-11-02T10:00:05.000Z', escalatedAt: '2026-11-02T10:00:05.000Z', stoppedAt: '2026-11-02T13:20:00.000Z', status: 'breached' }),
  changeNumber: 'CHG0000012',
  changeTitle: 'Hotfix: payment API leaking connections',
  changeType: 'emergency',
  ...over,
});

describe('SLA words', () => {
  it('says how late and names targets', () => {
    expect(lateness('2026-11-02T10:00:00.000Z', '2026-11-02T13:20:00.000Z')).toBe('3 h 20 min late');
    expect(lateness('2026-11-02T10:00:00.000Z', '2026-11-04T14:00:00.000Z')).toBe('2 d 4 h late');
    expect(lateness('2026-11-02T10:00:00.000Z', '2026-11-02T10:07:00.000Z')).toBe('7 min late');
    expect(targetWords('rule:dba')).toBe('rule dba');
    expect(targetWords('ecab_response')).toBe('ecab response');
  });
});

describe('ChangeSlaPanel', () => {
  it('lists the clocks of a change with target, due time and status', async () => {
    const tts = clock({ id: 'clk_2', approvalId: null, metric: 'time_to_schedule', target: 'time_to_schedule', rule: null, approverLabel: null, status: 'breached', breachedAt: '2026-11-10T09:00:00.000Z' });
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/changes/chg_1/sla', body: { items: [clock({ remindedAt: '2026-11-03T14:00:00.000Z' }), tts] } }]).fetch);
    renderWithProviders(<ChangeSlaPanel changeId="chg_1" />);
    const table = await screen.findByRole('table', { name: 'SLA clocks' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-sla-target'))).toEqual(['approval_response', 'time_to_schedule']);
    expect(rows[0]!.textContent).toContain('Approval response · dba');
    expect(rows[0]!.textContent).toContain('business hours');
    expect(rows[0]!.textContent).toContain('Running');
    expect(rows[0]!.textContent).toContain('reminded');
    expect(rows[1]!.textContent).toContain('Time to schedule');
    expect(rows[1]!.textContent).toContain('Breached');
  });

  it('says when no clock runs', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/changes/chg_1/sla', body: { items: [] } }]).fetch);
    renderWithProviders(<ChangeSlaPanel changeId="chg_1" />);
    expect(await screen.findByText('No SLA clock runs for this change.')).toBeTruthy();
  });
});

describe('SlaBreachesPage', () => {
  it('reports breaches with change, target, lateness and escalation, and filters by metric', async () => {
    const server = fakeServer([{ path: '/api/v1/sla/breaches', body: { items: [breach()], nextCursor: null } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<SlaBreachesPage />);
    const table = await screen.findByRole('table', { name: 'SLA breaches' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(within(row).getByRole('link', { name: 'CHG0000012' }).getAttribute('href')).toBe('/changes/CHG0000012');
    expect(row.textContent).toContain('ecab response');
    expect(row.textContent).toContain('3 h 20 min late');
    expect(row.textContent).toContain('Escalated');
    fireEvent.click(screen.getByText('Time to schedule'));
    await waitFor(() => expect(server.calls.some((c) => c.url.includes('metric=time_to_schedule'))).toBe(true));
  });

  it('says so when every clock met its target', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/sla/breaches', body: { items: [], nextCursor: null } }]).fetch);
    renderWithProviders(<SlaBreachesPage />);
    expect(await screen.findByText(/No breaches/)).toBeTruthy();
  });
});

describe('approvals with SLA state', () => {
  it('shows that an overdue approval was escalated, and to whom', async () => {
    const escalated = approval({ dueAt: '2020-01-01T10:00:00.000Z', escalatedAt: '2020-01-01T10:00:05.000Z', escalation: { kind: 'team', ref: 'change-managers' } });
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/changes/chg_1/approvals', body: { items: [escalated] } }]).fetch);
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);
    const badge = await screen.findByText(/^Escalated to change-managers/);
    expect(badge.closest('[data-escalated]')).toBeTruthy();
    expect(screen.getByText(/^Overdue since /)).toBeTruthy();
  });
});
