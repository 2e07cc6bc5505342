import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChangeDetail } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangePage } from '../changes/change-page';
import { sampleChange, sampleRisk } from '../changes/test-fixtures';
import { sampleTemplate } from '../templates/test-fixtures';
import { sampleIncident } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;

const fromTemplate: ChangeDetail = { ...sampleChange, ciIds: ['ci_db', 'ci_api'], templateId: 'tpl_patch' };

function changePageServer(change: ChangeDetail, incidents: unknown[]) {
  return fakeServer([
    { path: '/api/v1/changes/chg_1', body: change },
    { path: '/api/v1/changes/chg_1/incidents', body: { items: incidents, nextCursor: null } },
    { path: '/api/v1/templates/tpl_patch', body: sampleTemplate },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
    { path: '/api/v1/changes/chg_1/approvals', body: { items: [] } },
  ]);
}

describe('ChangePage: incidents and template', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('counts the incidents the change caused on its tab, lists them and reports another with the change and its CIs', async () => {
    const older = sampleIncident({ id: 'inc_0', number: 'INC0000007', title: 'Replica lag', openedAt: '2026-11-19T09:00:00.000Z' });
    vi.stubGlobal('fetch', changePageServer(fromTemplate, [older, sampleIncident()]).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });

    const tab = await screen.findByRole('tab', { name: 'Incidents: 2' }, LOAD);
    fireEvent.click(tab);
    const table = await screen.findByRole('table', { name: 'Incidents caused by this change' }, LOAD);
    const numbers = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => within(r).getAllByRole('link')[0]!.textContent);
    expect(numbers).toEqual(['INC0000001', 'INC0000007']);
    // The cause is this change, so the table does not repeat it.
    expect(within(table).queryByRole('columnheader', { name: 'Caused by' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Report an incident' }).getAttribute('href')).toBe(
      '/incidents/new?causedBy=chg_1&ciIds=ci_db%2Cci_api',
    );
  });

  it('says which template the change was made from, with a link to it', async () => {
    vi.stubGlobal('fetch', changePageServer(fromTemplate, []).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    const made = await screen.findByTestId('made-from-template', {}, LOAD);
    await waitFor(() => expect(made.textContent).toBe('Made from template Monthly database patch'), LOAD);
    expect(within(made).getByRole('link').getAttribute('href')).toBe('/templates/tpl_patch');
    expect(screen.getByRole('tab', { name: 'Incidents' })).toBeTruthy();
  });

  it('says nothing of a template on a change made without one', async () => {
    vi.stubGlobal('fetch', changePageServer({ ...sampleChange, templateId: null }, []).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    await screen.findByRole('heading', { name: sampleChange.title, level: 1 }, LOAD);
    expect(screen.queryByTestId('made-from-template')).toBeNull();
  });
});
