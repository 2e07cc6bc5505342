/** Sample API answers for the template tests (only tests import this file). */
import type { Template } from './templates-api';

/** A standard template on orders-db, kept by the DBAs, used six times; one of its last five changes failed. */
export const sampleTemplate: Template = {
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
  history: { changes90d: 5, failed90d: 1, failureRate: 0.2, used: 6, lastUsedAt: '2026-11-02T09:00:00.000Z' },
  version: 3,
  createdBy: 'u_alice',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-10-01T00:00:00.000Z',
};
