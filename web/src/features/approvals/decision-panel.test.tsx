import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { ChangeDetail } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { sampleChange, sampleCi, sampleConflicts, sampleRisk } from '../changes/test-fixtures';
import { MyApprovalsPage } from './my-approvals-page';
import { approval, myApproval } from './test-fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const change: ChangeDetail = {
  ...sampleChange,
  state: 'authorize',
  ciIds: ['ci_db'],
  serviceIds: ['svc_pay'],
  plannedStart: '2026-12-21T22:00:00.000Z',
  plannedEnd: '2026-12-22T00:00:00.000Z',
  implementationPlan: 'Run pg_upgrade on the replica first.',
  testPlan: 'Checkout smoke tests.',
  backoutPlan: 'Fail back to the old primary.',
  backoutTested: true,
};

function inbox(extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    { path: '/api/v1/me/approvals', body: { items: [myApproval()] } },
    { path: '/api/v1/changes/chg_1', body: change },
    { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
    { path: '/api/v1/changes/chg_1/conflicts', body: { items: sampleConflicts, checked: true } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
    { path: '/api/v1/services/svc_pay', body: { id: 'svc_pay', name: 'Payments' } },
    { path: '/api/v1/people', body: { items: [{ id: 'u_admin', name: 'Ada Admin' }], nextCursor: null } },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
    ...extra,
  ]);
}

async function openPanel(name: RegExp) {
  const table = await screen.findByRole('table', { name: 'My approvals' });
  fireEvent.click(within(within(table).getAllByRole('row')[1]!).getByRole('button', { name }));
  return screen.findByRole('dialog', { name: 'Decide CHG0000001: Upgrade the orders database' });
}

describe('deciding from the inbox', () => {
  it('shows the essentials of the change, then approves with the comment written', async () => {
    const server = inbox([{ method: 'POST', path: '/api/v1/approvals/apr_dba/decision', body: approval({ state: 'approved', canDecide: false }) }]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken(adminMe.csrfToken);
    renderWithProviders(<MyApprovalsPage />, { me: adminMe });
    const panel = await openPanel(/^Approve/);

    const essentials = await within(panel).findByTestId('change-essentials');
    await waitFor(() => expect(essentials.textContent).toContain('orders-db'));
    const text = () => essentials.textContent ?? '';
    expect(text()).toContain('Rule');
    expect(text()).toContain('dba: A database is affected');
    expect(text()).toContain('Normal change, Authorize');
    await waitFor(() => expect(text()).toContain('CI criticality: A critical CI is affected (+20)'));
    expect(within(essentials).getByRole('list', { name: 'Top risk reasons' }).children).toHaveLength(3);
    expect(text()).toMatch(/Planned windowDec 21, 2026, 10:00\s?PM – Dec 22, 2026, 12:00\s?AM UTCCIs/);
    await waitFor(() => expect(text()).toContain('Payments'));
    await waitFor(() => expect(text()).toContain('Ada Admin'));
    await waitFor(() => expect(text()).toContain('4 conflicts, 2 blocking'));
    expect(text()).toContain('Run pg_upgrade on the replica first.');
    expect(text()).toContain('Checkout smoke tests.');
    expect(text()).toContain('Fail back to the old primary.');

    // Focus starts at the top of the panel, so the essentials are read first.
    await waitFor(() => expect(document.activeElement).toBe(within(panel).getByRole('button', { name: 'Close without deciding' })));
    const comment = within(panel).getByRole('textbox', { name: 'Comment (optional)' });
    fireEvent.change(comment, { target: { value: 'Fine once the replica is in sync.' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Approve CHG0000001' }));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ decision: 'approve', comment: 'Fine once the replica is in sync.' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('needs a comment to reject, and sends nothing without one', async () => {
    const server = inbox([{ method: 'POST', path: '/api/v1/approvals/apr_dba/decision', body: approval({ state: 'rejected', canDecide: false }) }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MyApprovalsPage />, { me: adminMe });
    const panel = await openPanel(/^Reject/);
    expect(within(panel).getByRole('radio', { name: 'Reject' })).toHaveProperty('checked', true);
    fireEvent.click(within(panel).getByRole('button', { name: 'Reject CHG0000001' }));
    expect(await within(panel).findByText('a rejection needs a comment')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.change(within(panel).getByRole('textbox', { name: /Why do you reject it/ }), { target: { value: 'No backup before the upgrade.' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Reject CHG0000001' }));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ decision: 'reject', comment: 'No backup before the upgrade.' }));
  });

  it('shows the server’s refusal of a reason under the comment box', async () => {
    const refusal = { error: { code: 'reason_required', message: 'Say why you reject it: the requester needs to know.', details: { issues: [{ path: 'comment', message: 'a rejection needs a comment' }] } } };
    vi.stubGlobal('fetch', inbox([{ method: 'POST', path: '/api/v1/approvals/apr_dba/decision', status: 422, body: refusal }]).fetch);
    renderWithProviders(<MyApprovalsPage />, { me: adminMe });
    const panel = await openPanel(/^Reject/);
    fireEvent.change(within(panel).getByRole('textbox', { name: /Why do you reject it/ }), { target: { value: 'x' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Reject CHG0000001' }));
    expect(await within(panel).findByText('a rejection needs a comment')).toBeTruthy();
    expect(screen.getByRole('dialog')).toBeTruthy();
  });

  it('closes without deciding', async () => {
    const server = inbox();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MyApprovalsPage />, { me: adminMe });
    const panel = await openPanel(/^Approve/);
    fireEvent.click(within(panel).getByRole('button', { name: 'Not now' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
  });
});
