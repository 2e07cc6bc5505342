import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { TemplatesPage } from './templates-page';
import { sampleTemplate } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };

/** The query of every GET /api/v1/templates so far, as plain objects. */
const listQueries = (server: ReturnType<typeof fakeServer>) =>
  server.calls
    .filter((c) => c.method === 'GET' && c.url.split('?')[0] === '/api/v1/templates')
    .map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

describe('TemplatesPage: sort and export', { timeout: 20_000 }, () => {
  it('sorts on the server by status when retired ones are shown, and exports the same list', async () => {
    const server = fakeServer([
      { path: '/api/v1/templates', body: { items: [sampleTemplate], nextCursor: null } },
      { path: '/api/v1/policy', body: testPolicy },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates?active=all', route: '/templates', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Templates' }, LOAD);
    const exportHref = () => screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(exportHref()).toBe('/api/v1/templates/export.csv?active=all');

    const header = within(table).getByRole('columnheader', { name: /Status/ });
    fireEvent.click(within(header).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ active: 'all', sort: 'active', limit: '100' }), LOAD);
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    expect(exportHref()).toBe('/api/v1/templates/export.csv?active=all&sort=active');
    expect(within(table).getByRole('columnheader', { name: /Name/ }).getAttribute('aria-sort')).toBe('none');
    expect(within(table).getByRole('columnheader', { name: /Type/ }).getAttribute('aria-sort')).toBe('none');
    expect(within(table).getByRole('columnheader', { name: /CIs/ }).getAttribute('aria-sort')).toBeNull();
  });

  it('sorts by how often templates were used and by their changes of the last 90 days, on the server, both ways', async () => {
    const server = fakeServer([
      { path: '/api/v1/templates', body: { items: [sampleTemplate], nextCursor: null } },
      { path: '/api/v1/policy', body: testPolicy },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates', route: '/templates', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Templates' }, LOAD);

    const used = within(table).getByRole('columnheader', { name: /Used/ });
    fireEvent.click(within(used).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ active: 'true', sort: 'used', limit: '100' }), LOAD);
    expect(used.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(within(used).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ active: 'true', sort: '-used', limit: '100' }), LOAD);
    expect(used.getAttribute('aria-sort')).toBe('descending');

    const recent = within(table).getByRole('columnheader', { name: /Last 90 days/ });
    fireEvent.click(within(recent).getByRole('button'));
    await waitFor(() => expect(listQueries(server).at(-1)).toEqual({ active: 'true', sort: 'changes90d', limit: '100' }), LOAD);
    expect(recent.getAttribute('aria-sort')).toBe('ascending');
    expect(used.getAttribute('aria-sort')).toBe('none');
  });
});
