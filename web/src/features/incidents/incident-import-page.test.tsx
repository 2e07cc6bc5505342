import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { IncidentImportPage } from './incident-import-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const CSV = 'number,title,priority,state,opened_at,ci,caused_by\nINC1,Slow,3,new,2026-01-01T00:00:00Z,no-such-ci,';

describe('IncidentImportPage', { timeout: 20_000 }, () => {
  it('checks the file in a dry run first, offers the import for real, and forgets the answer when the text changes', async () => {
    const server = fakeServer([
      {
        method: 'POST',
        path: '/api/v1/incidents/import',
        body: { incidents: 1, created: 1, updated: 0, errors: [], unmatchedCis: ['no-such-ci'], unmatchedChanges: [] },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<IncidentImportPage />, { me: adminMe });

    fireEvent.change(screen.getByRole('textbox', { name: 'CSV' }), { target: { value: CSV } });
    fireEvent.click(screen.getByRole('button', { name: 'Check' }));

    const result = await screen.findByRole('region', { name: 'Import result' }, LOAD);
    expect(server.calls.at(-1)!.url).toBe('/api/v1/incidents/import?dryRun=true');
    expect(within(result).getByRole('heading', { name: 'Dry run: nothing was saved' })).toBeTruthy();
    expect(within(result).getByText('Would be created').nextSibling?.textContent).toBe('1');
    expect(within(result).getByText('Every row can be imported.')).toBeTruthy();
    expect(within(result).getByRole('list', { name: 'CIs not found' }).textContent).toContain('no-such-ci');

    fireEvent.click(screen.getByRole('button', { name: 'Import for real' }));
    expect(await within(result).findByRole('heading', { name: 'Result' }, LOAD)).toBeTruthy();
    expect(server.calls.at(-1)!.url).toBe('/api/v1/incidents/import');
    expect(screen.queryByRole('button', { name: 'Import for real' })).toBeNull();

    fireEvent.change(screen.getByRole('textbox', { name: 'CSV' }), { target: { value: `${CSV}\n` } });
    expect(screen.queryByRole('region', { name: 'Import result' })).toBeNull();
  });
});
