import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { ChangeDetail } from '../../api/types';
import { formatDateTime } from '../../shared/format';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { type ChangeCheck, ChangeChecksPanel, checksSummary } from './change-checks-panel';
import { sampleChange } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const at = '2026-12-01T09:00:00.000Z';
const check = (name: ChangeCheck['name'], result: ChangeCheck['result'], reason: string): ChangeCheck => ({
  name,
  result,
  reason,
  checkedAt: at,
  stage: 'filing',
});

const passing: ChangeCheck[] = [
  check('eligibility', 'pass', 'orders-db is a production database, as the entry allows'),
  check('schedule', 'pass', 'No freeze or blocking conflict in the planned time'),
  check('incidents', 'pass', 'No open incident on orders-db'),
  check('known_errors', 'pass', 'No known error on orders-db'),
  check('dependencies', 'pass', '3 CIs reachable over the CMDB, within the limit of 10'),
  check('evidence', 'pass', 'No evidence required'),
];
const standard: ChangeDetail = { ...sampleChange, type: 'standard', templateId: 'tpl_patch', templateVersion: 2, checks: passing };

describe('checksSummary', () => {
  it.each([
    ['All 6 checks passed', passing],
    ['The check passed', [passing[0]!]],
    ['1 warning, 5 passed', [...passing.slice(0, 5), check('evidence', 'warn', 'Test evidence needed before implementation')]],
    ['2 failed, 1 warning', [check('incidents', 'fail', 'P1 open'), check('schedule', 'fail', 'Freeze'), check('evidence', 'warn', 'x')]],
  ])('sums the checks up as "%s"', (words, checks) => expect(checksSummary(checks)).toBe(words));
});

