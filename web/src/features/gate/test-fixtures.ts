import type { Deployment } from '../deployments/deployments-api';
import type { UnauthorizedChange } from '../unauthorized/unauthorized-api';
import type { GateCheck } from './gate-api';

/** A gate check held by a freeze, as GET /api/v1/gate/checks/{id} answers it. */
export function sampleGateCheck(overrides: Partial<GateCheck> = {}): GateCheck {
  return {
    id: 'gc_1',
    decision: 'pending',
    reasons: [
      {
        code: 'freeze',
        message: 'The freeze “Payments launch” covers payments in production.',
        ref: { type: 'freeze', id: 'win_1', label: 'Payments launch', until: '2026-12-08T18:00:00.000Z' },
      },
    ],
    change: { id: 'chg_1', number: 'CHG0000042', state: 'implement' },
    target: { serviceId: 'svc_pay', ciIds: [], environment: 'production' },
    source: 'github',
    repository: 'acme/payments',
    ref: 'main',
    sha: 'abcdef1234567890',
    pipeline: { id: 'deploy.yml', runId: '9001', attempt: 1, url: 'https://github.com/acme/payments/actions/runs/9001' },
    actor: 'octocat',
    templateId: null,
    createdAt: '2026-12-06T10:00:00.000Z',
    decidedAt: '2026-12-06T10:00:00.000Z',
    deadline: '2026-12-07T10:00:00.000Z',
    ...overrides,
  };
}

export function sampleDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'dep_1',
    source: 'github',
    externalId: null,
    shape: 'cabinet',
    service: { id: 'svc_pay', name: 'payments' },
    cis: [{ id: 'ci_api', name: 'pay-api-prod' }],
    environment: 'production',
    production: true,
    repository: 'acme/payments',
    ref: 'main',
    sha: 'abcdef1234567890',
    url: null,
    pipeline: { id: 'deploy.yml', runId: '9001', attempt: 1, url: null },
    pullRequests: [
      {
        number: 17,
        url: 'https://github.com/acme/payments/pull/17',
        title: 'Retry card authorisations',
        author: 'octocat',
        firstCommitAt: '2026-12-05T10:00:00.000Z',
        mergedAt: '2026-12-06T08:00:00.000Z',
        leadTimeSeconds: 90_000,
      },
    ],
    actor: 'octocat',
    status: 'success',
    result: 'success',
    startedAt: '2026-12-06T11:00:00.000Z',
    finishedAt: '2026-12-06T11:10:00.000Z',
    change: { id: 'chg_1', number: 'CHG0000042', title: 'Retry card authorisations', state: 'implement', link: 'gate' },
    unauthorizedChanges: [],
    incidents: [],
    version: 1,
    createdAt: '2026-12-06T11:00:00.000Z',
    updatedAt: '2026-12-06T11:10:00.000Z',
    ...overrides,
  };
}

export function sampleUnauthorized(overrides: Partial<UnauthorizedChange> = {}): UnauthorizedChange {
  return {
    id: 'una_1',
    number: 'UNA0000001',
    state: 'open',
    service: { id: 'svc_pay', name: 'payments' },
    ci: { id: 'ci_api', name: 'pay-api-prod' },
    repository: 'acme/payments',
    environment: 'production',
    firstSeenAt: '2026-12-06T11:00:00.000Z',
    lastSeenAt: '2026-12-06T11:00:00.000Z',
    quietUntil: '2026-12-07T11:00:00.000Z',
    deploymentCount: 1,
    deployments: [
      { id: 'dep_1', sha: 'abcdef1234567890', environment: 'production', startedAt: '2026-12-06T11:00:00.000Z', status: 'success' },
    ],
    review: null,
    version: 1,
    createdAt: '2026-12-06T11:00:00.000Z',
    updatedAt: '2026-12-06T11:00:00.000Z',
    ...overrides,
  };
}
