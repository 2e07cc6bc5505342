/** Sample API answers for the problem tests (only tests import this file). */
import type { KnownError, Problem } from './problems-api';

export function sampleProblem(over: Partial<Problem> = {}): Problem {
  return {
    id: 'prb_1',
    number: 'PRB0000001',
    title: 'Connection pool exhausted',
    description: 'The pool runs dry under load.',
    priority: 2,
    state: 'assess',
    nextStates: ['new', 'root_cause_analysis', 'closed'],
    ciIds: ['ci_db'],
    cis: [{ id: 'ci_db', name: 'orders-db' }],
    service: null,
    owner: { id: 'u_admin', name: 'Ada Admin' },
    team: null,
    rootCause: '',
    incidents: [{ id: 'inc_1', number: 'INC0000001', title: 'Checkout times out', state: 'in_progress', priority: 2 }],
    causedByChanges: [{ id: 'chg_1', number: 'CHG0000001', title: 'Raise the pool size', state: 'closed', closeCode: 'successful' }],
    fixChanges: [],
    knownErrors: [{ id: 'ke_1', number: 'KE0000001', title: 'Pool runs dry', state: 'published' }],
    resolvedAt: null,
    resolvedByChange: null,
    closedAt: null,
    version: 3,
    createdBy: 'u_admin',
    createdAt: '2026-11-20T09:05:00.000Z',
    updatedAt: '2026-11-21T09:05:00.000Z',
    ...over,
  };
}

export function sampleKnownError(over: Partial<KnownError> = {}): KnownError {
  return {
    id: 'ke_1',
    number: 'KE0000001',
    title: 'Pool runs dry',
    cause: 'A pool of 10 connections.',
    workaround: 'Restart pay-api:\n1. drain\n2. <b>restart</b>',
    state: 'published',
    ciIds: ['ci_db'],
    cis: [{ id: 'ci_db', name: 'orders-db' }],
    problem: { id: 'prb_1', number: 'PRB0000001', title: 'Connection pool exhausted', state: 'assess' },
    publishedAt: '2026-11-21T09:05:00.000Z',
    retiredAt: null,
    version: 2,
    createdBy: 'u_admin',
    createdAt: '2026-11-20T09:05:00.000Z',
    updatedAt: '2026-11-21T09:05:00.000Z',
    ...over,
  };
}
