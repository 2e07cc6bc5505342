/** Sample API answers for the change tests (not part of the app bundle: only tests import this file). */
import type { ChangeDetail, Ci, RiskDetail } from '../../api/types';
import type { ChangeImpact, Conflict } from './conflicts-api';
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
  templateId: null,
  templateVersion: null,
  checks: [],
  conversion: null,
  version: 1,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
  availableTransitions: [],
  editable: 'all',
  implementationFields: ['actualStart', 'actualEnd', 'closeCode', 'closeNotes', 'links'],
  lockedFields: [],
  concerns: { open: 0, answered: 0 },
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

/** A change on orders-db planned for two hours on 21 December, inside the year-end freeze. */
export const plannedChange: ChangeDetail = {
  ...sampleChange,
  state: 'assess',
  ciIds: ['ci_db'],
  plannedStart: '2026-12-21T22:00:00.000Z',
  plannedEnd: '2026-12-22T00:00:00.000Z',
  version: 3,
};

export const sampleCi: Ci = {
  id: 'ci_db',
  name: 'orders-db',
  type: 'database',
  environment: 'production',
  serviceId: 'svc_pay',
  criticality: 'high',
  tags: ['pci'],
  ownerTeamId: null,
  attributes: {},
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const conflictBase = {
  otherChange: null,
  window: null,
  service: null,
  cis: [],
  excepted: false,
  blocking: false,
  proposedSlot: null,
  acknowledgement: null,
  createdAt: '2026-11-20T10:00:00.000Z',
};

/** The conflicts of `plannedChange`: the freeze, a service outside its window, a shared CI, a busy implementer. */
export const sampleConflicts: Conflict[] = [
  {
    ...conflictBase,
    id: 'cf_overlap',
    kind: 'ci_overlap',
    message: 'CHG0000002 (Patch the orders database) works on orders-db at the same time.',
    startsAt: '2026-12-21T23:00:00.000Z',
    endsAt: '2026-12-22T00:00:00.000Z',
    otherChange: {
      id: 'chg_2',
      number: 'CHG0000002',
      title: 'Patch the orders database',
      state: 'scheduled',
      plannedStart: '2026-12-21T23:00:00.000Z',
      plannedEnd: '2026-12-22T01:00:00.000Z',
    },
    cis: [{ id: 'ci_db', name: 'orders-db' }],
  },
  {
    ...conflictBase,
    id: 'cf_freeze',
    kind: 'freeze',
    message: 'The change falls in the freeze "Year-end freeze".',
    startsAt: '2026-12-20T00:00:00.000Z',
    endsAt: '2027-01-03T00:00:00.000Z',
    window: { id: 'w_freeze', name: 'Year-end freeze', kind: 'freeze' },
    blocking: true,
    proposedSlot: { start: '2027-01-03T00:00:00.000Z', end: '2027-01-03T02:00:00.000Z' },
  },
  {
    ...conflictBase,
    id: 'cf_window',
    kind: 'outside_maintenance_window',
    message: 'Payments requires its changes inside one of its maintenance windows, and this one is not.',
    startsAt: '2026-12-21T22:00:00.000Z',
    endsAt: '2026-12-22T00:00:00.000Z',
    service: { id: 'svc_pay', name: 'Payments' },
    blocking: true,
  },
  {
    ...conflictBase,
    id: 'cf_busy',
    kind: 'assignee_busy',
    message: 'Carol Nguyen also implements CHG0000003 (Rotate keys) at the same time.',
    startsAt: '2026-12-21T22:00:00.000Z',
    endsAt: '2026-12-21T23:00:00.000Z',
    otherChange: { id: 'chg_3', number: 'CHG0000003', title: 'Rotate keys', state: 'assess', plannedStart: null, plannedEnd: null },
    acknowledgement: {
      by: 'u_alice',
      byName: 'Alice Martin',
      at: '2026-11-21T09:00:00.000Z',
      reason: 'Carol does both from the same console',
    },
  },
];

/** The impact of `plannedChange`: orders-api depends on orders-db; one CI was left out by hand. */
export const sampleImpact: ChangeImpact = {
  settings: { direction: 'dependents', depth: 2, relationTypes: ['depends_on', 'runs_on'], summariseAbove: 50 },
  affected: [{ id: 'ci_db', name: 'orders-db', serviceId: 'svc_pay' }],
  impacted: [{ id: 'ci_api', name: 'orders-api', serviceId: 'svc_pay', depth: 1, via: { id: 'ci_db', name: 'orders-db' } }],
  impactedCount: 1,
  summarised: false,
  services: [{ id: 'svc_pay', name: 'Payments', ciCount: 1, affected: true }],
  excluded: [
    {
      id: 'ci_report',
      name: 'report-runner',
      reason: 'Reads a replica',
      by: 'u_alice',
      byName: 'Alice Martin',
      at: '2026-11-21T09:00:00.000Z',
    },
  ],
};
