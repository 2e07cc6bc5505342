import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, eachEngine, type Harness } from './support/cabinet';
import { catalogueEntry } from './support/fixtures';
import { serviceWithCi, startForgeApi } from './support/forge-api';

/** GitLab's own payloads (../shared/data/webhooks/gitlab, from xanzy/go-gitlab's testdata). */
type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- GitLab's payloads
const payload = (name: string): Payload => JSON.parse(readFileSync(new URL(`../../shared/data/webhooks/gitlab/${name}.json`, import.meta.url), 'utf8')) as Payload;
const ACCESS_TOKEN = 'glpat-cabinet-test-token';

let uuid = 0;
const hook = (h: Harness, event: string, body: unknown, token: string | null, delivery?: string) =>
  h.request('POST', '/api/v1/integrations/gitlab/webhook', {
    body,
    token: null,
    headers: { 'x-gitlab-event': event, 'x-gitlab-event-uuid': delivery ?? `uuid-${++uuid}-${Date.now()}`, ...(token ? { 'x-gitlab-token': token } : {}) },
  });

describe('GitLab', () => {
  eachEngine('verifies its token, records deployments and approvals, and answers blocked deployments', async (h) => {
    const forge = await startForgeApi({ appId: '1', publicKeyPem: (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string, gitlabToken: ACCESS_TOKEN });
    try {
      const checkout = await serviceWithCi(h, 'checkout');
      const billing = await serviceWithCi(h, 'billing');
      const put = await h.request('PUT', '/api/v1/integrations/gitlab', {
        body: {
          baseUrl: forge.url,
          accessToken: ACCESS_TOKEN,
          generateWebhookToken: true,
          projects: [
            { projectId: 30, path: 'root/test-deployment-webhooks', serviceId: checkout, templateId: await catalogueEntry(h) },
            { projectId: 32, serviceId: billing },
          ],
        },
      });
      assert.equal(put.status, 200, put.text);
      const token = put.body.generated.webhookToken as string;
      assert.equal(put.body.secrets.accessToken.hint, `…${ACCESS_TOKEN.slice(-4)}`);
      assert.ok(!JSON.stringify((await h.request('GET', '/api/v1/integrations/gitlab')).body).includes(ACCESS_TOKEN));

      // Wrong or missing token: 401.
      assert.equal((await hook(h, 'Deployment Hook', payload('deployment'), 'not-the-token')).status, 401);
      const missing = await hook(h, 'Deployment Hook', payload('deployment'), null);
      assert.equal(missing.status, 401);
      assert.equal(missing.body.error.code, 'invalid_token');
      // A payload GitLab would not send: 400 listing its problems.
      const broken = await hook(h, 'Deployment Hook', { status: 'success' }, token);
      assert.equal(broken.status, 400, broken.text);
      const paths = broken.body.error.details.issues.map((i: { path: string }) => i.path);
      for (const p of ['deployment_id', 'environment', 'project', 'commit_url']) assert.ok(paths.includes(p), `${p} in ${paths}`);

      // A deployment blocked for approval on a catalogue entry: the gate allows, GitLab's approval API hears it.
      const blocked: Payload = { ...payload('deployment'), status: 'blocked', environment: 'production', deployment_id: 16, deployable_id: 797 };
      const allowed = await hook(h, 'Deployment Hook', blocked, token);
      assert.equal(allowed.status, 200, allowed.text);
      assert.equal(allowed.body.outcome, 'approved', allowed.text);
      const approval = forge.requests.find((r) => r.path === '/api/v4/projects/30/deployments/16/approval')!;
      assert.equal(approval.body.status, 'approved');
      assert.equal(approval.headers['private-token'], ACCESS_TOKEN);
      const changeNumber = allowed.body.detail.changeNumber as string;

      // The same deploy job reported by the Deployment and the Job hooks is one deployment.
      const done = await hook(h, 'Deployment Hook', { ...payload('deployment'), environment: 'production', deployment_id: 16, deployable_id: 797 }, token);
      assert.equal(done.body.outcome, 'deployment_recorded', done.text);
      const job = { ...payload('job'), project_id: 30, build_id: 797, sha: '279484c09fbe69ededfced8c1bb6e6d24616b468', environment: { name: 'production', action: 'start' } };
      const fromJob = await hook(h, 'Job Hook', job, token);
      assert.equal(fromJob.body.outcome, 'deployment_recorded', fromJob.text);
      assert.equal(fromJob.body.detail.deploymentId, done.body.detail.deploymentId);
      const deployment = await h.request('GET', `/api/v1/deployments/${done.body.detail.deploymentId}`);
      assert.equal(deployment.body.source, 'gitlab');
      assert.equal(deployment.body.externalId, 'job:30:797');
      assert.equal(deployment.body.result, 'success');
      assert.equal(deployment.body.startedAt, '2021-04-28T19:50:00.000Z', 'GitLab’s time with its offset, read as an instant');
      // A redelivery (same X-Gitlab-Event-UUID) is not acted on twice; an unmapped project is ignored.
      const again = await hook(h, 'Job Hook', job, token, 'fixed-uuid');
      assert.equal((await hook(h, 'Job Hook', job, token, 'fixed-uuid')).body.outcome, 'duplicate', again.text);
      assert.equal((await hook(h, 'Pipeline Hook', payload('pipeline'), token)).body.outcome, 'ignored');

      // A merge request approved on the commit that went through the gate: code review evidence on its change.
      const mr = payload('merge_request');
      mr.object_attributes.action = 'approved';
      mr.object_attributes.last_commit.id = '279484c09fbe69ededfced8c1bb6e6d24616b468';
      mr.project = { ...mr.project, id: 30, path_with_namespace: 'root/test-deployment-webhooks' };
      const reviewed = await hook(h, 'Merge Request Hook', mr, token);
      assert.equal(reviewed.body.outcome, 'review_recorded', reviewed.text);
      assert.equal(reviewed.body.detail.changeNumber, changeNumber);
      const evidence = await h.request('GET', `/api/v1/changes/${changeNumber}/evidence`);
      assert.ok(evidence.body.items.some((e: { kind: string; title: string }) => e.kind === 'code_review' && /Merge request !1 approved by user1/.test(e.title)), evidence.text);

      // Work that needs a normal change waits (GitLab has no progress report), then is rejected past its deadline.
      const waiting = await hook(h, 'Deployment Hook', { ...blocked, project: { ...blocked.project, id: 32 }, deployment_id: 17, deployable_id: 798, commit_url: 'http://gitlab.test/x/-/commit/' + 'c'.repeat(40) }, token);
      assert.equal(waiting.body.detail.decision, 'pending', waiting.text);
      assert.equal(forge.requests.filter((r) => r.path === '/api/v4/projects/32/deployments/17/approval').length, 0);
      h.advance(31 * 24 * 3_600_000);
      await h.tick();
      await h.tick();
      const rejected = forge.requests.filter((r) => r.path === '/api/v4/projects/32/deployments/17/approval');
      assert.equal(rejected.length, 1);
      assert.equal(rejected[0]!.body.status, 'rejected');

      const events = JSON.stringify(await h.cabinet.store.repos.audit.page(0, 100_000));
      assert.ok(!events.includes(ACCESS_TOKEN) && !events.includes(token), 'no secret in the audit trail');
    } finally {
      await forge.close();
    }
  });

  eachEngine('exports freezes as freeze periods with their time zone and syncs them to the project', async (h) => {
    const forge = await startForgeApi({ appId: '1', publicKeyPem: (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string, gitlabToken: ACCESS_TOKEN });
    try {
      const checkout = await serviceWithCi(h, 'checkout');
      await h.request('PUT', '/api/v1/integrations/gitlab', { body: { baseUrl: forge.url, accessToken: ACCESS_TOKEN, webhookToken: 'w'.repeat(20), projects: [{ projectId: 30, serviceId: checkout }] } });
      const weekend = await h.request('POST', '/api/v1/windows', {
        body: { name: 'Weekend freeze', kind: 'freeze', start: '2026-01-02T18:00', timeZone: 'Europe/Berlin', durationMinutes: 60 * 60, rrule: 'FREQ=WEEKLY;BYDAY=FR', scope: { serviceIds: [checkout] } },
      });
      assert.equal(weekend.status, 201, weekend.text);
      const monthly = await h.request('POST', '/api/v1/windows', {
        body: { name: 'First Sunday', kind: 'freeze', start: '2026-01-04T02:00', timeZone: 'UTC', durationMinutes: 120, rrule: 'FREQ=MONTHLY;BYDAY=1SU', scope: { global: true } },
      });
      assert.equal(monthly.status, 201, monthly.text);
      const periods = await h.request('GET', '/api/v1/integrations/gitlab/freeze-periods?projectId=30');
      assert.equal(periods.status, 200, periods.text);
      assert.deepEqual(
        periods.body.items.map((p: Record<string, string>) => [p.freeze_start, p.freeze_end, p.cron_timezone]),
        [['0 18 * * 5', '0 6 * * 1', 'Europe/Berlin']],
      );
      assert.equal(periods.body.skipped.length, 1);
      assert.match(periods.body.skipped[0].reason, /First Sunday: .*first Sunday/);
      assert.equal((await h.request('GET', '/api/v1/integrations/gitlab/freeze-periods?projectId=99')).status, 404);

      forge.freezePeriods.set(30, [
        { id: 900, freeze_start: '0 1 * * *', freeze_end: '0 2 * * *', cron_timezone: 'UTC' },
        { id: 901, freeze_start: '0 3 * * *', freeze_end: '0 4 * * *', cron_timezone: 'UTC' },
      ]);
      const synced = await h.request('POST', '/api/v1/integrations/gitlab/freeze-periods/sync', { body: {} });
      assert.equal(synced.status, 200, synced.text);
      assert.deepEqual(synced.body.projects, [{ projectId: 30, created: 0, updated: 1, deleted: 1, unchanged: 0, error: null }]);
      assert.deepEqual(forge.freezePeriods.get(30)!.map((p) => [p.freeze_start, p.freeze_end, p.cron_timezone]), [['0 18 * * 5', '0 6 * * 1', 'Europe/Berlin']]);
      const again = await h.request('POST', '/api/v1/integrations/gitlab/freeze-periods/sync', { body: { projectId: 30 } });
      assert.deepEqual(again.body.projects[0], { projectId: 30, created: 0, updated: 0, deleted: 0, unchanged: 1, error: null });
      const requester = await h.userWithToken(['requester']);
      assert.equal((await h.request('POST', '/api/v1/integrations/gitlab/freeze-periods/sync', { body: {}, token: requester.token })).status, 403);
    } finally {
      await forge.close();
    }
  });
});
