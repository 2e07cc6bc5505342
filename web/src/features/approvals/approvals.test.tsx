import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { AuditEvent } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { describeAuditEvent } from '../changes/change-history';
import { ChangePage } from '../changes/change-page';
import { sampleChange, sampleRisk } from '../changes/test-fixtures';
import { blockingApprovalsOf, groupByStage, isOverdue, quorumWords } from './approval-words';
import { ApprovalsPanel } from './approvals-panel';
import { MyApprovalsPage } from './my-approvals-page';
import { approval, cabApproval, counting, myApproval, securityApproval } from './test-fixtures';

/** The change page's classification panel asks for these; none here. */
const RECLASSIFICATIONS = { path: /^\/api\/v1\/changes\/[^/]+\/reclassifications$/, body: { items: [] } };

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const APPROVALS = '/api/v1/changes/chg_1/approvals';

describe('approval words', () => {
  it('says the quorum in words', () => {
    expect(quorumWords({ kind: 'any', value: null })).toBe('any member');
    expect(quorumWords({ kind: 'all', value: null })).toBe('all members');
    expect(quorumWords({ kind: 'n', value: 2 })).toBe('2 members');
    expect(quorumWords({ kind: 'n', value: 1 })).toBe('1 member');
    expect(quorumWords({ kind: 'percent', value: 50 })).toBe('50% of members');
  });

  it('groups by stage in stage order', () => {
    const groups = groupByStage([cabApproval, approval(), securityApproval]);
    expect(groups.map((g) => g.label)).toEqual(['Specialist review', 'Change authority']);
    expect(groups[0]!.approvals.map((a) => a.rule)).toEqual(['dba', 'security']);
  });

  it('calls an open approval past its due time overdue, a closed one never', () => {
    expect(isOverdue({ state: 'pending', dueAt: '2020-01-01T00:00:00.000Z' })).toBe(true);
    expect(isOverdue({ state: 'approved', dueAt: '2020-01-01T00:00:00.000Z' })).toBe(false);
    expect(isOverdue({ state: 'pending', dueAt: null })).toBe(false);
  });

  it('reads the blocking approvals whether the approver is a label or an object', () => {
    expect(
      blockingApprovalsOf({
        approvals: [
          { id: 'a', rule: 'dba', stage: 'specialists', state: 'pending', approver: 'Database Administration' },
          { id: 'b', rule: 'cab', stage: 'authority', state: 'waiting', approver: { kind: 'team', ref: 'cab', label: 'CAB' } },
        ],
      }).map((a) => a.approver),
    ).toEqual(['Database Administration', 'CAB']);
  });
});

