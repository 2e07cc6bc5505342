import { fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithProviders } from '../../test/render';
import { parseSealedRecord, SealedApprovalRecord } from './sealed-approval-record';

const CONTENT = '5a01d5810b118cfdc77d62f4e68a98b15b635b286724dde9965bf28151588725';
const body = JSON.stringify(
  {
    contentHash: CONTENT,
    approvals: [
      {
        stage: 'specialists',
        rule: 'dba',
        approver: 'dba',
        reason: 'Database changes are reviewed by the DBAs',
        policyVersion: 3,
        decidedAt: '2026-12-06T07:07:43.319Z',
        votes: [{ by: 'Erin Silva', decision: 'approve', comment: 'Backout rehearsed.', at: '2026-12-06T07:07:43.319Z', contentHash: CONTENT, onBehalfOf: 'Dave Kowalski' }],
      },
      {
        stage: 'authority',
        rule: 'change_manager',
        approver: 'change-managers',
        reason: 'A normal change of low or moderate risk is authorised by a change manager',
        policyVersion: 3,
        decidedAt: '2026-12-06T08:00:00.000Z',
        votes: [{ by: 'Alice Martin', decision: 'approve', comment: '', at: '2026-12-06T08:00:00.000Z', contentHash: 'f'.repeat(64) }],
      },
    ],
  },
  null,
  2,
);

afterEach(() => vi.unstubAllGlobals());

describe('SealedApprovalRecord', () => {
  it('reads a record, and gives up on text that is not one', () => {
    expect(parseSealedRecord(body)?.approvals.map((a) => a.rule)).toEqual(['dba', 'change_manager']);
    expect(parseSealedRecord('[{"stage":"x"}]')).toBeNull();
    expect(parseSealedRecord('not json')).toBeNull();
  });

  it('says for which content, and for each approval its stage, approver, rule and reason, when, and every vote with its comment', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        {
          path: '/api/v1/teams',
          body: {
            items: [
              { id: 't1', handle: 'dba', name: 'Database Administration', description: '', memberIds: [], createdAt: '2026-01-01T00:00:00.000Z' },
              { id: 't2', handle: 'change-managers', name: 'Change Managers', description: '', memberIds: [], createdAt: '2026-01-01T00:00:00.000Z' },
            ],
            nextCursor: null,
          },
        },
        { path: '/api/v1/changes/chg_1/approvals', body: { items: [{ stage: 'specialists', stageLabel: 'Specialist review' }] } },
      ]).fetch,
    );
    renderWithProviders(<SealedApprovalRecord body={body} changeId="chg_1" sha256={'3'.repeat(64)} />);

    await screen.findByRole('heading', { name: 'Specialist review: Database Administration' });
    expect(await screen.findByRole('heading', { name: 'Authority: Change Managers' })).toBeTruthy();
    const record = screen.getByTestId('sealed-record');
    expect(record.textContent).toContain(CONTENT);
    expect(record.textContent).toContain(`sha256 ${'3'.repeat(64)}`);
    const approvals = within(screen.getByRole('list', { name: 'Approvals in the record' })).getAllByRole('listitem').filter((li) => li.parentElement?.getAttribute('aria-label') === 'Approvals in the record');
    expect(approvals).toHaveLength(2);
    expect(approvals[0]!.textContent).toContain('dba Database changes are reviewed by the DBAs');
    expect(approvals[0]!.textContent).toContain('v3');
    expect(approvals[0]!.textContent).toContain('Approved by Erin Silva for Dave Kowalski (delegated)');
    expect(approvals[0]!.textContent).toContain('“Backout rehearsed.”');
    // A vote given for other content says so; one for the sealed content does not.
    expect(approvals[0]!.textContent).not.toContain('for content');
    expect(approvals[1]!.textContent).toContain('for content ffffffffffff');
    // The JSON as sealed is one click away.
    expect(screen.queryByText(/"contentHash"/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Show the record as sealed (JSON)' }));
    expect(screen.getByText(/"contentHash"/)).toBeTruthy();
  });
});
