import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { systemActor } from '../src/domain/actor';
import { hashEvent, type ChainedEvent } from '../src/domain/audit/chain';
import { audit } from '../src/services/context';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eachEngine, onEngine, type Harness } from './support/cabinet';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENESIS = '0'.repeat(64);

/** Runs `node bin/cabinet.js ARGS` from the repository root and reports how it ended. */
function cabinetCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/cabinet.js', ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

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
    await h.request('POST', `/api/v1/changes/${change.body.id}/transitions`, { body: { to: 'cancelled' } });
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

      const [ok, broken] = await Promise.all([cabinetCli(['audit', 'verify', intact]), cabinetCli(['audit', 'verify', altered])]);
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
            await audit(repos, actor, h.now().toISOString(), 'test.step', 'test', `writer-${w}`, { step: i });
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
      await audit(repos, systemActor('slow'), h.now().toISOString(), 'test.slow', 'test', 'slow', {});
      recorded();
      await held;
    });
    await hasRecorded;
    // With the chain's head locked from the first event to the commit, this would wait for `slow` forever.
    await store.transaction((repos) => audit(repos, systemActor('quick'), h.now().toISOString(), 'test.quick', 'test', 'quick', {}));
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
        await audit(repos, systemActor('rollback'), h.now().toISOString(), 'test.doomed', 'test', 'doomed', {});
        await audit(repos, systemActor('rollback'), h.now().toISOString(), 'test.doomed', 'test', 'doomed', {});
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.deepEqual(await auditHead(h), before);
    assert.equal(await eventCount(h), count);
    // The chain carries on from the same head.
    await store.transaction((repos) => audit(repos, systemActor('after'), h.now().toISOString(), 'test.kept', 'test', 'kept', {}));
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
    const results = await Promise.all([empty, prose, notEvent].map((file) => cabinetCli(['audit', 'verify', file])));
    const expected = [/holds no audit events/, /line 1: not valid JSON/, /line 1: not an audit event/];
    results.forEach((res, i) => {
      assert.equal(res.code, 1, res.stdout);
      assert.equal(res.stdout, '');
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, expected[i]!);
    });
  });
});
