/** Sample API answers for the template tests (only tests import this file). */
import type { TemplateDetail, TemplateEligibility, TemplateSuspension, TemplateVersion } from './templates-api';

const noLimits: TemplateEligibility = {
  services: [],
  ciTypes: [],
  environments: [],
  maxRisk: null,
  windows: [],
  rule: '',
  maxImpact: null,
  requiredEvidence: [],
  knownErrors: 'warn',
};

/** A standard catalogue entry on orders-db, kept by the DBAs, used six times; one of its last five changes failed. */
export const sampleTemplate: TemplateDetail = {
  id: 'tpl_patch',
  name: 'Monthly database patch',
  description: 'Apply the vendor patch bundle to a database replica set.',
  type: 'standard',
  fields: {
    title: 'Patch the orders database',
    description: 'Apply the monthly patch bundle',
    justification: 'Security fixes from the vendor',
    implementationPlan: '1. Drain the replica\n2. Patch\n3. Rejoin',
    testPlan: 'Run the smoke tests',
    backoutPlan: 'Restore the snapshot',
    backoutTested: true,
    impact: 'low',
    urgency: 'medium',
  },
  ciIds: ['ci_db'],
  cis: [{ id: 'ci_db', name: 'orders-db' }],
  assignmentTeamId: 'team_dba',
  active: true,
  state: 'active',
  category: 'Databases',
  ownerTeamId: 'team_dba',
  ownerTeam: { id: 'team_dba', name: 'Database Administrators' },
  eligibility: {
    ...noLimits,
    environments: ['production', 'staging'],
    maxRisk: 'moderate',
    windows: ['Sunday night'],
    rule: 'cis.all(c, c.type == "database")',
    requiredEvidence: ['test_evidence'],
  },
  contentVersion: 2,
  pendingVersion: null,
  history: {
    changes90d: 5,
    failed90d: 1,
    failureRate: 0.2,
    used: 6,
    lastUsedAt: '2026-11-02T09:00:00.000Z',
    uses: 6,
    successful: 4,
    successfulWithIssues: 0,
    failed: 1,
    incidents: { p1: 0, p2: 0, p3: 1, p4: 0 },
    score: 5,
  },
  health: 'watch',
  version: 3,
  createdBy: 'u_alice',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-10-01T00:00:00.000Z',
  suspensions: [],
};

/** The same entry suspended by the failure rule after two failed changes, then reinstated earlier once by hand. */
export const automaticSuspension: TemplateSuspension = {
  id: 'ts_2',
  kind: 'suspended',
  reason:
    'Suspended automatically: 2 failures (CHG0000031, CHG0000027) among its last 6 uses (the policy suspends an entry at 2 failures or any caused incident of priority 1 or 2 within the last 20 uses).',
  cause: 'failures',
  automatic: true,
  by: 'u_carol',
  byName: 'Carol Implementer',
  at: '2026-11-20T08:00:00.000Z',
  numbers: {
    trigger: 'CHG0000031 closed unsuccessful',
    lastUses: 6,
    window: 20,
    failures: 2,
    failedChanges: ['CHG0000031', 'CHG0000027'],
    incidentChanges: [],
  },
};
export const manualReinstatement: TemplateSuspension = {
  id: 'ts_1',
  kind: 'reinstated',
  reason: 'The vendor fixed the patch bundle.',
  cause: 'person',
  automatic: false,
  by: 'u_alice',
  byName: 'Alice Manager',
  at: '2026-10-10T08:00:00.000Z',
  numbers: {},
};
export const suspendedTemplate: TemplateDetail = {
  ...sampleTemplate,
  active: false,
  state: 'suspended',
  health: 'suspended',
  version: 5,
  suspensions: [automaticSuspension, manualReinstatement],
};

/** Version 1 (superseded) and 2 (in force) of the entry. */
export const sampleVersions: TemplateVersion[] = [
  {
    number: 2,
    state: 'active',
    content: {
      name: sampleTemplate.name,
      description: sampleTemplate.description,
      type: 'standard',
      fields: sampleTemplate.fields,
      ciIds: ['ci_db'],
      assignmentTeamId: 'team_dba',
      category: 'Databases',
      ownerTeamId: 'team_dba',
      eligibility: sampleTemplate.eligibility,
    },
    note: 'Only in the Sunday night window',
    proposedBy: 'u_bob',
    proposedByName: 'Bob Requester',
    proposedAt: '2026-06-01T10:00:00.000Z',
    activatedBy: 'u_alice',
    activatedByName: 'Alice Manager',
    activatedAt: '2026-06-02T10:00:00.000Z',
    history: { uses: 4, successful: 3, successfulWithIssues: 0, failed: 1, incidents: { p1: 0, p2: 0, p3: 1, p4: 0 }, score: 2 },
  },
  {
    number: 1,
    state: 'superseded',
    content: {
      name: sampleTemplate.name,
      description: sampleTemplate.description,
      type: 'standard',
      fields: sampleTemplate.fields,
      ciIds: ['ci_db'],
      assignmentTeamId: 'team_dba',
      category: 'Databases',
      ownerTeamId: 'team_dba',
      eligibility: { ...sampleTemplate.eligibility, windows: [] },
    },
    note: '',
    proposedBy: 'u_alice',
    proposedByName: 'Alice Manager',
    proposedAt: '2026-01-01T00:00:00.000Z',
    activatedBy: 'u_alice',
    activatedByName: 'Alice Manager',
    activatedAt: '2026-01-01T00:00:00.000Z',
    history: { uses: 2, successful: 1, successfulWithIssues: 0, failed: 0, incidents: { p1: 0, p2: 0, p3: 0, p4: 0 }, score: 3 },
  },
];

/** Version 3 proposed by Bob: a new backout plan, a lower risk limit and test evidence plus a security scan. */
export const pendingVersion: TemplateVersion = {
  number: 3,
  state: 'proposed',
  content: {
    ...sampleVersions[0]!.content,
    fields: { ...sampleTemplate.fields, backoutPlan: 'Fail over to the replica' },
    eligibility: { ...sampleTemplate.eligibility, maxRisk: 'low', requiredEvidence: ['test_evidence', 'security_scan'] },
  },
  note: 'Fail over instead of restoring',
  proposedBy: 'u_bob',
  proposedByName: 'Bob Requester',
  proposedAt: '2026-11-25T10:00:00.000Z',
  activatedBy: null,
  activatedByName: null,
  activatedAt: null,
  history: { uses: 0, successful: 0, successfulWithIssues: 0, failed: 0, incidents: { p1: 0, p2: 0, p3: 0, p4: 0 }, score: 0 },
};
export const templateWithPending: TemplateDetail = {
  ...sampleTemplate,
  pendingVersion: { number: 3, proposedBy: 'u_bob', proposedAt: '2026-11-25T10:00:00.000Z', note: 'Fail over instead of restoring' },
};
