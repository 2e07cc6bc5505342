import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';
import { ci } from './support/fixtures';

const HOUR = 3_600_000;

async function service(h: Harness, name: string): Promise<string> {
  const res = await h.request('POST', '/api/v1/services', { body: { name, tier: 2 } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** A weekly Saturday-evening freeze in London, two hours from 20:00 local. */
const saturdayFreeze = { name: 'Weekend freeze', kind: 'freeze', start: '2026-10-03T20:00', timeZone: 'Europe/London', durationMinutes: 120, rrule: 'FREQ=WEEKLY;BYDAY=SA', scope: { global: true } };

async function create(h: Harness, body: Record<string, unknown>, token?: string) {
  const res = await h.request('POST', '/api/v1/windows', { body, token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** The audit actions recorded for one window, in order. */
async function auditActions(h: Harness, windowId: string): Promise<string[]> {
  const res = await h.request('GET', '/api/v1/audit/export');
  assert.equal(res.status, 200);
  return res.text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { action: string; entityType: string; entityId: string })
    .filter((e) => e.entityType === 'window' && e.entityId === windowId)
    .map((e) => e.action);
}

describe('maintenance windows and freezes', () => {
  eachEngine('expands a weekly Europe/London freeze at 20:00 local on both sides of the October 2026 clock change', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const freeze = await create(h, saturdayFreeze, manager.token);
    assert.equal(freeze.version, 1);
    assert.deepEqual(freeze.scope, { global: true });
    assert.equal(freeze.urgent, false);
    assert.equal(freeze.createdBy, manager.id);

    const res = await h.request('GET', `/api/v1/windows/${freeze.id}/occurrences?from=2026-10-10T00:00:00Z&to=2026-11-08T00:00:00Z`, { token: manager.token });
    assert.equal(res.status, 200, res.text);
    // 20:00 BST is 19:00 UTC until 25 October; 20:00 GMT is 20:00 UTC after it.
    const starts = ['2026-10-10T19:00:00.000Z', '2026-10-17T19:00:00.000Z', '2026-10-24T19:00:00.000Z', '2026-10-31T20:00:00.000Z', '2026-11-07T20:00:00.000Z'];
    assert.deepEqual(res.body.items, starts.map((s) => ({ start: s, end: new Date(Date.parse(s) + 2 * HOUR).toISOString() })));
    assert.equal(res.body.truncated, false);
    assert.deepEqual(await auditActions(h, freeze.id), ['window.created']);
  });

  eachEngine('keeps the elapsed duration of a window that spans the clock change', async (h) => {
    const night = await create(h, { ...saturdayFreeze, name: 'Night freeze', start: '2026-10-24T22:00', durationMinutes: 240, rrule: null });
    const res = await h.request('GET', `/api/v1/windows/${night.id}/occurrences?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
    // 22:00 BST is 21:00 UTC; four real hours later the clocks read 01:00 GMT.
    assert.deepEqual(res.body.items, [{ start: '2026-10-24T21:00:00.000Z', end: '2026-10-25T01:00:00.000Z' }]);
  });

  eachEngine('creates a one-off maintenance window scoped to a service and finds it by that service and its CIs', async (h) => {
    const payments = await service(h, 'Payments');
    const search = await service(h, 'Search');
    const payDb = await ci(h, 'pay-db', 'database', { serviceId: payments });
    const searchApi = await ci(h, 'search-api', 'application', { serviceId: search });
    const window = await create(h, {
      name: 'Payments patching',
      kind: 'maintenance',
      description: 'Monthly database patching',
      start: '2026-11-03T01:00',
      timeZone: 'America/New_York',
      durationMinutes: 120,
      scope: { serviceIds: [payments, payments] },
    });
    assert.equal(window.rrule, null);
    assert.deepEqual(window.scope, { serviceIds: [payments] });
    // New York left daylight saving on 1 November: 01:00 EST is 06:00 UTC.
    const occ = await h.request('GET', `/api/v1/windows/${window.id}/occurrences?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`);
    assert.deepEqual(occ.body.items, [{ start: '2026-11-03T06:00:00.000Z', end: '2026-11-03T08:00:00.000Z' }]);
    assert.deepEqual((await h.request('GET', `/api/v1/windows/${window.id}`)).body, window);

    const names = async (query: string) => (await h.request('GET', `/api/v1/windows?${query}`)).body.items.map((w: { name: string }) => w.name);
    await create(h, saturdayFreeze);
    assert.deepEqual(await names(''), ['Payments patching', 'Weekend freeze']);
    assert.deepEqual(await names('kind=maintenance'), ['Payments patching']);
    assert.deepEqual(await names(`serviceId=${payments}`), ['Payments patching', 'Weekend freeze']);
    assert.deepEqual(await names('serviceId=Payments&kind=freeze'), ['Weekend freeze']);
    assert.deepEqual(await names(`serviceId=${search}`), ['Weekend freeze']);
    assert.deepEqual(await names(`ciId=${payDb}`), ['Payments patching', 'Weekend freeze']);
    assert.deepEqual(await names(`ciId=${searchApi}`), ['Weekend freeze']);
    const unknown = await h.request('GET', '/api/v1/windows?serviceId=nope');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.error.details.issues.map((i: { path: string }) => i.path), ['query.serviceId']);

    const first = await h.request('GET', '/api/v1/windows?limit=1');
    assert.deepEqual(first.body.items.map((w: { name: string }) => w.name), ['Payments patching']);
    const second = await h.request('GET', `/api/v1/windows?limit=1&cursor=${first.body.nextCursor}`);
    assert.deepEqual(second.body.items.map((w: { name: string }) => w.name), ['Weekend freeze']);
    assert.equal(second.body.nextCursor, null);
  });

  eachEngine('refuses a window listing every problem with its rule and scope at once', async (h) => {
    const bad = await h.request('POST', '/api/v1/windows', {
      body: { name: 'Broken', kind: 'freeze', start: '2026-02-30T25:00', timeZone: 'Mars/Olympus_Mons', durationMinutes: 0, rrule: 'FREQ=SOMETIMES;BYDAY=XX', scope: {} },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'invalid_input');
    assert.deepEqual([...new Set(bad.body.error.details.issues.map((i: { path: string }) => i.path))].sort(), ['durationMinutes', 'rrule', 'scope', 'start', 'timeZone']);

    const cis = await ci(h, 'core-switch', 'network');
    const unknown = await h.request('POST', '/api/v1/windows', {
      body: { ...saturdayFreeze, timeZone: 'Europe/Londn', scope: { serviceIds: ['no-such-service'], ciIds: [cis, 'no-such-ci'], environments: ['production'] } },
    });
    assert.equal(unknown.status, 400, unknown.text);
    assert.deepEqual(
      unknown.body.error.details.issues.map((i: { path: string }) => i.path),
      ['timeZone', 'scope.serviceIds.0', 'scope.ciIds.1'],
    );
    const both = await h.request('POST', '/api/v1/windows', { body: { ...saturdayFreeze, scope: { global: true, tags: ['pci'] } } });
    assert.deepEqual(both.body.error.details.issues.map((i: { path: string }) => i.path), ['scope.global']);
    assert.deepEqual((await h.request('GET', '/api/v1/windows')).body.items, []);
  });

  eachEngine('lets a requester read windows but not write them', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const refused = await h.request('POST', '/api/v1/windows', { token: requester.token, body: saturdayFreeze });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 'forbidden');
    assert.equal(refused.body.error.details.permission, 'window.write');
    const freeze = await create(h, saturdayFreeze);
    assert.equal((await h.request('GET', `/api/v1/windows/${freeze.id}`, { token: requester.token })).status, 200);
    assert.equal((await h.request('PATCH', `/api/v1/windows/${freeze.id}`, { token: requester.token, body: { name: 'Mine', version: freeze.version } })).status, 403);
    assert.equal((await h.request('DELETE', `/api/v1/windows/${freeze.id}`, { token: requester.token })).status, 403);
  });

  eachEngine('edits a window with the version it read, refuses a stale one with 412, and deletes it', async (h) => {
    const freeze = await create(h, saturdayFreeze);
    const edited = await h.request('PATCH', `/api/v1/windows/${freeze.id}`, { body: { version: 1, durationMinutes: 180, urgent: true } });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.version, 2);
    assert.equal(edited.body.durationMinutes, 180);
    assert.equal(edited.body.rrule, saturdayFreeze.rrule);

    const stale = await h.request('PATCH', `/api/v1/windows/${freeze.id}`, { body: { version: 1, name: 'Late edit' } });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.error.code, 'stale_version');
    assert.equal(stale.body.error.details.currentVersion, 2);
    const staleHeader = await h.request('PATCH', `/api/v1/windows/${freeze.id}`, { body: { name: 'Late edit' }, headers: { 'if-match': '"1"' } });
    assert.equal(staleHeader.status, 412);
    const invalid = await h.request('PATCH', `/api/v1/windows/${freeze.id}`, { body: { version: 2, rrule: 'FREQ=HOURLY' } });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.error.details.issues.map((i: { path: string }) => i.path), ['rrule']);
    assert.equal((await h.request('GET', `/api/v1/windows/${freeze.id}`)).body.name, 'Weekend freeze');

    assert.equal((await h.request('DELETE', `/api/v1/windows/${freeze.id}`)).status, 204);
    assert.equal((await h.request('GET', `/api/v1/windows/${freeze.id}`)).status, 404);
    assert.equal((await h.request('DELETE', `/api/v1/windows/${freeze.id}`)).status, 404);
    assert.deepEqual(await auditActions(h, freeze.id), ['window.created', 'window.updated', 'window.deleted']);
  });

  eachEngine('lists every occurrence of every window in a range, filtered by kind and service', async (h) => {
    const payments = await service(h, 'Payments');
    const search = await service(h, 'Search');
    const freeze = await create(h, saturdayFreeze);
    const patching = await create(h, { name: 'Payments patching', kind: 'maintenance', start: '2026-10-07T02:00', timeZone: 'Europe/London', durationMinutes: 60, rrule: 'FREQ=WEEKLY;BYDAY=WE', scope: { serviceIds: [payments] } });
    const range = 'from=2026-10-10T00:00:00Z&to=2026-10-22T00:00:00Z';
    const all = await h.request('GET', `/api/v1/schedule/windows?${range}`);
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(
      all.body.items.map((o: { windowId: string; start: string; kind: string }) => [o.windowId, o.kind, o.start]),
      [
        [freeze.id, 'freeze', '2026-10-10T19:00:00.000Z'],
        [patching.id, 'maintenance', '2026-10-14T01:00:00.000Z'],
        [freeze.id, 'freeze', '2026-10-17T19:00:00.000Z'],
        [patching.id, 'maintenance', '2026-10-21T01:00:00.000Z'],
      ],
    );
    assert.deepEqual(all.body.items[1], { windowId: patching.id, name: 'Payments patching', kind: 'maintenance', scope: { serviceIds: [payments] }, urgent: false, start: '2026-10-14T01:00:00.000Z', end: '2026-10-14T02:00:00.000Z' });

    const ids = async (query: string) => [...new Set((await h.request('GET', `/api/v1/schedule/windows?${range}&${query}`)).body.items.map((o: { windowId: string }) => o.windowId))];
    assert.deepEqual(await ids('kind=maintenance'), [patching.id]);
    assert.deepEqual(await ids('kind=freeze'), [freeze.id]);
    assert.deepEqual(await ids(`serviceId=${search}`), [freeze.id]);
    assert.deepEqual(await ids(`serviceId=${payments}&kind=maintenance`), [patching.id]);

    const tooLong = await h.request('GET', '/api/v1/schedule/windows?from=2026-01-01T00:00:00Z&to=2027-02-15T00:00:00Z');
    assert.equal(tooLong.status, 400);
    assert.deepEqual(tooLong.body.error.details.issues.map((i: { path: string }) => i.path), ['query.to']);
    const backwards = await h.request('GET', `/api/v1/windows/${freeze.id}/occurrences?from=2026-10-10T00:00:00Z&to=2026-10-01T00:00:00Z`);
    assert.equal(backwards.status, 400);
  });
});
