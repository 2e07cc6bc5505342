import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDateTime } from '../../shared/format';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { approvalKeys } from '../approvals/approvals-api';
import { myApproval } from '../approvals/test-fixtures';
import { meeting } from '../meetings/test-fixtures';
import type { Home } from './home-api';
import { HomePage } from './home-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const empty = { count: 0, items: [] };
const home: Home = {
  generatedAt: '2026-12-06T09:00:00.000Z',
  sees: { approvals: true, changeManagement: false, oversight: false },
  approvals: empty,
  myChanges: { ...empty, states: [] },
  implementing: { ...empty, from: '2026-12-06T09:00:00.000Z', to: '2026-12-13T09:00:00.000Z' },
  triage: null,
  conflicts: null,
  slaAtRisk: null,
  freezes: null,
  oversight: null,
};

const cabVote = myApproval({
  id: 'apr_cab',
  rule: 'cab',
  stage: 'authority',
  stageLabel: 'Change authority',
  approver: { kind: 'board', ref: 'brd_pay', label: 'Payments CAB' },
  quorum: { kind: 'board', value: null },
  dueAt: '2099-01-05T10:00:00.000Z',
  changeNumber: 'CHG0000042',
  changeTitle: 'Rotate the card vault keys',
});
const teamApproval = myApproval({ changeNumber: 'CHG0000007', changeTitle: 'Upgrade the orders database' });

describe('CAB votes on the home page', { timeout: 20_000 }, () => {
  it('lists the pending board approvals with the board, the change and its due time, and leaves the others out', async () => {
    const server = fakeServer([
      { path: '/api/v1/home', body: home },
      {
        path: '/api/v1/me/approvals',
        body: { items: [teamApproval, cabVote, myApproval({ ...cabVote, id: 'apr_done', state: 'approved', changeNumber: 'CHG0000099' })] },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<HomePage />, { me: adminMe });
    const section = await screen.findByRole('region', { name: 'CAB votes waiting for you' }, LOAD);
    const items = within(section).getAllByRole('listitem');
    expect(items).toHaveLength(1);
    const link = within(items[0]!).getByRole('link', { name: 'CHG0000042' });
    expect(link.getAttribute('href')).toBe('/changes/CHG0000042');
    expect(items[0]!.textContent).toContain('Rotate the card vault keys');
    expect(items[0]!.textContent).toContain('Payments CAB');
    expect(items[0]!.textContent).toContain(`Due ${formatDateTime('2099-01-05T10:00:00.000Z')}`);
    expect(within(section).getByRole('link', { name: '1 vote in My approvals' }).getAttribute('href')).toBe('/approvals');
    expect(within(section).queryByText('CHG0000007')).toBeNull();
  });

  it('links each vote to its board’s meeting under way, else its next planned one', async () => {
    const other = myApproval({
      ...cabVote,
      id: 'apr_tech',
      approver: { kind: 'board', ref: 'brd_arch', label: 'Architecture board' },
      changeNumber: 'CHG0000043',
      changeTitle: 'Split the ledger',
    });
    const lonely = myApproval({
      ...cabVote,
      id: 'apr_ecab',
      approver: { kind: 'board', ref: 'brd_ecab', label: 'ECAB' },
      changeNumber: 'CHG0000044',
      changeTitle: 'Hotfix',
    });
    const server = fakeServer([
      { path: '/api/v1/home', body: home },
      { path: '/api/v1/me/approvals', body: { items: [cabVote, other, lonely] } },
      {
        path: '/api/v1/meetings',
        body: {
          items: [
            meeting({ id: 'mtg_old', boardId: 'brd_pay', start: '2099-01-01T09:00:00.000Z', state: 'ended' }),
            meeting({ id: 'mtg_late', boardId: 'brd_pay', start: '2099-01-09T09:00:00.000Z' }),
            meeting({ id: 'mtg_next', boardId: 'brd_pay', start: '2099-01-02T09:00:00.000Z' }),
            meeting({ id: 'mtg_arch_next', boardId: 'brd_arch', start: '2099-01-02T09:00:00.000Z' }),
            meeting({ id: 'mtg_arch_live', boardId: 'brd_arch', start: '2099-01-01T08:00:00.000Z', state: 'live' }),
          ],
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<HomePage />, { me: adminMe });
    const section = await screen.findByRole('region', { name: 'CAB votes waiting for you' }, LOAD);
    const next = await within(section).findByRole('link', { name: `next meeting ${formatDateTime('2099-01-02T09:00:00.000Z')}` }, LOAD);
    expect(next.getAttribute('href')).toBe('/meetings/mtg_next');
    expect(within(section).getByRole('link', { name: 'its meeting is under way' }).getAttribute('href')).toBe('/meetings/mtg_arch_live');
    const items = within(section).getAllByRole('listitem');
    expect(
      within(items[2]!)
        .queryAllByRole('link')
        .map((l) => l.textContent),
    ).toEqual(['CHG0000044']);
  });

  it('shows no section when no board approval waits', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/home', body: home },
        { path: '/api/v1/me/approvals', body: { items: [teamApproval] } },
      ]).fetch,
    );
    const { client } = renderWithProviders(<HomePage />, { me: adminMe });
    expect(await screen.findByRole('region', { name: 'Approvals waiting for you' }, LOAD)).toBeTruthy();
    // The section would show once the approvals are read.
    await waitFor(() => expect(client.getQueryState(approvalKeys.mine)?.status).toBe('success'), LOAD);
    expect(screen.queryByRole('region', { name: 'CAB votes waiting for you' })).toBeNull();
  });
});
