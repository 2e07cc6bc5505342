import { fireEvent, render, screen, within } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { theme } from '../../theme';
import type { PolicyDiff, PolicyTestReport } from './policy-api';
import { PolicyImpact } from './policy-impact';
import { PolicyPage } from './policy-page';
import { PolicyTestResults } from './policy-test-results';

afterEach(() => vi.unstubAllGlobals());

const failingReport: PolicyTestReport = {
  passed: 1,
  failed: 1,
  issues: [],
  cases: [
    { file: 'tests/authority.yaml', name: 'A standard change needs no approval', ok: true, mismatches: [] },
    {
      file: 'tests/specialists.yaml',
      name: 'A database change needs the DBAs',
      ok: false,
      mismatches: [{ what: 'approvals', expected: 'dba, change_manager', actual: 'dba, storage, change_manager' }],
    },
  ],
};

const impact: PolicyDiff = {
  activeVersion: 1,
  openChanges: 4,
  unchanged: 3,
  changes: [
    {
      id: 'c1',
      number: 'CHG0000007',
      title: 'Add an index to orders',
      type: 'normal',
      state: 'assess',
      changed: ['risk', 'approvals', 'routing'],
      before: {
        risk: { score: 42, level: 'moderate' },
        approvals: ['dba', 'change_manager'],
        team: 'dba',
        changeManager: 'least busy of change-managers',
        gates: [],
      },
      after: {
        risk: { score: 55, level: 'high' },
        approvals: ['dba', 'storage', 'cab'],
        team: 'storage',
        changeManager: 'least busy of change-managers',
        gates: [],
      },
      approvalsAdded: ['storage', 'cab'],
      approvalsRemoved: ['change_manager'],
      warnings: [],
    },
  ],
};

const files1 = { 'bundle.yaml': 'apiVersion: cabinet/v1\nname: default\n', 'tests/authority.yaml': 'cases: []\n' };
const version1 = {
  number: 1,
  name: 'default',
  hash: 'h1',
  appliedAt: '2026-01-01T00:00:00.000Z',
  appliedBy: 'system:startup',
  appliedByName: 'Cabinet (at start)',
  active: true,
};

function server(extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    ...extra,
    { path: '/api/v1/policy', body: { ...testPolicy, teams: [] } },
    { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
    { path: '/api/v1/policy/versions', body: { items: [version1], nextCursor: null } },
    { path: '/api/v1/policy/versions/1', body: { ...version1, files: files1 } },
    { path: '/api/v1/policy/versions/1/tests', body: { number: 1, ...failingReport } },
  ]);
}

const renderPlain = (ui: React.ReactElement) =>
  render(
    <MantineProvider theme={theme}>
      <MemoryRouter>{ui}</MemoryRouter>
    </MantineProvider>,
  );

describe('PolicyTestResults', () => {
  it('lists failing cases first, each mismatch with what was expected and what the bundle decided, and passing ones on demand', () => {
    renderPlain(<PolicyTestResults report={failingReport} />);
    expect(within(screen.getByRole('table', { name: 'Test cases' })).getAllByRole('row')).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Show the 1 passing case' }));
    const rows = within(screen.getByRole('table', { name: 'Test cases' }))
      .getAllByRole('row')
      .slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/^✗ failedA database change needs the DBAs.*tests\/specialists\.yaml$/),
      '✓ passedA standard change needs no approvaltests/authority.yaml',
    ]);
    expect(
      within(screen.getByRole('list', { name: 'Mismatches of A database change needs the DBAs' })).getByRole('listitem').textContent,
    ).toBe('approvals: expected dba, change_manager, got dba, storage, change_manager');
  });

  it('shows the problems of invalid test files instead of results, and says when there is no case', () => {
    const { unmount } = renderPlain(
      <PolicyTestResults
        report={{
          passed: 0,
          failed: 0,
          cases: [],
          issues: [{ file: 'tests/x.yaml', line: 3, column: 9, path: 'cases.0.expect', message: 'expect at least one of …' }],
        }}
      />,
    );
    expect(screen.getByRole('list', { name: 'Problems in the test files' }).textContent).toBe(
      'tests/x.yaml:3:9 cases.0.expect expect at least one of …',
    );
    unmount();
    renderPlain(<PolicyTestResults report={{ passed: 0, failed: 0, cases: [], issues: [] }} />);
    expect(screen.getByText(/This bundle has no test cases/)).toBeTruthy();
  });
});