describe('ApprovalsPanel', () => {
  it('shows each stage in order with approver, quorum, state, due time, reason and votes', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([RECLASSIFICATIONS, { path: APPROVALS, body: { items: [cabApproval, approval(), securityApproval] } }]).fetch,
    );
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);

    const stages = await screen.findAllByRole('region');
    expect(stages.map((s) => within(s).getByRole('heading').textContent)).toEqual(['Specialist review', 'Change authority']);
    const [specialists, authority] = stages as [HTMLElement, HTMLElement];
    expect(within(specialists).getByText('1 of 2 approved')).toBeTruthy();

    const dba = within(specialists).getByRole('listitem', { name: 'Database Administration approval' });
    expect(dba.textContent).toContain('any member');
    expect(dba.textContent).toContain('Pending');
    expect(dba.textContent).toContain('A database is affected');
    expect(within(dba).getByText(/^Due /).getAttribute('data-overdue')).toBeNull();

    const security = within(specialists).getByRole('listitem', { name: 'Security approval' });
    expect(security.textContent).toContain('all members');
    expect(within(security).getByRole('list', { name: 'Votes' }).textContent).toContain('Frank Li approved');
    expect(security.textContent).toContain('Card data untouched.');
    // Due in the past, but decided: not overdue.
    expect(within(security).getByText(/^Due /)).toBeTruthy();

    const cab = within(authority).getByRole('listitem', { name: 'Change Advisory Board approval' });
    expect(cab.textContent).toContain('50% of members');
    expect(cab.textContent).toContain('Waiting');
  });

  it('marks an open approval past its due time in red', async () => {
    const late = approval({ dueAt: '2020-01-01T10:00:00.000Z' });
    vi.stubGlobal('fetch', fakeServer([RECLASSIFICATIONS, { path: APPROVALS, body: { items: [late] } }]).fetch);
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);
    const due = await screen.findByText(/^Overdue since /);
    expect(due.getAttribute('data-overdue')).toBe('true');
  });

  it('offers Approve and Reject only where the person may decide', async () => {
    const notMine = approval({ canDecide: false });
    vi.stubGlobal(
      'fetch',
      fakeServer([RECLASSIFICATIONS, { path: APPROVALS, body: { items: [notMine, cabApproval, securityApproval] } }]).fetch,
    );
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);
    await screen.findByRole('listitem', { name: 'Database Administration approval' });
    expect(screen.queryByRole('button', { name: /^Approve/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Reject/ })).toBeNull();
  });

  it('rejecting asks for a comment and shows the server issue under it', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: APPROVALS, body: { items: [approval()] } },
      {
        method: 'POST',
        path: '/api/v1/approvals/apr_dba/decision',
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'Say why you reject it.',
            details: { issues: [{ path: ['comment'], message: 'a rejection needs a comment' }] },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);

    fireEvent.click(await screen.findByRole('button', { name: 'Reject: Database Administration' }));
    const form = screen.getByRole('form', { name: 'Reject: Database Administration' });
    const box = within(form).getByRole('textbox', { name: 'Why do you reject it?' });
    fireEvent.click(within(form).getByRole('button', { name: 'Reject' }));

    await waitFor(() => expect(box.getAttribute('aria-invalid')).toBe('true'));
    expect(within(form).getByText('a rejection needs a comment')).toBeTruthy();
    const post = server.calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ decision: 'reject', comment: '' });
    expect(post?.headers['X-CSRF-Token']).toBe('csrf-123');
    // The issue sits under the field; no second alert repeats it.
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('sends the comment with a rejection and refetches the approvals afterwards', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: APPROVALS, body: { items: [approval()] } },
      { method: 'POST', path: '/api/v1/approvals/apr_dba/decision', body: approval({ state: 'rejected', canDecide: false }) },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Reject: Database Administration' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Why do you reject it?' }), { target: { value: 'No backup taken first.' } });
    fireEvent.click(within(screen.getByRole('form')).getByRole('button', { name: 'Reject' }));
    await waitFor(() => expect(server.calls.filter((c) => c.url === APPROVALS)).toHaveLength(2));
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ decision: 'reject', comment: 'No backup taken first.' });
  });

  it('explains a segregation-of-duties refusal', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        RECLASSIFICATIONS,
        { path: APPROVALS, body: { items: [approval()] } },
        {
          method: 'POST',
          path: '/api/v1/approvals/apr_dba/decision',
          status: 403,
          body: {
            error: {
              code: 'segregation_of_duties',
              message: 'You requested, own or implement CHG0000001; someone else must decide its approvals.',
              details: {},
            },
          },
        },
      ]).fetch,
    );
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Approve: Database Administration' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('You may not decide this approval');
    expect(alert.textContent).toContain('someone else must decide its approvals');
    expect(alert.textContent).toContain('Segregation of duties');
  });
});

