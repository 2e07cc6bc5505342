import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { sampleCi } from '../changes/test-fixtures';
import { incidentQueryOf, IncidentsPage } from './incidents-page';
import { sampleIncident } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;

const p2 = sampleIncident();
const p4 = sampleIncident({
  id: 'inc_2',
  number: 'INC0000002',
  title: 'Report export is slow',
  priority: 4,
  state: 'new',
  causedByChange: null,
});

function listServer() {
  return fakeServer([
    { path: '/api/v1/incidents', body: { items: [p2, p4], nextCursor: null } },
    { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
  ]);
}

/** The query of every GET /api/v1/incidents so far, as plain objects. */
const listQueries = (server: ReturnType<typeof fakeServer>) =>
  server.calls
    .filter((c) => c.method === 'GET' && c.url.split('?')[0] === '/api/v1/incidents')
    .map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

describe('incidentQueryOf', () => {
  it.each([
    ['the open ones when the address names no state', {}, { state: 'open' }],
    ['every state for `all`', { state: 'all' }, {}],
    ['one state as named', { state: 'resolved' }, { state: 'resolved' }],
    ['the priority as written in the address', { priority: '1,2' }, { state: 'open', priority: '1,2' }],
    [
      'the CI, the change and the words along with the state',
      { ciId: 'ci_db', changeId: 'CHG1', q: 'slow' },
      { state: 'open', ciId: 'ci_db', changeId: 'CHG1', q: 'slow' },
    ],
  ])('asks for %s', (_what, filters, query) => {
    expect(incidentQueryOf(filters)).toEqual(query);
  });
});

describe('IncidentsPage: filters', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('lists the open incidents at first, then every state when asked', async () => {
    const server = listServer();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<IncidentsPage />, { path: '/incidents', route: '/incidents', me: adminMe });

    const table = await screen.findByRole('table', { name: 'Incidents' }, LOAD);
    const row = within(table).getByRole('link', { name: 'INC0000001' }).closest('tr')!;
    expect(row.textContent).toContain('Checkout times out');
    expect(row.textContent).toContain('P2 · High');
    expect(row.textContent).toContain('In progress');
    expect(within(row).getByRole('link', { name: 'orders-db' }).getAttribute('href')).toBe('/cmdb/cis/ci_db');
    expect(within(row).getByRole('link', { name: 'CHG0000001' }).getAttribute('href')).toBe('/changes/CHG0000001');
    expect(listQueries(server)[0]).toEqual({ state: 'open', limit: '50' });

    fireEvent.click(screen.getByRole('combobox', { name: 'State' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Any state', hidden: true }));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ limit: '50' }), LOAD);
    expect(screen.getByRole('button', { name: 'Clear filters' })).toBeTruthy();
  });

  it('reads state, CI and words from the address and sends them to the server', async () => {
    const server = listServer();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<IncidentsPage />, {
      path: '/incidents?state=resolved&ciId=ci_db&q=checkout',
      route: '/incidents',
      me: adminMe,
    });
    await screen.findByRole('table', { name: 'Incidents' }, LOAD);
    expect(listQueries(server)[0]).toEqual({ state: 'resolved', ciId: 'ci_db', q: 'checkout', limit: '50' });
    expect((screen.getByRole('combobox', { name: 'State' }) as HTMLInputElement).value).toBe('Resolved');
    expect((screen.getByRole('searchbox', { name: 'Search' }) as HTMLInputElement).value).toBe('checkout');
    await waitFor(() => expect((screen.getByRole('combobox', { name: 'CI' }) as HTMLInputElement).value).toBe('orders-db'), LOAD);

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ state: 'open', limit: '50' }), LOAD);
  });

  it('sends the priority in the address to the server and shows every row it answers', async () => {
    const server = listServer();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<IncidentsPage />, { path: '/incidents?priority=2', route: '/incidents', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Incidents' }, LOAD);
    expect(listQueries(server)[0]).toEqual({ state: 'open', priority: '2', limit: '50' });
    expect((screen.getByRole('combobox', { name: 'Priority' }) as HTMLInputElement).value).toBe('2 · High');
    // The server does the filtering: nothing it answers is hidden.
    expect(within(table).getByRole('link', { name: 'INC0000001' })).toBeTruthy();
    expect(within(table).getByRole('link', { name: 'INC0000002' })).toBeTruthy();

    fireEvent.click(screen.getByRole('combobox', { name: 'Priority' }));
    fireEvent.click(await screen.findByRole('option', { name: '4 · Low', hidden: true }));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ state: 'open', priority: '4', limit: '50' }), LOAD);
  });

  it('sorts on the server by a header and exports what the list shows, the open ones by default', async () => {
    const server = listServer();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<IncidentsPage />, { path: '/incidents?priority=2', route: '/incidents', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Incidents' }, LOAD);
    const exportHref = () => screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(exportHref()).toBe('/api/v1/incidents/export.csv?state=open&priority=2');

    const header = within(table).getByRole('columnheader', { name: /Priority/ });
    fireEvent.click(within(header).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ state: 'open', priority: '2', sort: 'priority', limit: '50' }), LOAD);
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(within(header).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ state: 'open', priority: '2', sort: '-priority', limit: '50' }), LOAD);
    expect(exportHref()).toBe('/api/v1/incidents/export.csv?state=open&priority=2&sort=-priority');
    expect(within(table).getByRole('columnheader', { name: /CIs/ }).getAttribute('aria-sort')).toBeNull();

    fireEvent.click(screen.getByRole('combobox', { name: 'State' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Any state', hidden: true }));
    await waitFor(() => expect(exportHref()).toBe('/api/v1/incidents/export.csv?priority=2&sort=-priority'), LOAD);
  });
});
