import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setDisplayTimeZone } from '../../shared/format';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { AgendaPanel } from './agenda-panel';
import { DecisionPanel } from './decision-panel';
import type { AgendaItemView, AgendaView } from './meetings-api';
import { agendaItem } from './test-fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  setDisplayTimeZone(null);
});

const M = '/api/v1/meetings/mtg_1';

const item = (over: Partial<AgendaItemView> = {}): AgendaItemView =>
  agendaItem({ urgent: false, votes: { approve: 1, reject: 0, missingMembers: 1, missingDomains: [] }, ...over });

const retro = item({
  changeId: 'chg_50',
  number: 'CHG0000050',
  title: 'Hotfix the card gateway',
  position: 2,
  approvalId: null,
  votes: { approve: 0, reject: 0, missingMembers: 2, missingDomains: [] },
  retrospective: { boardId: 'brd_ecab', boardName: 'ECAB', approvalId: 'apr_9', approvedAt: '2026-12-05T03:10:00.000Z' },
});

const agenda: AgendaView = {
  meetingId: 'mtg_1',
  frozen: true,
  items: [item(), retro],
  decidedAhead: [],
  fyi: [],
  removed: [],
  overrunMinutes: 0,
};

describe('retrospective items on the workbench', () => {
  it('marks a retrospective item on the agenda with a badge and who approved it, instead of the votes', () => {
    setDisplayTimeZone('UTC');
    renderWithProviders(
      <AgendaPanel meetingId="mtg_1" agenda={agenda} selected={null} onSelect={() => undefined} currentChangeId={null} canEdit={false} />,
      { me: adminMe },
    );
    const rows = within(screen.getByRole('table', { name: 'Agenda items' })).getAllByRole('row');
    const regular = rows.find((r) => within(r).queryByText('CHG0000042'))!;
    const reviewed = rows.find((r) => within(r).queryByText('CHG0000050'))!;
    expect(within(reviewed).getByText('Retrospective')).toBeTruthy();
    expect(within(reviewed).getByText('Approved by ECAB')).toBeTruthy();
    expect(within(regular).queryByText('Retrospective')).toBeNull();
    expect(within(regular).getByText(/1 for, 0 against/)).toBeTruthy();
  });

  it('offers ratify or flag on a retrospective item, and sends the choice with its rationale', async () => {
    const server = fakeServer([{ method: 'POST', path: `${M}/items/chg_50/decision`, status: 201, body: {} }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(
      <DecisionPanel
        meetingId="mtg_1"
        meetingStart="2026-12-07T10:00:00.000Z"
        boardId="brd_pay"
        changeId="chg_50"
        number="CHG0000050"
        retrospective
      />,
      { me: adminMe },
    );
    const form = screen.getByRole('form', { name: 'Decision on CHG0000050' });
    expect(
      within(form)
        .getAllByRole('radio')
        .map((r) => r.getAttribute('value')),
    ).toEqual(['ratify', 'flag']);
    fireEvent.click(within(form).getByRole('radio', { name: 'Flag' }));
    fireEvent.change(within(form).getByRole('textbox', { name: /^Rationale/ }), { target: { value: 'The backout was never tested.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Record the decision' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({ decision: 'flag', rationale: 'The backout was never tested.' });
  });

  it('offers the usual decisions on an item awaiting the board', () => {
    renderWithProviders(
      <DecisionPanel meetingId="mtg_1" meetingStart="2026-12-07T10:00:00.000Z" boardId="brd_pay" changeId="chg_42" number="CHG0000042" />,
      { me: adminMe },
    );
    const form = screen.getByRole('form', { name: 'Decision on CHG0000042' });
    expect(
      within(form)
        .getAllByRole('radio')
        .map((r) => r.getAttribute('value')),
    ).toEqual(['approve', 'approve_with_conditions', 'defer', 'reject', 'request_info']);
  });
});
