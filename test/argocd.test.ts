import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { describe, eachEngine } from './support/cabinet';
import { serviceWithCi } from './support/forge-api';

/** "YYYY-MM-DDTHH:mm" in UTC, `ms` from now. */
const utcLocal = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 16);

describe('Argo CD', () => {
  eachEngine('exports windows as syncWindows, records syncs and lists held applications for re-sync', async (h) => {
    const checkout = await serviceWithCi(h, 'checkout');
    const saved = await h.request('PUT', '/api/v1/integrations/argocd', {
      body: { project: 'payments', applications: [{ serviceId: checkout, environment: 'production', applications: ['checkout-*'], namespaces: ['checkout'], clusters: ['https://kubernetes.default.svc'] }] },
    });
    assert.equal(saved.status, 200, saved.text);
    const bad = await h.request('PUT', '/api/v1/integrations/argocd', { body: { project: 'Not A Name', applications: [{ serviceId: 'missing' }] } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['applications.0.serviceId', 'project']);

    const maintenance = await h.request('POST', '/api/v1/windows', {
      body: { name: 'Saturday night', kind: 'maintenance', start: '2026-01-03T22:00', timeZone: 'Europe/London', durationMinutes: 240, rrule: 'FREQ=WEEKLY;BYDAY=SA', scope: { serviceIds: [checkout] } },
    });
    assert.equal(maintenance.status, 201, maintenance.text);
    const start = utcLocal(-3_600_000);
    const freeze = await h.request('POST', '/api/v1/windows', { body: { name: 'Release freeze', kind: 'freeze', start, timeZone: 'UTC', durationMinutes: 120, scope: { serviceIds: [checkout] } } });
    assert.equal(freeze.status, 201, freeze.text);
    await h.request('POST', '/api/v1/windows', { body: { name: 'Lockdown', kind: 'freeze', start: utcLocal(86_400_000), timeZone: 'UTC', durationMinutes: 90, urgent: true, scope: { global: true } } });

    const windows = await h.request('GET', '/api/v1/integrations/argocd/sync-windows');
    assert.equal(windows.status, 200, windows.text);
    assert.equal(windows.body.project, 'payments');
    const [d, t] = start.split('T') as [string, string];
    const [, month, day] = d.split('-').map(Number) as [number, number, number];
    const [hour, minute] = t.split(':').map(Number) as [number, number];
    const strip = (w: Record<string, unknown>) => ({ ...w, description: undefined });
    const selectors = { applications: ['checkout-*'], namespaces: ['checkout'], clusters: ['https://kubernetes.default.svc'] };
    const byKind = (kind: string, manualSync: boolean) => windows.body.syncWindows.filter((w: { kind: string; manualSync: boolean }) => w.kind === kind && w.manualSync === manualSync).map(strip);
    assert.equal(windows.body.syncWindows.length, 3, windows.text);
    assert.deepEqual(byKind('allow', true), [{ kind: 'allow', schedule: '0 22 * * 6', duration: '4h', ...selectors, manualSync: true, timeZone: 'Europe/London', description: undefined }]);
    assert.deepEqual(byKind('deny', true), [{ kind: 'deny', schedule: `${minute} ${hour} ${day} ${month} *`, duration: '2h', ...selectors, manualSync: true, timeZone: 'UTC', description: undefined }]);
    const lockdown = windows.body.syncWindows.find((w: { manualSync: boolean; kind: string }) => w.kind === 'deny' && !w.manualSync);
    assert.ok(lockdown, 'an urgent freeze (lockdown) allows no manual sync');
    assert.deepEqual(lockdown.applications, ['*']);
    const yaml = await h.request('GET', '/api/v1/integrations/argocd/sync-windows?format=yaml');
    assert.equal(yaml.status, 200);
    assert.match(String(yaml.headers['content-type']), /yaml/);
    const manifest = parse(yaml.text) as { kind: string; metadata: { name: string }; spec: { syncWindows: unknown[] } };
    assert.equal(manifest.kind, 'AppProject');
    assert.equal(manifest.metadata.name, 'payments');
    assert.deepEqual(manifest.spec.syncWindows, windows.body.syncWindows, 'the YAML round-trips');

    // argocd-notifications, with a pipeline account's token.
    const pipeline = await h.userWithToken(['pipeline']);
    const requester = await h.userWithToken(['requester']);
    const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    const blocked = { app: 'checkout-web', project: 'payments', revision: sha, phase: 'Failed', message: 'Sync operation to a1b2c3d blocked by sync window', syncStatus: 'OutOfSync' };
    assert.equal((await h.request('POST', '/api/v1/integrations/argocd/notifications', { body: blocked, token: requester.token })).status, 403);
    const broken = await h.request('POST', '/api/v1/integrations/argocd/notifications', { body: { phase: 'Sometimes' }, token: pipeline.token });
    assert.equal(broken.status, 400);
    assert.deepEqual(broken.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['app', 'phase']);
    const held = await h.request('POST', '/api/v1/integrations/argocd/notifications', { body: blocked, token: pipeline.token });
    assert.equal(held.status, 200, held.text);
    assert.equal(held.body.outcome, 'held');
    assert.equal(held.body.detail.freezeId, freeze.body.id);
    const during = await h.request('GET', '/api/v1/integrations/argocd/held', { token: pipeline.token });
    assert.equal(during.body.items.length, 1);
    assert.equal(during.body.items[0].readyToSync, false);
    assert.equal((await h.request('GET', '/api/v1/integrations/argocd/held?ready=true', { token: pipeline.token })).body.items.length, 0);
    h.advance(2 * 3_600_000);
    const after = await h.request('GET', '/api/v1/integrations/argocd/held?ready=true', { token: pipeline.token });
    assert.deepEqual(after.body.items.map((i: { application: string; readyToSync: boolean }) => [i.application, i.readyToSync]), [['checkout-web', true]], 'listed for re-sync once the freeze is over');

    const synced = await h.request('POST', '/api/v1/integrations/argocd/notifications', {
      body: { app: 'checkout-web', project: 'payments', revision: sha, phase: 'Succeeded', syncStatus: 'Synced', healthStatus: 'Healthy', startedAt: h.now().toISOString(), finishedAt: h.now().toISOString(), operationId: 'op-1', repoURL: 'https://git.example/checkout.git' },
      token: pipeline.token,
    });
    assert.equal(synced.body.outcome, 'deployment_recorded', synced.text);
    assert.equal(synced.body.detail.released, 1);
    const deployment = await h.request('GET', `/api/v1/deployments/${synced.body.detail.deploymentId}`);
    assert.equal(deployment.body.source, 'argocd');
    assert.equal(deployment.body.result, 'success');
    assert.equal((await h.request('GET', '/api/v1/integrations/argocd/held', { token: pipeline.token })).body.items.length, 0);
    assert.equal((await h.request('POST', '/api/v1/integrations/argocd/notifications', { body: { ...blocked, app: 'other-app' }, token: pipeline.token })).body.outcome, 'ignored');
  });
});
