import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { CiImportPage } from './ci-import-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };

describe('CiImportPage', { timeout: 20_000 }, () => {
  it('reads pasted JSON as JSON, sends it so, and lists the refused rows with their problem', async () => {
    const server = fakeServer([
      {
        method: 'POST',
        path: '/api/v1/cis/import',
        body: { created: 2, updated: 1, relationsCreated: 0, errors: [{ row: 3, message: 'No service named "Nope"' }] },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<CiImportPage />, { me: adminMe });

    const importButton = screen.getByRole('button', { name: 'Import' });
    expect(importButton).toHaveProperty('disabled', true);
    const json = '[{ "name": "db-01", "type": "database" }]';
    fireEvent.change(screen.getByRole('textbox', { name: 'Data' }), { target: { value: json } });
    expect(screen.getByRole('radio', { name: 'JSON' })).toHaveProperty('checked', true);
    fireEvent.click(importButton);

    const result = await screen.findByRole('region', { name: 'Import result' }, LOAD);
    const post = server.calls.find((c) => c.method === 'POST')!;
    expect(post.url).toBe('/api/v1/cis/import');
    expect(post.body).toBe(json);
    expect(within(result).getByText('Created').nextSibling?.textContent).toBe('2');
    expect(within(result).getByText('Rows with errors').nextSibling?.textContent).toBe('1');
    const errors = within(result).getByRole('table', { name: 'Import errors' });
    expect(within(errors).getAllByRole('row')).toHaveLength(2);
    expect(errors.textContent).toContain('No service named "Nope"');

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(screen.queryByRole('region', { name: 'Import result' })).toBeNull();
    expect(screen.getByRole('textbox', { name: 'Data' })).toHaveProperty('value', '');
  });
});