describe('ChangeChecksPanel', { timeout: 20_000 }, () => {
  it('shows nothing on a change that was never checked', () => {
    renderWithProviders(<ChangeChecksPanel change={sampleChange} canRun />, { me: adminMe });
    expect(screen.queryByRole('region', { name: 'Pre-approval checks' })).toBeNull();
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('lists each check with its result in words beside the icon, its reason and when it ran', () => {
    renderWithProviders(<ChangeChecksPanel change={standard} canRun />, { me: adminMe });
    const panel = screen.getByRole('region', { name: 'Pre-approval checks' });
    expect(within(panel).getByTestId('checks-summary').textContent).toBe('All 6 checks passed');
    const items = within(within(panel).getByRole('list', { name: 'Checks' })).getAllByRole('listitem');
    expect(items.map((i) => i.textContent)).toEqual([
      '✓Eligibility: Passedorders-db is a production database, as the entry allows',
      '✓Schedule conflicts and freezes: PassedNo freeze or blocking conflict in the planned time',
      '✓Open incidents on its CIs: PassedNo open incident on orders-db',
      '✓Known errors on its CIs: PassedNo known error on orders-db',
      '✓Dependencies over the CMDB: Passed3 CIs reachable over the CMDB, within the limit of 10',
      '✓Required evidence: PassedNo evidence required',
    ]);
    // The icon repeats the word for sighted people and is hidden from screen readers.
    expect(items[0]!.querySelector('[aria-hidden]')?.textContent).toBe('✓');
    expect(panel.textContent).toContain(`Checked ${formatDateTime(at)}`);
    expect(panel.textContent).toContain('A standard change is pre-approved while no check fails');
    expect(panel.textContent).toContain('The rules are those of version 2 of the entry, which the change keeps.');
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('says why a converted change became normal, with its failing checks', () => {
    const converted: ChangeDetail = {
      ...standard,
      type: 'normal',
      checks: [check('incidents', 'fail', 'orders-db has an open P1 incident (INC0000007)'), ...passing.slice(1, 3)],
      conversion: {
        from: 'standard',
        reason: 'checks_failed',
        message: 'Open incidents on its CIs failed: orders-db has an open P1 incident (INC0000007).',
      },
    };
    renderWithProviders(<ChangeChecksPanel change={converted} canRun={false} />, { me: adminMe });
    const note = screen.getByRole('note');
    expect(note.textContent).toContain('Filed as a normal change: a pre-approval check failed');
    expect(note.textContent).toContain('orders-db has an open P1 incident (INC0000007).');
    expect(note.textContent).toContain('It needs the approvals of a normal change.');
    expect(within(note).getByRole('link', { name: 'Open the catalogue entry' }).getAttribute('href')).toBe('/templates/tpl_patch');
    expect(screen.getByTestId('checks-summary').textContent).toBe('1 failed, 2 passed');
    expect(screen.getAllByRole('listitem')[0]!.textContent).toContain('Open incidents on its CIs: Failed');
    expect(screen.queryByRole('button', { name: 'Run again' })).toBeNull();
  });

  it('says a change from a suspended entry became normal, even without checks', () => {
    const suspended: ChangeDetail = {
      ...standard,
      type: 'normal',
      checks: [],
      conversion: { from: 'standard', reason: 'template_suspended', message: 'The catalogue entry “Monthly database patch” is suspended.' },
    };
    renderWithProviders(<ChangeChecksPanel change={suspended} canRun />, { me: adminMe });
    expect(screen.getByRole('note').textContent).toContain('Filed as a normal change: its catalogue entry is suspended');
    expect(screen.getByRole('note').textContent).toContain('is suspended.');
    expect(screen.queryByRole('button', { name: 'Run again' })).toBeNull();
  });

  it('says a change asked for as standard without an entry became normal, and links to the catalogue', () => {
    const noEntry: ChangeDetail = {
      ...sampleChange,
      type: 'normal',
      templateId: null,
      checks: [],
      conversion: {
        from: 'standard',
        reason: 'no_entry',
        message: 'Filed as a normal change, with approvals: this one named no entry of the catalogue.',
      },
    };
    renderWithProviders(<ChangeChecksPanel change={noEntry} canRun />, { me: adminMe });
    const note = screen.getByRole('note');
    expect(note.textContent).toContain('Filed as a normal change: no catalogue entry was named');
    expect(note.textContent).toContain('this one named no entry of the catalogue.');
    expect(within(note).getByRole('link', { name: 'Open the standard change catalogue' }).getAttribute('href')).toBe(
      '/templates?type=standard',
    );
    expect(within(note).queryByRole('link', { name: 'Open the catalogue entry' })).toBeNull();
    expect(screen.queryByRole('list', { name: 'Checks' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Run again' })).toBeNull();
  });

  it('runs the checks again on the server and reads the change again', async () => {
    const server = fakeServer([{ method: 'POST', path: '/api/v1/changes/chg_1/checks', body: { ...standard, checks: passing } }]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    const { client } = renderWithProviders(<ChangeChecksPanel change={standard} canRun />, { me: adminMe });
    const invalidate = vi.spyOn(client, 'invalidateQueries');
    fireEvent.click(screen.getByRole('button', { name: 'Run again' }));
    await waitFor(() => expect(server.calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/v1/changes/chg_1/checks']), LOAD);
    await waitFor(() => expect(invalidate).toHaveBeenCalledWith({ queryKey: ['changes', 'detail'] }), LOAD);
  });

  it('shows why the checks did not run', async () => {
    const server = fakeServer([
      {
        method: 'POST',
        path: '/api/v1/changes/chg_1/checks',
        status: 403,
        body: { error: { code: 'forbidden', message: 'You may not run the checks of this change.', details: {} } },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<ChangeChecksPanel change={standard} canRun />, { me: adminMe });
    fireEvent.click(screen.getByRole('button', { name: 'Run again' }));
    const alert = await screen.findByRole('alert', {}, LOAD);
    expect(alert.textContent).toContain('The checks did not run');
    expect(alert.textContent).toContain('You may not run the checks of this change.');
  });
});
