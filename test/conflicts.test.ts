import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { rangeWords } from '../src/domain/notification/texts';
import { readBundleFiles } from '../src/policy/loader';
import { eachEngine, type Harness } from './support/cabinet';
import { at } from './support/communication';
import { addMembers, approvalsOf, ci, decide, edit, fileAndAuthorize, move, plan } from './support/fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;


async function file(h: Harness, body: Record<string, unknown>, token?: string): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', { body, token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function conflictsOf(h: Harness, id: string, token?: string): Promise<{ id: string; kind: string; otherChange: { id: string } | null; cis: { name: string }[]; blocking: boolean; excepted: boolean; message: string; startsAt: string; endsAt: string; proposedSlot: { start: string; end: string } | null; acknowledgement: { reason: string; byName: string } | null }[]> {
  const res = await h.request('GET', `/api/v1/changes/${id}/conflicts`, { token });
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

const kinds = async (h: Harness, id: string) => (await conflictsOf(h, id)).map((c) => `${c.kind}${c.otherChange ? `:${c.otherChange.id}` : ''}`).sort();

async function relate(h: Harness, from: string, to: string, type = 'depends_on'): Promise<string> {
  const res = await h.request('POST', `/api/v1/cis/${from}/relations`, { body: { toCiId: to, type } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function window(h: Harness, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await h.request('POST', '/api/v1/windows', { body });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** A one-off freeze over [fromHours, toHours) of `at`, given in UTC. */
const freezeOver = (h: Harness, fromHours: number, toHours: number, extra: Record<string, unknown> = {}) => ({
  name: 'Release freeze',
  kind: 'freeze',
  start: at(h, fromHours).slice(0, 16),
  timeZone: 'UTC',
  durationMinutes: (toHours - fromHours) * 60,
  scope: { global: true },
  ...extra,
});

describe('schedule conflicts', () => {
  eachEngine('two changes on one CI conflict on both sides, and not when one ends as the other starts', async (h) => {
    const db = await ci(h, 'orders-db', 'database');
    const a = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 2) }));
    const b = await file(h, plan([db], { plannedStart: at(h, 2), plannedEnd: at(h, 3) }));
    assert.deepEqual(await kinds(h, a.id), [], 'end touching start is no conflict');
    assert.deepEqual(await kinds(h, b.id), []);

    const moved = await edit(h, `/api/v1/changes/${b.id}`, { plannedStart: at(h, 1) });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual(await kinds(h, a.id), [`ci_overlap:${b.id}`]);
    assert.deepEqual(await kinds(h, b.id), [`ci_overlap:${a.id}`]);
    const [seenFromA] = await conflictsOf(h, a.id);
    assert.equal(seenFromA!.startsAt, at(h, 1), 'the conflict covers the overlap');
    assert.equal(seenFromA!.endsAt, at(h, 2));
    assert.deepEqual(seenFromA!.cis.map((c) => c.name), ['orders-db']);
    assert.match(seenFromA!.message, /orders-db/);

    // Cancelling one takes the conflict off both.
    assert.equal((await move(h, b.id, 'cancelled', undefined, 'Not needed any more')).status, 200);
    assert.deepEqual(await kinds(h, a.id), []);
    assert.deepEqual(await kinds(h, b.id), []);
  });

  eachEngine("filing a change over others writes both sides at once and, after a worker tick, tells the other changes' owners but not the filer", async (h) => {
    const [alice, bob] = [await h.userWithToken(['requester']), await h.userWithToken(['requester'])];
    const db = await ci(h, 'payments-db', 'database');
    const ofAlice = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 2) }), alice.token);
    const ofBob = await file(h, plan([db], { plannedStart: at(h, 10), plannedEnd: at(h, 12) }), bob.token);
    const alsoBob = await file(h, plan([db], { plannedStart: at(h, 1), plannedEnd: at(h, 11) }), bob.token);
    // The conflict rows of the other side are written with the filing itself.
    assert.deepEqual(await kinds(h, ofAlice.id), [`ci_overlap:${alsoBob.id}`]);
    assert.deepEqual(await kinds(h, ofBob.id), [`ci_overlap:${alsoBob.id}`]);
    assert.deepEqual(await kinds(h, alsoBob.id), [`ci_overlap:${ofAlice.id}`, `ci_overlap:${ofBob.id}`].sort());
    const notices = async (token: string) =>
      ((await h.request('GET', '/api/v1/me/notifications', { token })).body.items as { kind: string; title: string; changeId: string }[]).filter((n) => n.kind === 'schedule_conflict');
    assert.deepEqual(await notices(alice.token), [], 'the notice waits for the worker');
    await h.tick();
    const toAlice = await notices(alice.token);
    assert.deepEqual(
      toAlice.map((n) => [n.title, n.changeId]),
      [[`Your change ${ofAlice.number} "Upgrade" now conflicts with ${alsoBob.number} "Upgrade".`, ofAlice.id]],
    );
    assert.deepEqual(await notices(bob.token), [], 'nobody is told about what they did themselves');
    assert.equal(await h.cabinet.store.repos.outbox.pendingCount(), 0);
  });

  eachEngine('a pair is derived when read: a stable id on each side, an acknowledgement that covers the overlap seen, markers that count what nobody acknowledged', async (h) => {
    const db = await ci(h, 'billing-db', 'database');
    const a = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 3) }));
    const b = await file(h, plan([db], { plannedStart: at(h, 1), plannedEnd: at(h, 2) }));
    const [onA] = await conflictsOf(h, a.id);
    const [onB] = await conflictsOf(h, b.id);
    assert.match(onA!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(onA!.id, onB!.id, 'each side has its own id');
    assert.equal((await conflictsOf(h, a.id))[0]!.id, onA!.id, 'the same id at every read');
    const counts = async () => h.cabinet.store.repos.schedule.openConflictCounts([a.id, b.id]);
    assert.deepEqual(Object.fromEntries(await counts()), { [a.id]: 1, [b.id]: 1 });

    const manager = await h.userWithToken(['change_manager']);
    const ackPath = (change: string, conflict: string) => `/api/v1/changes/${change}/conflicts/${conflict}/acknowledge`;
    const unknown = await h.request('POST', ackPath(a.id, onB!.id), { token: manager.token, body: { reason: 'not this one' } });
    assert.equal(unknown.status, 404, 'the other side’s id is not a conflict of this change');
    const ack = await h.request('POST', ackPath(a.id, onA!.id), { token: manager.token, body: { reason: 'Both are read-only checks' } });
    assert.equal(ack.status, 200, ack.text);
    assert.equal(ack.body.acknowledgement.reason, 'Both are read-only checks');
    assert.equal((await h.request('POST', ackPath(a.id, onA!.id), { token: manager.token, body: { reason: 'again' } })).status, 409);
    assert.equal((await conflictsOf(h, a.id))[0]!.acknowledgement?.reason, 'Both are read-only checks');
    assert.equal((await conflictsOf(h, b.id))[0]!.acknowledgement, null, 'the other side is acknowledged on its own');
    assert.deepEqual(Object.fromEntries(await counts()), { [b.id]: 1 });
    const audited = await h.request('GET', `/api/v1/audit/events?record=${a.id}&action=change.conflict_acknowledged`);
    assert.equal(audited.status, 200, audited.text);
    assert.equal(audited.body.items[0]?.data.startsAt, at(h, 1), 'the audit trail keeps the overlap that was accepted');

    // Shrinking the overlap keeps the acknowledgement; growing it past what was accepted asks for a new look.
    assert.equal((await edit(h, `/api/v1/changes/${b.id}`, { plannedStart: at(h, 1), plannedEnd: at(h, 1.5) })).status, 200);
    assert.equal((await conflictsOf(h, a.id))[0]!.acknowledgement?.reason, 'Both are read-only checks');
    assert.equal((await edit(h, `/api/v1/changes/${b.id}`, { plannedStart: at(h, 0), plannedEnd: at(h, 2) })).status, 200);
    const [moved] = await conflictsOf(h, a.id);
    assert.equal(moved!.id, onA!.id, 'the same pair, the same id');
    assert.equal(moved!.acknowledgement, null);
    assert.deepEqual(Object.fromEntries(await counts()), { [a.id]: 1, [b.id]: 1 });
    const again = await h.request('POST', ackPath(a.id, onA!.id), { token: manager.token, body: { reason: 'Checked the longer overlap too' } });
    assert.equal(again.status, 200, again.text);
    assert.equal((await conflictsOf(h, a.id))[0]!.acknowledgement?.reason, 'Checked the longer overlap too');

    // The same person implementing both is a pair of its own kind, counted by the markers too.
    const carol = await h.userWithToken(['implementer']);
    const web = await ci(h, 'billing-web', 'server');
    const c = await file(h, plan([web], { plannedStart: at(h, 0), plannedEnd: at(h, 1), implementerId: carol.id }));
    const d = await file(h, plan([await ci(h, 'billing-batch', 'server')], { plannedStart: at(h, 0.5), plannedEnd: at(h, 2), implementerId: carol.id }));
    assert.deepEqual(await kinds(h, c.id), [`assignee_busy:${d.id}`]);
    assert.deepEqual(Object.fromEntries(await h.cabinet.store.repos.schedule.openConflictCounts([c.id, d.id])), { [c.id]: 1, [d.id]: 1 });
    // Closing one parts them at once: nothing is left stored to clean up.
    assert.equal((await move(h, d.id, 'cancelled', undefined, 'Not needed')).status, 200);
    assert.deepEqual(await kinds(h, c.id), []);
    assert.deepEqual(Object.fromEntries(await h.cabinet.store.repos.schedule.openConflictCounts([c.id], ['cancelled', 'closed'])), {});
  });

  eachEngine('a plan is checked before it is saved: the conflicts it would have, nothing written, every bad reference named', async (h) => {
    const db = await ci(h, 'stock-db', 'database');
    const existing = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 2) }));
    await window(h, freezeOver(h, 2.5, 4, { name: 'Stocktake' }));
    const check = (body: Record<string, unknown>) => h.request('POST', '/api/v1/conflicts/check', { body });
    const fresh = await check({ ciIds: ['stock-db'], plannedStart: at(h, 1), plannedEnd: at(h, 3) });
    assert.equal(fresh.status, 200, fresh.text);
    assert.deepEqual(fresh.body.items.map((c: { kind: string; otherChange: { id: string } | null }) => `${c.kind}${c.otherChange ? `:${c.otherChange.id}` : ''}`).sort(), ['ci_overlap:' + existing.id, 'freeze']);
    assert.equal(fresh.body.items.find((c: { kind: string }) => c.kind === 'ci_overlap').blocking, true, 'it would need an acknowledgement before scheduling');
    assert.deepEqual(await kinds(h, existing.id), [], 'nothing was written: the existing change meets nobody');

    // The change being edited is not a conflict of itself; its acknowledgements count.
    const second = await file(h, plan([db], { plannedStart: at(h, 6), plannedEnd: at(h, 7) }));
    const moved = await check({ ciIds: [db], plannedStart: at(h, 0.5), plannedEnd: at(h, 1), changeId: existing.id });
    assert.deepEqual(moved.body.items.map((c: { kind: string }) => c.kind), []);
    const overSecond = await check({ ciIds: [db], plannedStart: at(h, 6), plannedEnd: at(h, 7), changeId: existing.id });
    assert.deepEqual(overSecond.body.items.map((c: { otherChange: { id: string } | null }) => c.otherChange?.id), [second.id]);

    const bad = await check({ ciIds: ['no-such-ci', db, 'nor-this'], plannedStart: at(h, 1), plannedEnd: at(h, 2), implementerId: 'nobody', changeId: 'CHG9999999' });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['changeId', 'ciIds.0', 'ciIds.2', 'implementerId']);
    const backwards = await check({ ciIds: [db], plannedStart: at(h, 2), plannedEnd: at(h, 1) });
    assert.equal(backwards.status, 400);
    assert.deepEqual(backwards.body.error.details.issues.map((i: { path: string }) => i.path), ['plannedEnd']);
    const both = await check({ ciIds: ['ghost-db'], plannedStart: 'soon', plannedEnd: at(h, 1) });
    assert.equal(both.status, 400);
    assert.deepEqual(both.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['ciIds.0', 'plannedStart'], 'a malformed time and an unknown CI in one answer');
    const strict = await check({ ciIds: [db], plannedStart: at(h, 1), plannedEnd: at(h, 2), title: 'extra' });
    assert.equal(strict.status, 400, 'unknown fields are refused');
  });

  eachEngine('a conflict gone before the worker runs is not announced', async (h) => {
    const [alice, bob] = [await h.userWithToken(['requester']), await h.userWithToken(['requester'])];
    const db = await ci(h, 'ledger-db-2', 'database');
    const ofAlice = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 2) }), alice.token);
    const ofBob = await file(h, plan([db], { plannedStart: at(h, 1), plannedEnd: at(h, 3) }), bob.token);
    assert.equal((await edit(h, `/api/v1/changes/${ofBob.id}`, { plannedStart: at(h, 5), plannedEnd: at(h, 6) }, bob.token)).status, 200);
    assert.deepEqual(await kinds(h, ofAlice.id), []);
    await h.tick();
    const inbox = await h.request('GET', '/api/v1/me/notifications', { token: alice.token });
    assert.deepEqual(inbox.body.items.filter((n: { kind: string }) => n.kind === 'schedule_conflict'), []);
  });

  eachEngine('a relation added later makes changes on related CIs conflict at once, and removing it or excluding the CI undoes it', async (h) => {
    const db = await ci(h, 'ledger-db', 'database');
    const app = await ci(h, 'ledger-app', 'server');
    const a = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 2) }));
    const b = await file(h, plan([app], { plannedStart: at(h, 1), plannedEnd: at(h, 3) }));
    assert.deepEqual(await kinds(h, a.id), []);

    // ledger-app depends on ledger-db: it is in the impact of work on the database.
    const relation = await relate(h, app, db);
    assert.deepEqual(await kinds(h, a.id), [`related_ci_overlap:${b.id}`]);
    assert.deepEqual(await kinds(h, b.id), [`related_ci_overlap:${a.id}`]);

    const impact = await h.request('GET', `/api/v1/changes/${a.id}/impact`);
    assert.equal(impact.status, 200, impact.text);
    assert.deepEqual(
      impact.body.impacted.map((i: { name: string; depth: number; via: { name: string } }) => [i.name, i.depth, i.via.name]),
      [['ledger-app', 1, 'ledger-db']],
    );
    assert.equal(impact.body.settings.direction, 'dependents');

    const refused = await h.request('POST', `/api/v1/changes/${a.id}/impact/exclusions`, { body: { ciId: db, reason: '' } });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['reason']);
    const excluded = await h.request('POST', `/api/v1/changes/${a.id}/impact/exclusions`, { body: { ciId: app, reason: 'The app reads a replica during the upgrade' } });
    assert.equal(excluded.status, 201, excluded.text);
    assert.deepEqual(excluded.body.impacted, []);
    assert.equal(excluded.body.excluded[0].reason, 'The app reads a replica during the upgrade');
    assert.deepEqual(await kinds(h, a.id), [], 'the excluded CI no longer counts');
    assert.deepEqual(await kinds(h, b.id), []);
    const history = await h.request('GET', `/api/v1/changes/${a.id}/audit`);
    assert.ok(history.body.items.some((e: { action: string }) => e.action === 'change.impact_excluded'));

    const included = await h.request('DELETE', `/api/v1/changes/${a.id}/impact/exclusions/${app}`);
    assert.equal(included.status, 200, included.text);
    assert.deepEqual(await kinds(h, b.id), [`related_ci_overlap:${a.id}`]);

    const removed = await h.request('DELETE', `/api/v1/cis/${app}/relations/${relation}`);
    assert.equal(removed.status, 204, removed.text);
    assert.deepEqual(await kinds(h, a.id), []);
    assert.deepEqual(await kinds(h, b.id), []);
  });

  eachEngine('markers count related-CI pairs as the Conflicts tab shows them: the list, the calendar and Home, each side acknowledged on its own', async (h) => {
    const db = await ci(h, 'orders-db', 'database');
    const app = await ci(h, 'orders-app', 'server');
    await relate(h, app, db);
    const a = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 2) }));
    const b = await file(h, plan([app], { plannedStart: at(h, 1), plannedEnd: at(h, 3) }));
    // Same-CI and same-implementer pairs elsewhere still count as before, beside the related ones.
    const other = await ci(h, 'orders-batch', 'server');
    const c = await file(h, plan([other], { plannedStart: at(h, 10), plannedEnd: at(h, 11) }));
    const d = await file(h, plan([other], { plannedStart: at(h, 10), plannedEnd: at(h, 12) }));
    assert.deepEqual(await kinds(h, a.id), [`related_ci_overlap:${b.id}`]);

    const manager = await h.userWithToken(['change_manager']);
    const markers = async () => {
      const list = await h.request('GET', '/api/v1/changes?limit=500');
      assert.equal(list.status, 200, list.text);
      const calendar = await h.request('GET', `/api/v1/calendar?from=${encodeURIComponent(at(h, -24))}&to=${encodeURIComponent(at(h, 48))}`);
      assert.equal(calendar.status, 200, calendar.text);
      const home = await h.request('GET', '/api/v1/home', { token: manager.token });
      assert.equal(home.status, 200, home.text);
      const of = (items: { id: string; openConflicts?: number }[]) => Object.fromEntries(items.filter((x) => [a.id, b.id, c.id, d.id].includes(x.id)).map((x) => [x.id, x.openConflicts ?? 0]));
      const queue = Object.fromEntries((home.body.conflicts.items as { change: { id: string }; count: number }[]).map((x) => [x.change.id, x.count]));
      return { list: of(list.body.items), calendar: of(calendar.body.changes), home: queue };
    };
    const both = { [a.id]: 1, [b.id]: 1, [c.id]: 1, [d.id]: 1 };
    assert.deepEqual(await markers(), { list: both, calendar: both, home: both });
    // What the tab shows unacknowledged is what the marker counts.
    for (const id of [a.id, b.id]) assert.equal((await conflictsOf(h, id)).filter((x) => x.acknowledgement === null).length, 1);

    const [onA] = await conflictsOf(h, a.id);
    const ack = await h.request('POST', `/api/v1/changes/${a.id}/conflicts/${onA!.id}/acknowledge`, { token: manager.token, body: { reason: 'The app only reads during the upgrade' } });
    assert.equal(ack.status, 200, ack.text);
    const afterAck = { [a.id]: 0, [b.id]: 1, [c.id]: 1, [d.id]: 1 };
    const { [a.id]: _gone, ...queued } = afterAck;
    assert.deepEqual(await markers(), { list: afterAck, calendar: afterAck, home: queued }, 'acknowledged on one side: that side only');
    assert.deepEqual(Object.fromEntries(await h.cabinet.services.schedule.openConflictCounts([a.id, b.id], null)), { [b.id]: 1 });
  });

  eachEngine('a policy that narrows the impact recomputes related conflicts when it is applied', async (h) => {
    const db = await ci(h, 'pricing-db', 'database');
    const app = await ci(h, 'pricing-app', 'server');
    await relate(h, app, db);
    const a = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 2) }));
    const b = await file(h, plan([app], { plannedStart: at(h, 1), plannedEnd: at(h, 3) }));
    assert.deepEqual(await kinds(h, a.id), [`related_ci_overlap:${b.id}`]);
    const files = await readBundleFiles(new URL('../policies/default', import.meta.url).pathname);
    files['schedule.yaml'] = files['schedule.yaml']!.replace('depth: 2', 'depth: 0');
    const applied = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
    assert.equal(applied.status, 201, applied.text);
    assert.deepEqual(await kinds(h, a.id), []);
    assert.deepEqual(await kinds(h, b.id), []);
  });

  eachEngine('a change on more CIs than one graph query takes finds related conflicts two steps away on both sides', async (h) => {
    // Over 200 CIs the graph is read step by step rather than in one query: both ways must agree.
    const rows = [
      ...Array.from({ length: 210 }, (_, i) => ({ name: `rack-${i}`, type: 'server', environment: 'production' })),
      { name: 'rack-app', type: 'application', environment: 'production', relations: [{ to: 'rack-7', type: 'runs_on' }] },
      { name: 'rack-web', type: 'application', environment: 'production', relations: [{ to: 'rack-app', type: 'depends_on' }] },
      { name: 'rack-far', type: 'application', environment: 'production', relations: [{ to: 'rack-web', type: 'depends_on' }] },
    ];
    const imported = await h.request('POST', '/api/v1/cis/import', { body: rows });
    assert.equal(imported.status, 200, imported.text);
    const ids = new Map<string, string>();
    for (const name of ['rack-app', 'rack-web', 'rack-far', ...Array.from({ length: 210 }, (_, i) => `rack-${i}`)]) ids.set(name, (await h.request('GET', `/api/v1/cis/${name}`)).body.id);
    const big = await file(h, plan(Array.from({ length: 210 }, (_, i) => ids.get(`rack-${i}`)!), { plannedStart: at(h, 0), plannedEnd: at(h, 2) }));
    const web = await file(h, plan([ids.get('rack-web')!], { plannedStart: at(h, 1), plannedEnd: at(h, 3) }));
    const far = await file(h, plan([ids.get('rack-far')!], { plannedStart: at(h, 1), plannedEnd: at(h, 3) }));
    assert.deepEqual(await kinds(h, big.id), [`related_ci_overlap:${web.id}`], 'rack-web is two steps from rack-7, rack-far three');
    assert.deepEqual(await kinds(h, web.id), [`related_ci_overlap:${big.id}`, `related_ci_overlap:${far.id}`].sort());
    assert.deepEqual(await kinds(h, far.id), [`related_ci_overlap:${web.id}`]);
  });

  eachEngine('impact both ways reaches a sibling through what both depend on', async (h) => {
    const db = await ci(h, 'stock-db', 'database');
    const one = await ci(h, 'stock-api', 'application');
    const two = await ci(h, 'stock-batch', 'application');
    await relate(h, one, db);
    await relate(h, two, db);
    const a = await file(h, plan([one], { plannedStart: at(h, 0), plannedEnd: at(h, 2) }));
    const b = await file(h, plan([two], { plannedStart: at(h, 1), plannedEnd: at(h, 3) }));
    assert.deepEqual(await kinds(h, a.id), [], 'dependents only: nothing depends on either application');
    const files = await readBundleFiles(new URL('../policies/default', import.meta.url).pathname);
    files['schedule.yaml'] = files['schedule.yaml']!.replace('direction: dependents', 'direction: both');
    const applied = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
    assert.equal(applied.status, 201, applied.text);
    assert.deepEqual(await kinds(h, a.id), [`related_ci_overlap:${b.id}`]);
    assert.deepEqual(await kinds(h, b.id), [`related_ci_overlap:${a.id}`]);
  });

  eachEngine('a large impact is summarised by service', async (h) => {
    const svc = await h.request('POST', '/api/v1/services', { body: { name: 'Storefront', tier: 2 } });
    const db = await ci(h, 'shared-db', 'database');
    const rows = Array.from({ length: 60 }, (_, i) => ({ name: `web-${i}`, type: 'server', environment: 'production', service: 'Storefront', relations: [{ to: 'shared-db', type: 'depends_on' }] }));
    const imported = await h.request('POST', '/api/v1/cis/import', { body: rows });
    assert.equal(imported.status, 200, imported.text);
    assert.equal(imported.body.relationsCreated, 60);
    const a = await file(h, plan([db]));
    const impact = await h.request('GET', `/api/v1/changes/${a.id}/impact`);
    assert.equal(impact.body.summarised, true);
    assert.equal(impact.body.impactedCount, 60);
    assert.deepEqual(impact.body.impacted, []);
    assert.deepEqual(impact.body.services.find((s: { id: string | null }) => s.id === svc.body.id), { id: svc.body.id, name: 'Storefront', ciCount: 60, affected: false });
  });

  eachEngine('the implementer booked on two changes at once is assignee_busy, and two concurrent edits leave both sides consistent', async (h) => {
    const carol = await h.userWithToken(['implementer']);
    const x = await ci(h, 'x', 'server');
    const y = await ci(h, 'y', 'server');
    const z = await ci(h, 'z', 'server');
    const a = await file(h, plan([x], { plannedStart: at(h, 0), plannedEnd: at(h, 2), implementerId: carol.id }));
    const b = await file(h, plan([y], { plannedStart: at(h, 1), plannedEnd: at(h, 3), implementerId: carol.id }));
    assert.deepEqual(await kinds(h, a.id), [`assignee_busy:${b.id}`]);
    assert.deepEqual(await kinds(h, b.id), [`assignee_busy:${a.id}`]);

    // Two people, each having read their change, move both changes onto CI z at the same moment.
    const [va, vb] = await Promise.all([a.id, b.id].map(async (id) => (await h.request('GET', `/api/v1/changes/${id}`)).body.version as number));
    const [ra, rb] = await Promise.all([
      h.request('PATCH', `/api/v1/changes/${a.id}`, { body: { ciIds: [z], version: va } }),
      h.request('PATCH', `/api/v1/changes/${b.id}`, { body: { ciIds: [z], version: vb } }),
    ]);
    assert.equal(ra.status, 200, ra.text);
    assert.equal(rb.status, 200, rb.text);
    assert.deepEqual(await kinds(h, a.id), [`assignee_busy:${b.id}`, `ci_overlap:${b.id}`]);
    assert.deepEqual(await kinds(h, b.id), [`assignee_busy:${a.id}`, `ci_overlap:${a.id}`]);
  });

  eachEngine('a change meeting another on the same CI is scheduled only once a change manager acknowledged it, as the policy says', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const requester = await h.userWithToken(['requester']);
    await addMembers(h, 'change-managers', [manager.id]);
    const queue = await ci(h, 'order-queue', 'queue');
    const busy = await h.userWithToken(['implementer']);
    const other = await file(h, plan([queue], { plannedStart: at(h, 0), plannedEnd: at(h, 2), implementerId: busy.id }));
    const { id } = await fileAndAuthorize(h, requester.token, plan([queue], { plannedStart: at(h, 1), plannedEnd: at(h, 3), implementerId: busy.id }));
    for (const a of await approvalsOf(h, id)) assert.equal((await decide(h, manager.token, a.id, { decision: 'approve' })).status, 200);
    const shown = await h.request('GET', `/api/v1/changes/${id}`, { token: manager.token });
    const schedule = (shown.body.availableTransitions as { to: string; reasons: string[] }[]).find((t) => t.to === 'scheduled');
    assert.deepEqual(
      schedule?.reasons.filter((r) => r.includes('order-queue')).length,
      1,
      'the change page says why the move would be refused before anyone tries it',
    );

    const blocked = await move(h, id, 'scheduled');
    assert.equal(blocked.status, 422, blocked.text);
    assert.equal(blocked.body.error.code, 'schedule_conflict');
    assert.deepEqual(blocked.body.error.details.conflicts.map((c: { kind: string }) => c.kind), ['ci_overlap'], 'the same implementer is shown, not enforced, by default');
    assert.match(blocked.body.error.message, /order-queue at the same time\. A change manager may acknowledge/);
    const conflicts = await conflictsOf(h, id);
    const sameCi = conflicts.find((c) => c.kind === 'ci_overlap')!;
    assert.equal(sameCi.blocking, true);
    assert.equal(conflicts.find((c) => c.kind === 'assignee_busy')!.blocking, false);
    assert.equal((await h.request('POST', `/api/v1/changes/${id}/conflicts/${sameCi.id}/acknowledge`, { token: manager.token, body: { reason: 'Both only read from the queue' } })).status, 200);
    assert.equal((await move(h, id, 'scheduled')).status, 200, 'acknowledged: it may be scheduled');
    assert.equal((await conflictsOf(h, other.id)).find((c) => c.kind === 'ci_overlap')!.acknowledgement, null, 'the other side is still to be looked at');

    // A policy may ask for every kind, or for none.
    const files = await readBundleFiles(new URL('../policies/default', import.meta.url).pathname);
    files['schedule.yaml'] = files['schedule.yaml']!.replace('acknowledgeBeforeScheduling: [ci_overlap]', 'acknowledgeBeforeScheduling: [ci_overlap, assignee_busy]');
    assert.equal((await h.request('POST', '/api/v1/policy/versions', { body: { files } })).status, 201);
    assert.equal((await conflictsOf(h, id)).find((c) => c.kind === 'assignee_busy')!.blocking, true);
    files['schedule.yaml'] = files['schedule.yaml']!.replace('acknowledgeBeforeScheduling: [ci_overlap, assignee_busy]', 'acknowledgeBeforeScheduling: [ci_overlap, ci_overlap]');
    const twice = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
    assert.equal(twice.status, 422, twice.text);
    assert.match(JSON.stringify(twice.body.error), /acknowledgeBeforeScheduling/);
  });

  eachEngine('a freeze blocks scheduling until a freeze exception is approved by the stage the policy names', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const cab = await h.userWithToken(['cab_member']);
    const requester = await h.userWithToken(['requester']);
    await addMembers(h, 'change-managers', [manager.id]);
    await addMembers(h, 'cab', [cab.id]);
    const cache = await ci(h, 'report-cache', 'cache', { environment: 'staging' });
    const { id } = await fileAndAuthorize(h, requester.token, plan([cache], { plannedStart: at(h, 0), plannedEnd: at(h, 1) }));
    for (const a of await approvalsOf(h, id)) assert.equal((await decide(h, manager.token, a.id, { decision: 'approve' })).status, 200);

    const freeze = await window(h, freezeOver(h, -1, 5));
    const [conflict] = await conflictsOf(h, id);
    assert.equal(conflict!.kind, 'freeze');
    assert.equal(conflict!.blocking, true);
    const blocked = await move(h, id, 'scheduled');
    assert.equal(blocked.status, 422, blocked.text);
    assert.equal(blocked.body.error.code, 'schedule_conflict');
    assert.equal(blocked.body.error.details.conflicts[0].window.id, freeze.id);
    assert.match(blocked.body.error.message, /Release freeze/);

    const ack = await h.request('POST', `/api/v1/changes/${id}/conflicts/${conflict!.id}/acknowledge`, { body: { reason: 'fine' } });
    assert.equal(ack.status, 422, 'a freeze is not acknowledged away');
    assert.equal(ack.body.error.code, 'freeze_needs_exception');

    const bad = await h.request('POST', `/api/v1/changes/${id}/freeze-exceptions`, { body: { reason: '', risk: ' ', mitigation: '', acceptedBy: 'nobody@example.com' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['mitigation', 'reason', 'risk']);
    const unknown = await h.request('POST', `/api/v1/changes/${id}/freeze-exceptions`, { body: { reason: 'r', risk: 'r', mitigation: 'm', acceptedBy: 'nobody@example.com' } });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.error.details.issues, [{ path: 'acceptedBy', message: 'unknown user nobody@example.com' }]);

    const requested = await h.request('POST', `/api/v1/changes/${id}/freeze-exceptions`, {
      token: requester.token,
      body: { reason: 'The regulator needs the report before the year ends', risk: 'Reports could be slow for an hour', mitigation: 'Run at night; the old size is one command away', acceptedBy: manager.email },
    });
    assert.equal(requested.status, 201, requested.text);
    assert.equal(requested.body.items[0].state, 'requested');
    assert.equal(requested.body.items[0].acceptedBy.id, manager.id);
    const again = await h.request('POST', `/api/v1/changes/${id}/freeze-exceptions`, { body: { reason: 'r', risk: 'r', mitigation: 'm', acceptedBy: manager.id } });
    assert.equal(again.status, 409);

    const stage = (await approvalsOf(h, id)).filter((a) => a.stage === 'freeze_exception');
    assert.deepEqual(stage.map((a) => [a.rule, a.state, a.approver.label]), [['freeze_exception', 'pending', 'cab']]);
    assert.equal((await move(h, id, 'scheduled')).status, 422, 'still blocked while the exception waits');

    assert.equal((await decide(h, cab.token, stage[0]!.id, { decision: 'approve', comment: 'Accepted at CAB' })).status, 200);
    const exceptions = await h.request('GET', `/api/v1/changes/${id}/freeze-exceptions`);
    assert.equal(exceptions.body.items[0].state, 'approved');
    const [excepted] = await conflictsOf(h, id);
    assert.equal(excepted!.excepted, true);
    assert.equal(excepted!.blocking, false);
    const scheduled = await move(h, id, 'scheduled');
    assert.equal(scheduled.status, 200, scheduled.text);
    const history = (await h.request('GET', `/api/v1/changes/${id}/audit`)).body.items.map((e: { action: string }) => e.action);
    assert.ok(history.includes('change.freeze_exception_requested') && history.includes('change.freeze_exception_approved'));
  });

  eachEngine('a service that requires a maintenance window: outside it is a conflict a change manager may acknowledge, inside a weekly window across DST is none', async (h) => {
    const svc = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 1, requiresMaintenanceWindow: true } });
    assert.equal(svc.status, 201, svc.text);
    assert.equal(svc.body.requiresMaintenanceWindow, true);
    const api = await ci(h, 'pay-api', 'server', { serviceId: svc.body.id });
    // Saturdays 22:00–02:00 in London; 24 October 2026 is BST (21:00Z), 31 October GMT (22:00Z).
    await window(h, { name: 'Payments Saturday', kind: 'maintenance', start: '2026-01-03T22:00', timeZone: 'Europe/London', durationMinutes: 240, rrule: 'FREQ=WEEKLY;BYDAY=SA', scope: { serviceIds: [svc.body.id] } });
    const inside = await file(h, plan([api], { plannedStart: '2026-10-31T22:30:00.000Z', plannedEnd: '2026-11-01T01:30:00.000Z' }));
    assert.deepEqual(await kinds(h, inside.id), []);
    const beforeDst = await file(h, plan([api], { plannedStart: '2026-10-24T21:00:00.000Z', plannedEnd: '2026-10-25T01:00:00.000Z' }));
    assert.deepEqual(await kinds(h, beforeDst.id), [], 'exactly the window in BST');
    const outside = await file(h, plan([api], { plannedStart: '2026-10-24T20:00:00.000Z', plannedEnd: '2026-10-24T22:00:00.000Z' }));
    const [c] = await conflictsOf(h, outside.id);
    assert.equal(c!.kind, 'outside_maintenance_window');
    assert.equal(c!.blocking, true);

    const requester = await h.userWithToken(['requester']);
    const forbidden = await h.request('POST', `/api/v1/changes/${outside.id}/conflicts/${c!.id}/acknowledge`, { token: requester.token, body: { reason: 'please' } });
    assert.equal(forbidden.status, 403);
    const manager = await h.userWithToken(['change_manager']);
    const ack = await h.request('POST', `/api/v1/changes/${outside.id}/conflicts/${c!.id}/acknowledge`, { token: manager.token, body: { reason: 'Vendor only available then' } });
    assert.equal(ack.status, 200, ack.text);
    assert.equal(ack.body.blocking, false);
    assert.equal(ack.body.acknowledgement.reason, 'Vendor only available then');
    const twice = await h.request('POST', `/api/v1/changes/${outside.id}/conflicts/${c!.id}/acknowledge`, { token: manager.token, body: { reason: 'again' } });
    assert.equal(twice.status, 409);
    // An unrelated edit keeps the acknowledgement.
    assert.equal((await edit(h, `/api/v1/changes/${outside.id}`, { title: 'Renamed' })).status, 200);
    assert.equal((await conflictsOf(h, outside.id))[0]!.acknowledgement?.reason, 'Vendor only available then');
  });

  eachEngine('a freeze added later gives planned changes a conflict, a proposed slot and a notice to the owner', async (h) => {
    const owner = await h.userWithToken(['requester']);
    const db = await ci(h, 'billing-db', 'database');
    const a = await file(h, plan([db], { plannedStart: at(h, 1), plannedEnd: at(h, 3) }), owner.token);
    assert.deepEqual(await kinds(h, a.id), []);
    await window(h, freezeOver(h, 0, 24));
    const [c] = await conflictsOf(h, a.id);
    assert.equal(c!.kind, 'freeze');
    assert.deepEqual(c!.proposedSlot, { start: at(h, 24), end: at(h, 26) }, 'the first two hours after the freeze');
    await h.tick();
    const inbox = await h.request('GET', '/api/v1/me/notifications', { token: owner.token });
    const notice = inbox.body.items.find((n: { kind: string }) => n.kind === 'schedule_conflict');
    assert.ok(notice, inbox.text);
    assert.match(notice.title, /Release freeze/);
    assert.ok(notice.body.includes(`Cabinet proposes ${rangeWords(at(h, 24), at(h, 26))} instead`), notice.body);

    // A change filed into the freeze gets its proposed slot at once, without a notice to the person who filed it.
    const b = await file(h, plan([db], { plannedStart: at(h, 4), plannedEnd: at(h, 5) }), owner.token);
    assert.deepEqual((await conflictsOf(h, b.id))[0]!.proposedSlot, { start: at(h, 24), end: at(h, 25) });

    // Taking the proposed slot clears the conflict.
    assert.equal((await edit(h, `/api/v1/changes/${a.id}`, { plannedStart: c!.proposedSlot!.start, plannedEnd: c!.proposedSlot!.end })).status, 200);
    assert.deepEqual(await kinds(h, a.id), []);
  });

  eachEngine('next-slot finds the first free slots outside freezes and other changes, inside required maintenance windows', async (h) => {
    const db = await ci(h, 'crm-db', 'database');
    const other = await file(h, plan([db], { plannedStart: at(h, 0), plannedEnd: at(h, 4) }));
    assert.ok(other.id);
    await window(h, freezeOver(h, 4, 10, { scope: { ciIds: [db] } }));
    const res = await h.request('GET', `/api/v1/schedule/next-slot?ciIds=${db}&durationMinutes=120&after=${encodeURIComponent(at(h, 0))}&limit=2`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.slots[0], { start: at(h, 10), end: at(h, 12) });
    assert.equal(res.body.slots.length, 2);
    assert.ok(Date.parse(res.body.slots[1].start) >= Date.parse(at(h, 12)), 'slots do not overlap');
    assert.equal(res.body.searchedUntil, new Date(Date.parse(at(h, 0)) + 90 * DAY).toISOString());

    const bad = await h.request('GET', '/api/v1/schedule/next-slot?ciIds=nope,also-nope&durationMinutes=0');
    assert.equal(bad.status, 400);
    assert.ok(bad.body.error.details.issues.length >= 1);
    const unknown = await h.request('GET', '/api/v1/schedule/next-slot?ciIds=nope,also-nope&durationMinutes=60');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.error.details.issues.map((i: { path: string }) => i.path), ['query.ciIds.0', 'query.ciIds.1']);

    const svc = await h.request('POST', '/api/v1/services', { body: { name: 'CRM', tier: 2, requiresMaintenanceWindow: true } });
    assert.equal((await edit(h, `/api/v1/cis/${db}`, { serviceId: svc.body.id })).status, 200);
    await window(h, { name: 'CRM nights', kind: 'maintenance', start: at(h, 30).slice(0, 16), timeZone: 'UTC', durationMinutes: 180, rrule: 'FREQ=DAILY', scope: { serviceIds: [svc.body.id] } });
    const inWindow = await h.request('GET', `/api/v1/schedule/next-slot?ciIds=crm-db&durationMinutes=120&after=${encodeURIComponent(at(h, 0))}&limit=2`);
    assert.equal(inWindow.status, 200, inWindow.text);
    assert.deepEqual(inWindow.body.requiresMaintenanceWindow, [{ id: svc.body.id, name: 'CRM' }]);
    assert.deepEqual(inWindow.body.slots, [
      { start: at(h, 30), end: at(h, 32) },
      { start: at(h, 54), end: at(h, 56) },
    ]);
  });

  eachEngine('an urgent freeze holds in-flight changes in its scope and the worker releases them when it ends', async (h) => {
    const db = await ci(h, 'stock-db', 'database');
    const start = new Date(Math.floor(h.now().getTime() / HOUR) * HOUR);
    const change = await file(h, plan([db], { plannedStart: new Date(start.getTime() + HOUR).toISOString(), plannedEnd: new Date(start.getTime() + 2 * HOUR).toISOString() }));
    const lockdown = await window(h, { name: 'Incident lockdown', kind: 'freeze', urgent: true, start: start.toISOString().slice(0, 16), timeZone: 'UTC', durationMinutes: 180, scope: { ciIds: [db] } });
    const held = await h.request('GET', `/api/v1/changes/${change.id}`);
    assert.deepEqual(held.body.hold, { windowId: lockdown.id, until: new Date(start.getTime() + 3 * HOUR).toISOString() });
    const refused = await move(h, change.id, 'assess');
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.error.code, 'change_on_hold');

    h.advance(3 * HOUR);
    const report = await h.tick();
    assert.equal(report.released, 1);
    const released = await h.request('GET', `/api/v1/changes/${change.id}`);
    assert.equal(released.body.hold, null);
    assert.equal((await move(h, change.id, 'assess')).status, 200);
  });
});
