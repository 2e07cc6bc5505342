import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { sampleCi } from '../changes/test-fixtures';
import { CisPage } from './cis-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };

/** The query of every GET /api/v1/cis so far, as plain objects. */
const listQueries = (server: ReturnType<typeof fakeServer>) =>
  server.calls
    .filter((c) => c.method === 'GET' && c.url.split('?')[0] === '/api/v1/cis')
    .map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

describe('CisPage: sort and export', { timeout: 20_000 }, () => {
  it('sorts on the server by a header, both ways, and exports in the same order', async () => {
    const server = fakeServer([
      { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
      { path: '/api/v1/services', body: { items: [], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<CisPage />, { path: '/cmdb/cis?environment=production', route: '/cmdb/cis', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Configuration items' }, LOAD);
    const exportHref = () => screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(exportHref()).toBe('/api/v1/cis/export.csv?environment=production');

    const header = within(table).getByRole('columnheader', { name: /Criticality/ });
    fireEvent.click(within(header).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ environment: 'production', sort: 'criticality', limit: '50' }), LOAD);
    fireEvent.click(within(header).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ environment: 'production', sort: '-criticality', limit: '50' }), LOAD);
    expect(header.getAttribute('aria-sort')).toBe('descending');
    expect(exportHref()).toBe('/api/v1/cis/export.csv?environment=production&sort=-criticality');
    for (const name of [/Name/, /Type/, /Environment/, /Service/]) {
      expect(within(table).getByRole('columnheader', { name }).getAttribute('aria-sort')).toBe('none');
    }
    expect(within(table).getByRole('columnheader', { name: /Tags/ }).getAttribute('aria-sort')).toBeNull();
  });
});
