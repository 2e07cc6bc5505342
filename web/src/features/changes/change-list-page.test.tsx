import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Team } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { sampleTemplate } from '../templates/test-fixtures';
import { ChangeListPage } from './change-list-page';
import { sampleCi } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };

const team = (id: string, name: string): Team => ({ id, name, handle: id, description: '', memberIds: [], createdAt: '2026-01-01T00:00:00.000Z' });
const webCi = { ...sampleCi, id: 'ci_web', name: 'orders-web', type: 'server' };

function open(path: string) {
  const server = fakeServer([
    { path: '/api/v1/changes', body: { items: [], nextCursor: null } },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: { items: [team('team_db', 'Databases'), team('team_net', 'Network'), team('team_web', 'Web')], nextCursor: null } },
    { path: '/api/v1/services', body: { items: [], nextCursor: null } },
    { path: '/api/v1/templates', body: { items: [sampleTemplate, { ...sampleTemplate, id: 'tpl_restart', name: 'Restart web' }], nextCursor: null } },
    { path: '/api/v1/cis', body: { items: [], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
    { path: '/api/v1/cis/ci_web', body: webCi },
    { path: '/api/v1/people', body: { items: [{ id: 'u_ada', name: 'Ada Lovelace' }, { id: 'u_bob', name: 'Bob Builder' }], nextCursor: null } },
    { path: '/api/v1/me/saved-views', body: { items: [], nextCursor: null } },
  ]);
  vi.stubGlobal('fetch', server.fetch);
  const view = renderWithProviders(<ChangeListPage />, { path, route: '/changes', me: adminMe });
  const search = () => new URLSearchParams(view.router.state.location.search);
  const listQueries = () =>
    server.calls.filter((c) => c.url.split('?')[0] === '/api/v1/changes').map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));
  return { search, listQueries };
}

describe('ChangeListPage: filters of several values', { timeout: 20_000 }, () => {
  it('reads several teams, requesters, CIs and templates from the address, shows each by name, and sends them comma-separated', async () => {
    const { listQueries } = open('/changes?assignmentTeamId=team_db,team_net&requesterId=u_ada,u_bob&ciId=ci_db,ci_web&templateId=tpl_patch,tpl_restart');
    await waitFor(
      () =>
        expect(listQueries().at(-1)).toMatchObject({
          assignmentTeamId: 'team_db,team_net',
          requesterId: 'u_ada,u_bob',
          ciId: 'ci_db,ci_web',
          templateId: 'tpl_patch,tpl_restart',
        }),
      LOAD,
    );
    // Each picker shows what is chosen by name, as a pill per value.
    for (const name of ['Databases', 'Network', 'Ada Lovelace', 'Bob Builder', 'orders-db', 'orders-web', 'Monthly database patch', 'Restart web'])
      expect(await screen.findByText(name, { selector: '.mantine-Pill-label' }, LOAD)).toBeTruthy();
  });

  it('adds a second team to the address as ?assignmentTeamId=a,b and takes one off again', async () => {
    const { search, listQueries } = open('/changes?assignmentTeamId=team_db');
    await screen.findByText('Databases', { selector: '.mantine-Pill-label' }, LOAD);
    fireEvent.click(screen.getByRole('combobox', { name: 'Team' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Network', hidden: true }));
    await waitFor(() => expect(search().get('assignmentTeamId')).toBe('team_db,team_net'));
    await waitFor(() => expect(listQueries().at(-1)).toMatchObject({ assignmentTeamId: 'team_db,team_net' }), LOAD);

    fireEvent.click(await screen.findByRole('option', { name: 'Databases', hidden: true }));
    await waitFor(() => expect(search().get('assignmentTeamId')).toBe('team_net'));
  });
});
