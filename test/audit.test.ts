import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { systemActor } from '../src/domain/actor';
import type { AuditAction } from '../src/contracts/audit';
import { hashEvent, type ChainedEvent } from '../src/domain/audit/chain';
import { audit } from '../src/services/context';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eachEngine, onEngine, type Harness } from './support/cabinet';
import { cabinet } from './support/cli';

const GENESIS = '0'.repeat(64);
/** An action no service records, so these tests' own events stand apart from real ones. */
const testAction = (name: string) => `test.${name}` as AuditAction;


function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function eventCount(h: Harness): Promise<number> {
  const row = await h.cabinet.store.kysely
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function auditHead(h: Harness): Promise<{ seq: number; hash: string }> {
  const row = await h.cabinet.store.kysely.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: Number(row.seq), hash: row.hash };
}

/** The exported trail, one parsed event per line. */
async function exportedEvents(h: Harness, token?: string) {
  const res = await h.request('GET', '/api/v1/audit/export', { token });
  assert.equal(res.status, 200, res.text);
  return res.text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** A handful of ordinary writes across resources, so the chain has something to check. */
async function someWrites(h: Harness): Promise<{ ciId: string }> {
  const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Platform' } });
  assert.equal(team.status, 201);
  const svc = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 1, ownerTeamId: team.body.id } });
  assert.equal(svc.status, 201);
  const ci = await h.request('POST', '/api/v1/cis', {
    body: { name: 'pay-db-01', type: 'database', environment: 'production', serviceId: svc.body.id },
  });
  assert.equal(ci.status, 201);
  const other = await h.request('POST', '/api/v1/cis', {
    body: { name: 'pay-app-01', type: 'server', environment: 'production', serviceId: svc.body.id },
  });
  assert.equal(
    (await h.request('POST', `/api/v1/cis/${other.body.id}/relations`, { body: { toCiId: ci.body.id, type: 'depends_on' } })).status,
    201,
  );
  assert.equal((await h.request('PATCH', `/api/v1/cis/${ci.body.id}`, { body: { criticality: 'critical', version: 1 } })).status, 200);
  const change = await h.request('POST', '/api/v1/changes', {
    body: { type: 'normal', title: 'Upgrade the payments database', ciIds: [ci.body.id] },
  });
  assert.equal(change.status, 201);
  assert.equal(
    (await h.request('POST', `/api/v1/changes/${change.body.id}/comments`, { body: { body: 'Needs a backout plan' } })).status,
    201,
  );
  const token = await h.request('POST', '/api/v1/tokens', { body: { name: 'ci' } });
  assert.equal((await h.request('DELETE', `/api/v1/tokens/${token.body.id}`)).status, 204);
  return { ciId: ci.body.id };
}

