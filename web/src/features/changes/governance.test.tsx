import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { ChangeDetail, Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { approval, cabApproval } from '../approvals/test-fixtures';
import { BreakGlassBanner } from './break-glass';
import { ChangePage } from './change-page';
import { formFromChange, toUpdateInput } from './change-form';
import { ChangeSummary } from './change-summary';
import { EvidencePanel } from './evidence-panel';
import { PolicyPanel } from './policy-panel';
import { sampleBreakGlass, sampleChange, sampleEvidence, sampleRisk } from './test-fixtures';

/** The change page's classification panel asks for these; none here. */
const RECLASSIFICATIONS = { path: /^\/api\/v1\/changes\/[^/]+\/reclassifications$/, body: { items: [] } };

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const EVIDENCE = '/api/v1/changes/chg_1/evidence';
const BREAK_GLASS = '/api/v1/changes/chg_1/break-glass';

const users = {
  items: [
    {
      id: 'u_alice',
      name: 'Alice Martin',
      email: 'alice@example.com',
      roles: [],
      teamIds: [],
      disabled: false,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    {
      id: 'u_bob',
      name: 'Bob Okafor',
      email: 'bob@example.com',
      roles: [],
      teamIds: [],
      disabled: false,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  nextCursor: null,
};
const teams = {
  items: [{ id: 't_dba', handle: 'dba', name: 'Database Administrators', description: '', memberIds: [] }],
  nextCursor: null,
};

const routed: ChangeDetail = {
  ...sampleChange,
  assignmentTeamId: 't_dba',
  changeManagerId: 'u_alice',
  routing: {
    policyVersion: 1,
    team: { rule: 'databases', reason: 'Database changes are carried out by the DBAs', value: 't_dba' },
    changeManager: { rule: 'change_manager', reason: 'The change manager with the fewest open changes takes it', value: 'u_alice' },
    manual: { team: false, changeManager: false },
  },
};

const changeManager: Me = {
  ...adminMe,
  id: 'u_alice',
  name: 'Alice Martin',
  roles: [{ role: 'change_manager', scopeType: null, scopeId: null }],
  permissions: [...adminMe.permissions, 'change.override_risk', 'change.review_break_glass'],
};
const requester: Me = { ...adminMe, id: 'u_bob', name: 'Bob Okafor', roles: [{ role: 'requester', scopeType: null, scopeId: null }] };

/** The routes every change page asks for, with the change and anything else the test needs. */
function changePageServer(change: ChangeDetail, extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    RECLASSIFICATIONS,
    ...extra,
    { path: '/api/v1/changes/chg_1', body: change },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: teams },
    { path: '/api/v1/people', body: users },
    { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
    { path: '/api/v1/changes/chg_1/approvals', body: { items: [] } },
    { path: EVIDENCE, body: sampleEvidence },
    { path: BREAK_GLASS, body: { items: [] } },
  ]);
}

describe('EvidencePanel', () => {
  it('shows each gate with what it still misses, and the evidence with its kind, author, time and short hash', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([RECLASSIFICATIONS, { path: EVIDENCE, body: sampleEvidence }, { path: '/api/v1/policy', body: testPolicy }]).fetch,
    );
    renderWithProviders(<EvidencePanel changeId="chg_1" changeType="normal" canAdd />);

    const gate = await screen.findByRole('listitem', { name: 'Gate regulated_evidence' });
    expect(gate.getAttribute('data-satisfied')).toBe('false');
    expect(gate.textContent).toContain('1 missing');
    expect(gate.textContent).toContain('need test evidence and the approval record');
    const needed = within(gate).getByRole('list', { name: 'Evidence needed' });
    expect(
      within(needed)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Missing: Test evidence', '✓ Approval record']);

    const record = screen.getByRole('listitem', { name: 'Approval record' });
    expect(record.textContent).toContain('Sealed by Cabinet');
    expect(within(record).getByTestId('evidence-sha').textContent).toBe('sha256 3f2a9c0d1e5b');
    expect(within(record).getByTestId('evidence-sha').getAttribute('title')).toBe(`sha256 ${sampleEvidence.items[0]!.sha256}`);
  });

  it('adds evidence and puts each issue of a 400 under its field', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: EVIDENCE, body: sampleEvidence },
      {
        method: 'POST',
        path: EVIDENCE,
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The evidence has invalid values.',
            details: {
              issues: [
                { path: ['title'], message: 'must not be empty' },
                { path: ['body'], message: 'give the evidence itself (body) or a link to it (url)' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<EvidencePanel changeId="chg_1" changeType="normal" canAdd />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add evidence' }));
    const form = screen.getByRole('form', { name: 'Add evidence' });
    fireEvent.click(within(form).getByRole('button', { name: 'Add evidence' }));

    await waitFor(() => expect(within(form).getByText('must not be empty')).toBeTruthy());
    expect(within(form).getByRole('textbox', { name: /Title/ }).getAttribute('aria-invalid')).toBe('true');
    expect(within(form).getByText('give the evidence itself (body) or a link to it (url)')).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ kind: 'test_evidence', title: '', body: '', url: null });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('sends the evidence and fetches the gates again', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: EVIDENCE, body: sampleEvidence },
      { method: 'POST', path: EVIDENCE, status: 201, body: { ...sampleEvidence.items[0], id: 'ev_2', kind: 'test_evidence' } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<EvidencePanel changeId="chg_1" changeType="normal" canAdd />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add evidence' }));
    const form = screen.getByRole('form', { name: 'Add evidence' });
    fireEvent.change(within(form).getByRole('textbox', { name: /Title/ }), { target: { value: 'Load test on staging' } });
    fireEvent.change(within(form).getByRole('textbox', { name: /Link/ }), { target: { value: 'https://ci.example.com/runs/42' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add evidence' }));
    await waitFor(() => expect(server.calls.filter((c) => c.url === EVIDENCE && c.method === 'GET')).toHaveLength(2));
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({
      kind: 'test_evidence',
      title: 'Load test on staging',
      body: '',
      url: 'https://ci.example.com/runs/42',
    });
    expect(screen.queryByRole('form', { name: 'Add evidence' })).toBeNull();
  });

  it('offers no form to people who may not add evidence', async () => {
    vi.stubGlobal('fetch', fakeServer([RECLASSIFICATIONS, { path: EVIDENCE, body: { items: [], gates: [] } }]).fetch);
    renderWithProviders(<EvidencePanel changeId="chg_1" changeType="normal" canAdd={false} />);
    expect(await screen.findByText('No gate of the policy applies to this change.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add evidence' })).toBeNull();
  });
});

describe('ChangePage governance', () => {
  it('names each unsatisfied gate and its missing evidence in words on 422 gate_unsatisfied, and opens the Evidence tab', async () => {
    const scheduled = {
      ...sampleChange,
      state: 'scheduled',
      availableTransitions: [
        { to: 'implement', label: 'Start implementation', allowed: true, missingFields: [], reasons: [], needsReason: false },
      ],
    };
    const server = changePageServer(scheduled, [
      {
        method: 'POST',
        path: '/api/v1/changes/chg_1/transitions',
        status: 422,
        body: {
          error: {
            code: 'gate_unsatisfied',
            message: 'CHG0000001 cannot move to implement without its evidence: regulated_evidence needs test_evidence.',
            details: { from: 'scheduled', to: 'implement', gates: [{ name: 'regulated_evidence', missing: ['test_evidence'] }] },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });

    await waitFor(() => expect(screen.getByRole('tab', { name: 'Evidence: 1 gate open' })).toBeTruthy(), { timeout: 3000 });
    fireEvent.click(await screen.findByRole('button', { name: 'Start implementation' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('“Start implementation” needs evidence first');
    const items = within(within(alert).getByRole('list', { name: 'Unsatisfied gates' })).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      'regulated_evidence: missing Test evidence — Regulated systems (SOX, HIPAA, GDPR, PCI) need test evidence and the approval record before implementation',
    ]);
    fireEvent.click(within(alert).getByRole('button', { name: 'Show the evidence' }));
    expect(await screen.findByRole('listitem', { name: 'Gate regulated_evidence' })).toBeTruthy();
  });

  it('says a closing step waits for the break-glass review on 422 review_required', async () => {
    const review = {
      ...sampleChange,
      type: 'emergency' as const,
      state: 'review',
      reviewRequired: true,
      availableTransitions: [{ to: 'closed', label: 'Close', allowed: true, missingFields: [], reasons: [], needsReason: false }],
    };
    const server = changePageServer(review, [
      { path: BREAK_GLASS, body: { items: [sampleBreakGlass({ active: false, usedAt: '2026-11-02T09:10:00.000Z' })] } },
      {
        method: 'POST',
        path: '/api/v1/changes/chg_1/transitions',
        status: 422,
        body: {
          error: {
            code: 'review_required',
            message: 'CHG0000001 used break-glass; a change manager must review the bypass before it can be closed.',
            details: {},
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: requester });
    fireEvent.click(await screen.findByRole('button', { name: 'Close' }));
    const alert = await screen.findByText('“Close” needs the break-glass review first');
    expect(alert.closest('[role="alert"]')?.textContent).toContain('a change manager must review the bypass before it can be closed');
    // The banner says so too, and a requester gets no review form.
    const banner = screen.getByTestId('break-glass-banner');
    expect(banner.textContent).toContain('a change manager must review this change before it can be closed');
    expect(banner.textContent).toContain('Waiting for the review of a change manager other than Alice Martin');
    expect(within(banner).queryByRole('form')).toBeNull();
  });

  it('offers Break glass on an emergency change to a change manager, and sends the reason and duration', async () => {
    const emergency = { ...sampleChange, type: 'emergency' as const, state: 'authorize' };
    const server = changePageServer(emergency, [{ method: 'POST', path: BREAK_GLASS, status: 201, body: sampleBreakGlass() }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    fireEvent.click(await screen.findByRole('button', { name: 'Break glass' }));
    const form = await screen.findByRole('form', { name: 'Break glass' });
    fireEvent.change(within(form).getByRole('textbox', { name: /Why is the bypass needed/ }), {
      target: { value: 'Card payments fail; the ECAB cannot meet.' },
    });
    fireEvent.change(within(form).getByRole('textbox', { name: /Duration/ }), { target: { value: '90' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Break glass' }));
    await waitFor(() =>
      expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({
        reason: 'Card payments fail; the ECAB cannot meet.',
        durationMinutes: 90,
      }),
    );
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Break glass' })).toBeNull());
    // The change and its bypasses are fetched again.
    await waitFor(() => expect(server.calls.filter((c) => c.url === BREAK_GLASS && c.method === 'GET').length).toBeGreaterThanOrEqual(2));
  });

  it('shows the server issue under the reason when it is too short', async () => {
    const emergency = { ...sampleChange, type: 'emergency' as const, state: 'authorize' };
    const server = changePageServer(emergency, [
      {
        method: 'POST',
        path: BREAK_GLASS,
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'Invalid',
            details: { issues: [{ path: ['reason'], message: 'explain the emergency in at least 10 characters' }] },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    fireEvent.click(await screen.findByRole('button', { name: 'Break glass' }));
    const form = await screen.findByRole('form', { name: 'Break glass' });
    fireEvent.click(within(form).getByRole('button', { name: 'Break glass' }));
    expect(await within(form).findByText('explain the emergency in at least 10 characters')).toBeTruthy();
  });

  it('offers no Break glass to a requester, nor on a normal change', async () => {
    vi.stubGlobal('fetch', changePageServer({ ...sampleChange, type: 'emergency', state: 'authorize' }).fetch);
    const first = renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: requester });
    await screen.findByTestId('change-state');
    expect(screen.queryByRole('button', { name: 'Break glass' })).toBeNull();
    first.unmount();
    vi.stubGlobal('fetch', changePageServer({ ...sampleChange, state: 'authorize' }).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: changeManager });
    await screen.findByTestId('change-state');
    expect(screen.queryByRole('button', { name: 'Break glass' })).toBeNull();
  });
});

describe('BreakGlassBanner', () => {
  it('says until when a bypass is in force, who broke glass, why and what it skips', async () => {
    vi.stubGlobal('fetch', fakeServer([RECLASSIFICATIONS, { path: BREAK_GLASS, body: { items: [sampleBreakGlass()] } }]).fetch);
    renderWithProviders(<BreakGlassBanner change={{ id: 'chg_1', number: 'CHG0000001', reviewRequired: true }} canReview={false} />);
    const banner = await screen.findByTestId('break-glass-banner');
    expect(banner.textContent).toMatch(/^Break-glass in force until .*: approvals and gates are bypassed/);
    expect(banner.textContent).toContain('Alice Martin broke glass');
    expect(banner.textContent).toContain('not used yet');
    expect(banner.textContent).toContain('the ECAB cannot meet before tonight');
    const bypassed = within(banner).getByRole('list', { name: 'Bypassed' });
    expect(
      within(bypassed)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Approval of Emergency CAB (pending)', 'Gate regulated_evidence: missing Test evidence']);
  });

  it('shows nothing when no bypass is in force and no review is due', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      {
        path: BREAK_GLASS,
        body: {
          items: [
            sampleBreakGlass({ active: false, review: { by: 'u_x', byName: 'X', at: '2026-11-03T00:00:00.000Z', notes: 'Justified.' } }),
          ],
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BreakGlassBanner change={{ id: 'chg_1', number: 'CHG0000001', reviewRequired: false }} canReview />);
    await waitFor(() => expect(server.calls).toHaveLength(1));
    expect(screen.queryByTestId('break-glass-banner')).toBeNull();
  });

  it('lets a change manager review the bypass and explains a segregation-of-duties refusal', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: BREAK_GLASS, body: { items: [sampleBreakGlass({ active: false })] } },
      {
        method: 'POST',
        path: `${BREAK_GLASS}/bg_1/review`,
        status: 403,
        body: {
          error: { code: 'segregation_of_duties', message: 'Someone other than the person who broke glass must review it.', details: {} },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<BreakGlassBanner change={{ id: 'chg_1', number: 'CHG0000001', reviewRequired: true }} canReview />);
    const form = await screen.findByRole('form', { name: 'Review the bypass' });
    fireEvent.change(within(form).getByRole('textbox', { name: /Review notes/ }), { target: { value: 'Justified: the outage was real.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Record the review' }));
    const refusal = await within(form).findByRole('alert');
    expect(refusal.textContent).toContain('Someone else must review this bypass');
    expect(refusal.textContent).toContain('Someone other than the person who broke glass must review it.');
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ notes: 'Justified: the outage was real.' });
  });
});

describe('routing on the change', () => {
  it('shows the change manager and which routing rule chose the team and the manager', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([RECLASSIFICATIONS, { path: '/api/v1/teams', body: teams }, { path: '/api/v1/people', body: users }]).fetch,
    );
    renderWithProviders(<ChangeSummary change={routed} />);
    await waitFor(() => expect(screen.getByTestId('change-manager').textContent).toBe('Alice Martin'));
    expect(screen.getAllByTestId('routing-hint').map((h) => h.textContent)).toEqual([
      'Routed by rule databases: Database changes are carried out by the DBAs',
      'Routed by rule change_manager: The change manager with the fewest open changes takes it',
    ]);
  });

  it('gives no hint for a value set by hand', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([RECLASSIFICATIONS, { path: '/api/v1/teams', body: teams }, { path: '/api/v1/people', body: users }]).fetch,
    );
    renderWithProviders(
      <ChangeSummary
        change={{ ...routed, routing: { ...routed.routing!, changeManager: null, manual: { team: false, changeManager: true } } }}
      />,
    );
    await waitFor(() => expect(screen.getByTestId('change-manager').textContent).toBe('Alice Martin'));
    expect(screen.getAllByTestId('routing-hint')).toHaveLength(1);
  });

  it('shows the change manager in the form with the rule that chose it, and saves only a changed manager', async () => {
    vi.stubGlobal('fetch', changePageServer({ ...routed, availableTransitions: [] }).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    const select = await screen.findByRole('combobox', { name: 'Change manager' });
    await waitFor(() => expect((select as HTMLInputElement).value).toBe('Alice Martin'));
    const hint = document.getElementById(select.getAttribute('aria-describedby')!.split(' ')[0]!);
    expect(hint?.textContent).toBe('Routed by rule change_manager: The change manager with the fewest open changes takes it');

    expect(toUpdateInput(routed, { ...formFromChange(routed), changeManagerId: 'u_bob' })).toEqual({ changeManagerId: 'u_bob' });
    expect(toUpdateInput(routed, { ...formFromChange(routed), changeManagerId: null })).toEqual({ changeManagerId: null });
    expect(toUpdateInput(routed, formFromChange(routed))).toEqual({});
  });
});

describe('PolicyPanel', () => {
  it('shows the policy version and the rules that fired: routing, risk factors with points, approvals, gates and SLA targets', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: '/api/v1/policy', body: testPolicy },
      { path: '/api/v1/teams', body: teams },
      { path: '/api/v1/people', body: users },
      { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
      { path: '/api/v1/changes/chg_1/approvals', body: { items: [approval(), cabApproval] } },
      { path: EVIDENCE, body: sampleEvidence },
      {
        path: '/api/v1/changes/chg_1/sla',
        body: {
          items: [
            {
              id: 'sla_1',
              changeId: 'chg_1',
              approvalId: 'apr_dba',
              metric: 'approval_response',
              target: 'normal_response',
              clock: 'business',
              policyVersion: 1,
              startedAt: '2026-11-02T09:00:00.000Z',
              dueAt: '2026-11-03T09:00:00.000Z',
              remindAt: null,
              remindedAt: null,
              stoppedAt: null,
              breachedAt: null,
              escalatedAt: null,
              status: 'running',
              rule: 'dba',
              approverLabel: 'Database Administrators',
            },
          ],
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<PolicyPanel change={routed} />);
    const panel = await screen.findByTestId('policy-panel');
    expect(panel.textContent).toContain('This change follows policy v1');

    const routing = within(panel).getByRole('table', { name: 'Routing rules' });
    await waitFor(() => expect(routing.textContent).toContain('Assignment team: Database Administrators'));
    expect(routing.textContent).toContain('Change manager: Alice Martin');

    const risk = await within(panel).findByRole('table', { name: 'Risk factors' });
    const riskRows = within(risk).getAllByRole('row').slice(1);
    // Only the five factors that move the score, largest first.
    expect(riskRows.map((r) => (r as HTMLTableRowElement).cells[0]!.textContent)).toEqual([
      'ci_criticality',
      'service_tier',
      'regulated',
      'complexity',
      'rollback',
    ]);
    expect(riskRows[4]!.textContent).toContain('−5 rollback feasibility');

    const approvals = await within(panel).findByRole('table', { name: 'Approval rules' });
    expect(
      within(approvals)
        .getAllByRole('row')
        .slice(1)
        .map((r) => (r as HTMLTableRowElement).cells[0]!.textContent),
    ).toEqual(['dba', 'cab']);
    expect(approvals.textContent).toContain('A database is affected');

    const gates = await within(panel).findByRole('table', { name: 'Gates' });
    expect(gates.textContent).toContain('Missing Test evidence');
    expect(gates.textContent).toContain('Before Implement; needs Test evidence and Approval record');

    const sla = await within(panel).findByRole('table', { name: 'SLA targets' });
    expect(sla.textContent).toContain('normal response');
    expect(sla.textContent).toContain('Approval response · Database Administrators');
    expect(sla.textContent).toContain('Running');
  });
});
