import type { AgendaItemView } from './meetings-api';

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