// Every test has its own database, so the SQLite and PostgreSQL runs of a test may overlap.
describe('audit trail', { concurrency: 2 }, () => {
  eachEngine(
    'verifies an intact trail after a series of writes and exports it as JSON lines in seq order, chained from the genesis hash to the head',
    async (h) => {
      await someWrites(h);
      const stored = await eventCount(h);
      assert.ok(stored >= 12, `only ${stored} events were written`);
      const head = await auditHead(h);
      assert.equal(head.seq, stored);
      const verify = await h.request('GET', '/api/v1/audit/verify');
      assert.equal(verify.status, 200, verify.text);
      assert.equal(verify.body.ok, true);
      assert.equal(verify.body.checked, stored);
      assert.equal(verify.body.headSeq, stored);
      assert.equal(verify.body.lastSeq, stored);
      assert.equal(verify.body.lastHash, head.hash);
      assert.equal(verify.body.brokenSeq, undefined);

      const res = await h.request('GET', '/api/v1/audit/export');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
      assert.match(String(res.headers['content-disposition']), /attachment/);
      assert.ok(res.text.endsWith('\n'));
      const lines = res.text.split('\n').filter(Boolean);
      assert.equal(lines.length, stored);
      const events = lines.map((l) => JSON.parse(l) as ChainedEvent);
      assert.deepEqual(
        events.map((e) => e.seq),
        events.map((_, i) => i + 1),
      );
      assert.equal(events[0]!.prevHash, GENESIS);
      events.forEach((e, i) => {
        assert.deepEqual(Object.keys(e).sort(), [
          'action',
          'actorId',
          'actorName',
          'at',
          'data',
          'entityId',
          'entityType',
          'hash',
          'prevHash',
          'seq',
        ]);
        if (i > 0) assert.equal(e.prevHash, events[i - 1]!.hash, `event ${e.seq} links to the one before`);
        assert.equal(hashEvent(e.prevHash, e), e.hash, `event ${e.seq} hashes to its content`);
      });
      assert.equal(events.at(-1)!.hash, head.hash);
    },
  );

  eachEngine('names the altered event when a stored event is edited, and the next event when its hash is rewritten too', async (h) => {
    const { ciId } = await someWrites(h);
    const target = await h.cabinet.store.kysely
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'ci.created')
      .where('entity_id', '=', ciId)
      .executeTakeFirstOrThrow();
    const seq = Number(target.seq);
    assert.ok(seq < (await eventCount(h)), 'the edited event is not the last one');
    const data = JSON.parse(target.data);
    data.after.criticality = 'low';
    await h.cabinet.store.kysely
      .updateTable('audit_events')
      .set({ data: JSON.stringify(data) })
      .where('seq', '=', seq)
      .execute();

    const edited = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(edited.status, 200);
    assert.equal(edited.body.ok, false);
    assert.equal(edited.body.brokenSeq, seq);
    assert.equal(edited.body.checked, seq - 1);
    assert.match(edited.body.reason, /altered/);

    // Covering the edit with a freshly computed hash moves the break to the event after it.
    const rehashed = hashEvent(target.prev_hash, {
      seq,
      at: new Date(target.at).toISOString(),
      actorId: target.actor_id,
      actorName: target.actor_name,
      action: target.action,
      entityType: target.entity_type,
      entityId: target.entity_id,
      data,
    });
    await h.cabinet.store.kysely.updateTable('audit_events').set({ hash: rehashed }).where('seq', '=', seq).execute();
    const covered = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(covered.body.ok, false);
    assert.equal(covered.body.brokenSeq, seq + 1);
    assert.match(covered.body.reason, /prevHash/);

    await h.cabinet.store.kysely.updateTable('audit_events').set({ data: target.data, hash: target.hash }).where('seq', '=', seq).execute();
    const restored = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(restored.body.ok, true);
  });

  eachEngine('detects a removed event: a gap names the event after it, and a removed last event is caught against the head', async (h) => {
    await someWrites(h);
    const total = await eventCount(h);
    const middle = Math.floor(total / 2);
    const removed = await h.cabinet.store.kysely.selectFrom('audit_events').selectAll().where('seq', '=', middle).executeTakeFirstOrThrow();
    await h.cabinet.store.kysely.deleteFrom('audit_events').where('seq', '=', middle).execute();
    const gap = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(gap.body.ok, false);
    assert.equal(gap.body.brokenSeq, middle + 1);
    assert.equal(gap.body.checked, middle - 1);
    assert.match(gap.body.reason, new RegExp(`expected event ${middle} but found ${middle + 1}`));

    await h.cabinet.store.kysely.insertInto('audit_events').values(removed).execute();
    assert.equal((await h.request('GET', '/api/v1/audit/verify')).body.ok, true);

    await h.cabinet.store.kysely.deleteFrom('audit_events').where('seq', '=', total).execute();
    assert.equal((await auditHead(h)).seq, total, 'the head still remembers the last event');
    const tail = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(tail.body.ok, false);
    assert.equal(tail.body.brokenSeq, total);
    assert.equal(tail.body.checked, total - 1);
    assert.equal(tail.body.headSeq, total);
    assert.match(tail.body.reason, /removed/);
  });

  eachEngine('lets an auditor verify and export the trail and refuses a requester with 403', async (h) => {
    const auditor = await h.userWithToken(['auditor']);
    const requester = await h.userWithToken(['requester']);
    const verify = await h.request('GET', '/api/v1/audit/verify', { token: auditor.token });
    assert.equal(verify.status, 200);
    assert.equal(verify.body.ok, true);
    assert.equal(verify.body.checked, await eventCount(h));
    const exported = await exportedEvents(h, auditor.token);
    assert.equal(exported.length, await eventCount(h));

    for (const path of ['/api/v1/audit/verify', '/api/v1/audit/export']) {
      const refused = await h.request('GET', path, { token: requester.token });
      assert.equal(refused.status, 403, path);
      assert.match(String(refused.headers['content-type']), /^application\/json/);
      assert.equal(refused.body.error.code, 'forbidden');
      assert.equal(refused.body.error.details.permission, 'audit.read');
    }
    // Reading the trail is not a mutation: it adds no events.
    assert.equal((await exportedEvents(h)).length, exported.length);
  });

  eachEngine('records every kind of mutation with its actor and what it changed, and a refused mutation records nothing', async (h) => {
    const me = (await h.request('GET', '/api/v1/me')).body;
    const from = await eventCount(h);
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Platform' } });
    await h.request('PATCH', `/api/v1/teams/${team.body.id}`, { body: { description: 'Runs the platform' } });
    const user = await h.request('POST', '/api/v1/users', {
      body: { email: 'lin@example.com', name: 'Lin', password: 'lin-password-1', roles: ['requester'] },
    });
    await h.request('PATCH', `/api/v1/users/${user.body.id}`, { body: { name: 'Lin Chen' } });
    const svc = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 2 } });
    await h.request('PATCH', `/api/v1/services/${svc.body.id}`, { body: { tier: 1, version: 1 } });
    const ci = await h.request('POST', '/api/v1/cis', {
      body: { name: 'pay-db-01', type: 'database', environment: 'production', serviceId: svc.body.id },
    });
    const other = await h.request('POST', '/api/v1/cis', { body: { name: 'pay-app-01', type: 'server', environment: 'production' } });
    const patched = await h.request('PATCH', `/api/v1/cis/${ci.body.id}`, { body: { criticality: 'high', tags: ['pci'], version: 1 } });
    assert.equal(patched.status, 200);
    const rel = await h.request('POST', `/api/v1/cis/${other.body.id}/relations`, { body: { toCiId: ci.body.id, type: 'depends_on' } });
    await h.request('DELETE', `/api/v1/cis/${other.body.id}/relations/${rel.body.id}`);
    const token = await h.request('POST', '/api/v1/tokens', { body: { name: 'robot' } });
    await h.request('DELETE', `/api/v1/tokens/${token.body.id}`);
    const change = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Patch the database' } });
    await h.request('PATCH', `/api/v1/changes/${change.body.id}`, { body: { description: 'Minor release', version: 1 } });
    await h.request('POST', `/api/v1/changes/${change.body.id}/transitions`, { body: { to: 'cancelled', comment: 'Not needed any more' } });
    await h.request('POST', `/api/v1/changes/${change.body.id}/comments`, { body: { body: 'Not needed after all' } });
    const signedIn = await h.request('POST', '/api/v1/auth/login', { token: null, body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    assert.equal(signedIn.status, 200);

    const events = (await exportedEvents(h)).filter((e) => e.seq > from);
    const byAction = new Map(events.map((e) => [e.action, e]));
    assert.deepEqual(
      events.map((e) => e.action),
      [
        'team.created',
        'team.updated',
        'user.created',
        'user.updated',
        'service.created',
        'service.updated',
        'ci.created',
        'ci.created',
        'ci.updated',
        'ci.relation_added',
        'ci.relation_removed',
        'token.created',
        'token.revoked',
        'change.created',
        // Filing a change assesses its risk; the description edit leaves the score as it was, so no event.
        'change.risk_assessed',
        'change.updated',
        'change.transitioned',
        // The reason for cancelling, kept as a work note too.
        'change.commented',
        'change.commented',
        'user.signed_in',
      ],
    );
    for (const e of events) {
      assert.equal(e.actorId, me.id, e.action);
      assert.equal(e.actorName, 'Administrator');
      assert.equal(typeof e.data.requestId, 'string');
      assert.equal(e.data.via, e.action === 'user.signed_in' ? 'session' : 'token', e.action);
    }
    const data = (action: string) => byAction.get(action)!.data;
    assert.equal(data('team.created').after.handle, 'platform');
    assert.deepEqual(data('team.updated').changes, { description: { from: '', to: 'Runs the platform' } });
    assert.equal(data('user.created').after.email, 'lin@example.com');
    assert.deepEqual(data('user.updated').changes, { name: { from: 'Lin', to: 'Lin Chen' } });
    assert.equal(data('service.created').after.tier, 2);
    assert.deepEqual(data('service.updated').changes, { tier: { from: 2, to: 1 } });
    assert.equal(byAction.get('ci.updated')!.entityId, ci.body.id);
    assert.deepEqual(data('ci.updated').changes, { criticality: { from: 'medium', to: 'high' }, tags: { from: [], to: ['pci'] } });
    assert.deepEqual(data('ci.relation_added').after.toCiName, 'pay-db-01');
    assert.equal(data('ci.relation_removed').before.id, rel.body.id);
    assert.equal(data('token.created').name, 'robot');
    assert.equal(data('token.revoked').prefix, token.body.prefix);
    assert.equal(data('change.created').after.title, 'Patch the database');
    assert.deepEqual(data('change.updated').changes.description, { from: '', to: 'Minor release' });
    assert.deepEqual(data('change.transitioned').changes.state, { from: 'draft', to: 'cancelled' });
    assert.equal(data('change.transitioned').comment, 'Not needed any more');
    assert.equal(data('change.commented').body, 'Not needed after all');

    const before = await eventCount(h);
    const stale = await h.request('PATCH', `/api/v1/cis/${ci.body.id}`, { body: { criticality: 'low', version: 1 } });
    assert.equal(stale.status, 412);
    const duplicate = await h.request('POST', '/api/v1/teams', { body: { name: 'Platform' } });
    assert.equal(duplicate.status, 409);
    const noop = await h.request('PATCH', `/api/v1/cis/${ci.body.id}`, { body: { criticality: 'high', version: 2 } });
    assert.equal(noop.status, 200);
    assert.equal(noop.body.version, 2);
    assert.equal(await eventCount(h), before);
  });

  eachEngine(
    'checks an exported trail offline with `cabinet audit verify`: exit 0 when intact, exit 1 naming the altered event',
    async (h, t) => {
      await someWrites(h);
      const events = await exportedEvents(h);
      const dir = tempDir(t);
      const intact = path.join(dir, 'intact.jsonl');
      writeFileSync(intact, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const victim = events[4]!;
      const altered = path.join(dir, 'altered.jsonl');
      writeFileSync(altered, events.map((e) => JSON.stringify(e === victim ? { ...e, actorName: 'Mallory' } : e)).join('\n') + '\n');

      const [ok, broken] = await Promise.all([cabinet(['audit', 'verify', intact]), cabinet(['audit', 'verify', altered])]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, new RegExp(`\\b${events.length} audit events checked`));
      assert.equal(broken.code, 1, broken.stdout);
      assert.match(broken.stderr, new RegExp(`broken at event ${victim.seq}\\b`));
      assert.equal(broken.stderr.trim().split('\n').length, 1);
    },
  );

  eachEngine('appends the events of one transaction contiguously, in the order recorded, while other transactions write at the same time', async (h) => {
    const { store } = h.cabinet;
    const actor = systemActor('contiguous');
    const writers = 10;
    // Each transaction records three events with other work (a read) between them, all transactions at once.
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        store.transaction(async (repos) => {
          for (let i = 0; i < 3; i++) {
            await audit(repos, actor, h.now().toISOString(), testAction('step'), 'test', `writer-${w}`, { step: i });
            await repos.policy.activeNumber();
          }
        }),
      ),
    );
    const events = (await exportedEvents(h)).filter((e) => e.entityType === 'test');
    assert.equal(events.length, writers * 3);
    for (let w = 0; w < writers; w++) {
      const mine = events.filter((e) => e.entityId === `writer-${w}`);
      assert.deepEqual(mine.map((e) => e.data.step), [0, 1, 2]);
      assert.deepEqual(mine.map((e) => e.seq), [mine[0]!.seq, mine[0]!.seq + 1, mine[0]!.seq + 2], `writer ${w}'s events are not contiguous`);
    }
    assert.equal((await h.request('GET', '/api/v1/audit/verify')).body.ok, true);
  });

  // SQLite has one writer at a time by design: this is PostgreSQL's behaviour.
  onEngine('postgres', 'lets another writer append and commit while a transaction that recorded an event is still open', async (h) => {
    const { store } = h.cabinet;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let recorded!: () => void;
    const hasRecorded = new Promise<void>((resolve) => (recorded = resolve));
    const slow = store.transaction(async (repos) => {
      await audit(repos, systemActor('slow'), h.now().toISOString(), testAction('slow'), 'test', 'slow', {});
      recorded();
      await held;
    });
    await hasRecorded;
    // With the chain's head locked from the first event to the commit, this would wait for `slow` forever.
    await store.transaction((repos) => audit(repos, systemActor('quick'), h.now().toISOString(), testAction('quick'), 'test', 'quick', {}));
    release();
    await slow;
    const events = (await exportedEvents(h)).filter((e) => e.entityType === 'test');
    assert.deepEqual(
      events.map((e) => e.action),
      ['test.quick', 'test.slow'],
    );
    assert.equal((await h.request('GET', '/api/v1/audit/verify')).body.ok, true);
  });

  eachEngine('leaves no event and the head unchanged when a transaction that recorded events rolls back', async (h) => {
    const { store } = h.cabinet;
    await someWrites(h);
    const before = await auditHead(h);
    const count = await eventCount(h);
    await assert.rejects(
      store.transaction(async (repos) => {
        await audit(repos, systemActor('rollback'), h.now().toISOString(), testAction('doomed'), 'test', 'doomed', {});
        await audit(repos, systemActor('rollback'), h.now().toISOString(), testAction('doomed'), 'test', 'doomed', {});
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.deepEqual(await auditHead(h), before);
    assert.equal(await eventCount(h), count);
    // The chain carries on from the same head.
    await store.transaction((repos) => audit(repos, systemActor('after'), h.now().toISOString(), testAction('kept'), 'test', 'kept', {}));
    const verdict = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(verdict.body.ok, true, verdict.text);
    assert.equal(verdict.body.lastSeq, (await auditHead(h)).seq);
  });

  eachEngine('never forks the chain under 20 parallel writes through the API, and appends an event written outside a transaction at once', async (h) => {
    const { ciId } = await someWrites(h);
    const before = await auditHead(h);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: `Parallel ${i}`, ciIds: [ciId], impact: 'low', urgency: 'low' } })
          : h.request('POST', '/api/v1/cis', { body: { name: `parallel-${i}`, type: 'server', environment: 'production' } }),
      ),
    );
    for (const r of results) assert.equal(r.status, 201, r.text);
    const appended = await h.cabinet.store.repos.audit.append({ at: h.now().toISOString(), actorId: 'system', actorName: 'Cabinet', action: 'test.outside', entityType: 'test', entityId: 'outside', data: {} });
    assert.equal(appended, undefined);
    const events = await exportedEvents(h);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
    );
    const head = await auditHead(h);
    assert.ok(head.seq > before.seq + 10);
    assert.equal(events.at(-1)!.action, 'test.outside');
    assert.equal(events.at(-1)!.hash, head.hash);
    const verdict = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(verdict.body.ok, true, verdict.text);
    assert.equal(verdict.body.checked, head.seq);
  });

  // A missing file is covered by test/cli.test.ts.
  it('refuses an empty, a non-JSON and a non-event file with exit 1 and a one-line reason', async (t) => {
    const dir = tempDir(t);
    const empty = path.join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const prose = path.join(dir, 'prose.jsonl');
    writeFileSync(prose, 'this is not an audit export\n');
    const notEvent = path.join(dir, 'not-event.jsonl');
    writeFileSync(notEvent, '{"hello":"world"}\n');
    const results = await Promise.all([empty, prose, notEvent].map((file) => cabinet(['audit', 'verify', file])));
    const expected = [/holds no audit events/, /line 1: not valid JSON/, /line 1: not an audit event/];
    results.forEach((res, i) => {
      assert.equal(res.code, 1, res.stdout);
      assert.equal(res.stdout, '');
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, expected[i]!);
    });
  });
});

