import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCabinetStore } from '../src/cabinet';
import { addWorkingTime, workingDayMs, workingTimeBetween, type WorkCalendar } from '../src/domain/sla/business-time';
import { createWorker } from '../src/jobs/worker';
import { readBundleFiles } from '../src/policy/loader';
import { backoffCeilingMs, retryDelayMs } from '../src/domain/outbox/delivery';
import { eachEngine, type Harness } from './support/cabinet';

const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const LONDON: WorkCalendar = { timeZone: 'Europe/London', days: [1, 2, 3, 4, 5], start: 8, end: 18, holidays: [] };
const NEW_YORK: WorkCalendar = { timeZone: 'America/New_York', days: [1, 2, 3, 4, 5], start: 9, end: 17, holidays: ['2026-07-03', '2026-11-26'] };

describe('business time (pure)', () => {
  const add: [string, WorkCalendar, string, number, string][] = [
    ['inside one working day', LONDON, '2026-06-10T09:00:00Z', 2 * HOUR, '2026-06-10T11:00:00Z'],
    ['a start at night counts from the next morning (BST: 08:00 is 07:00Z)', LONDON, '2026-06-10T22:00:00Z', HOUR, '2026-06-11T08:00:00Z'],
    ['over a weekend', LONDON, '2026-06-12T16:00:00Z', 4 * HOUR, '2026-06-15T10:00:00Z'],
    ['across the spring change: Friday in GMT, Monday in BST', LONDON, '2026-03-27T16:00:00Z', 4 * HOUR, '2026-03-30T09:00:00Z'],
    ['across the autumn change: Friday in BST, Monday in GMT', LONDON, '2026-10-23T16:00:00Z', 4 * HOUR, '2026-10-26T11:00:00Z'],
    ['two working days are twenty working hours', LONDON, '2026-01-05T08:00:00Z', 2 * workingDayMs(LONDON), '2026-01-06T18:00:00Z'],
    ['New York across its spring change (EST Friday, EDT Monday)', NEW_YORK, '2026-03-06T21:00:00Z', 2 * HOUR, '2026-03-09T14:00:00Z'],
    ['New York skips a holiday (Friday 3 July)', NEW_YORK, '2026-07-02T20:00:00Z', 2 * HOUR, '2026-07-06T14:00:00Z'],
    ['New York across its autumn change (EDT Friday, EST Monday)', NEW_YORK, '2026-10-30T20:00:00Z', 9 * HOUR, '2026-11-02T22:00:00Z'],
    ['New York skips Thanksgiving', NEW_YORK, '2026-11-25T21:00:00Z', 2 * HOUR, '2026-11-27T15:00:00Z'],
    ['ends exactly at the close of a day', LONDON, '2026-06-10T16:00:00Z', HOUR, '2026-06-10T17:00:00Z'],
    ['zero working time is the start itself', LONDON, '2026-06-13T12:00:00Z', 0, '2026-06-13T12:00:00Z'],
  ];
  for (const [name, cal, from, ms, expected] of add) {
    it(`adds working time: ${name}`, () => assert.equal(addWorkingTime(cal, new Date(from), ms).toISOString(), new Date(expected).toISOString()));
  }

  const between: [string, WorkCalendar, string, string, number][] = [
    ['a weekend counts nothing', LONDON, '2026-06-12T17:00:00Z', '2026-06-15T07:00:00Z', 0],
    ['Friday afternoon to Monday morning across the spring change', LONDON, '2026-03-27T16:00:00Z', '2026-03-30T09:00:00Z', 4 * HOUR],
    ['a full week in New York with a holiday', NEW_YORK, '2026-06-29T00:00:00Z', '2026-07-06T00:00:00Z', 4 * 8 * HOUR],
    ['backwards is zero', LONDON, '2026-06-10T12:00:00Z', '2026-06-10T09:00:00Z', 0],
  ];
  for (const [name, cal, from, to, expected] of between) {
    it(`measures working time: ${name}`, () => assert.equal(workingTimeBetween(cal, new Date(from), new Date(to)), expected));
  }

  it('measures back what it added, whatever the start', () => {
    for (const cal of [LONDON, NEW_YORK]) {
      for (let start = Date.parse('2026-03-01T00:00:00Z'); start < Date.parse('2026-04-15T00:00:00Z'); start += 7 * HOUR + 13 * MINUTE) {
        for (const ms of [30 * MINUTE, 5 * HOUR, 3 * workingDayMs(cal)]) {
          const due = addWorkingTime(cal, new Date(start), ms);
          assert.equal(workingTimeBetween(cal, new Date(start), due), ms, `${cal.timeZone} from ${new Date(start).toISOString()} + ${ms}`);
        }
      }
    }
  });

  it('refuses a calendar with no working day instead of looping', () => {
    assert.throws(() => addWorkingTime({ ...LONDON, days: [1], holidays: [] , start: 9, end: 9 }, new Date('2026-01-01T00:00:00Z'), HOUR), /no working time/);
  });

  it('backs off retries from at most 30 s, doubling, up to an hour, with full jitter below the ceiling', () => {
    assert.deepEqual([1, 2, 3, 10, 30].map(backoffCeilingMs), [30_000, 60_000, 120_000, 3_600_000, 3_600_000]);
    assert.deepEqual([1, 2, 3, 10].map((n) => retryDelayMs(n, () => 0.5)), [15_000, 30_000, 60_000, 1_800_000]);
    assert.equal(retryDelayMs(4, () => 0), 0);
    assert.equal(retryDelayMs(4, () => 0.999_999), 239_999);
  });
});