describe('PolicyImpact', () => {
  it('shows each affected change with what moves, and counts the others', () => {
    renderPlain(<PolicyImpact diff={impact} />);
    expect(screen.getByLabelText('Impact summary').textContent).toBe(
      'Compared with version 1: 1 of 4 open changes would change; 3 would not.',
    );
    const row = within(screen.getByRole('table', { name: 'Open changes the new version would change' })).getAllByRole('row')[1]!;
    expect(within(row).getByRole('link', { name: 'CHG0000007' }).getAttribute('href')).toBe('/changes/c1');
    const cells = within(row)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells.slice(1)).toEqual(['normal · assess', '42Moderate → 55High', '+ storage+ cab− change_manager', 'team dba → storage', '—']);
  });
});

describe('the policy page with tests and previews', () => {
  it("shows the active version's test results with the failing case's mismatch", async () => {
    vi.stubGlobal('fetch', server().fetch);
    renderWithProviders(<PolicyPage />, { me: adminMe });
    const section = await screen.findByRole('region', { name: 'Test cases' });
    expect(await within(section).findByText('1 passed')).toBeTruthy();
    expect(within(section).getByText('1 failed')).toBeTruthy();
    expect(within(section).getByRole('list', { name: 'Mismatches of A database change needs the DBAs' }).textContent).toContain(
      'got dba, storage, change_manager',
    );
  });

  it('previews before applying: tests and impact are shown, Apply sends exactly the previewed files, and an edit asks for a new preview', async () => {
    const api = server([
      {
        method: 'POST',
        path: '/api/v1/policy/preview',
        body: { valid: true, name: 'default', hash: 'h2', sameAsActive: false, tests: failingReport, diff: impact },
      },
      { method: 'POST', path: '/api/v1/policy/versions', status: 201, body: { ...version1, number: 2, hash: 'h2', applied: true } },
    ]);
    vi.stubGlobal('fetch', api.fetch);
    renderWithProviders(<PolicyPage />, { me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Apply a new version' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Start from version 1' }));
    await screen.findByRole('textbox', { name: 'Name of tests/authority.yaml' });
    expect(screen.queryByRole('button', { name: 'Apply as a new version' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const preview = await screen.findByRole('region', { name: 'Preview' });
    expect(within(preview).getByRole('table', { name: 'Test cases of the new version' })).toBeTruthy();
    expect(within(preview).getByText('1 failed')).toBeTruthy();
    expect(within(preview).getByRole('link', { name: 'CHG0000007' })).toBeTruthy();
    expect(api.calls.find((c) => c.url === '/api/v1/policy/preview')?.body).toEqual({ files: files1 });

    // Editing a file makes the preview stale: it goes, and Preview comes back.
    fireEvent.click(screen.getByRole('button', { name: 'Edit bundle.yaml' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Content of bundle.yaml' }), {
      target: { value: 'apiVersion: cabinet/v1\nname: other\n' },
    });
    expect(screen.queryByRole('region', { name: 'Preview' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Apply as a new version' })).toBeNull();
    fireEvent.change(screen.getByRole('textbox', { name: 'Content of bundle.yaml' }), { target: { value: files1['bundle.yaml'] } });

    // Back to the previewed content: the preview stands again, and applying sends those files.
    fireEvent.click(await screen.findByRole('button', { name: 'Apply as a new version' }));
    expect((await screen.findByRole('status')).textContent).toContain('Applied policy version 2.');
    expect(api.calls.find((c) => c.url === '/api/v1/policy/versions' && c.method === 'POST')?.body).toEqual({ files: files1 });
    expect(api.calls.filter((c) => c.url === '/api/v1/policy/preview')).toHaveLength(1);
  });
});
