/** Sample API answers for the change tests (not part of the app bundle: only tests import this file). */
import type { ChangeDetail, RiskDetail } from '../../api/types';
import type { BreakGlass, Evidence, GateStatus } from './governance-api';

/** The default policy's nine factors for a change on a critical PCI database: five apply, four do not. */
export const sampleRisk: RiskDetail = {
  score: 54,
  level: 'high',
  computedLevel: 'high',
  policyVersion: 1,
  override: null,
  factors: [
    { name: 'ci_criticality', label: 'CI criticality', contribution: 20, reason: 'A critical CI is affected' },
    { name: 'service_tier', label: 'Service tier', contribution: 15, reason: 'A tier 1 service is affected' },
    { name: 'blast_radius', label: 'Number of CIs and services', contribution: 0, reason: 'Does not apply' },
    { name: 'complexity', label: 'Change complexity', contribution: 4, reason: 'A change of more than an hour or more than 5 steps' },
    { name: 'rollback', label: 'Rollback feasibility', contribution: -5, reason: 'The backout plan has been tested' },
    { name: 'timing', label: 'Timing', contribution: 0, reason: 'Does not apply' },
    { name: 'regulated', label: 'Regulated systems', contribution: 10, reason: 'A regulated system (SOX, PCI, HIPAA or GDPR) is affected' },
    { name: 'team_history', label: 'History of the team', contribution: 0, reason: 'Does not apply' },
    { name: 'ci_history', label: 'History of the CIs', contribution: 0, reason: 'Does not apply' },
  ],
};

export const sampleChange: ChangeDetail = {
  id: 'chg_1',
  number: 'CHG0000001',
  type: 'normal',
  state: 'draft',
  title: 'Upgrade the orders database',
  description: '',
  justification: '',
  requesterId: 'u_admin',
  ownerId: 'u_admin',
  assignmentTeamId: null,
  changeManagerId: null,
  implementerId: null,
  ciIds: [],
  serviceIds: [],
  plannedStart: null,
  plannedEnd: null,
  actualStart: null,
  actualEnd: null,
  implementationPlan: '',
  testPlan: '',
  backoutPlan: '',
  backoutTested: false,
  impact: 'medium',
  urgency: 'medium',
  priority: 3,
  closeCode: null,
  closeNotes: '',
  links: [],
  policyVersion: 1,
  risk: { score: 54, level: 'high', computedLevel: 'high', overridden: false, policyVersion: 1 },
  routing: null,
  reviewRequired: false,
  hold: null,
  version: 1,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
  availableTransitions: [],
};

/** A PCI change whose approvals are all in (the record is sealed) but whose test evidence is not attached yet. */
export const sampleEvidence: { items: Evidence[]; gates: GateStatus[] } = {
  items: [
    {
      id: 'ev_1',
      changeId: 'chg_1',
      kind: 'approval_record',
      title: 'Approval record',
      body: '[{"stage":"specialists","rule":"dba"}]',
      url: null,
      sha256: '3f2a9c0d1e5b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e',
      createdBy: 'system',
      createdByName: 'Cabinet',
      createdAt: '2026-11-02T09:00:00.000Z',
    },
  ],
  gates: [
    {
      name: 'regulated_evidence',
      reason: 'Regulated systems (SOX, HIPAA, GDPR, PCI) need test evidence and the approval record before implementation',
      before: ['implement'],
      evidence: ['test_evidence', 'approval_record'],
      missing: ['test_evidence'],
      error: null,
    },
  ],
};

/** A bypass in force on an emergency change, not reviewed yet. */
export function sampleBreakGlass(over: Partial<BreakGlass> = {}): BreakGlass {
  return {
    id: 'bg_1',
    changeId: 'chg_1',
    userId: 'u_alice',
    userName: 'Alice Martin',
    reason: 'Card payments fail for 2% of customers; the ECAB cannot meet before tonight.',
    skipped: {
      approvals: [{ id: 'apr_ecab', rule: 'ecab', approver: 'Emergency CAB', state: 'pending' }],
      gates: [{ name: 'regulated_evidence', missing: ['test_evidence'] }],
    },
    createdAt: '2026-11-02T09:00:00.000Z',
    expiresAt: '2099-11-02T10:00:00.000Z',
    active: true,
    usedAt: null,
    review: null,
    ...over,
  };
}
