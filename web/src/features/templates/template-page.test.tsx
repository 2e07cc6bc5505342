import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { Me } from '../../api/types';
import { formatDateTime } from '../../shared/format';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { sampleChange, sampleCi } from '../changes/test-fixtures';
import { TemplatePage } from './template-page';
import { TemplatesPage } from './templates-page';
import { sampleTemplate } from './test-fixtures';
import { failureText, usedText } from './template-words';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;
const changeManager: Me = {
  ...adminMe,
  roles: [{ role: 'change_manager', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create', 'template.write', 'cmdb.read'],
};
const auditor: Me = { ...adminMe, roles: [{ role: 'auditor', scopeType: null, scopeId: null }], permissions: ['change.read', 'cmdb.read'] };
const teams = {
  items: [{ id: 'team_dba', handle: 'dba', name: 'Database Administrators', description: '', memberIds: [] }],
  nextCursor: null,
};

function templateServer(extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    ...extra,
    { path: '/api/v1/templates/tpl_patch', body: sampleTemplate },
    { path: '/api/v1/templates', body: { items: [sampleTemplate], nextCursor: null } },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: teams },
    { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
    { path: '/api/v1/changes', body: { items: [], nextCursor: null } },
  ]);
}

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
  const h = { changes90d: 0, failed90d: 0, failureRate: null, used: 0, lastUsedAt: null };
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
  it('lists templates with their CIs, use and failures, and a Use button to a new change', async () => {
    const server = templateServer();
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates', route: '/templates', me: changeManager });
    const table = await screen.findByRole('table', { name: 'Templates' }, LOAD);
    const row = within(table).getByRole('link', { name: 'Monthly database patch' }).closest('tr')!;
    expect(row.textContent).toContain('Used 6 times');
    expect(row.textContent).toContain('1 of 5 failed (20%)');
    expect(within(row).getByRole('link', { name: 'orders-db' }).getAttribute('href')).toBe('/cmdb/cis/ci_db');
    expect(within(row).getByRole('link', { name: 'Use Monthly database patch' }).getAttribute('href')).toBe(
      '/changes/new?template=tpl_patch',
    );
    expect(screen.getByRole('link', { name: 'New template' })).toBeTruthy();
    expect(new URL(server.calls.find((c) => c.url.startsWith('/api/v1/templates?'))!.url, 'http://x').searchParams.get('active')).toBe(
      'true',
    );

    fireEvent.click(screen.getByRole('radio', { name: 'Retired' }));
    await waitFor(
      () => expect(server.calls.some((c) => c.url.startsWith('/api/v1/templates?') && c.url.includes('active=false'))).toBe(true),
      LOAD,
    );
  });

  it('offers no New template to people who may not keep templates', async () => {
    vi.stubGlobal('fetch', templateServer().fetch);
    renderWithProviders(<TemplatesPage />, { path: '/templates', route: '/templates', me: auditor });
    await screen.findByRole('table', { name: 'Templates' }, LOAD);
    expect(screen.queryByRole('link', { name: 'New template' })).toBeNull();
    expect(screen.queryByRole('link', { name: /^Use / })).toBeNull();
  });
});

describe('TemplatePage', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('saves only what changed with the version read, and puts issues under the prefilled fields', async () => {
    const server = templateServer([
      {
        method: 'PATCH',
        path: '/api/v1/templates/tpl_patch',
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The request has 2 problems.',
            details: {
              issues: [
                { path: ['fields', 'title'], message: 'too long' },
                { path: ['name'], message: 'a template with this name exists' },
              ],
            },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<TemplatePage />, { path: '/templates/tpl_patch', route: '/templates/:id', me: changeManager });

    expect(await screen.findByRole('heading', { name: 'Monthly database patch', level: 1 }, LOAD)).toBeTruthy();
    expect(screen.getByRole('region', { name: 'History' }).textContent).toContain('Used 6 times');
    fireEvent.change(screen.getByLabelText('Change title'), { target: { value: 'Patch orders-db' } });
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'DNS record change' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(describedBy(screen.getByLabelText('Change title'))).toContain('too long'), LOAD);
    expect(describedBy(screen.getByLabelText(/^Name/))).toContain('a template with this name exists');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      name: 'DNS record change',
      fields: { title: 'Patch orders-db' },
      version: 3,
    });
  });

  it('retires the template with the version read', async () => {
    const server = templateServer([
      { method: 'PATCH', path: '/api/v1/templates/tpl_patch', body: { ...sampleTemplate, active: false, version: 4 } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<TemplatePage />, { path: '/templates/tpl_patch', route: '/templates/:id', me: changeManager });
    fireEvent.click(await screen.findByRole('button', { name: 'Retire' }, LOAD));
    expect(await screen.findByRole('button', { name: 'Reactivate' }, LOAD)).toBeTruthy();
    expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ active: false, version: 3 });
    expect(screen.queryByRole('link', { name: 'Use this template' })).toBeNull();
  });

  it('lists the newest changes made from it, each linking to its change, with its state and close code', async () => {
    const server = templateServer([{ path: '/api/v1/changes', body: { items: [draft, rolledBack], nextCursor: 'more' } }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<TemplatePage />, { path: '/templates/tpl_patch', route: '/templates/:id', me: auditor });

    const table = await screen.findByRole('table', { name: 'Changes made from this template' }, LOAD);
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3), LOAD);
    expect(changeQueries(server)).toEqual([{ templateId: 'tpl_patch', limit: '20' }]);
    const [, newest, older] = within(table).getAllByRole('row');
    expect(within(newest!).getByRole('link', { name: 'CHG0000014' }).getAttribute('href')).toBe('/changes/CHG0000014');
    expect(newest!.textContent).toContain('Patch orders-db in December');
    expect(newest!.textContent).toContain('Draft');
    expect(newest!.textContent).toContain('—');
    expect(within(older!).getByRole('link', { name: 'CHG0000012' }).getAttribute('href')).toBe('/changes/CHG0000012');
    expect(older!.textContent).toContain('Closed');
    expect(older!.textContent).toContain('Rolled back');
    expect(older!.textContent).toContain(formatDateTime('2026-11-02T22:00:00.000Z'));
    expect(screen.getByText('The newest 2 are shown.')).toBeTruthy();
  });

  it('says so when no change has been made from it', async () => {
    vi.stubGlobal('fetch', templateServer().fetch);
    renderWithProviders(<TemplatePage />, { path: '/templates/tpl_patch', route: '/templates/:id', me: auditor });
    const table = await screen.findByRole('table', { name: 'Changes made from this template' }, LOAD);
    await waitFor(() => expect(table.textContent).toContain('No change has been made from this template yet.'), LOAD);
    expect(screen.queryByText(/^The newest/)).toBeNull();
  });
});
