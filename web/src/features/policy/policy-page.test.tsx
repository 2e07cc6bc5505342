import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { PolicyPage } from './policy-page';

afterEach(() => vi.unstubAllGlobals());

const requesterMe: Me = {
  ...adminMe,
  id: 'u_req',
  name: 'Rita Requester',
  roles: [{ role: 'requester', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create', 'policy.read', 'team.read'],
};

const HASH = 'c37c8baa64e1984a08af26f4e25cd3bb971c3884655ef509d5df6e43a1aeb465';

const policy = {
  ...testPolicy,
  hash: HASH,
  appliedBy: 'system:startup',
  appliedByName: 'Cabinet (at start)',
  description: 'ITIL-style change models.',
  models: {
    ...testPolicy.models,
    normal: {
      ...testPolicy.models.normal,
      states: [
        { id: 'draft', label: 'Draft', requires: [], final: false },
        { id: 'assess', label: 'Assess', requires: ['title', 'ciIds', 'backoutPlan'], final: false },
        { id: 'closed', label: 'Closed', requires: ['closeCode'], final: true },
      ],
      transitions: [
        { from: ['draft'], to: 'assess', label: 'Submit for assessment', roles: ['change_manager'], relations: ['requester', 'owner'] },
        { from: ['assess'], to: 'closed', label: 'Close', roles: ['change_manager'], relations: [] },
      ],
    },
  },
  teams: [
    { handle: 'cab', name: 'Change Advisory Board', description: 'Authorizes risky changes.' },
    { handle: 'dba', name: 'Database Administrators', description: 'Reviews database changes.' },
  ],
};

const teams = {
  items: [
    { id: 't1', handle: 'cab', name: 'Change Advisory Board', description: '', memberIds: [], createdAt: '2026-01-01T00:00:00.000Z' },
    {
      id: 't2',
      handle: 'dba',
      name: 'Database Administrators',
      description: '',
      memberIds: ['u1', 'u2'],
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  nextCursor: null,
};

const version1 = {
  number: 1,
  name: 'default',
  hash: HASH,
  appliedAt: '2026-01-01T00:00:00.000Z',
  appliedBy: 'system:startup',
  appliedByName: 'Cabinet (at start)',
  active: true,
};
const files1 = {
  'bundle.yaml': 'apiVersion: cabinet/v1\nname: default\n',
  'teams.yaml': 'apiVersion: cabinet/v1\nteams:\n  - handle: cab\n    name: CAB\n',
};

const passingReport = {
  passed: 2,
  failed: 0,
  issues: [],
  cases: [
    { file: 'tests/authority.yaml', name: 'A standard change needs no approval', ok: true, mismatches: [] },
    { file: 'tests/authority.yaml', name: 'A risky change goes to the CAB', ok: true, mismatches: [] },
  ],
};

/** What POST /api/v1/policy/preview answers for a bundle with the active content and no open change affected. */
const samePreview = {
  valid: true,
  name: 'default',
  hash: HASH,
  sameAsActive: true,
  tests: passingReport,
  diff: { activeVersion: 1, openChanges: 3, unchanged: 3, changes: [] },
};

function readRoutes(extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    ...extra,
    { path: '/api/v1/policy', body: policy },
    { path: '/api/v1/policy/versions/1/tests', body: { number: 1, ...passingReport } },
    { path: '/api/v1/teams', body: teams },
    { path: '/api/v1/policy/versions', body: { items: [version1], nextCursor: null } },
    { path: '/api/v1/policy/versions/1', body: { ...version1, files: files1 } },
  ]);
}

describe('PolicyPage', () => {
  it('shows the active version, the states of a model with their fields, who may fire each transition, the declared teams and the versions', async () => {
    vi.stubGlobal('fetch', readRoutes().fetch);
    renderWithProviders(<PolicyPage />, { me: requesterMe });

    const active = await screen.findByRole('region', { name: 'Active version' });
    expect(active.textContent).toContain('Version 1');
    expect(active.textContent).toContain(HASH.slice(0, 12));
    expect(active.textContent).not.toContain(HASH);
    expect(active.textContent).toContain('Cabinet (at start)');

    // The normal model is shown first, states in policy order with the fields they need.
    const states = screen.getByRole('table', { name: 'States of the normal change' });
    const rows = within(states).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[1]!.textContent)).toEqual(['Draftinitial', 'Assess', 'Closedfinal']);
    expect(rows[1]!.textContent).toContain('Title, Affected CIs, Backout plan');
    const transitions = screen.getByRole('table', { name: 'Transitions of the normal change' });
    const submit = within(transitions).getByRole('row', { name: /Submit for assessment/ });
    expect(submit.textContent).toContain('Draft → Assess');
    expect(submit.textContent).toContain('Change manager');
    expect(submit.textContent).toContain('its requester');
    expect(submit.textContent).toContain('its owner');

    const declared = screen.getByRole('table', { name: 'Teams declared by the policy' });
    const cab = within(declared).getByRole('row', { name: /Change Advisory Board/ });
    expect(within(cab).getByRole('link', { name: 'Change Advisory Board' }).getAttribute('href')).toBe('/admin/teams#team-cab');
    await waitFor(() => expect(cab.textContent).toContain('nobody yet'));
    expect(within(declared).getByRole('row', { name: /Database Administrators/ }).textContent).toMatch(/2$/);

    const versions = await screen.findByRole('table', { name: 'Policy versions' });
    expect(within(versions).getAllByRole('row')[1]!.textContent).toContain('active');

    // Applying is for admins only.
    expect(screen.queryByRole('button', { name: 'Apply a new version' })).toBeNull();
  });

  it('lists every problem of a refused bundle with its file, line, column and path, and marks the files that have problems', async () => {
    const issues = [
      { file: 'teams.yaml', line: 5, column: 5, path: 'teams.0.colour', message: 'unknown field "colour"' },
      { file: 'bundle.yaml', line: 2, column: 7, path: 'name', message: 'Invalid input: expected string' },
    ];
    const server = readRoutes([
      {
        method: 'POST',
        path: '/api/v1/policy/preview',
        status: 422,
        body: { error: { code: 'invalid_policy', message: 'The policy bundle has 2 problems: …', details: { issues } } },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<PolicyPage />, { me: adminMe });

    fireEvent.click(await screen.findByRole('button', { name: 'Apply a new version' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Start from version 1' }));
    // The files come in closed; open the one to edit.
    fireEvent.click(await screen.findByRole('button', { name: 'Edit teams.yaml' }));
    expect(screen.queryByRole('textbox', { name: 'Content of bundle.yaml' })).toBeNull();
    const teamsText = screen.getByRole('textbox', { name: 'Content of teams.yaml' });
    expect((teamsText as HTMLTextAreaElement).value).toBe(files1['teams.yaml']);
    fireEvent.change(teamsText, {
      target: { value: 'apiVersion: cabinet/v1\nteams:\n  - handle: cab\n    name: CAB\n    colour: blue\n' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));

    const problems = await screen.findByRole('list', { name: 'Problems in the bundle' });
    // In file order, then line: bundle.yaml before teams.yaml.
    expect(
      within(problems)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['bundle.yaml:2:7 name Invalid input: expected string', 'teams.yaml:5:5 teams.0.colour unknown field "colour"']);
    expect(screen.getAllByText('1 problem in this file')).toHaveLength(2);
    // Every file with a problem opens, so its text is right there to fix.
    expect(screen.getByRole('textbox', { name: 'Content of bundle.yaml' })).toBeTruthy();
    // A refused preview offers no way to apply.
    expect(screen.queryByRole('button', { name: 'Apply as a new version' })).toBeNull();
    const post = server.calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe('/api/v1/policy/preview');
    expect(post?.body).toEqual({
      files: {
        'bundle.yaml': files1['bundle.yaml'],
        'teams.yaml': 'apiVersion: cabinet/v1\nteams:\n  - handle: cab\n    name: CAB\n    colour: blue\n',
      },
    });
  });

  it('takes uploaded files, checks their names before sending, and says when the active version already has the content', async () => {
    const server = readRoutes([
      { method: 'POST', path: '/api/v1/policy/preview', body: samePreview },
      { method: 'POST', path: '/api/v1/policy/versions', status: 200, body: { ...version1, applied: false } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<PolicyPage />, { me: adminMe });

    fireEvent.click(await screen.findByRole('button', { name: 'Apply a new version' }));
    const form = screen.getByRole('form', { name: 'Apply a new policy version' });
    const input = form.querySelector('input[type="file"]') as HTMLInputElement;
    fireEvent.change(input, {
      target: {
        files: [new File(['apiVersion: cabinet/v1\nname: mine\n'], 'bundle.yaml'), new File(['apiVersion: cabinet/v1\n'], 'teams.yaml')],
      },
    });
    expect(((await screen.findByRole('textbox', { name: 'Name of bundle.yaml' })) as HTMLInputElement).value).toBe('bundle.yaml');
    fireEvent.click(screen.getByRole('button', { name: 'Edit bundle.yaml' }));
    expect((screen.getByRole('textbox', { name: 'Content of bundle.yaml' }) as HTMLTextAreaElement).value).toBe(
      'apiVersion: cabinet/v1\nname: mine\n',
    );

    // A file added by hand must be named before anything is sent.
    fireEvent.click(screen.getByRole('button', { name: 'Add a file' }));
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByText('Name the file, e.g. teams.yaml')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Remove new file' }));

    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Apply as a new version' }));
    expect((await screen.findByRole('status')).textContent).toContain('Version 1 already has exactly this content; nothing was applied.');
    expect(
      Object.keys((server.calls.find((c) => c.url === '/api/v1/policy/versions' && c.method === 'POST')?.body as { files: object }).files),
    ).toEqual(['bundle.yaml', 'teams.yaml']);
  });

  it('closes the form and announces the new version when the bundle is applied', async () => {
    const server = readRoutes([
      { method: 'POST', path: '/api/v1/policy/preview', body: samePreview },
      {
        method: 'POST',
        path: '/api/v1/policy/versions',
        status: 201,
        body: { ...version1, number: 2, appliedBy: 'u_admin', appliedByName: 'Ada Admin', applied: true },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<PolicyPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Apply a new version' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Start from version 1' }));
    await screen.findByRole('textbox', { name: 'Name of teams.yaml' });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Apply as a new version' }));
    expect((await screen.findByRole('status')).textContent).toContain('Applied policy version 2.');
    expect(screen.queryByRole('form', { name: 'Apply a new policy version' })).toBeNull();
    // The page reads the policy again.
    await waitFor(() => expect(server.calls.filter((c) => c.url === '/api/v1/policy').length).toBeGreaterThan(1));
  });
});