/**
 * A small history for the search: the admin builds a CI and files a change on it; an hour later a change
 * manager edits the change and moves it on. Returns who and what, and the instant between the two hours.
 */
async function historyToSearch(h: Harness) {
  const admin = (await h.request('GET', '/api/v1/me')).body as { id: string };
  const manager = await h.userWithToken(['change_manager'], { email: 'mia@example.com' });
  const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'ledger-db-01', type: 'database', environment: 'production' } });
  assert.equal(ci.status, 201, ci.text);
  const change = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Tune the ledger database', ciIds: [ci.body.id] } });
  assert.equal(change.status, 201, change.text);
  h.advance(3_600_000);
  const between = new Date(h.now().getTime() - 1_800_000).toISOString();
  const edited = await h.request('PATCH', `/api/v1/changes/${change.body.id}`, {
    token: manager.token,
    body: { description: 'Raise shared_buffers', changeManagerId: manager.id, version: change.body.version },
  });
  assert.equal(edited.status, 200, edited.text);
  const moved = await h.request('POST', `/api/v1/changes/${change.body.id}/transitions`, { token: manager.token, body: { to: 'cancelled', comment: 'Not needed any more' } });
  assert.equal(moved.status, 200, moved.text);
  return { admin, manager, ci: ci.body as { id: string }, change: change.body as { id: string; number: string }, between };
}

