import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDate } from '../../shared/format';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { TemplatesPage } from './templates-page';
import { sampleTemplate, suspendedTemplate, templateWithPending } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };

/** The query of every GET /api/v1/templates of the list so far (not the categories' read), as plain objects. */
const listQueries = (server: ReturnType<typeof fakeServer>) =>
  server.calls
    .filter((c) => c.method === 'GET' && c.url.split('?')[0] === '/api/v1/templates' && !c.url.includes('limit=500'))
    .map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

const networkEntry = { ...sampleTemplate, id: 'tpl_fw', name: 'Firewall rule', category: 'Network', ownerTeam: null, ownerTeamId: null };

function listServer(items = [sampleTemplate]) {
  return fakeServer([
    { path: '/api/v1/templates', body: { items, nextCursor: null } },
    { path: '/api/v1/policy', body: testPolicy },
  ]);
}

describe('TemplatesPage: the catalogue list', { timeout: 20_000 }, () => {
  it('filters by state and category on the server, keeps them in the address and exports the same list', async () => {
    const server = listServer([sampleTemplate, networkEntry]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates?state=suspended', route: '/templates', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Templates' }, LOAD);
    expect(listQueries(server)[0]).toEqual({ state: 'suspended', limit: '100' });
    const exportHref = () => screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(exportHref()).toBe('/api/v1/templates/export.csv?state=suspended');
    expect(within(table).getAllByRole('row')).toHaveLength(3);

    // The categories come from the whole catalogue.
    fireEvent.click(screen.getByRole('combobox', { name: 'Category' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Network', hidden: true }, LOAD));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ state: 'suspended', category: 'Network', limit: '100' }), LOAD);
    expect(exportHref()).toBe('/api/v1/templates/export.csv?state=suspended&category=Network');
  });

  it('reads the older ?active= address as a state', async () => {
    const server = listServer();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates?active=all', route: '/templates', me: adminMe });
    await screen.findByRole('table', { name: 'Templates' }, LOAD);
    expect(listQueries(server)[0]).toEqual({ state: 'all', limit: '100' });
    expect((screen.getByRole('combobox', { name: 'State' }) as HTMLInputElement).value).toBe('Any state');
  });

  it('names the page the standard change catalogue when it shows standard entries, with one click', async () => {
    const server = listServer([suspendedTemplate, templateWithPending]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates', route: '/templates', me: adminMe });
    expect(await screen.findByRole('heading', { name: 'Change templates', level: 1 }, LOAD)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Standard change catalogue' }));
    expect(await screen.findByRole('heading', { name: 'Standard change catalogue', level: 1 }, LOAD)).toBeTruthy();
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ type: 'standard', limit: '100' }), LOAD);
    const rows = within(screen.getByRole('table', { name: 'Templates' })).getAllByRole('row');
    expect(rows[1]!.textContent).toContain('Suspended');
    // A suspended entry offers no Use button; an active one with a pending version says so.
    expect(within(rows[1]!).queryByRole('link', { name: /^Use / })).toBeNull();
    expect(rows[2]!.textContent).toContain('Version 3 pending');
  });

  it('sorts by state and by score on the server, both ways', async () => {
    const server = listServer();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates?state=all', route: '/templates', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Templates' }, LOAD);

    const state = within(table).getByRole('columnheader', { name: /State/ });
    fireEvent.click(within(state).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ state: 'all', sort: 'state', limit: '100' }), LOAD);
    expect(state.getAttribute('aria-sort')).toBe('ascending');

    const score = within(table).getByRole('columnheader', { name: /Score/ });
    fireEvent.click(within(score).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ state: 'all', sort: 'score', limit: '100' }), LOAD);
    fireEvent.click(within(score).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ state: 'all', sort: '-score', limit: '100' }), LOAD);
    expect(score.getAttribute('aria-sort')).toBe('descending');
    expect(state.getAttribute('aria-sort')).toBe('none');
    expect(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(
      '/api/v1/templates/export.csv?state=all&sort=-score',
    );
    expect(
      within(table)
        .getByRole('columnheader', { name: /Health/ })
        .getAttribute('aria-sort'),
    ).toBeNull();
  });

  it('shows when each active standard entry is next reviewed, and an overdue review in red words', async () => {
    const server = fakeServer([
      { path: '/api/v1/templates', body: { items: [sampleTemplate, networkEntry], nextCursor: null } },
      { path: '/api/v1/policy', body: testPolicy },
      {
        path: '/api/v1/catalogue/review-schedule',
        body: {
          items: [
            {
              templateId: 'tpl_patch',
              cadenceDays: null,
              effectiveCadenceDays: 90,
              nextReviewAt: '2026-11-01T00:00:00.000Z',
              overdue: true,
              openReviewId: 'cr_1',
            },
          ],
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates', route: '/templates', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Templates' }, LOAD);
    await waitFor(() => expect(within(table).getByRole('columnheader', { name: /Review due/ })).toBeTruthy(), LOAD);
    const [, patch, firewall] = within(table).getAllByRole('row');
    expect(patch!.textContent).toContain(formatDate('2026-11-01T00:00:00.000Z'));
    expect(patch!.textContent).toContain('Overdue');
    expect(firewall!.textContent).not.toContain('Overdue');
  });
});
