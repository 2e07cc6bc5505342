import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { BoardMetricsPanel, type BoardMetricsReport } from './board-metrics-panel';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const cabMember: Me = {
  ...adminMe,
  id: 'u_cab',
  roles: [{ role: 'cab_member', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'board.read'],
};

const r = (numerator: number, denominator: number) => ({ value: denominator === 0 ? null : numerator / denominator, numerator, denominator });

function period(start: string, over: Partial<BoardMetricsReport['series'][number]> = {}): BoardMetricsReport['series'][number] {
  return {
    start,
    decisions: 0,
    approvalRate: r(0, 0),
    escapeRate: r(0, 0),
    deferralRate: r(0, 0),
    lowRiskShare: r(0, 0),
    medianHoursToDecision: null,
    timeAgainstAllotment: r(0, 0),
    meetingsHeld: 0,
    attendance: r(0, 0),
    quorumMet: r(0, 0),
    responseWithinSla: null,
    ...over,
  };
}

function report(over: Partial<BoardMetricsReport> = {}): BoardMetricsReport {
  return {
    board: { id: 'brd_pay', name: 'Payments CAB', kind: 'cab' },
    period: { from: '2026-09-08T10:00:00.000Z', to: '2026-12-07T10:00:00.000Z', grain: 'week' },
    decisions: { total: 25, atMeetings: 21, byVotes: 4 },
    approvalRate: r(24, 25),
    rubberStamp: { flagged: true, above: 0.95, minDecisions: 20 },
    escapeRate: r(1, 24),
    escapes: [{ changeId: 'c_b', number: 'CHG0000042', title: 'Upgrade', closeCode: 'unsuccessful', incidents: 1 }],
    deferralRate: r(1, 25),
    deferredMoreThanOnce: { count: 1, items: [{ changeId: 'c_d', number: 'CHG0000044', title: 'Move', deferrals: 2 }] },
    lowRiskShare: r(3, 25),
    timeToDecision: { medianHours: 26.25, answers: 24 },
    timeAgainstAllotment: r(180, 150),
    attendance: { rate: r(5, 6), meetingsHeld: 2, people: 3 },
    quorum: { rate: r(20, 21), meetingsWithoutQuorum: [{ meetingId: 'mtg_2', title: 'Payments CAB weekly', startedAt: '2026-11-30T09:00:00.000Z' }] },
    response: null,
    series: [
      period('2026-11-23T00:00:00.000Z', { decisions: 5, approvalRate: r(2, 5), medianHoursToDecision: 24.16, meetingsHeld: 1, attendance: r(3, 3) }),
      period('2026-11-30T00:00:00.000Z'),
    ],
    ...over,
  };
}

const metricsPath = /^\/api\/v1\/boards\/brd_pay\/metrics$/;

describe('BoardMetricsPanel', { timeout: 20_000 }, () => {
  it('shows each figure with what it was counted from, the rubber-stamp warning and the trend by week', async () => {
    const server = fakeServer([{ path: metricsPath, body: report() }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardMetricsPanel boardId="brd_pay" />, { me: cabMember });
    const panel = await screen.findByRole('region', { name: 'Figures' }, LOAD);
    await within(panel).findByRole('region', { name: 'Approval rate' }, LOAD);

    const figure = (name: string) => within(panel).getByRole('region', { name }).textContent;
    expect(figure('Approval rate')).toContain('96 %');
    expect(figure('Approval rate')).toContain('24 of 25 decisions approved, with or without conditions.');
    expect(within(panel).getByRole('note').textContent).toContain('This board approves more than 95 % of what it sees (24 of 25 decisions)');
    expect(figure('Escape rate')).toContain('1 of 24 approved changes later failed or caused an incident.');
    expect(within(within(panel).getByRole('list', { name: 'Escapes' })).getByRole('listitem').textContent).toBe('CHG0000042 closed unsuccessful, caused 1 incident');
    expect(within(panel).getByRole('link', { name: 'CHG0000042' }).getAttribute('href')).toBe('/changes/c_b');
    expect(figure('Deferral rate')).toContain('1 of 25 decisions deferred. 1 change was deferred more than once:');
    expect(within(panel).getByRole('list', { name: 'Deferred more than once' }).textContent).toBe('CHG0000044 deferred 2 times');
    expect(figure('Time to decision')).toContain('26.3 hours');
    expect(figure('Time to decision')).toContain('over 24 approvals and rejections');
    expect(figure('Time against allotment')).toContain('120 %');
    expect(figure('Time against allotment')).toContain('180 minutes taken of 150 allotted');
    expect(figure('Low-risk share')).toContain('3 of 25 decisions on low-risk changes. This should fall to zero');
    expect(figure('Attendance')).toContain('5 of 6 expected people present, over 2 meetings held (the board has 3 people).');
    expect(figure('Quorum')).toContain('20 of 21 decisions at meetings had their quorum.');
    expect(within(panel).getByRole('link', { name: 'Payments CAB weekly' }).getAttribute('href')).toBe('/meetings/mtg_2');
    expect(figure('How it decided')).toContain('Of 25 decisions, 4 settled by the members’ votes alone and 21 recorded at meetings.');
    expect(within(panel).queryByRole('region', { name: 'Response time' })).toBeNull();

    const table = within(panel).getByRole('table', { name: 'Trend by week' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers[0]).toBe('Week of');
    expect(headers).not.toContain('Answered within SLA');
    const [, first, second] = within(table).getAllByRole('row');
    expect(first!.textContent).toContain('40 % (2 of 5)');
    expect(first!.textContent).toContain('24.2');
    expect(first!.textContent).toContain('100 % (3 of 3)');
    expect(second!.textContent).toContain('—');

    const call = server.calls.find((c) => metricsPath.test(c.url.split('?')[0]!))!;
    const params = Object.fromEntries(new URL(call.url, 'http://x').searchParams);
    expect(params.grain).toBe('week');
    expect(Math.abs(Date.now() - 90 * 86_400_000 - Date.parse(params.from!))).toBeLessThan(60_000);
  });

  it('gives the ECAB its response time against the SLA, and asks again by month for a year', async () => {
    const ecab = report({
      board: { id: 'brd_pay', name: 'ECAB', kind: 'ecab' },
      rubberStamp: { flagged: false, above: 0.95, minDecisions: 20 },
      response: { slaMinutes: 60, medianMinutes: 42.4, withinSla: r(5, 6), openPastSla: 1 },
      series: [period('2026-11-30T00:00:00.000Z', { responseWithinSla: r(1, 2) })],
    });
    const server = fakeServer([{ path: metricsPath, body: ecab }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BoardMetricsPanel boardId="brd_pay" />, { me: cabMember });
    const response = await screen.findByRole('region', { name: 'Response time' }, LOAD);
    expect(response.textContent).toContain('42 minutes');
    expect(response.textContent).toContain('against a response time of 60 minutes: 5 of 6 answers within it. 1 change is still waiting past it.');
    expect(screen.queryByRole('note')).toBeNull();
    const table = screen.getByRole('table', { name: 'Trend by week' });
    expect(within(table).getByRole('columnheader', { name: 'Answered within SLA' })).toBeTruthy();
    expect(within(table).getAllByRole('row')[1]!.textContent).toContain('50 % (1 of 2)');

    const periodBox = screen.getByRole('combobox', { name: 'Period' });
    fireEvent.click(periodBox);
    const periods = await waitFor(() => document.getElementById(periodBox.getAttribute('aria-controls')!)!);
    fireEvent.click(within(periods).getByRole('option', { name: 'Last 12 months', hidden: true }));
    await waitFor(() => expect(server.calls.some((c) => c.url.includes('grain=month'))).toBe(true));
    const last = server.calls.filter((c) => metricsPath.test(c.url.split('?')[0]!)).at(-1)!;
    const params = Object.fromEntries(new URL(last.url, 'http://x').searchParams);
    expect(Math.abs(Date.now() - 365 * 86_400_000 - Date.parse(params.from!))).toBeLessThan(60_000);
  });

  it('says why when the figures cannot be read', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([{ path: metricsPath, status: 403, body: { error: { code: 'forbidden', message: 'You may not see the boards.', details: {} } } }]).fetch,
    );
    renderWithProviders(<BoardMetricsPanel boardId="brd_pay" />, { me: cabMember });
    const alert = await screen.findByRole('alert', {}, LOAD);
    expect(alert.textContent).toContain('Cannot count the board’s figures');
    expect(alert.textContent).toContain('You may not see the boards.');
  });
});
