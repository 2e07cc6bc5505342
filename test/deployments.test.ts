import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine } from './support/cabinet';
import { applyDeploymentsPolicy, newService } from './support/deployments';
import { catalogueEntry, ci, edit } from './support/fixtures';

const HOUR = 3_600_000;
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const service = newService;

const deployment = (serviceId: string, extra: Record<string, unknown> = {}) => ({
  source: 'generic',
  target: { serviceId, environment: 'staging' },
  repository: 'acme/payments',
  sha: SHA,
  startedAt: new Date(Date.now() - HOUR).toISOString(),
  finishedAt: new Date(Date.now() - HOUR / 2).toISOString(),
  result: 'success',
  ...extra,
});

describe('deployments on record', () => {
  eachEngine('the contract shape is recorded (201) and a later report of the same (source, externalId) updates it (200)', async (h) => {
    const payments = await service(h, 'Payments');
    const pipeline = await h.userWithToken(['pipeline']);
    const started = await h.request('POST', '/api/v1/deployments', {
      token: pipeline.token,
      body: {
        ...deployment(payments, { externalId: 'run-41', status: 'in_progress', pipeline: { id: 'deploy.yml', runId: '41', attempt: 1, url: 'https://ci.example.com/41' } }),
        finishedAt: undefined,
        result: undefined,
      },
    });
    assert.equal(started.status, 201, started.text);
    assert.equal(started.body.status, 'in_progress');
    assert.equal(started.body.result, null);
    assert.equal(started.body.finishedAt, null);
    assert.equal(started.body.shape, 'cabinet');
    assert.equal(started.body.service.name, 'Payments');
    assert.equal(started.body.production, false, 'staging is not production');

    const firstCommitAt = new Date(Date.now() - 5 * HOUR).toISOString();
    const finished = await h.request('POST', '/api/v1/deployments', {
      token: pipeline.token,
      body: deployment(payments, { externalId: 'run-41', pullRequests: [{ number: 7, title: 'Faster refunds', firstCommitAt }] }),
    });
    assert.equal(finished.status, 200, finished.text);
    assert.equal(finished.body.id, started.body.id, 'one record');
    assert.deepEqual([finished.body.status, finished.body.result, finished.body.version], ['success', 'success', 2]);
    assert.equal(finished.body.pipeline.runId, '41', 'kept from the first report');
    const lead = finished.body.pullRequests[0].leadTimeSeconds;
    assert.equal(lead, Math.round((Date.parse(finished.body.finishedAt) - Date.parse(firstCommitAt)) / 1000));

    // A late "started" report does not reopen a finished deployment.
    const late = await h.request('POST', '/api/v1/deployments', { token: pipeline.token, body: { ...deployment(payments, { externalId: 'run-41', status: 'in_progress' }), result: undefined, finishedAt: undefined } });
    assert.equal(late.status, 200, late.text);
    assert.equal(late.body.status, 'success');

    const list = await h.request('GET', `/api/v1/deployments?serviceId=Payments`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 1);
    assert.equal((await h.request('GET', `/api/v1/deployments/${started.body.id}`)).body.id, started.body.id);
    const trail = await h.request('GET', `/api/v1/audit?entityId=${started.body.id}`);
    if (trail.status === 200) assert.ok(trail.body.items.some((e: { action: string }) => e.action === 'deployment.recorded'), trail.text);
  });

  eachEngine('DevLake’s webhook payload and Datadog’s DORA event are recognised by shape', async (h) => {
    const payments = await service(h, 'Payments');
    // DevLake v1.0 (its webhook documentation's example), one webhook per service: ?serviceId= says which.
    const devlake = await h.request('POST', '/api/v1/deployments?serviceId=Payments', {
      body: {
        id: 'Test 2',
        createdDate: '2024-09-02T11:00:00+00:00',
        startedDate: '2024-09-02T12:00:00+00:00',
        finishedDate: '2024-09-03T13:00:00+00:00',
        environment: 'PRODUCTION',
        result: 'SUCCESS',
        displayTitle: 'optional-custom-deploy-display-title',
        name: 'Test Name',
        deploymentCommits: [
          { repoUrl: 'https://github.com/acme/payments', refName: 'main', startedDate: '2024-09-02T12:00:00+00:00', finishedDate: '2024-09-03T13:00:00+00:00', commitSha: SHA, commitMsg: 'Faster refunds' },
        ],
      },
    });
    assert.equal(devlake.status, 201, devlake.text);
    assert.deepEqual(
      [devlake.body.shape, devlake.body.source, devlake.body.externalId, devlake.body.service.id, devlake.body.environment, devlake.body.production, devlake.body.result],
      ['devlake', 'devlake', 'Test 2', payments, 'PRODUCTION', true, 'success'],
    );
    assert.equal(devlake.body.startedAt, '2024-09-02T12:00:00.000Z');
    assert.equal(devlake.body.repository, 'https://github.com/acme/payments');
    // The older flat form, failed.
    const flat = await h.request('POST', '/api/v1/deployments?serviceId=Payments', {
      body: { pipeline_id: 'p-9', repo_url: 'https://github.com/acme/payments', commit_sha: SHA, start_time: '2024-09-04T10:00:00Z', end_time: '2024-09-04T10:05:00Z', result: 'FAILURE' },
    });
    assert.equal(flat.status, 201, flat.text);
    assert.deepEqual([flat.body.shape, flat.body.externalId, flat.body.result, flat.body.environment], ['devlake', 'p-9', 'failure', 'PRODUCTION']);

    // Datadog: the service by name, Unix times in seconds, milliseconds or nanoseconds.
    const datadog = await h.request('POST', '/api/v1/deployments', {
      body: {
        data: {
          attributes: {
            service: 'payments',
            env: 'staging',
            id: 'dd-deployment-0001',
            started_at: 1725271200,
            finished_at: 1725271500000000000,
            git: { commit_sha: SHA, repository_url: 'https://github.com/acme/payments' },
          },
        },
      },
    });
    assert.equal(datadog.status, 201, datadog.text);
    assert.deepEqual([datadog.body.shape, datadog.body.service.id, datadog.body.environment, datadog.body.result], ['datadog', payments, 'staging', 'success']);
    assert.equal(datadog.body.startedAt, '2024-09-02T10:00:00.000Z');
    assert.equal(datadog.body.finishedAt, '2024-09-02T10:05:00.000Z');
    // Sent again (Datadog retries), it stays one record.
    const again = await h.request('POST', '/api/v1/deployments', { body: { data: { attributes: { service: 'payments', env: 'staging', id: 'dd-deployment-0001', started_at: 1725271200000, finished_at: 1725271500000, git: { commit_sha: SHA, repository_url: 'x' } } } } });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.id, datadog.body.id);
  });

  eachEngine('a bad body gets one 400 listing every problem, at the paths the sender wrote', async (h) => {
    const bad = await h.request('POST', '/api/v1/deployments', {
      body: { source: 'teamcity', target: { serviceId: 'nowhere', ciIds: ['ghost'], environment: '' }, repository: 'acme/x', sha: 'not-a-sha', startedAt: 'yesterday', result: 'success', changeNumber: 'CHG9999999' },
    });
    assert.equal(bad.status, 400, bad.text);
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['changeNumber', 'finishedAt', 'sha', 'source', 'startedAt', 'target.ciIds.0', 'target.environment', 'target.serviceId'].sort(), bad.text);
    const datadog = await h.request('POST', '/api/v1/deployments', { body: { data: { attributes: { service: 'ghost', started_at: 1725271200, finished_at: 1725271100 } } } });
    assert.equal(datadog.status, 400, datadog.text);
    const ddPaths = datadog.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(ddPaths, ['data.attributes.finished_at', 'data.attributes.git.commit_sha', 'data.attributes.git.repository_url', 'data.attributes.service'].sort(), datadog.text);
    assert.equal((await h.request('GET', '/api/v1/deployments')).body.items.length, 0, 'nothing was recorded');
  });

  eachEngine('who may record and read deployments', async (h) => {
    const payments = await service(h, 'Payments');
    const stakeholder = await h.userWithToken(['stakeholder']);
    const requester = await h.userWithToken(['requester']);
    const implementer = await h.userWithToken(['implementer']);
    assert.equal((await h.request('POST', '/api/v1/deployments', { token: requester.token, body: deployment(payments) })).status, 403);
    assert.equal((await h.request('POST', '/api/v1/deployments', { token: stakeholder.token, body: deployment(payments) })).status, 403);
    assert.equal((await h.request('POST', '/api/v1/deployments', { token: implementer.token, body: deployment(payments) })).status, 201);
    assert.equal((await h.request('GET', '/api/v1/deployments', { token: stakeholder.token })).status, 200);
    assert.equal((await h.request('GET', '/api/v1/deployments', { token: null })).status, 401);
  });

  eachEngine('a finished deployment completes the change it belongs to, as policy says, with its close code', async (h) => {
    await applyDeploymentsPolicy(h, (y) => y.replace('completeChanges: pipeline', 'completeChanges: always'));
    const payments = await service(h, 'Payments');
    const app = await ci(h, 'payments-api', 'application', { serviceId: payments });
    const entry = await catalogueEntry(h);
    const now = Date.now();
    const filed = await h.request('POST', '/api/v1/changes', {
      body: { type: 'standard', templateId: entry, title: 'Deploy payments', description: 'd', implementationPlan: 'p', ciIds: [app], plannedStart: new Date(now - HOUR).toISOString(), plannedEnd: new Date(now + HOUR).toISOString() },
    });
    assert.equal(filed.status, 201, filed.text);
    const id = filed.body.id;
    assert.equal((await h.request('POST', `/api/v1/changes/${id}/transitions`, { body: { to: 'scheduled' } })).status, 200);
    assert.equal((await edit(h, `/api/v1/changes/${id}`, { actualStart: new Date(now - HOUR / 2).toISOString() })).status, 200);
    const started = await h.request('POST', `/api/v1/changes/${id}/transitions`, { body: { to: 'implement' } });
    assert.equal(started.status, 200, started.text);

    const res = await h.request('POST', '/api/v1/deployments', {
      body: deployment(payments, { target: { ciIds: [app], environment: 'production' }, changeNumber: filed.body.number, startedAt: new Date(now - HOUR / 4).toISOString(), finishedAt: new Date(now - HOUR / 8).toISOString() }),
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual([res.body.change.number, res.body.change.link, res.body.unauthorizedChanges], [filed.body.number, 'explicit', []]);
    assert.equal(res.body.service.id, payments, 'the service of its CIs');
    const change = (await h.request('GET', `/api/v1/changes/${id}`)).body;
    assert.deepEqual([change.state, change.closeCode], ['closed', 'successful']);
    const ofChange = await h.request('GET', `/api/v1/changes/${filed.body.number}/deployments`);
    assert.deepEqual(ofChange.body.items.map((d: { id: string }) => d.id), [res.body.id]);
  });
});