describe('ChangePage with approvals', () => {
  it('counts pending approvals on the tab and, on 422 approvals_pending, lists what is missing in words', async () => {
    const authorize = {
      ...sampleChange,
      state: 'authorize',
      availableTransitions: [{ to: 'scheduled', label: 'Schedule', allowed: true, missingFields: [], reasons: [], needsReason: false }],
    };
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: '/api/v1/changes/chg_1', body: authorize },
      { path: '/api/v1/policy', body: testPolicy },
      { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
      { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
      { path: APPROVALS, body: { items: [approval(), { ...securityApproval, state: 'pending', votes: [] }, cabApproval] } },
      {
        method: 'POST',
        path: '/api/v1/changes/chg_1/transitions',
        status: 422,
        body: {
          error: {
            code: 'approvals_pending',
            message: 'CHG0000001 cannot move to scheduled until its approvals are granted.',
            details: {
              from: 'authorize',
              to: 'scheduled',
              approvals: [
                { id: 'apr_dba', rule: 'dba', stage: 'specialists', state: 'pending', approver: 'Database Administration' },
                { id: 'apr_cab', rule: 'cab', stage: 'authority', state: 'waiting', approver: 'Change Advisory Board' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });

    const schedule = await screen.findByRole('button', { name: 'Schedule' });
    await waitFor(() => expect(screen.getAllByRole('tab').map((t) => t.textContent)).toContain('Approvals (2 pending)'));
    fireEvent.click(schedule);

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('“Schedule” needs these 2 approvals first');
    const items = within(within(alert).getByRole('list', { name: 'Pending approvals' }))
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([
      'Database Administration (Specialist review): waiting for a decision — A database is affected',
      'Change Advisory Board (Change authority): waiting for the stage before it — A normal change of high or very high risk is authorised by the CAB',
    ]);
    fireEvent.click(within(alert).getByRole('button', { name: 'Show the approvals' }));
    expect(await screen.findByRole('listitem', { name: 'Change Advisory Board approval' })).toBeTruthy();
  });
});

describe('MyApprovalsPage', () => {
  it('lists pending approvals with a link to the change; Approve opens the decision panel instead of deciding', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: '/api/v1/me/approvals', body: { items: [myApproval()] } },
      { path: '/api/v1/changes/chg_1', body: sampleChange },
      { method: 'POST', path: '/api/v1/approvals/apr_dba/decision', body: approval({ state: 'approved', canDecide: false }) },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<MyApprovalsPage />, { me: adminMe });
    const table = await screen.findByRole('table', { name: 'My approvals' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(within(row).getByRole('link', { name: 'CHG0000001' }).getAttribute('href')).toBe('/changes/CHG0000001');
    expect(row.textContent).toContain('Upgrade the orders database');
    expect(row.textContent).toContain('Specialist review');
    expect(row.textContent).toContain('A database is affected');
    fireEvent.click(within(row).getByRole('button', { name: /^Approve/ }));
    expect(await screen.findByRole('dialog', { name: 'Decide CHG0000001: Upgrade the orders database' })).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('says so when nothing waits', async () => {
    vi.stubGlobal('fetch', fakeServer([RECLASSIFICATIONS, { path: '/api/v1/me/approvals', body: { items: [] } }]).fetch);
    renderWithProviders(<MyApprovalsPage />, { me: adminMe });
    expect(await screen.findByText('Nothing is waiting for your decision.')).toBeTruthy();
  });
});

describe('approval history', () => {
  const event = (action: string, data: Record<string, unknown>) =>
    ({ seq: 1, at: '2026-11-02T09:00:00.000Z', action, actorName: 'Dave', data }) as unknown as AuditEvent;
  it('titles approval events in words', () => {
    expect(
      describeAuditEvent(
        event('change.approvals_requested', {
          approvals: [
            { id: 'a', rule: 'dba', approver: 'Database Administration' },
            { id: 'b', rule: 'cab', approver: 'Change Advisory Board' },
          ],
        }),
        undefined,
        'normal',
      ),
    ).toBe('Approvals requested: Database Administration, Change Advisory Board');
    expect(
      describeAuditEvent(
        event('approval.decided', { rule: 'dba', approver: 'Database Administration', decision: 'approve', state: 'approved' }),
        undefined,
        'normal',
      ),
    ).toBe('Approved the Database Administration approval (now approved)');
    expect(
      describeAuditEvent(
        event('approval.decided', { rule: 'cab', decision: 'reject', comment: 'No', state: 'pending' }),
        undefined,
        'normal',
      ),
    ).toBe('Rejected the Cab approval');
  });
});

describe('delegated decisions', () => {
  it('shows a vote cast on behalf of someone as theirs, by their delegate', async () => {
    const voted = approval({
      state: 'approved',
      canDecide: false,
      votes: [
        {
          userId: 'u_erin',
          userName: 'Erin',
          decision: 'approve',
          comment: '',
          createdAt: '2026-11-02T09:00:00.000Z',
          ...counting,
          onBehalfOfId: 'u_dave',
          onBehalfOfName: 'Dave',
        },
      ],
    });
    vi.stubGlobal('fetch', fakeServer([RECLASSIFICATIONS, { path: APPROVALS, body: { items: [voted] } }]).fetch);
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);
    const votes = await screen.findByRole('list', { name: 'Votes' });
    expect(votes.textContent).toMatch(/^Erin for Dave \(delegated\) approved/);
  });

  it('labels the buttons for the person decided for and sends onBehalfOf', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: APPROVALS, body: { items: [approval({ decidesFor: { userId: 'u_dave', name: 'Dave Kowalski (DBA)' } })] } },
      { method: 'POST', path: '/api/v1/approvals/apr_dba/decision', body: approval({ state: 'approved', canDecide: false }) },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);
    const approve = await screen.findByRole('button', { name: 'Approve for Dave Kowalski (DBA): Database Administration' });
    expect(approve.textContent).toBe('Approve for Dave');
    expect(screen.getByRole('button', { name: 'Reject for Dave Kowalski (DBA): Database Administration' }).textContent).toBe(
      'Reject for Dave',
    );
    fireEvent.click(approve);
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ decision: 'approve', onBehalfOf: 'u_dave' }));
  });
});

