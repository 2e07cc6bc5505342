import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { Me } from '../../api/types';
import { formatDateTime } from '../../shared/format';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { sampleChange, sampleCi } from '../changes/test-fixtures';
import { TemplatePage } from './template-page';
import { TemplatesPage } from './templates-page';
import { pendingVersion, sampleTemplate, sampleVersions, suspendedTemplate, templateWithPending } from './test-fixtures';
import { failureText, usedText } from './template-words';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;
const changeManager: Me = {
  ...adminMe,
  id: 'u_alice',
  roles: [{ role: 'change_manager', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create', 'template.write', 'cmdb.read'],
};
const requester: Me = {
  ...adminMe,
  id: 'u_bob',
  roles: [{ role: 'requester', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create', 'cmdb.read'],
};
const auditor: Me = { ...adminMe, roles: [{ role: 'auditor', scopeType: null, scopeId: null }], permissions: ['change.read', 'cmdb.read'] };
const teams = {
  items: [{ id: 'team_dba', handle: 'dba', name: 'Database Administrators', description: '', memberIds: [] }],
  nextCursor: null,
};
const services = { items: [{ id: 'svc_pay', name: 'Payments' }], nextCursor: null };

function templateServer(extra: Parameters<typeof fakeServer>[0] = [], template = sampleTemplate) {
  return fakeServer([
    ...extra,
    { path: '/api/v1/templates/tpl_patch', body: template },
    { path: '/api/v1/templates/tpl_patch/versions', body: { items: sampleVersions } },
    { path: '/api/v1/templates', body: { items: [template], nextCursor: null } },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: teams },
    { path: '/api/v1/services', body: services },
    { path: '/api/v1/windows', body: { items: [], nextCursor: null } },
    { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
    { path: '/api/v1/changes', body: { items: [], nextCursor: null } },
  ]);
}

const renderPage = (me: Me, path = '/templates/tpl_patch') => renderWithProviders(<TemplatePage />, { path, route: '/templates/:id', me });

/** Two changes made from the template: one closed as rolled back, one still in draft with no planned start. */
const rolledBack = {
  ...sampleChange,
  id: 'chg_12',
  number: 'CHG0000012',
  title: 'Patch orders-db in November',
  state: 'closed',
  closeCode: 'rolled_back' as const,
  plannedStart: '2026-11-02T22:00:00.000Z',
  templateId: 'tpl_patch',
};
const draft = { ...sampleChange, id: 'chg_14', number: 'CHG0000014', title: 'Patch orders-db in December', templateId: 'tpl_patch' };

/** The query of every GET /api/v1/changes so far, as plain objects. */
const changeQueries = (server: ReturnType<typeof fakeServer>) =>
  server.calls
    .filter((c) => c.method === 'GET' && c.url.split('?')[0] === '/api/v1/changes')
    .map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

/** The text of the element(s) that describe a field (where Mantine puts its error). */
function describedBy(el: HTMLElement): string {
  return (el.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

describe('template words', () => {
  const h = {
    changes90d: 0,
    failed90d: 0,
    failureRate: null,
    used: 0,
    lastUsedAt: null,
    uses: 0,
    successful: 0,
    successfulWithIssues: 0,
    failed: 0,
    incidents: { p1: 0, p2: 0, p3: 0, p4: 0 },
    score: 0,
  };
  it.each([
    [h, 'Never used', 'None finished'],
    [{ ...h, used: 1, changes90d: 1, failureRate: 0 }, 'Used once', '0 of 1 failed'],
    [{ ...h, used: 9, changes90d: 6, failed90d: 1, failureRate: 1 / 6 }, 'Used 9 times', '1 of 6 failed'],
  ])('says %j as "%s" and "%s"', (history, used, failed) => {
    expect(usedText(history)).toBe(used);
    expect(failureText(history)).toBe(failed);
  });
});

describe('TemplatesPage', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('lists entries with their state, category, owner, use, score and health, and a Use button to a new change', async () => {
    const server = templateServer();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates', route: '/templates', me: changeManager });
    const table = await screen.findByRole('table', { name: 'Templates' }, LOAD);
    const row = within(table).getByRole('link', { name: 'Monthly database patch' }).closest('tr')!;
    expect(row.textContent).toContain('Active');
    expect(row.textContent).toContain('Databases');
    expect(row.textContent).toContain('Database Administrators');
    expect(row.textContent).toContain('Used 6 times');
    expect(row.textContent).toContain('1 failed');
    expect(row.textContent).toContain('+5');
    expect(row.textContent).toContain('Watch');
    expect(within(row).getByRole('link', { name: 'Use Monthly database patch' }).getAttribute('href')).toBe(
      '/changes/new?template=tpl_patch',
    );
    expect(screen.getByRole('link', { name: 'New template' })).toBeTruthy();
    // Active entries by default: the server's default, so no state is sent.
    const first = new URL(server.calls.find((c) => c.url.startsWith('/api/v1/templates?') && c.url.includes('limit=100'))!.url, 'http://x');
    expect(first.searchParams.get('state')).toBeNull();
  });

  it('offers no New template to people who may not keep templates, and a requester may propose an entry', async () => {
    vi.stubGlobal('fetch', templateServer().fetch);
    const { unmount } = renderWithProviders(<TemplatesPage />, { path: '/templates', route: '/templates', me: auditor });
    await screen.findByRole('table', { name: 'Templates' }, LOAD);
    expect(screen.queryByRole('link', { name: 'New template' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Propose an entry' })).toBeNull();
    expect(screen.queryByRole('link', { name: /^Use / })).toBeNull();
    unmount();

    renderWithProviders(<TemplatesPage />, { path: '/templates', route: '/templates', me: requester });
    await screen.findByRole('table', { name: 'Templates' }, LOAD);
    expect(screen.getByRole('link', { name: 'Propose an entry' }).getAttribute('href')).toBe('/templates/new');
  });
});

describe('TemplatePage: the entry and its edits', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('proposes an edit of an active entry as its next version, with a note, and puts issues under their fields', async () => {
    const server = templateServer([
      {
        method: 'PATCH',
        path: '/api/v1/templates/tpl_patch',
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The request has 3 problems.',
            details: {
              issues: [
                { path: ['fields', 'title'], message: 'too long' },
                { path: ['name'], message: 'a template with this name exists' },
                { path: ['eligibility', 'rule'], message: 'undeclared reference to "chnge"' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderPage(changeManager);

    expect(await screen.findByRole('heading', { name: 'Monthly database patch', level: 1 }, LOAD)).toBeTruthy();
    expect(screen.getByRole('region', { name: 'History' }).textContent).toContain('Used 6 times');
    expect(screen.getByText(/Saving an edit proposes it as version 3/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Change title'), { target: { value: 'Patch orders-db' } });
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'DNS record change' } });
    fireEvent.change(screen.getByLabelText('Rule (CEL)'), { target: { value: 'chnge.type == "standard"' } });
    fireEvent.change(screen.getByLabelText('What changes in version 3, and why'), { target: { value: 'A shorter title' } });
    fireEvent.click(screen.getByRole('button', { name: 'Propose version 3' }));

    await waitFor(() => expect(describedBy(screen.getByLabelText('Change title'))).toContain('too long'), LOAD);
    expect(describedBy(screen.getByLabelText(/^Name/))).toContain('a template with this name exists');
    expect(describedBy(screen.getByLabelText('Rule (CEL)'))).toContain('undeclared reference to "chnge"');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      name: 'DNS record change',
      fields: { title: 'Patch orders-db' },
      eligibility: { rule: 'chnge.type == "standard"' },
      note: 'A shorter title',
      version: 3,
    });
  });

  it('says a proposal waits for activation once saved', async () => {
    const server = templateServer([{ method: 'PATCH', path: '/api/v1/templates/tpl_patch', body: { ...templateWithPending, version: 4 } }]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderPage(changeManager);
    fireEvent.change(await screen.findByRole('textbox', { name: 'Backout plan' }, LOAD), { target: { value: 'Fail over to the replica' } });
    fireEvent.click(screen.getByRole('button', { name: 'Propose version 3' }));
    expect(
      await screen.findByText(
        /Proposed as version 3: it waits for a change manager to activate it. Version 2 stays in force until then./,
        {},
        LOAD,
      ),
    ).toBeTruthy();
    expect(screen.getByTestId('template-state-alert').textContent).toContain('Version 3 waits for activation');
  });

  it('shows where a standard change from it may run, in words, with its rule and the evidence it needs', async () => {
    vi.stubGlobal('fetch', templateServer().fetch);
    renderPage(auditor);
    const eligibility = await screen.findByRole('region', { name: 'Eligibility' }, LOAD);
    const words = within(eligibility).getByTestId('eligibility-words').textContent;
    expect(words).toContain('Its CIs are in production or staging.');
    expect(words).toContain('Its risk, as scored, is at most moderate.');
    expect(words).toContain('It is planned inside the window “Sunday night”.');
    expect(words).toContain('The rule below holds.');
    expect(within(eligibility).getByTestId('eligibility-rule').textContent).toBe('cis.all(c, c.type == "database")');
    expect(within(eligibility).getByTestId('required-evidence').textContent).toBe('Test evidence before implementation');
    expect(screen.getByText('Change managers keep the templates. To change this one, ask them, or propose a new entry.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Suspend' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'File a change from this entry' })).toBeNull();
  });

  it('lets a requester propose the next version of an entry in force, and send their own draft for activation', async () => {
    const server = templateServer([
      { method: 'PATCH', path: '/api/v1/templates/tpl_patch', body: { ...sampleTemplate, state: 'proposed', active: false, version: 4 } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    const { unmount } = renderPage(requester);
    expect(await screen.findByRole('button', { name: 'Propose version 3' }, LOAD)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Suspend' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retire' })).toBeNull();
    unmount();

    const mine = { ...sampleTemplate, state: 'draft' as const, active: false, createdBy: 'u_bob', health: 'new' as const };
    vi.stubGlobal(
      'fetch',
      templateServer([{ method: 'PATCH', path: '/api/v1/templates/tpl_patch', body: { ...mine, state: 'proposed', version: 4 } }], mine)
        .fetch,
    );
    renderPage(requester);
    expect((await screen.findByTestId('template-state-alert', {}, LOAD)).textContent).toContain('its author is still writing it');
    expect(screen.getByRole('button', { name: 'Save' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send for activation' }));
    expect(await screen.findByText('Sent for activation: a change manager will look at it.', {}, LOAD)).toBeTruthy();
  });

  it('retires the entry with the version read', async () => {
    const server = templateServer([
      {
        method: 'PATCH',
        path: '/api/v1/templates/tpl_patch',
        body: { ...sampleTemplate, active: false, state: 'retired', health: 'retired', version: 4 },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderPage(changeManager);
    fireEvent.click(await screen.findByRole('button', { name: 'Retire' }, LOAD));
    expect(await screen.findByRole('button', { name: 'Reactivate' }, LOAD)).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ active: false, version: 3 });
    expect(screen.queryByRole('button', { name: 'File a change from this entry' })).toBeNull();
    expect(screen.getByTestId('template-state-alert').textContent).toContain('no longer offered for new changes');
  });

  it('lists the newest changes made from it, each linking to its change, with its state and close code', async () => {
    const server = templateServer([{ path: '/api/v1/changes', body: { items: [draft, rolledBack], nextCursor: 'more' } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderPage(auditor);

    const table = await screen.findByRole('table', { name: 'Changes made from this template' }, LOAD);
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3), LOAD);
    expect(changeQueries(server)).toEqual([{ templateId: 'tpl_patch', limit: '20' }]);
    const [, newest, older] = within(table).getAllByRole('row');
    expect(within(newest!).getByRole('link', { name: 'CHG0000014' }).getAttribute('href')).toBe('/changes/CHG0000014');
    expect(newest!.textContent).toContain('Patch orders-db in December');
    expect(newest!.textContent).toContain('Draft');
    expect(within(older!).getByRole('link', { name: 'CHG0000012' }).getAttribute('href')).toBe('/changes/CHG0000012');
    expect(older!.textContent).toContain('Rolled back');
    expect(older!.textContent).toContain(formatDateTime('2026-11-02T22:00:00.000Z'));
    expect(screen.getByText('The newest 2 are shown.')).toBeTruthy();
  });
});

describe('TemplatePage: versions, suspension and filing', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('lists the versions with their own history and shows what the pending one changes; a change manager activates it', async () => {
    const server = templateServer(
      [
        { path: '/api/v1/templates/tpl_patch/versions', body: { items: [pendingVersion, ...sampleVersions] } },
        { method: 'POST', path: '/api/v1/templates/tpl_patch/activate', body: { ...sampleTemplate, contentVersion: 3, version: 4 } },
      ],
      templateWithPending,
    );
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderPage(changeManager, '/templates/tpl_patch?tab=versions');

    const versions = await screen.findByRole('table', { name: 'Versions' }, LOAD);
    const rows = within(versions).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(rows[1]!.textContent).toContain('Pending');
    expect(rows[1]!.textContent).toContain('Bob Requester');
    expect(rows[1]!.textContent).toContain('Not activated');
    expect(rows[2]!.textContent).toContain('In force');
    expect(rows[2]!.textContent).toContain('Alice Manager');
    // Version 2: 4 uses, 3 successful, 1 failed, score +2.
    expect(
      within(rows[2]!)
        .getAllByRole('cell')
        .map((c) => c.textContent)
        .slice(4),
    ).toEqual(['4', '3', '1', '+2']);
    expect(rows[3]!.textContent).toContain('Superseded');

    const diff = screen.getByRole('table', { name: 'Differences of version 3' });
    const diffRows = within(diff)
      .getAllByRole('row')
      .map((r) => r.textContent);
    expect(diffRows).toContain('Backout planRestore the snapshotFail over to the replica');
    expect(diffRows).toContain('Highest riskModerateLow');
    expect(diffRows).toContain('Required evidenceTest evidenceTest evidence, Security scan');
    expect(diffRows).toHaveLength(4);

    fireEvent.click(screen.getByRole('button', { name: 'Activate version 3' }));
    const dialog = await screen.findByRole('dialog', { name: 'Activate version 3 of “Monthly database patch”?' }, LOAD);
    expect(dialog.textContent).toContain('Version 3 replaces version 2');
    fireEvent.change(within(dialog).getByLabelText('Note'), { target: { value: 'Reviewed with the DBAs' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Activate' }));
    await waitFor(
      () => expect(server.calls.some((c) => c.method === 'POST' && c.url === '/api/v1/templates/tpl_patch/activate')).toBe(true),
      LOAD,
    );
    expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ note: 'Reviewed with the DBAs' });
    expect(await screen.findByText('Activated: changes filed from now on use it.', {}, LOAD)).toBeTruthy();
  });

  it('shows a suspended entry with its automatic log line, and reinstating asks for a reason', async () => {
    const server = templateServer(
      [{ method: 'POST', path: '/api/v1/templates/tpl_patch/reinstate', body: { ...sampleTemplate, version: 6 } }],
      suspendedTemplate,
    );
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderPage(changeManager);

    const alert = await screen.findByTestId('template-state-alert', {}, LOAD);
    expect(alert.textContent).toContain(
      'Suspended automatically on ' +
        formatDateTime('2026-11-20T08:00:00.000Z') +
        ': 2 failures (CHG0000031, CHG0000027) among its last 6 uses',
    );
    expect(alert.textContent).toContain(
      'Triggered by: CHG0000031 closed unsuccessful · Uses counted: 6 of the last 20 · Failures: 2 · Failed: CHG0000031, CHG0000027',
    );
    expect(alert.textContent).not.toContain('Caused incidents');

    fireEvent.click(screen.getByRole('tab', { name: 'Suspension log (2)' }));
    const log = await screen.findByRole('table', { name: 'Suspension log' }, LOAD);
    const [, newest, older] = within(log).getAllByRole('row');
    expect(newest!.textContent).toContain('SuspendedAutomatically');
    expect(newest!.textContent).toContain('Cabinet, by the failure rulewhen Carol Implementer acted');
    expect(newest!.textContent).toContain('Uses counted: 6 of the last 20');
    expect(older!.textContent).toContain('ReinstatedBy hand');
    expect(older!.textContent).toContain('Alice Manager');
    expect(older!.textContent).toContain('The vendor fixed the patch bundle.');

    fireEvent.click(screen.getByRole('button', { name: 'Reinstate' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reinstate “Monthly database patch”?' }, LOAD);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Reinstate the entry' }));
    expect(await within(dialog).findByText('Give a reason: it is kept in the history.', {}, LOAD)).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.change(within(dialog).getByLabelText(/Why is it safe again/), { target: { value: 'The vendor withdrew the bad bundle' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Reinstate the entry' }));
    await waitFor(
      () => expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ reason: 'The vendor withdrew the bad bundle' }),
      LOAD,
    );
    expect(server.calls.find((c) => c.method === 'POST')?.url).toBe('/api/v1/templates/tpl_patch/reinstate');
  });

  it('suspends an active entry by hand with a reason', async () => {
    const server = templateServer([{ method: 'POST', path: '/api/v1/templates/tpl_patch/suspend', body: suspendedTemplate }]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderPage(changeManager);
    fireEvent.click(await screen.findByRole('button', { name: 'Suspend' }, LOAD));
    const dialog = await screen.findByRole('dialog', { name: 'Suspend “Monthly database patch”?' }, LOAD);
    expect(dialog.textContent).toContain('Changes filed from it become normal changes');
    fireEvent.change(within(dialog).getByLabelText(/Why\?/), { target: { value: 'The vendor bundle is broken' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Suspend the entry' }));
    await waitFor(
      () => expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ reason: 'The vendor bundle is broken' }),
      LOAD,
    );
    expect(await screen.findByText('Suspended: changes filed from it become normal changes.', {}, LOAD)).toBeTruthy();
  });

  it('files a change from the entry and opens it; a suspended entry says the change will be normal', async () => {
    const server = templateServer([
      {
        method: 'POST',
        path: '/api/v1/templates/tpl_patch/changes',
        status: 201,
        body: { ...sampleChange, number: 'CHG0000042', type: 'standard', templateId: 'tpl_patch', templateVersion: 2 },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    const { router } = renderPage(requester);
    fireEvent.click(await screen.findByRole('button', { name: 'File a change from this entry' }, LOAD));
    const dialog = await screen.findByRole('dialog', { name: 'File a change from “Monthly database patch”' }, LOAD);
    expect(dialog.textContent).toContain('pre-approved and needs no approvals');
    expect(within(dialog).getByTestId('file-evidence').textContent).toBe(
      'It needs test evidence before implementation: attach it on the change’s Evidence tab.',
    );
    expect((within(dialog).getByLabelText(/^Title/) as HTMLInputElement).value).toBe('Patch the orders database');
    fireEvent.change(within(dialog).getByLabelText('Planned start'), { target: { value: '2027-02-07T22:00' } });
    fireEvent.change(within(dialog).getByLabelText('Planned end'), { target: { value: '2027-02-07T23:00' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'File the change' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/changes/CHG0000042'), LOAD);
    const body = server.calls.find((c) => c.method === 'POST')?.body as Record<string, string>;
    expect(body.title).toBe('Patch the orders database');
    expect(new Date(body.plannedStart!).getTime()).toBeLessThan(new Date(body.plannedEnd!).getTime());
  });

  it('lists every failing check when the policy refuses a standard change whose checks fail', async () => {
    const server = templateServer(
      [
        {
          method: 'POST',
          path: '/api/v1/templates/tpl_patch/changes',
          status: 422,
          body: {
            error: {
              code: 'checks_failed',
              message: 'The standard change failed 2 pre-approval checks.',
              details: {
                checks: [
                  { name: 'incidents', result: 'fail', reason: 'orders-db has an open P1 incident (INC0000007)' },
                  { name: 'schedule', result: 'fail', reason: 'The year-end freeze covers the planned time' },
                  { name: 'evidence', result: 'warn', reason: 'Test evidence is needed before implementation' },
                ],
              },
            },
          },
        },
      ],
      suspendedTemplate,
    );
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderPage(requester);
    fireEvent.click(await screen.findByRole('button', { name: 'File a change from this entry' }, LOAD));
    const dialog = await screen.findByRole('dialog', {}, LOAD);
    expect(within(dialog).getByText('This entry is suspended')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'File the change' }));
    const refused = await within(dialog).findByRole('alert', {}, LOAD);
    expect(refused.textContent).toContain('Not filed: a pre-approval check failed');
    expect(refused.textContent).toContain('Open incidents on its CIs (failed): orders-db has an open P1 incident (INC0000007)');
    expect(refused.textContent).toContain('Schedule conflicts and freezes (failed): The year-end freeze covers the planned time');
    expect(refused.textContent).not.toContain('Test evidence is needed');
  });
});