const search = async (h: Harness, query: string, token?: string) => {
  const res = await h.request('GET', `/api/v1/audit/events${query}`, { token });
  assert.equal(res.status, 200, res.text);
  return res.body as { items: ChainedEvent[]; nextCursor: string | null; names: Record<string, { type: string; label: string; title: string | null }>; records: { id: string; type: string; label: string }[] };
};

describe('audit search', { concurrency: 2 }, () => {
  eachEngine('finds the events of a record by change number (short or full), CI name or id, newest first, and names what they mention', async (h) => {
    const { change, ci, manager } = await historyToSearch(h);
    const byNumber = await search(h, `?record=${change.number}`);
    // Newest first: the cancel's reason (a work note), then the cancel.
    assert.deepEqual(byNumber.items.slice(0, 2).map((e) => e.action), ['change.commented', 'change.transitioned']);
    assert.equal(byNumber.items.at(-1)!.action, 'change.created');
    assert.ok(byNumber.items.some((e) => e.action === 'change.updated'));
    assert.ok(byNumber.items.every((e) => e.entityId === change.id));
    assert.deepEqual(
      byNumber.items.map((e) => e.seq),
      [...byNumber.items.map((e) => e.seq)].sort((a, b) => b - a),
    );
    assert.deepEqual(byNumber.records, [{ id: change.id, type: 'change', label: change.number, title: 'Tune the ledger database' }]);
    // The names of the change, its CI (in the created event's ciIds) and the manager (actor, and changeManagerId's `to`).
    assert.deepEqual(byNumber.names[change.id], { type: 'change', label: change.number, title: 'Tune the ledger database' });
    assert.deepEqual(byNumber.names[ci.id], { type: 'ci', label: 'ledger-db-01', title: null });
    assert.equal(byNumber.names[manager.id]?.label, 'User mia@example.com');
    assert.equal(byNumber.names[manager.id]?.type, 'user');

    const short = await search(h, `?record=${change.number.replace(/^CHG0+/, 'chg')}`);
    assert.deepEqual(short.items.map((e) => e.seq), byNumber.items.map((e) => e.seq));
    assert.deepEqual((await search(h, `?record=${change.id}`)).items.map((e) => e.seq), byNumber.items.map((e) => e.seq));

    const byCi = await search(h, '?record=LEDGER-db-01');
    assert.deepEqual(byCi.items.map((e) => e.action), ['ci.created']);
    assert.deepEqual(byCi.records.map((r) => r.type), ['ci']);
    assert.deepEqual((await search(h, `?record=${ci.id}`)).items.map((e) => e.action), ['ci.created']);

    const nothing = await search(h, '?record=no-such-thing');
    assert.deepEqual(nothing, { items: [], nextCursor: null, names: {}, records: [] });
  });

  eachEngine('filters by person (id or email), by several actions and by time, and pages with a cursor', async (h) => {
    const { admin, manager, change, between } = await historyToSearch(h);
    const byEmail = await search(h, '?actor=MIA@example.com');
    assert.ok(byEmail.items.length >= 2);
    assert.ok(byEmail.items.every((e) => e.actorId === manager.id));
    assert.deepEqual((await search(h, `?actor=${manager.id}`)).items.map((e) => e.seq), byEmail.items.map((e) => e.seq));

    const repeated = await search(h, '?action=change.created&action=change.transitioned');
    const commas = await search(h, '?action=change.created,change.transitioned');
    assert.deepEqual(repeated.items.map((e) => e.action), ['change.transitioned', 'change.created']);
    assert.deepEqual(commas.items.map((e) => e.seq), repeated.items.map((e) => e.seq));

    const late = await search(h, `?from=${encodeURIComponent(between)}`);
    assert.ok(late.items.length >= 2);
    assert.ok(late.items.every((e) => e.at >= between && e.actorId === manager.id));
    const early = await search(h, `?to=${encodeURIComponent(between)}&actor=${admin.id}`);
    assert.ok(early.items.some((e) => e.action === 'change.created'));
    assert.ok(early.items.every((e) => e.at < between));
    // Every filter holds at once.
    assert.deepEqual((await search(h, `?record=${change.number}&actor=${admin.id}&action=change.transitioned`)).items, []);

    const all = await search(h, '?limit=200');
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(h, `?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.items.length <= 7);
      pages.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(pages, all.items.map((e) => e.seq));
    assert.equal(all.items[0]!.seq, (await auditHead(h)).seq);
  });

  eachEngine('refuses unknown parameters, unknown actions, a reversed range and a foreign cursor with 400, listing each problem', async (h) => {
    const cases: [string, string[]][] = [
      ['?foo=bar', ['query.foo']],
      ['?action=change.created,change.exploded', ['query.action.1']],
      ['?from=2026-06-01T00:00:00Z&to=2026-05-01T00:00:00Z', ['query.to']],
      ['?cursor=abc&limit=0', ['query.limit', 'query.cursor']],
    ];
    for (const [query, paths] of cases) {
      const res = await h.request('GET', `/api/v1/audit/events${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.code, 'invalid_input');
      assert.deepEqual(res.body.error.details.issues.map((i: { path: string }) => i.path).sort(), [...paths].sort(), query);
    }
    const unknownExport = await h.request('GET', '/api/v1/audit/export?since=2026-01-01T00:00:00Z');
    assert.equal(unknownExport.status, 400);
  });

  eachEngine('lets auditors and change managers search, and refuses a requester with 403', async (h) => {
    const auditor = await h.userWithToken(['auditor']);
    const manager = await h.userWithToken(['change_manager']);
    const requester = await h.userWithToken(['requester']);
    assert.ok((await search(h, '', auditor.token)).items.length > 0);
    assert.ok((await search(h, '?action=user.created', manager.token)).items.length >= 3);
    const refused = await h.request('GET', '/api/v1/audit/events?record=CHG0000001', { token: requester.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'forbidden');
    assert.equal(refused.body.error.details.permission, 'audit.read');
  });

  eachEngine('answers a change history with names for the people, CIs and teams its ids stand for', async (h) => {
    const { change, ci, manager, admin } = await historyToSearch(h);
    const requester = await h.userWithToken(['requester']);
    const res = await h.request('GET', `/api/v1/changes/${change.number}/audit`, { token: requester.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.nextCursor, null);
    assert.equal(res.body.items[0].action, 'change.created');
    assert.equal(res.body.names[ci.id].label, 'ledger-db-01');
    assert.equal(res.body.names[manager.id].label, 'User mia@example.com');
    assert.equal(res.body.names[admin.id].label, 'Administrator');
    const updated = res.body.items.find((e: ChainedEvent) => e.action === 'change.updated');
    assert.deepEqual(updated.data.changes.changeManagerId, { from: null, to: manager.id });
  });

  eachEngine('exports the stretch of the chain between two instants, which `cabinet audit verify --after` checks against the hash before it', async (h, t) => {
    const { between } = await historyToSearch(h);
    const whole = await exportedEvents(h);
    const res = await h.request('GET', `/api/v1/audit/export?from=${encodeURIComponent(between)}`);
    assert.equal(res.status, 200, res.text);
    const stretch = res.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ChainedEvent);
    const first = whole.find((e) => e.at >= between)!;
    assert.ok(first.seq > 1);
    assert.deepEqual(
      stretch.map((e) => e.seq),
      whole.filter((e) => e.seq >= first.seq).map((e) => e.seq),
    );
    assert.match(String(res.headers['content-disposition']), new RegExp(`filename="cabinet-audit-${first.seq}-${whole.at(-1)!.seq}\\.jsonl"`));
    const before = await h.request('GET', `/api/v1/audit/export?to=${encodeURIComponent(between)}`);
    assert.deepEqual(
      before.text.split('\n').filter(Boolean).map((l) => JSON.parse(l).seq),
      whole.filter((e) => e.seq < first.seq).map((e) => e.seq),
    );
    const empty = await h.request('GET', '/api/v1/audit/export?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z');
    assert.equal(empty.status, 200);
    assert.equal(empty.text, '');

    const dir = tempDir(t);
    const file = path.join(dir, 'stretch.jsonl');
    writeFileSync(file, res.text);
    const kept = whole.find((e) => e.seq === first.seq - 1)!.hash;
    const [ok, cut, wrong] = await Promise.all([
      cabinet(['audit', 'verify', '--after', kept, file]),
      cabinet(['audit', 'verify', file]),
      cabinet(['audit', 'verify', '--after', 'f'.repeat(64), file]),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`${stretch.length} audit events checked \\(events ${first.seq} to ${whole.at(-1)!.seq}\\)`));
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /earlier events are missing.*--after/);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`broken at event ${first.seq}: it does not continue from the hash given`));
  });

  eachEngine('documents the search, verification and export with operation ids', async (h) => {
    const spec = (await h.request('GET', '/api/v1/openapi.json')).body;
    assert.equal(spec.paths['/api/v1/audit/events'].get.operationId, 'searchAuditEvents');
    assert.equal(spec.paths['/api/v1/audit/verify'].get.operationId, 'verifyAuditChain');
    assert.equal(spec.paths['/api/v1/audit/export'].get.operationId, 'exportAuditTrail');
    const params = spec.paths['/api/v1/audit/events'].get.parameters.map((p: { name: string }) => p.name).sort();
    assert.deepEqual(params, ['action', 'actor', 'cursor', 'from', 'limit', 'record', 'to']);
  });
});
