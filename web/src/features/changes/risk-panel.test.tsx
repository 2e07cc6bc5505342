import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { Me, RiskDetail } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangePage } from './change-page';
import { RiskPanel } from './risk-panel';
import { sampleChange, sampleRisk } from './test-fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

/** The text of the element(s) that describe a field (where Mantine puts its error). */
function describedBy(el: HTMLElement): string {
  return (el.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

/** A change manager: may override the risk (and is not an admin). */
const managerMe: Me = {
  ...adminMe,
  id: 'u_cm',
  name: 'Carla Manager',
  roles: [{ role: 'change_manager', scopeType: null, scopeId: null }],
  permissions: [...adminMe.permissions, 'change.override_risk'],
};

/** A requester: reads and edits changes, may not override their risk. */
const requesterMe: Me = {
  ...adminMe,
  id: 'u_req',
  name: 'Rita Requester',
  roles: [{ role: 'requester', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create', 'change.update', 'change.comment', 'cmdb.read'],
};

const factorRows = () =>
  within(screen.getByRole('list', { name: 'Risk factors' }))
    .getAllByRole('listitem')
    .map((li) => li.textContent);

describe('RiskPanel', () => {
  it('shows the score, level and policy version, and lists the factors that apply by contribution with signs and reasons', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/changes/chg_1/risk', body: sampleRisk }]).fetch);
    renderWithProviders(<RiskPanel changeId="chg_1" version={1} summary={sampleChange.risk} canOverride={false} />, { me: adminMe });

    await screen.findByRole('list', { name: 'Risk factors' });
    const panel = screen.getByRole('region', { name: 'Risk' });
    expect(within(panel).getByTestId('risk-score').textContent).toBe('54 / 100');
    expect(within(panel).getByText('High')).toBeTruthy();
    expect(within(panel).getByText('Policy v1')).toBeTruthy();

    // Largest first, the mitigation (negative) last, each with its sign and the policy's reason.
    expect(factorRows()).toEqual([
      'CI criticality+20A critical CI is affected',
      'Service tier+15A tier 1 service is affected',
      'Regulated systems+10A regulated system (SOX, PCI, HIPAA or GDPR) is affected',
      'Change complexity+4A change of more than an hour or more than 5 steps',
      'Rollback feasibility−5The backout plan has been tested',
    ]);

    // The four that do not apply wait behind "Show all 9 factors".
    const more = within(panel).getByRole('button', { name: 'Show all 9 factors' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(more);
    const all = factorRows();
    expect(all).toHaveLength(9);
    expect(all.slice(5)).toEqual([
      'Number of CIs and services0Does not apply',
      'Timing0Does not apply',
      'History of the team0Does not apply',
      'History of the CIs0Does not apply',
    ]);
    expect(within(panel).getByRole('button', { name: 'Show only the factors that apply' }).getAttribute('aria-expanded')).toBe('true');
    expect(within(panel).queryByRole('button', { name: 'Override level' })).toBeNull();
  });

  it('keeps a factor the policy could not evaluate in view, after those that score', async () => {
    const risk: RiskDetail = {
      ...sampleRisk,
      factors: sampleRisk.factors.map((f) =>
        f.name === 'rollback' ? { ...f, contribution: 0, reason: 'Could not be evaluated: No such key: backoutTested' } : f,
      ),
    };
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/changes/chg_1/risk', body: risk }]).fetch);
    renderWithProviders(<RiskPanel changeId="chg_1" version={1} summary={sampleChange.risk} canOverride={false} />, { me: adminMe });

    await screen.findByRole('list', { name: 'Risk factors' });
    expect(factorRows().at(-1)).toBe('Rollback feasibility0Could not be evaluated: No such key: backoutTested');
    expect(factorRows()).toHaveLength(5);
    expect(screen.getByRole('button', { name: 'Show all 9 factors' })).toBeTruthy();
  });

  it('shows an override: its level, the computed level, who, when and why', async () => {
    const overridden: RiskDetail = {
      ...sampleRisk,
      level: 'moderate',
      override: {
        level: 'moderate',
        justification: 'Rehearsed twice on the staging copy.',
        by: 'u_cm',
        byName: 'Carla Manager',
        at: '2026-11-02T09:30:00.000Z',
      },
    };
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/changes/chg_1/risk', body: overridden }]).fetch);
    renderWithProviders(
      <RiskPanel
        changeId="chg_1"
        version={1}
        summary={{ score: 54, level: 'moderate', computedLevel: 'high', overridden: true, policyVersion: 1 }}
        canOverride
      />,
      { me: managerMe },
    );

    const note = await screen.findByTestId('risk-override');
    expect(note.textContent).toContain('Overridden to moderate (computed: high)');
    expect(note.textContent).toContain('by Carla Manager');
    expect(within(note).getByTestId('risk-justification').textContent).toBe('Rehearsed twice on the staging copy.');
    expect(screen.getByRole('button', { name: 'Remove override' })).toBeTruthy();
  });

  it('shows the issues of a 400 under the level and the justification', async () => {
    const server = fakeServer([
      { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
      {
        method: 'POST',
        path: '/api/v1/changes/chg_1/risk/override',
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The request has 2 invalid values',
            details: {
              issues: [
                { path: 'level', message: 'no override above high for a standard change' },
                { path: 'justification', message: 'explain the override in at least 10 characters' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken(managerMe.csrfToken);
    renderWithProviders(<RiskPanel changeId="chg_1" version={3} summary={sampleChange.risk} canOverride />, { me: managerMe });

    fireEvent.click(await screen.findByRole('button', { name: 'Override level' }));
    const form = screen.getByRole('form', { name: 'Override the risk level' });
    fireEvent.change(within(form).getByLabelText(/^Justification/), { target: { value: 'too low' } });
    // Without a level nothing is sent.
    fireEvent.click(within(form).getByRole('button', { name: 'Save override' }));
    expect(describedBy(within(form).getByRole('combobox', { name: /^Level/ }))).toContain('Choose a level');
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.click(within(form).getByRole('combobox', { name: /^Level/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Very high' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save override' }));

    await waitFor(() => expect(describedBy(within(form).getByLabelText(/^Justification/))).toContain('at least 10 characters'));
    expect(describedBy(within(form).getByRole('combobox', { name: /^Level/ }))).toContain('no override above high');
    // Both issues sit under their fields, so there is no alert on top.
    expect(within(form).queryByRole('alert')).toBeNull();
    const post = server.calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ level: 'very_high', justification: 'too low', version: 3 });
    expect(post?.headers['X-CSRF-Token']).toBe('csrf-123');
  });

  it('sets an override and shows it', async () => {
    const overridden: RiskDetail = {
      ...sampleRisk,
      level: 'moderate',
      override: {
        level: 'moderate',
        justification: 'Rehearsed twice on the staging copy.',
        by: 'u_cm',
        byName: 'Carla Manager',
        at: '2026-11-02T09:30:00.000Z',
      },
    };
    const server = fakeServer([
      { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
      { method: 'POST', path: '/api/v1/changes/chg_1/risk/override', body: overridden },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<RiskPanel changeId="chg_1" version={1} summary={sampleChange.risk} canOverride />, { me: managerMe });

    fireEvent.click(await screen.findByRole('button', { name: 'Override level' }));
    const form = screen.getByRole('form', { name: 'Override the risk level' });
    fireEvent.click(within(form).getByRole('combobox', { name: /^Level/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Moderate' }));
    fireEvent.change(within(form).getByLabelText(/^Justification/), { target: { value: 'Rehearsed twice on the staging copy.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save override' }));

    expect((await screen.findByTestId('risk-justification')).textContent).toBe('Rehearsed twice on the staging copy.');
    expect(screen.queryByRole('form', { name: 'Override the risk level' })).toBeNull();
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({
      level: 'moderate',
      justification: 'Rehearsed twice on the staging copy.',
      version: 1,
    });
  });
});

describe('ChangePage risk', () => {
  const routes = [
    { path: '/api/v1/changes/chg_1', body: sampleChange },
    { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
  ];

  it('hides "Override level" from people without change.override_risk', async () => {
    vi.stubGlobal('fetch', fakeServer(routes).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: requesterMe });

    const panel = await screen.findByRole('region', { name: 'Risk' });
    await within(panel).findByRole('list', { name: 'Risk factors' });
    expect(within(panel).queryByRole('button', { name: 'Override level' })).toBeNull();
    expect(screen.getByTestId('change-risk').textContent).toBe('High risk');
  });

  it('offers "Override level" to a change manager', async () => {
    vi.stubGlobal('fetch', fakeServer(routes).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: managerMe });

    const panel = await screen.findByRole('region', { name: 'Risk' });
    expect(await within(panel).findByRole('button', { name: 'Override level' })).toBeTruthy();
  });

  it('does not offer it on a closed change', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([{ path: '/api/v1/changes/chg_1', body: { ...sampleChange, state: 'closed' } }, ...routes.slice(1)]).fetch,
    );
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: managerMe });

    const panel = await screen.findByRole('region', { name: 'Risk' });
    await within(panel).findByRole('list', { name: 'Risk factors' });
    expect(within(panel).queryByRole('button', { name: 'Override level' })).toBeNull();
  });

  it('saves "Backout plan tested" and fetches the risk again', async () => {
    const server = fakeServer([
      ...routes,
      { method: 'PATCH', path: '/api/v1/changes/chg_1', body: { ...sampleChange, backoutTested: true, version: 2 } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: requesterMe });

    await screen.findByRole('list', { name: 'Risk factors' });
    const riskReads = () => server.calls.filter((c) => c.method === 'GET' && c.url.endsWith('/chg_1/risk')).length;
    expect(riskReads()).toBe(1);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Backout plan tested' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(riskReads()).toBe(2));
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ backoutTested: true, version: 1 });
  });
});
