import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { NewChangePage } from '../changes/new-change-page';
import { sampleChange, sampleCi } from '../changes/test-fixtures';
import { sampleTemplate } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
/** A whole page renders per test: on a busy machine that is more than vitest's default five seconds. */
const PAGE_TEST_TIMEOUT = 20_000;
const teams = {
  items: [{ id: 'team_dba', handle: 'dba', name: 'Database Administrators', description: '', memberIds: [] }],
  nextCursor: null,
};
const otherTemplate = { ...sampleTemplate, id: 'tpl_dns', name: 'DNS record change', type: 'normal' as const, ciIds: [], cis: [] };

function newChangeServer(template = sampleTemplate) {
  return fakeServer([
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/templates', body: { items: [sampleTemplate, otherTemplate], nextCursor: null } },
    { path: '/api/v1/templates/tpl_patch', body: template },
    { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
    { path: '/api/v1/teams', body: teams },
    { path: '/api/v1/schedule/windows', body: { items: [], truncated: false } },
    {
      method: 'POST',
      path: '/api/v1/changes',
      status: 201,
      body: { ...sampleChange, id: 'chg_9', number: 'CHG0000009', type: 'standard', templateId: 'tpl_patch' },
    },
  ]);
}

const textOf = (label: RegExp | string) => (screen.getByLabelText(label) as HTMLInputElement | HTMLTextAreaElement).value;

/** The form holds the template's type, fields, CIs and team, and the draft is created with its id. */
async function expectFilledAndCreate(server: ReturnType<typeof fakeServer>) {
  await waitFor(() => expect(textOf(/^Title/)).toBe('Patch the orders database'), LOAD);
  expect((screen.getByRole('radio', { name: /Standard change/ }) as HTMLInputElement).checked).toBe(true);
  // The template decides the type: the others wait until the template is cleared.
  expect((screen.getByRole('radio', { name: /Normal change/ }) as HTMLInputElement).disabled).toBe(true);
  expect(textOf('Description')).toBe('Apply the monthly patch bundle');
  expect(textOf('Justification')).toBe('Security fixes from the vendor');
  expect(textOf('Implementation plan')).toContain('Drain the replica');
  expect(textOf('Backout plan')).toBe('Restore the snapshot');
  expect((screen.getByRole('checkbox', { name: 'Backout plan tested' }) as HTMLInputElement).checked).toBe(true);
  expect((screen.getByRole('combobox', { name: 'Impact' }) as HTMLInputElement).value).toBe('Low');
  const summary = screen.getByTestId('template-summary');
  expect(summary.textContent).toContain('Filled from Monthly database patch');
  await waitFor(() => expect(summary.textContent).toContain('Assignment team: Database Administrators'), LOAD);
  expect(summary.textContent).toContain('Used 6 times; last 90 days: 1 of 5 failed');
  // The CI pill carries the CI's name.
  await waitFor(() => expect(screen.getByText('orders-db')).toBeTruthy(), LOAD);

  // What the person changes stays theirs.
  fireEvent.change(screen.getByLabelText(/^Title/), { target: { value: 'Patch orders-db to 14.2' } });
  fireEvent.click(screen.getByRole('button', { name: 'Create draft' }));
  await screen.findByTestId('elsewhere', {}, LOAD);
  const post = server.calls.find((c) => c.method === 'POST');
  expect(post?.body).toMatchObject({
    type: 'standard',
    templateId: 'tpl_patch',
    title: 'Patch orders-db to 14.2',
    description: 'Apply the monthly patch bundle',
    backoutTested: true,
    impact: 'low',
    ciIds: ['ci_db'],
    assignmentTeamId: 'team_dba',
  });
}

describe('NewChangePage: start from a template', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('fills the type, the fields, the CIs and the team from the picked template, and sends its id', async () => {
    const server = newChangeServer();
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NewChangePage />, { path: '/changes/new', route: '/changes/new', me: adminMe });

    const picker = await screen.findByRole('combobox', { name: 'Start from a template' }, LOAD);
    await waitFor(() => expect(picker.getAttribute('placeholder')).toBe('Search templates'), LOAD);
    fireEvent.click(picker);
    const option = await screen.findByRole('option', { name: /Monthly database patch/, hidden: true }, LOAD);
    expect(option.textContent).toContain('used 6 times');
    fireEvent.click(option);
    await expectFilledAndCreate(server);
  });

  it('preselects the template named by ?template= in the address', async () => {
    const server = newChangeServer();
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NewChangePage />, { path: '/changes/new?template=tpl_patch', route: '/changes/new', me: adminMe });
    await waitFor(
      () =>
        expect((screen.getByRole('combobox', { name: 'Start from a template' }) as HTMLInputElement).value).toBe('Monthly database patch'),
      LOAD,
    );
    await expectFilledAndCreate(server);
  });

  it('fills the form from a suspended entry and says the change will be filed as a normal one; a proposed one fills nothing', async () => {
    vi.stubGlobal('fetch', newChangeServer({ ...sampleTemplate, state: 'suspended', active: false }).fetch);
    renderWithProviders(<NewChangePage />, { path: '/changes/new?template=tpl_patch', route: '/changes/new', me: adminMe });
    await waitFor(() => expect(textOf(/^Title/)).toBe('Patch the orders database'), LOAD);
    expect(screen.getByText(/is suspended/).textContent).toContain('Monthly database patch');
    expect(screen.getByTestId('template-summary').textContent).toContain('(suspended)');
    cleanup();

    vi.stubGlobal('fetch', newChangeServer({ ...sampleTemplate, state: 'proposed', active: false }).fetch);
    renderWithProviders(<NewChangePage />, { path: '/changes/new?template=tpl_patch', route: '/changes/new', me: adminMe });
    expect((await screen.findByText(/is proposed/, {}, LOAD)).textContent).toContain('Monthly database patch');
    expect(screen.getByText(/once a change manager activates it/)).toBeTruthy();
    expect(textOf(/^Title/)).toBe('');
  });

  it('keeps what was filled in when the template is cleared, and sends no template id', async () => {
    const server = newChangeServer();
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NewChangePage />, { path: '/changes/new?template=tpl_patch', route: '/changes/new', me: adminMe });
    await waitFor(() => expect(textOf(/^Title/)).toBe('Patch the orders database'), LOAD);

    const picker = screen.getByRole('combobox', { name: 'Start from a template' }).closest('.mantine-Select-root') as HTMLElement;
    fireEvent.click(within(picker).getByRole('button', { hidden: true }));
    await waitFor(() => expect(screen.queryByTestId('template-summary')).toBeNull(), LOAD);
    expect(textOf(/^Title/)).toBe('Patch the orders database');
    fireEvent.click(screen.getByRole('radio', { name: /Normal change/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Create draft' }));
    await screen.findByTestId('elsewhere', {}, LOAD);
    const body = server.calls.find((c) => c.method === 'POST')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'normal', title: 'Patch the orders database' });
    expect(body).not.toHaveProperty('templateId');
  });
});