const PLAN = { title: 'Upgrade', description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true };
const later = (h: Harness) => ({ plannedStart: new Date(h.now().getTime() + 20 * DAY).toISOString(), plannedEnd: new Date(h.now().getTime() + 20 * DAY + HOUR).toISOString() });

async function teamId(h: Harness, handle: string): Promise<string> {
  const res = await h.request('GET', `/api/v1/teams/${handle}`);
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}
async function addMembers(h: Harness, handle: string, memberIds: string[]): Promise<void> {
  const res = await h.request('PATCH', `/api/v1/teams/${await teamId(h, handle)}`, { body: { memberIds } });
  assert.equal(res.status, 200, res.text);
}
async function ci(h: Harness, name: string, type: string): Promise<string> {
  const res = await h.request('POST', '/api/v1/cis', { body: { name, type, environment: 'production', criticality: 'low' } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}
async function file(h: Harness, token: string, body: Record<string, unknown>): Promise<string> {
  const created = await h.request('POST', '/api/v1/changes', { token, body: { ...PLAN, ...later(h), ...body } });
  assert.equal(created.status, 201, created.text);
  return created.body.id;
}
async function move(h: Harness, id: string, ...states: string[]): Promise<void> {
  for (const to of states) {
    const moved = await h.request('POST', `/api/v1/changes/${id}/transitions`, { body: { to, ...(to === 'cancelled' ? { comment: 'Not needed any more' } : {}) } });
    assert.equal(moved.status, 200, moved.text);
  }
}
const approvalsOf = async (h: Harness, changeId: string, token?: string) => {
  const res = await h.request('GET', `/api/v1/changes/${changeId}/approvals`, { token });
  assert.equal(res.status, 200, res.text);
  return (res.body.items as { id: string; rule: string; state: string; dueAt: string | null; escalatedAt: string | null; canDecide: boolean }[]).filter((a) => a.state !== 'cancelled');
};
const clocksOf = async (h: Harness, changeId: string) => {
  const res = await h.request('GET', `/api/v1/changes/${changeId}/sla`);
  assert.equal(res.status, 200, res.text);
  return res.body.items as { metric: string; target: string; clock: string; approvalId: string | null; startedAt: string; dueAt: string; remindAt: string | null; remindedAt: string | null; stoppedAt: string | null; breachedAt: string | null; escalatedAt: string | null; status: string }[];
};
const inbox = async (h: Harness, token: string, query = '') => {
  const res = await h.request('GET', `/api/v1/me/notifications${query}`, { token });
  assert.equal(res.status, 200, res.text);
  return res.body as { items: { id: string; kind: string; title: string; changeId: string | null; approvalId: string | null; readAt: string | null }[]; unread: number; nextCursor: string | null };
};

describe('SLAs, escalation and notifications', () => {
  eachEngine('sets approval due times from the SLA targets on the business calendar, and a rule’s own due wins', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const db = await ci(h, 'orders-db', 'database');
    const normal = await file(h, requester.token, { type: 'normal', ciIds: [db] });
    await move(h, normal, 'assess', 'authorize');
    const [dba] = await approvalsOf(h, normal);
    const [clock] = (await clocksOf(h, normal)).filter((c) => c.metric === 'approval_response');
    // approval_response: 2d on business time, i.e. twenty working hours on the London calendar.
    assert.deepEqual([clock!.target, clock!.clock, clock!.approvalId], ['approval_response', 'business', dba!.id]);
    assert.equal(dba!.dueAt, addWorkingTime(LONDON, new Date(clock!.startedAt), 20 * HOUR).toISOString());
    assert.equal(clock!.dueAt, dba!.dueAt);
    assert.ok(Date.parse(dba!.dueAt!) - Date.parse(clock!.startedAt) >= 20 * HOUR);
    // Reminded with a quarter of the target left: after fifteen working hours.
    assert.equal(clock!.remindAt, addWorkingTime(LONDON, new Date(clock!.startedAt), 15 * HOUR).toISOString());
    // The change-manager stage waits: no due time, no clock yet.
    assert.equal((await approvalsOf(h, normal)).find((a) => a.rule === 'change_manager')!.dueAt, null);

    const files = await readBundleFiles(DEFAULT_DIR);
    files['approvals.yaml'] = files['approvals.yaml']!.replace('approvers: { team: dba }', 'approvers: { team: dba }\n          due: 3h');
    assert.equal((await h.request('POST', '/api/v1/policy/versions', { body: { files } })).status, 201);
    const ruled = await file(h, requester.token, { type: 'normal', ciIds: [db] });
    await move(h, ruled, 'assess', 'authorize');
    const [ruleClock] = (await clocksOf(h, ruled)).filter((c) => c.metric === 'approval_response');
    assert.deepEqual([ruleClock!.target, ruleClock!.clock], ['rule:dba', 'wall']);
    assert.equal(Date.parse(ruleClock!.dueAt) - Date.parse(ruleClock!.startedAt), 3 * HOUR);
  });

  eachEngine('reminds the ECAB once, then escalates the overdue approval to the change managers, who may then decide it', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const ecab = await h.userWithToken(['approver']);
    const manager = await h.userWithToken(['change_manager']);
    await addMembers(h, 'ecab', [ecab.id]);
    await addMembers(h, 'change-managers', [manager.id]);
    const change = await file(h, requester.token, { type: 'emergency', ciIds: [await ci(h, 'web-1', 'server')], implementerId: requester.id });
    await move(h, change, 'authorize');
    const [approval] = await approvalsOf(h, change);
    const [clock] = await clocksOf(h, change);
    assert.deepEqual([clock!.target, clock!.clock], ['ecab_response', 'wall']);
    assert.equal(Date.parse(clock!.dueAt) - Date.parse(clock!.startedAt), HOUR);
    assert.equal(Date.parse(clock!.remindAt!) - Date.parse(clock!.startedAt), 45 * MINUTE);

    // The ECAB's request, and the requester's and the routed change manager's notices of the submission.
    assert.deepEqual(await h.tick(), { held: 0, released: 0, reassessed: 0, reminded: 0, breached: 0, upcoming: 0, escalated: 0, digests: 0, reviewsOpened: 0, reviewsSuspended: 0, reviewsOverdue: 0, gateDecisions: 0, forgeRequestsExpired: 0, meetingsMade: 0, delivered: 3, failed: 0, dead: 0 });
    const asked = await inbox(h, ecab.token);
    assert.deepEqual(asked.items.map((n) => [n.kind, n.approvalId]), [['approval_requested', approval!.id]]);
    // The requester is in no approver group and is asked nothing; segregation of duties keeps parties out anyway.
    assert.deepEqual((await inbox(h, requester.token)).items.map((n) => n.kind), ['change_transitioned']);

    h.advance(50 * MINUTE);
    assert.equal((await h.tick()).reminded, 1);
    assert.equal((await h.tick()).reminded, 0, 'a reminder goes out once');
    assert.deepEqual((await inbox(h, ecab.token)).items.map((n) => n.kind), ['approval_reminder', 'approval_requested']);

    const early = await h.request('POST', `/api/v1/approvals/${approval!.id}/decision`, { token: manager.token, body: { decision: 'approve' } });
    assert.equal(early.status, 403);
    assert.equal(early.body.error.code, 'not_an_approver');
    assert.equal((await h.request('GET', '/api/v1/me/approvals', { token: manager.token })).body.items.length, 0);

    h.advance(20 * MINUTE);
    const escalated = await h.tick();
    assert.deepEqual([escalated.breached, escalated.escalated], [1, 1]);
    assert.deepEqual(await h.tick(), { held: 0, released: 0, reassessed: 0, reminded: 0, breached: 0, upcoming: 0, escalated: 0, digests: 0, reviewsOpened: 0, reviewsSuspended: 0, reviewsOverdue: 0, gateDecisions: 0, forgeRequestsExpired: 0, meetingsMade: 0, delivered: 0, failed: 0, dead: 0 }, 'a breach is acted on once');
    assert.deepEqual((await inbox(h, manager.token)).items.map((n) => [n.kind, n.approvalId]), [['approval_escalated', approval!.id], ['change_submitted', null]]);
    const history = (await h.request('GET', `/api/v1/changes/${change}/audit`)).body.items as { action: string; data: Record<string, unknown> }[];
    assert.deepEqual(history.filter((e) => e.action === 'sla.breached').map((e) => [e.data.metric, e.data.target]), [['approval_response', 'ecab_response']]);
    assert.equal(history.filter((e) => e.action === 'approval.escalated').length, 1);

    const mine = await h.request('GET', '/api/v1/me/approvals', { token: manager.token });
    assert.deepEqual(mine.body.items.map((a: { id: string }) => a.id), [approval!.id]);
    assert.ok((await approvalsOf(h, change, manager.token))[0]!.escalatedAt);
    const decided = await h.request('POST', `/api/v1/approvals/${approval!.id}/decision`, { token: manager.token, body: { decision: 'approve' } });
    assert.equal(decided.status, 200, decided.text);
    assert.equal(decided.body.state, 'approved');

    const [after] = await clocksOf(h, change);
    assert.equal(after!.status, 'breached');
    assert.ok(after!.remindedAt && after!.breachedAt && after!.escalatedAt && after!.stoppedAt);

    const report = await h.request('GET', '/api/v1/sla/breaches');
    assert.equal(report.status, 200, report.text);
    assert.deepEqual(report.body.items.map((b: { changeId: string; metric: string; target: string; rule: string; escalatedAt: string | null }) => [b.changeId, b.metric, b.target, b.rule, !!b.escalatedAt]), [
      [change, 'approval_response', 'ecab_response', 'ecab', true],
    ]);
    const number = report.body.items[0].changeNumber;
    assert.equal((await h.request('GET', `/api/v1/sla/breaches?changeId=${number}`)).body.items.length, 1);
    assert.equal((await h.request('GET', '/api/v1/sla/breaches?metric=time_to_schedule')).body.items.length, 0);
    const future = new Date(h.now().getTime() + HOUR).toISOString();
    assert.equal((await h.request('GET', `/api/v1/sla/breaches?from=${encodeURIComponent(future)}`)).body.items.length, 0);
  });

  eachEngine('times a normal change from leaving draft until it is scheduled or closed, and records a late one as breached', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const manager = await h.userWithToken(['change_manager']);
    const server = await ci(h, 'app-1', 'server');
    const slow = await file(h, requester.token, { type: 'normal', ciIds: [server] });
    assert.deepEqual(await clocksOf(h, slow), [], 'no clock while in draft');
    await move(h, slow, 'assess');
    const [clock] = await clocksOf(h, slow);
    assert.deepEqual([clock!.metric, clock!.target, clock!.clock, clock!.status, clock!.remindAt], ['time_to_schedule', 'time_to_schedule', 'business', 'running', null]);
    assert.equal(clock!.dueAt, addWorkingTime(LONDON, new Date(clock!.startedAt), 5 * 10 * HOUR).toISOString());

    const quick = await file(h, requester.token, { type: 'normal', ciIds: [server] });
    await move(h, quick, 'assess', 'draft', 'assess');
    assert.equal((await clocksOf(h, quick)).length, 1, 'only the first departure from draft starts the clock');
    await move(h, quick, 'cancelled');
    assert.deepEqual((await clocksOf(h, quick)).map((c) => c.status), ['met']);

    await h.tick();
    h.advance(10 * DAY);
    assert.equal((await h.tick()).breached, 1);
    assert.deepEqual((await clocksOf(h, slow)).map((c) => c.status), ['breached']);
    assert.deepEqual((await inbox(h, manager.token)).items.filter((n) => n.kind !== 'change_submitted').map((n) => [n.kind, n.changeId]), [['sla_breached', slow]]);
    await move(h, slow, 'cancelled');
    const [stopped] = await clocksOf(h, slow);
    assert.ok(stopped!.stoppedAt);
    assert.equal(stopped!.status, 'breached');
    const report = await h.request('GET', '/api/v1/sla/breaches?metric=time_to_schedule');
    assert.deepEqual(report.body.items.map((b: { changeId: string; approvalId: string | null }) => [b.changeId, b.approvalId]), [[slow, null]]);
  });

  eachEngine('delivers every outbox item exactly once while two workers tick at the same time', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const dbas = [await h.userWithToken(['approver']), await h.userWithToken(['approver']), await h.userWithToken(['approver'])];
    await addMembers(h, 'dba', dbas.map((d) => d.id));
    const db = await ci(h, 'orders-db', 'database');
    const changes: string[] = [];
    for (let i = 0; i < 6; i++) {
      changes.push(await file(h, requester.token, { type: 'normal', ciIds: [db] }));
      await move(h, changes[i]!, 'assess', 'authorize');
    }
    // NOTE: on PostgreSQL the second worker has its own connection pool, as a second process would. On
    // SQLite it shares the store: better-sqlite3 blocks the event loop while it waits for a lock, so two
    // connections in one process would deadlock; separate processes queue on the busy timeout instead.
    const other = h.engine === 'postgres' ? await openCabinetStore({ databaseUrl: h.url, sessionHours: 12 }, { now: () => h.now() }) : { store: h.cabinet.store, services: h.cabinet.services };
    try {
      const first = h.cabinet.worker;
      const second = createWorker(other.services, { intervalMs: 1000 });
      const reports = await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()]);
      // Per change: the requester's two notices of its moves, the change managers' of its submission, the DBAs' request.
      assert.equal(reports.reduce((n, r) => n + r.delivered, 0), 24);
      assert.equal(reports.reduce((n, r) => n + r.failed, 0), 0);
      assert.equal(await h.cabinet.store.repos.outbox.pendingCount(), 0);
      for (const dba of dbas) {
        const items = (await inbox(h, dba.token, '?limit=100')).items;
        assert.equal(items.length, 6);
        assert.deepEqual(new Set(items.map((n) => n.changeId)), new Set(changes));
      }
      // Racing for one item: exactly one claim wins.
      const id = await h.cabinet.store.transaction((repos) => h.cabinet.services.outbox.notify(repos, { recipients: [{ kind: 'role', ref: 'approver' }], kind: 'sla_breached', title: 't', body: 'b' }));
      const at = h.now().toISOString();
      const until = new Date(h.now().getTime() + MINUTE).toISOString();
      const claims = await Promise.all([h.cabinet.store.repos.outbox.claim(id, 'one', at, until), other.store.repos.outbox.claim(id, 'two', at, until)]);
      assert.equal(claims.filter((c) => c !== null).length, 1);
    } finally {
      if (other.store !== h.cabinet.store) await other.store.close();
    }
  });

  eachEngine('gives a failed item back with a jittered delay and delivers a redelivery to nobody twice', async (h) => {
    const { store, services } = h.cabinet;
    const bad = 'bad-item';
    await store.transaction((repos) => repos.outbox.enqueue({ id: bad, topic: 'nowhere', payload: {}, createdAt: h.now().toISOString(), availableAt: h.now().toISOString() }));
    assert.equal((await h.tick()).failed, 1);
    let item = (await store.repos.outbox.find(bad))!;
    assert.equal(item.attempts, 1);
    assert.match(item.lastError!, /No handler for outbox topic "nowhere"/);
    // Full jitter: somewhere below the ceiling (test/outbox.test.ts pins the random source).
    assert.ok(Date.parse(item.availableAt) - h.now().getTime() <= 30_000);
    h.advance(31_000);
    assert.equal((await h.tick()).failed, 1);
    item = (await store.repos.outbox.find(bad))!;
    assert.equal(item.attempts, 2);
    assert.ok(Date.parse(item.availableAt) - h.now().getTime() <= 60_000);

    // A worker whose lease ran out while another delivered cannot mark the item delivered again.
    const user = await h.userWithToken(['approver']);
    const id = await store.transaction((repos) => services.outbox.notify(repos, { recipients: [{ kind: 'user', ref: user.id }], kind: 'sla_breached', title: 't', body: 'b' }));
    const at = h.now().toISOString();
    assert.ok(await store.repos.outbox.claim(id, 'slow', at, at));
    h.advance(1000);
    assert.equal((await h.tick()).delivered, 1);
    assert.equal(await store.repos.outbox.markDelivered(id, 'slow', h.now().toISOString()), false);
    assert.equal((await store.repos.notifications.forOutbox(id)).length, 1);
    assert.equal(await store.transaction((repos) => repos.notifications.insertMany([{ id: 'again', userId: user.id, kind: 'sla_breached', title: 't', body: 'b', changeId: null, approvalId: null, outboxId: id, createdAt: at }])), 0);
  });

  eachEngine('keeps each inbox private: unread filter and count, mark one or all read, 404 for someone else’s', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const [alice, bob] = [await h.userWithToken(['approver']), await h.userWithToken(['approver'])];
    await addMembers(h, 'dba', [alice.id]);
    await addMembers(h, 'network', [bob.id]);
    for (const type of ['database', 'database', 'network']) {
      const id = await file(h, requester.token, { type: 'normal', ciIds: [await ci(h, `${type}-${Math.random()}`, type)] });
      await move(h, id, 'assess', 'authorize');
    }
    await h.tick();
    const mine = await inbox(h, alice.token);
    assert.equal(mine.unread, 2);
    assert.deepEqual(mine.items.map((n) => n.kind), ['approval_requested', 'approval_requested']);
    const theirs = await inbox(h, bob.token);
    assert.equal(theirs.unread, 1);

    const stranger = await h.request('POST', `/api/v1/me/notifications/${mine.items[0]!.id}/read`, { token: bob.token });
    assert.equal(stranger.status, 404);
    assert.equal(stranger.body.error.code, 'not_found');
    const read = await h.request('POST', `/api/v1/me/notifications/${mine.items[0]!.id}/read`, { token: alice.token });
    assert.equal(read.status, 200, read.text);
    assert.ok(read.body.readAt);
    const unread = await inbox(h, alice.token, '?unread=true');
    assert.deepEqual([unread.unread, unread.items.map((n) => n.id)], [1, [mine.items[1]!.id]]);
    const page = await inbox(h, alice.token, '?limit=1');
    assert.equal(page.items.length, 1);
    assert.equal((await inbox(h, alice.token, `?limit=1&cursor=${page.nextCursor}`)).items[0]!.id, mine.items[1]!.id);

    const all = await h.request('POST', '/api/v1/me/notifications/read-all', { token: alice.token });
    assert.deepEqual(all.body, { marked: 1 });
    assert.equal((await inbox(h, alice.token)).unread, 0);
    assert.equal((await inbox(h, bob.token)).unread, 1, 'read-all reads only your own');
  });

  eachEngine('refuses bad report and inbox queries listing every problem, and the report to those without sla.read', async (h) => {
    const bad = await h.request('GET', '/api/v1/sla/breaches?metric=uptime&from=yesterday&limit=0');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'invalid_input');
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['query.from', 'query.limit', 'query.metric']);
    const backwards = await h.request('GET', '/api/v1/sla/breaches?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    assert.equal(backwards.status, 400);
    assert.deepEqual(backwards.body.error.details.issues.map((i: { path: string }) => i.path), ['query.to']);
    const cursor = await h.request('GET', '/api/v1/sla/breaches?cursor=nonsense');
    assert.equal(cursor.status, 400);
    const inboxBad = await h.request('GET', '/api/v1/me/notifications?unread=maybe&limit=1000');
    assert.equal(inboxBad.status, 400);
    assert.deepEqual(inboxBad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['query.limit', 'query.unread']);

    const requester = await h.userWithToken(['requester']);
    const refused = await h.request('GET', '/api/v1/sla/breaches', { token: requester.token });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.details.permission, 'sla.read');
    const auditor = await h.userWithToken(['auditor']);
    assert.equal((await h.request('GET', '/api/v1/sla/breaches', { token: auditor.token })).status, 200);
    assert.equal((await h.request('GET', '/api/v1/changes/CHG9999999/sla')).status, 404);
    assert.equal((await h.request('GET', '/api/v1/me/notifications', { token: null })).status, 401);
  });
});
