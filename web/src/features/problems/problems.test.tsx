import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { ChangeKnownErrorsPanel } from './change-known-errors-panel';
import { KnownErrorPage } from './known-error-page';
import { initialProblemForm } from './new-problem-page';
import { formFromProblem, toUpdateProblemInput } from './problem-form';
import { ProblemPage } from './problem-page';
import { IncidentProblemLinks, KnownErrorsOnCisNotice } from './problem-ui';
import { parseNumbers } from './problem-words';
import { openProblemPath, problemQueryOf, ProblemsPage } from './problems-page';
import { sampleKnownError, sampleProblem } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;
const me = { ...adminMe, permissions: [...adminMe.permissions, 'problem.read', 'problem.create', 'problem.manage'] };

const suggestion = {
  ci: { id: 'ci_db', name: 'orders-db' },
  incidents: [
    { id: 'inc_3', number: 'INC0000003', title: 'Three', priority: 3, openedAt: '2026-11-22T09:00:00.000Z' },
    { id: 'inc_2', number: 'INC0000002', title: 'Two', priority: 3, openedAt: '2026-11-21T09:00:00.000Z' },
    { id: 'inc_1', number: 'INC0000001', title: 'One', priority: 3, openedAt: '2026-11-20T09:00:00.000Z' },
  ],
};

describe('problem helpers', () => {
  it('asks for the open problems unless the address names a state', () => {
    expect(problemQueryOf({})).toEqual({ state: 'open' });
    expect(problemQueryOf({ state: 'all', q: 'pool' })).toEqual({ q: 'pool' });
  });

  it('reads numbers however they are separated, once each, in capitals', () => {
    expect(parseNumbers('inc0000001, INC0000002;INC0000001  chg1')).toEqual(['INC0000001', 'INC0000002', 'CHG1']);
  });

  it('prefills a new problem from a suggestion', () => {
    const path = openProblemPath(suggestion);
    const values = initialProblemForm(new URLSearchParams(path.split('?')[1]));
    expect(values.ciIds).toEqual(['ci_db']);
    expect(values.incidents).toBe('INC0000003, INC0000002, INC0000001');
    expect(values.title).toBe('Repeated incidents (3)');
  });

  it('sends only the links that changed', () => {
    const p = sampleProblem();
    expect(toUpdateProblemInput(p, formFromProblem(p))).toEqual({});
    expect(toUpdateProblemInput(p, { ...formFromProblem(p), fixedBy: 'chg0000009', incidents: 'INC0000001' })).toEqual({
      fixChangeIds: ['CHG0000009'],
    });
  });
});

