import type { AgendaItemView, Meeting } from './meetings-api';

/** An agenda item as the API gives it, for the workbench's tests: an urgent high-risk change one vote short. */
export function agendaItem(over: Partial<AgendaItemView> = {}): AgendaItemView {
  return {
    changeId: 'chg_42',
    number: 'CHG0000042',
    title: 'Upgrade the payments database',
    riskLevel: 'high',
    riskScore: 64,
    plannedStart: '2026-12-12T22:00:00.000Z',
    position: 1,
    allottedMinutes: 15,
    startsAtMinute: 0,
    urgent: true,
    overflow: false,
    addedReason: null,
    late: false,
    movedReason: null,
    approvalId: 'apr_1',
    votes: { approve: 1, reject: 0, missingMembers: 1, missingDomains: ['security'] },
    decision: null,
    ...over,
  };
}

/** A planned meeting of the Payments CAB, as GET /api/v1/meetings/{id} answers. */
export function meeting(over: Partial<Meeting> = {}): Meeting {
  return {
    id: 'mtg_1',
    boardId: 'brd_pay',
    boardName: 'Payments CAB',
    boardKind: 'cab',
    title: 'Payments CAB weekly',
    start: '2026-12-10T09:00:00.000Z',
    end: '2026-12-10T10:00:00.000Z',
    durationMinutes: 60,
    state: 'planned',
    chair: { userId: 'u_ana', name: 'Ana' },
    startedAt: null,
    endedAt: null,
    cancelledReason: null,
    currentItem: null,
    notes: '',
    attendance: [{ userId: 'u_ana', name: 'Ana', present: true, attested: true, domains: [] }],
    minutesHash: null,
    version: 3,
    createdBy: 'u_cm',
    createdAt: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}
