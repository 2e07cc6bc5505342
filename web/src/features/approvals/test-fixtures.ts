/** Sample API answers for the approval tests (only tests import this file). */
import type { Approval, MyApproval } from './approvals-api';

/** The fields of a vote that still counts. */
export const counting = { onBehalfOfId: null, onBehalfOfName: null, contentHash: 'c0ffee', superseded: false, voided: false, why: null, endedAt: null };

export function approval(over: Partial<Approval> = {}): Approval {
  return {
    id: 'apr_dba',
    changeId: 'chg_1',
    stage: 'specialists',
    stageLabel: 'Specialist review',
    stageOrder: 0,
    rule: 'dba',
    reason: 'A database is affected',
    approver: { kind: 'team', ref: 'dba', label: 'Database Administration' },
    quorum: { kind: 'any', value: null },
    state: 'pending',
    dueAt: '2099-01-01T10:00:00.000Z',
    escalatedAt: null,
    escalation: { kind: 'team', ref: 'change-managers' },
    policyVersion: 1,
    contentHash: 'c0ffee',
    withdrawnReason: null,
    votes: [],
    canDecide: true,
    decidesFor: null,
    ...over,
  };
}

export const cabApproval = approval({
  id: 'apr_cab',
  stage: 'authority',
  stageLabel: 'Change authority',
  stageOrder: 1,
  rule: 'cab',
  reason: 'A normal change of high or very high risk is authorised by the CAB',
  approver: { kind: 'team', ref: 'cab', label: 'Change Advisory Board' },
  quorum: { kind: 'percent', value: 50 },
  state: 'waiting',
  canDecide: false,
});

export const securityApproval = approval({
  id: 'apr_sec',
  rule: 'security',
  reason: 'A payment (PCI) system is affected',
  approver: { kind: 'team', ref: 'security', label: 'Security' },
  quorum: { kind: 'all', value: null },
  state: 'approved',
  dueAt: '2020-01-01T10:00:00.000Z',
  canDecide: false,
  votes: [{ userId: 'u_frank', userName: 'Frank Li', decision: 'approve', comment: 'Card data untouched.', createdAt: '2026-11-02T09:00:00.000Z', ...counting }],
});

export function myApproval(over: Partial<MyApproval> = {}): MyApproval {
  return { ...approval(), changeNumber: 'CHG0000001', changeTitle: 'Upgrade the orders database', ...over };
}