describe('ProblemsPage', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('lists the open problems and suggests opening one for a CI with repeated incidents', async () => {
    const server = fakeServer([
      { path: '/api/v1/problems', body: { items: [sampleProblem()], nextCursor: null } },
      { path: '/api/v1/problems/suggestions', body: { threshold: 3, days: 30, items: [suggestion] } },
      { path: '/api/v1/cis', body: { items: [], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ProblemsPage />, { path: '/problems', route: '/problems', me });

    const table = await screen.findByRole('table', { name: 'Problems' }, LOAD);
    const row = within(table).getByRole('link', { name: 'PRB0000001' }).closest('tr')!;
    expect(row.textContent).toContain('Connection pool exhausted');
    expect(row.textContent).toContain('Assess');
    expect(row.textContent).toContain('Ada Admin');
    const box = await screen.findByRole('region', { name: 'Suggested problems' }, LOAD);
    expect(box.textContent).toContain('orders-db: 3 incidents');
    const open = within(box).getByRole('link', { name: 'Open a problem for orders-db' });
    expect(open.getAttribute('href')).toBe('/problems/new?ciIds=ci_db&incidents=INC0000003%2CINC0000002%2CINC0000001');
    const query = server.calls.find((c) => c.url.startsWith('/api/v1/problems?'))!;
    expect(Object.fromEntries(new URL(query.url, 'http://x').searchParams)).toEqual({ state: 'open', limit: '50' });
  });
});

describe('ProblemPage', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('shows the links and moves the problem on with the version it read', async () => {
    const problem = sampleProblem();
    const server = fakeServer([
      { path: '/api/v1/problems/PRB0000001', body: problem },
      {
        path: '/api/v1/problems/prb_1',
        method: 'PATCH',
        body: { ...problem, state: 'root_cause_analysis', nextStates: ['assess', 'fix_in_progress', 'resolved', 'closed'], version: 4 },
      },
      { path: /^\/api\/v1\/cis/, body: { items: [], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ProblemPage />, { path: '/problems/PRB0000001', route: '/problems/:id', me });

    await screen.findByRole('heading', { name: 'Connection pool exhausted' }, LOAD);
    expect(screen.getByRole('link', { name: 'INC0000001' }).getAttribute('href')).toBe('/incidents/INC0000001');
    expect(screen.getByRole('link', { name: 'CHG0000001' }).getAttribute('href')).toBe('/changes/CHG0000001');
    expect(screen.getByRole('link', { name: 'KE0000001' }).getAttribute('href')).toBe('/known-errors/KE0000001');
    expect(screen.getByText(/No fix change linked yet/)).toBeTruthy();

    const actions = screen.getByRole('group', { name: 'Problem actions' });
    expect(
      within(actions)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Back to new', 'Analyse the root cause', 'Close']);
    fireEvent.click(within(actions).getByRole('button', { name: 'Analyse the root cause' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Root cause analysis.'), LOAD);
    const patch = server.calls.find((c) => c.method === 'PATCH')!;
    expect(patch.body).toEqual({ state: 'root_cause_analysis', version: 3 });
  });
});

describe('KnownErrorPage', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('shows the workaround as text, never as markup, and shares it saying who was told', async () => {
    const server = fakeServer([
      { path: '/api/v1/known-errors/KE0000001', body: sampleKnownError() },
      {
        path: '/api/v1/known-errors/ke_1/share',
        method: 'POST',
        body: { told: [{ id: 'u_rita', name: 'Rita Requester', reasons: ['filed INC0000001'] }] },
      },
      { path: /^\/api\/v1\/cis/, body: { items: [], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    const { container } = renderWithProviders(<KnownErrorPage />, { path: '/known-errors/KE0000001', route: '/known-errors/:id', me });

    await screen.findByRole('heading', { name: 'Pool runs dry' }, LOAD);
    expect(screen.getAllByText(/<b>restart<\/b>/).length).toBeGreaterThan(0);
    expect(container.querySelector('b')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Share the workaround' }));
    expect(await screen.findByText('Rita Requester (filed INC0000001)', undefined, LOAD)).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Shared with 1 person.');
  });
});

describe('known errors on a change and on the new-change form', { timeout: PAGE_TEST_TIMEOUT }, () => {
  const onCis = {
    items: [
      {
        id: 'ke_1',
        number: 'KE0000001',
        title: 'Pool runs dry',
        workaround: 'Restart pay-api',
        ciIds: ['ci_db'],
        cis: [{ id: 'ci_db', name: 'orders-db' }],
      },
    ],
  };

  it('lists the known errors on the change’s CIs with their workarounds', async () => {
    const fixed = sampleProblem({
      fixChanges: [{ id: 'chg_1', number: 'CHG0000001', title: 'Fix', state: 'implement', closeCode: null }],
      causedByChanges: [],
    });
    const server = fakeServer([
      { path: '/api/v1/changes/chg_1/known-errors', body: onCis },
      { path: '/api/v1/problems', body: { items: [fixed], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangeKnownErrorsPanel change={{ id: 'chg_1' }} />, { me });
    expect(await screen.findByText('Restart pay-api', undefined, LOAD)).toBeTruthy();
    expect(await screen.findByText('this change fixes it', undefined, LOAD)).toBeTruthy();
    expect(server.calls.some((c) => c.url === '/api/v1/problems?changeId=chg_1&limit=100')).toBe(true);
    expect(screen.getByRole('link', { name: 'KE0000001' }).getAttribute('href')).toBe('/known-errors/KE0000001');
  });

  it('warns on the form once CIs with known errors are picked, and asks nothing before', async () => {
    const server = fakeServer([{ path: '/api/v1/known-errors/on-cis', body: onCis }]);
    vi.stubGlobal('fetch', server.fetch);
    const empty = renderWithProviders(<KnownErrorsOnCisNotice ciIds={[]} />, { me });
    expect(server.calls).toEqual([]);
    empty.unmount();
    renderWithProviders(<KnownErrorsOnCisNotice ciIds={['ci_db']} />, { me });
    expect(await screen.findByText('Known errors on these CIs (1)', undefined, LOAD)).toBeTruthy();
    expect(server.calls[0]!.url).toBe('/api/v1/known-errors/on-cis?ciIds=ci_db');
  });

  it('links an incident to its problems', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/problems', body: { items: [sampleProblem()], nextCursor: null } }]).fetch);
    renderWithProviders(<IncidentProblemLinks incidentId="inc_1" />, { me });
    expect((await screen.findByRole('link', { name: 'PRB0000001' }, LOAD)).getAttribute('href')).toBe('/problems/PRB0000001');
  });
});
