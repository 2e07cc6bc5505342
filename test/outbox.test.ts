import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCabinetStore } from '../src/cabinet';
import { ConfigError, loadConfig } from '../src/config';
import { redactError } from '../src/domain/outbox/delivery';
import { defaultIds } from '../src/services/context';
import { createOutboxService, type OutboxService } from '../src/services/outbox.service';
import { eachEngine, type Harness } from './support/cabinet';
import { at } from './support/communication';

const DAY = 86_400_000;
const PLAN = { type: 'normal', title: 'Upgrade payments DB', description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true };

/**
 * An outbox service of its own on the harness's database, with its random source pinned and a clock of its
 * own that stands still (from the harness clock's present) until `advance` moves it.
 */
function outboxOf(h: Harness, opts: { maxAttempts: number; random?: () => number; store?: Harness['cabinet']['store'] }): OutboxService & { advance(ms: number): void; now(): Date } {
  let clock = h.now().getTime();
  const now = () => new Date(clock);
  const outbox = createOutboxService({ store: opts.store ?? h.cabinet.store, now, newId: defaultIds, random: opts.random ?? (() => 0.5) }, { maxAttempts: opts.maxAttempts });
  return Object.assign(outbox, { now, advance: (ms: number) => void (clock += ms) });
}

async function fileChange(h: Harness, token?: string): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', { token, body: { ...PLAN, plannedStart: at(h, 0), plannedEnd: at(h, 2) } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Queues an item through `outbox` (the cabinet's own when not given), due at that outbox's present. */
async function enqueue(h: Harness, topic: string, payload: Record<string, unknown>, outbox: OutboxService = h.cabinet.services.outbox): Promise<string> {
  return h.cabinet.store.transaction((repos) => outbox.enqueue(repos, topic, payload));
}

async function auditOf(h: Harness, id: string, action: string): Promise<{ action: string; data: Record<string, unknown>; actorId: string }[]> {
  const res = await h.request('GET', `/api/v1/audit/events?action=${action}&limit=50`);
  assert.equal(res.status, 200, res.text);
  return res.body.items.filter((e: { entityId: string }) => e.entityId === id);
}

describe('outbox delivery rules (pure)', () => {
  const cases: [string, string, string][] = [
    ['credentials in a URL', 'connect ECONNREFUSED https://cabinet:s3cret@hooks.example.com/x', 'connect ECONNREFUSED https://***@hooks.example.com/x'],
    ['a bearer header', 'HTTP 401 (Authorization: Bearer abc.def.ghi)', 'HTTP 401 (Authorization: Bearer ***)'],
    ['a password parameter', 'login failed password=hunter22&user=ops', 'login failed password=***&user=ops'],
    ['a JSON token field', '{"token": "xyz123", "ok": false}', '{"token": "***", "ok": false}'],
    ['nothing secret', 'No handler for outbox topic "nowhere".', 'No handler for outbox topic "nowhere".'],
  ];
  for (const [name, input, expected] of cases) it(`blanks ${name} in an error before it is kept`, () => assert.equal(redactError(input), expected));

  it('keeps at most 2000 characters of an error', () => assert.equal(redactError('x'.repeat(5000)).length, 2000));

  it('reads CABINET_OUTBOX_MAX_ATTEMPTS, 8 by default, and lists a bad value with the other problems', () => {
    assert.equal(loadConfig({}).outboxMaxAttempts, 8);
    assert.equal(loadConfig({ CABINET_OUTBOX_MAX_ATTEMPTS: '3' }).outboxMaxAttempts, 3);
    for (const bad of ['0', '101', 'many', '2.5']) {
      assert.throws(
        () => loadConfig({ CABINET_OUTBOX_MAX_ATTEMPTS: bad, PORT: 'x' }),
        (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.startsWith('CABINET_OUTBOX_MAX_ATTEMPTS: ')) && err.problems.some((p) => p.startsWith('PORT: ')),
        bad,
      );
    }
  });
});