describe('votes that no longer count', () => {
  it('shows a voided vote and a withdrawn approval with its superseded vote, and why', async () => {
    const voided = approval({
      state: 'pending',
      canDecide: false,
      votes: [
        {
          userId: 'u_carol',
          userName: 'Carol',
          decision: 'approve',
          comment: '',
          createdAt: '2026-11-02T09:00:00.000Z',
          ...counting,
          voided: true,
          why: 'Carol is the implementer of CHG0000001; a party to a change cannot count towards its approvals.',
          endedAt: '2026-11-02T10:00:00.000Z',
        },
      ],
    });
    const old = approval({
      id: 'apr_old',
      state: 'withdrawn',
      canDecide: false,
      withdrawnReason: 'CHG0000001 was changed (implementation plan) after its approvals were requested.',
      votes: [
        {
          userId: 'u_dave',
          userName: 'Dave',
          decision: 'approve',
          comment: 'ok',
          createdAt: '2026-11-01T09:00:00.000Z',
          ...counting,
          superseded: true,
          why: 'CHG0000001 was changed (implementation plan).',
          endedAt: '2026-11-02T08:00:00.000Z',
        },
      ],
    });
    vi.stubGlobal('fetch', fakeServer([RECLASSIFICATIONS, { path: APPROVALS, body: { items: [old, voided] } }]).fetch);
    renderWithProviders(<ApprovalsPanel changeId="chg_1" />);
    const ended = await screen.findAllByTestId('vote-ended');
    expect(ended.map((e) => e.textContent)).toEqual([
      expect.stringMatching(/^Voided .*: Carol is the implementer of CHG0000001/),
      expect.stringMatching(/^Superseded .*: CHG0000001 was changed \(implementation plan\)/),
    ]);
    const withdrawnSection = screen.getByRole('region', { name: 'Withdrawn' });
    expect(within(withdrawnSection).getByTestId('withdrawn-reason').textContent).toMatch(/^Withdrawn: CHG0000001 was changed/);
  });
});