describe('delivery you can prove', () => {
  eachEngine('gives up on an item that always fails after the last attempt, with growing jittered waits, and never claims it again', async (h) => {
    const change = await fileChange(h);
    // The random source draws 0.5, then 0.25, then 0.75: the waits are that share of 30 s, 60 s, 120 s.
    const draws = [0.5, 0.25, 0.75];
    const outbox = outboxOf(h, { maxAttempts: 4, random: () => draws.shift() ?? 0 });
    let calls = 0;
    outbox.handle('test.hook', {
      channel: 'webhook',
      async deliver() {
        calls++;
        throw new Error('connect ECONNREFUSED https://cabinet:s3cret@hooks.example.com/');
      },
    });
    const id = await enqueue(h, 'test.hook', { changeId: change.id }, outbox);
    const store = h.cabinet.store;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const report = await outbox.deliverDue('w');
      assert.deepEqual(report, { delivered: 0, failed: 1, dead: 0, lost: 0 }, `attempt ${attempt}`);
      const item = (await store.repos.outbox.find(id))!;
      assert.equal(item.attempts, attempt);
      assert.equal(item.state, 'pending');
      const wait = Date.parse(item.availableAt) - outbox.now().getTime();
      waits.push(wait);
      // Not a moment before its time.
      outbox.advance(wait - 1);
      assert.equal((await outbox.deliverDue('w')).failed, 0, `attempt ${attempt + 1} waits`);
      outbox.advance(1);
    }
    assert.deepEqual(waits, [15_000, 15_000, 90_000]);
    const report = await outbox.deliverDue('w');
    assert.deepEqual(report, { delivered: 0, failed: 1, dead: 1, lost: 0 });
    const dead = (await store.repos.outbox.find(id))!;
    assert.equal(dead.state, 'dead');
    assert.equal(dead.attempts, 4);
    assert.ok(dead.deadAt);
    assert.equal(dead.lastError, 'connect ECONNREFUSED https://***@hooks.example.com/', 'the credentials are not kept');
    outbox.advance(DAY);
    assert.deepEqual(await outbox.deliverDue('w'), { delivered: 0, failed: 0, dead: 0, lost: 0 }, 'a dead letter is not claimed again');
    assert.equal(calls, 4);

    // Each attempt is in the log: three failures, then the one that made it dead.
    const log = await store.repos.deliveries.forItem(id);
    assert.deepEqual(log.map((d) => [d.attempt, d.result, d.channel, d.changeId]), [[1, 'failed', 'webhook', change.id], [2, 'failed', 'webhook', change.id], [3, 'failed', 'webhook', change.id], [4, 'dead', 'webhook', change.id]]);
    assert.ok(log.every((d) => d.error && !d.error.includes('s3cret')));
  });

  eachEngine('lets an admin retry and discard dead letters, audited, and refuses everyone else', async (h) => {
    const change = await fileChange(h);
    const outbox = outboxOf(h, { maxAttempts: 1 });
    outbox.handle('test.broken', { deliver: async () => Promise.reject(new Error('the mail server said no')) });
    const first = await enqueue(h, 'test.broken', { changeId: change.id }, outbox);
    outbox.advance(1000);
    const second = await enqueue(h, 'test.broken', {}, outbox);
    assert.equal((await outbox.deliverDue('w')).dead, 2);

    const manager = await h.userWithToken(['change_manager']);
    for (const [method, path] of [
      ['GET', '/api/v1/outbox/dead-letters'],
      ['POST', `/api/v1/outbox/dead-letters/${first}/retry`],
      ['POST', `/api/v1/outbox/dead-letters/${first}/discard`],
    ] as const) {
      const res = await h.request(method, path, { token: manager.token, body: method === 'POST' ? { reason: 'tidying up' } : undefined });
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.error.code, 'forbidden');
      assert.equal(res.body.error.details.permission, 'outbox.manage');
    }

    const list = await h.request('GET', '/api/v1/outbox/dead-letters?limit=1');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 1);
    assert.ok(list.body.nextCursor);
    const next = await h.request('GET', `/api/v1/outbox/dead-letters?limit=1&cursor=${list.body.nextCursor}`);
    assert.deepEqual([...list.body.items, ...next.body.items].map((d: { id: string }) => d.id).sort(), [first, second].sort());
    assert.equal(next.body.nextCursor, null);
    const letter = [...list.body.items, ...next.body.items].find((d: { id: string }) => d.id === first);
    assert.equal(letter.changeNumber, change.number);
    assert.equal(letter.attempts, 1);
    assert.equal(letter.lastError, 'the mail server said no');
    assert.equal(letter.summary, 'test.broken');

    // Retry: back in the queue, due now, its attempts reset; delivered by the next pass when it works.
    const retried = await h.request('POST', `/api/v1/outbox/dead-letters/${first}/retry`);
    assert.equal(retried.status, 200, retried.text);
    assert.deepEqual(retried.body, { id: first, state: 'pending' });
    const pending = (await h.cabinet.store.repos.outbox.find(first))!;
    assert.equal(pending.state, 'pending');
    assert.equal(pending.attempts, 0);
    const again = await h.request('POST', `/api/v1/outbox/dead-letters/${first}/retry`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'not_dead_letter');
    const [retriedEvent] = await auditOf(h, first, 'outbox.retried');
    assert.equal(retriedEvent?.data.lastError, 'the mail server said no');

    // Discard: a reason is required (422, listed at its path); the item is kept as discarded.
    for (const body of [{}, { reason: '   ' }]) {
      const refused = await h.request('POST', `/api/v1/outbox/dead-letters/${second}/discard`, { body });
      assert.equal(refused.status, 422, refused.text);
      assert.equal(refused.body.error.code, 'reason_required');
      assert.deepEqual(refused.body.error.details.issues.map((i: { path: string }) => i.path), ['reason']);
    }
    const unknown = await h.request('POST', `/api/v1/outbox/dead-letters/${second}/discard`, { body: { reason: 'x', why: 'y' } });
    assert.equal(unknown.status, 400, 'an unknown field is refused');
    const discarded = await h.request('POST', `/api/v1/outbox/dead-letters/${second}/discard`, { body: { reason: 'The recipient left the company.' } });
    assert.equal(discarded.status, 200, discarded.text);
    assert.deepEqual(discarded.body, { id: second, state: 'discarded' });
    const kept = (await h.cabinet.store.repos.outbox.find(second))!;
    assert.equal(kept.state, 'discarded');
    assert.equal(kept.discardReason, 'The recipient left the company.');
    const [discardedEvent] = await auditOf(h, second, 'outbox.discarded');
    assert.equal(discardedEvent?.data.reason, 'The recipient left the company.');
    assert.equal((await h.request('POST', `/api/v1/outbox/dead-letters/${second}/retry`)).status, 409, 'a discarded item is not retried');
    assert.equal((await h.request('POST', '/api/v1/outbox/dead-letters/nope/retry')).status, 404);
    assert.deepEqual((await h.request('GET', '/api/v1/outbox/dead-letters')).body.items, []);
  });

  eachEngine('makes an item a dead letter after CABINET_OUTBOX_MAX_ATTEMPTS attempts of the worker', async (h) => {
    const bad = await enqueue(h, 'nowhere', {});
    const first = await h.tick();
    assert.deepEqual([first.failed, first.dead], [1, 0]);
    // Given back for a later attempt. NOTE: not ticked again at once: its jittered delay may be a few
    // milliseconds, and the harness clock moves with the wall clock.
    const waiting = (await h.cabinet.store.repos.outbox.find(bad))!;
    assert.deepEqual([waiting.state, waiting.attempts], ['pending', 1]);
    h.advance(31_000);
    const report = await h.tick();
    assert.deepEqual([report.failed, report.dead], [1, 1]);
    const item = (await h.cabinet.store.repos.outbox.find(bad))!;
    assert.equal(item.state, 'dead');
    assert.match(item.lastError!, /No handler for outbox topic "nowhere"/);
  }, { CABINET_OUTBOX_MAX_ATTEMPTS: '2' });

  eachEngine('logs one delivered row per reader of an in-app notice, shown on the change to whoever may read it', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const change = await fileChange(h, requester.token);
    const [ada, bob] = [await h.userWithToken(['approver']), await h.userWithToken(['approver'])];
    await h.request('PATCH', `/api/v1/users/${ada.id}`, { body: { name: 'Ada Lovelace' } });
    await h.tick();
    const id = await h.cabinet.store.transaction((repos) =>
      h.cabinet.services.outbox.notify(repos, { recipients: [{ kind: 'user', ref: ada.id }, { kind: 'user', ref: bob.id }], kind: 'change_transitioned', title: 'Moved', body: 'b', changeId: change.id }),
    );
    await h.tick();
    const log = await h.request('GET', `/api/v1/changes/${change.number}/deliveries`, { token: requester.token });
    assert.equal(log.status, 200, log.text);
    const mine = log.body.items.filter((d: { outboxId: string }) => d.outboxId === id);
    assert.deepEqual(
      mine.map((d: { userId: string; channel: string; result: string; summary: string }) => [d.userId, d.channel, d.result, d.summary]).sort(),
      [[ada.id, 'in_app', 'delivered', 'Moved'], [bob.id, 'in_app', 'delivered', 'Moved']].sort(),
    );
    assert.equal(mine.find((d: { userId: string }) => d.userId === ada.id).recipientName, 'Ada Lovelace');

    // A redelivery of the same item (a worker whose lease ran out) adds no second row for anyone.
    const at = h.now().toISOString();
    const again = await h.cabinet.store.transaction((repos) =>
      repos.deliveries.recordDelivered([ada.id, bob.id].map((userId) => ({ id: defaultIds(), outboxId: id, changeId: change.id, channel: 'in_app' as const, recipient: userId, userId, attempt: 2, attemptedAt: at }))),
    );
    assert.deepEqual(again, []);
    assert.equal((await h.cabinet.store.repos.deliveries.forItem(id)).length, 2);

    const nobody = await h.userWithToken([]);
    assert.equal((await h.request('GET', `/api/v1/changes/${change.id}/deliveries`, { token: nobody.token })).status, 403);
    assert.equal((await h.request('GET', '/api/v1/changes/CHG9999999/deliveries')).status, 404);
    const paged = await h.request('GET', `/api/v1/changes/${change.id}/deliveries?limit=1`);
    assert.equal(paged.body.items.length, 1);
    assert.ok(paged.body.nextCursor);
  });

  eachEngine('sends to each recipient of an outside channel once, across a failed attempt, its retry and a late worker', async (h) => {
    const outbox = outboxOf(h, { maxAttempts: 5, random: () => 0 });
    const sent: string[] = [];
    let outage = true;
    outbox.handle('test.mail', {
      channel: 'email',
      async send(item, log) {
        const problems: string[] = [];
        for (const to of await log.outstanding('email', item.payload.to as string[])) {
          if (to === 'bob@example.com' && outage) {
            sent.push(`${to}: refused`);
            await log.failed('email', to, null, '451 try again later');
            problems.push(to);
            continue;
          }
          sent.push(to);
          await log.delivered('email', to, null);
        }
        if (problems.length) throw new Error(`not accepted for ${problems.join(', ')}`);
      },
      async deliver() {},
    });
    const id = await enqueue(h, 'test.mail', { to: ['ada@example.com', 'bob@example.com', 'cy@example.com'] }, outbox);
    assert.equal((await outbox.deliverDue('w')).failed, 1);
    outage = false;
    outbox.advance(1);
    assert.equal((await outbox.deliverDue('w')).delivered, 1);
    assert.deepEqual(sent, ['ada@example.com', 'bob@example.com: refused', 'cy@example.com', 'bob@example.com']);
    const log = await h.cabinet.store.repos.deliveries.forItem(id);
    const delivered = log.filter((d) => d.result === 'delivered').map((d) => d.recipient).sort();
    assert.deepEqual(delivered, ['ada@example.com', 'bob@example.com', 'cy@example.com']);
    assert.deepEqual(log.filter((d) => d.result === 'failed').map((d) => [d.recipient, d.attempt]).sort(), [[null, 1], ['bob@example.com', 1]]);
    // A worker whose lease ran out while this one sent cannot record (nor, asking first, send) a second time.
    const late = await h.cabinet.store.transaction((repos) =>
      repos.deliveries.recordDelivered([{ id: defaultIds(), outboxId: id, changeId: null, channel: 'email', recipient: 'ada@example.com', userId: null, attempt: 1, attemptedAt: h.now().toISOString() }]),
    );
    assert.deepEqual(late, []);
    assert.deepEqual(await h.cabinet.store.repos.deliveries.deliveredRecipients(id, 'email'), new Set(['ada@example.com', 'bob@example.com', 'cy@example.com']));
  });

  eachEngine('delivers each item once, and logs each reader once, while two workers race', async (h) => {
    const readers = [await h.userWithToken(['approver']), await h.userWithToken(['approver'])];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(
        await h.cabinet.store.transaction((repos) =>
          h.cabinet.services.outbox.notify(repos, { recipients: readers.map((r) => ({ kind: 'user' as const, ref: r.id })), kind: 'sla_breached', title: `t${i}`, body: 'b' }),
        ),
      );
    }
    const failing = await enqueue(h, 'test.failing', {});
    // NOTE: on PostgreSQL the second worker has its own connection pool, as a second process would; on SQLite
    // it shares the store (see the note in sla.test.ts: two connections in one process would deadlock).
    const other = h.engine === 'postgres' ? await openCabinetStore({ databaseUrl: h.url, sessionHours: 12 }, { now: () => h.now() }) : { store: h.cabinet.store };
    try {
      const one = outboxOf(h, { maxAttempts: 1 });
      const two = outboxOf(h, { maxAttempts: 1, store: other.store });
      for (const o of [one, two]) o.handle('test.failing', { channel: 'webhook', deliver: async () => Promise.reject(new Error('down')) });
      const reports = await Promise.all([one.deliverDue('one', { limit: 5 }), two.deliverDue('two', { limit: 5 }), one.deliverDue('one'), two.deliverDue('two')]);
      assert.equal(reports.reduce((n, r) => n + r.delivered, 0), 12);
      assert.equal(reports.reduce((n, r) => n + r.dead, 0), 1, 'the failing item dies once');
      for (const id of ids) {
        const log = await h.cabinet.store.repos.deliveries.forItem(id);
        assert.deepEqual(log.map((d) => d.recipient).sort(), readers.map((r) => r.id).sort(), `item ${id}`);
        assert.equal((await h.cabinet.store.repos.notifications.forOutbox(id)).length, 2);
      }
      assert.deepEqual((await h.cabinet.store.repos.deliveries.forItem(failing)).map((d) => d.result), ['dead']);
      assert.equal(await h.cabinet.store.repos.outbox.pendingCount(), 0);
    } finally {
      if (other.store !== h.cabinet.store) await other.store.close();
    }
  });
});
