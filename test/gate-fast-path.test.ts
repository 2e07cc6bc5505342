import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { openCabinetStore } from '../src/cabinet';
import type { GateCheckView } from '../src/contracts/gate';
import { systemActor, type Actor } from '../src/domain/actor';
import { eachEngine, type Harness, type Reply } from './support/cabinet';
import { addMembers, approvalsOf, catalogueEntry, ci, decide, edit, move } from './support/fixtures';

// A pipeline polls the gate with the same bytes; once this process has answered them for the account (and the
// answer is final), the route answers them before parsing and validating (gate.routes.ts, gate.service.ts
// `repeatedAnswer`). Every test makes the process remember first, then changes something, then asks again.

const MIN = 60_000;
const CHECKS = '/api/v1/gate/checks';

let runs = 0;
/** The exact bytes of a check of a deployment of the CIs to production, from a fresh run. */
function checkBytes(ciIds: string[]): string {
  return JSON.stringify({
    target: { ciIds, environment: 'production' },
    source: 'github',
    repository: 'acme/payments',
    ref: 'refs/heads/main',
    sha: '3f2c1e9a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e',
    pipeline: {
      id: 'deploy.yml',
      runId: `fast-${++runs}-${Date.now()}`,
      attempt: 1,
      url: 'https://github.com/acme/payments/actions/runs/1',
    },
    actor: 'octocat',
  });
}

/** Asks the gate with exactly these bytes. */
async function ask(h: Harness, token: string, raw: string, opts: { url?: string; contentType?: string } = {}): Promise<Reply> {
  const res = await h.cabinet.app.inject({
    method: 'POST',
    url: opts.url ?? CHECKS,
    headers: { authorization: `Bearer ${token}`, 'content-type': opts.contentType ?? 'application/json' },
    payload: raw,
  });
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = null;
  }
  return { status: res.statusCode, body, headers: res.headers as Record<string, unknown>, text: res.body };
}

/** The actor a token authenticates as, as the route sees it. */
async function actorOf(h: Harness, token: string): Promise<Actor> {
  const actor = await h.cabinet.services.auth.authenticateToken(token, 'test');
  assert.ok(actor);
  return actor;
}

/** What this process remembers for the account and the bytes (undefined: the next ask is answered the slow way). */
const remembered = async (h: Harness, token: string, raw: string) => h.cabinet.services.gate.repeatedAnswer(await actorOf(h, token), raw);

/** Waits until the store remembers decisions (on PostgreSQL, once its listening connection is up). */
async function remembering(h: Harness): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await h.cabinet.store.decisions.settle()) === null || (await h.cabinet.store.freshness.settle()) === null) {
    assert.ok(Date.now() < deadline, 'the store never started remembering');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Asks until the answer is remembered by its bytes (a final answer: remembered by its key once it is read under a
 * stamp that still holds, then by its bytes when asked again); each answer the same. Returns the last slow one.
 */
async function askUntilRemembered(h: Harness, token: string, raw: string): Promise<Reply> {
  await remembering(h);
  const first = await ask(h, token, raw);
  assert.equal(first.status, 200, first.text);
  for (let i = 0; i < 5; i++) {
    const again = await ask(h, token, raw);
    assert.equal(again.text, first.text, 'the same answer, byte for byte');
    if ((await remembered(h, token, raw)) !== undefined) {
      assert.equal(await remembered(h, token, raw), again.text);
      return again;
    }
  }
  assert.fail('never remembered by its bytes');
}

/** A second Cabinet on the same database, with a store of its own: another process. */
async function withOther<T>(h: Harness, work: (other: Awaited<ReturnType<typeof openCabinetStore>>) => Promise<T>): Promise<T> {
  const other = await openCabinetStore({ databaseUrl: h.url, sessionHours: 12 }, { now: () => h.now() });
  try {
    return await work(other);
  } finally {
    await other.store.close();
  }
}

const pipeline = (h: Harness) => h.userWithToken(['pipeline']);
const PIPELINE_ROLES = [{ role: 'pipeline', scopeType: null, scopeId: null }];
const withoutDate = (headers: Record<string, unknown>) => ({ ...headers, date: undefined });
const codes = (v: GateCheckView) => v.reasons.map((r) => r.code);

/** A scheduled standard change from the catalogue on the CI, planned from `fromMin` to `toMin` minutes from now. */
async function scheduledStandard(h: Harness, ciId: string, fromMin: number, toMin: number): Promise<{ id: string; number: string }> {
  const at = (m: number) => new Date(h.now().getTime() + m * MIN).toISOString();
  const created = await h.request('POST', '/api/v1/changes', {
    body: {
      type: 'standard',
      templateId: await catalogueEntry(h),
      title: 'Deploy payments',
      description: 'd',
      ciIds: [ciId],
      plannedStart: at(fromMin),
      plannedEnd: at(toMin),
      implementationPlan: 'p',
    },
  });
  assert.equal(created.status, 201, created.text);
  assert.equal((await move(h, created.body.id, 'scheduled')).status, 200);
  return { id: created.body.id, number: created.body.number };
}

/** A freeze in force now on the CI. */
async function freezeNow(h: Harness, ciId: string): Promise<string> {
  const start = new Date(h.now().getTime() - 10 * MIN);
  const res = await h.request('POST', '/api/v1/windows', {
    body: {
      name: 'Incident freeze',
      kind: 'freeze',
      start: start.toISOString().slice(0, 16),
      timeZone: 'UTC',
      durationMinutes: 120,
      scope: { ciIds: [ciId] },
    },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

describe('the gate answers a repeated check from memory', () => {
  eachEngine('with the bytes the slow path sends, for the same bytes and account only', async (h) => {
    const p = await pipeline(h);
    const web = await ci(h, 'pay-fast-1', 'application');
    await scheduledStandard(h, web, -5, 60);
    await remembering(h);
    const raw = checkBytes([web]);
    assert.equal(await remembered(h, p.token, raw), undefined, 'nothing before the first answer');
    const slow = await askUntilRemembered(h, p.token, raw);
    assert.equal(slow.body.decision, 'allow', slow.text);
    const fast = await ask(h, p.token, raw);
    assert.equal(fast.status, 200);
    assert.equal(fast.text, slow.text);
    assert.deepEqual(withoutDate(fast.headers), withoutDate(slow.headers), 'the same headers (security headers included)');
    assert.equal(fast.headers['x-frame-options'], 'SAMEORIGIN');

    // Through a socket as through inject (the body read from the connection as it arrives).
    const base = await h.cabinet.app.listen({ port: 0, host: '127.0.0.1' });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(base + CHECKS, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
        body: raw,
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), slow.text);
    }

    // One byte more (a space after the JSON) is another question: answered the slow way, then remembered too.
    assert.equal(await remembered(h, p.token, `${raw} `), undefined);
    assert.equal((await ask(h, p.token, `${raw} `)).text, slow.text, 'the same check, by its key');
    assert.equal(await remembered(h, p.token, `${raw} `), slow.text);
    // One byte different in the run is another check.
    const otherRun = raw.replace(/"runId":"([^"]*)"/, (_m, id: string) => `"runId":"${id.slice(0, -1)}x"`);
    assert.equal(otherRun.length, raw.length);
    const another = await ask(h, p.token, otherRun);
    assert.equal(another.status, 200, another.text);
    assert.notEqual(another.body.id, slow.body.id);
    // Another account sending the same bytes is answered the slow way (the same check, by its key).
    const q = await pipeline(h);
    assert.equal(await remembered(h, q.token, raw), undefined);
    assert.equal((await ask(h, q.token, raw)).body.id, slow.body.id);
    // Anything unusual takes the normal path: a query string is refused, another content type parsed.
    const query = await ask(h, p.token, raw, { url: `${CHECKS}?wait=5` });
    assert.equal(query.status, 400, query.text);
    const charset = await ask(h, p.token, raw, { contentType: 'application/json; charset=utf-8' });
    assert.equal(charset.text, slow.text);
    const broken = await ask(h, p.token, raw.slice(0, -1));
    assert.equal(broken.status, 400, broken.text);
    // The answer is the check kept as evidence: a repeat records nothing more.
    const trail = await h.cabinet.store.repos.audit.forEntity('gate_check', slow.body.id);
    assert.deepEqual(
      trail.map((e) => e.action),
      ['gate.checked'],
    );
  });

  eachEngine('only while the token, the account and its role stand', async (h) => {
    const p = await pipeline(h);
    const web = await ci(h, 'pay-fast-2', 'application');
    await scheduledStandard(h, web, -5, 60);
    const raw = checkBytes([web]);
    await askUntilRemembered(h, p.token, raw);
    // The role taken away: refused (403), then allowed again with it back.
    assert.equal(
      (await h.request('PATCH', `/api/v1/users/${p.id}`, { body: { roles: [{ role: 'requester', scopeType: null, scopeId: null }] } }))
        .status,
      200,
    );
    const refused = await ask(h, p.token, raw);
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.details.permission, 'gate.check');
    assert.equal((await h.request('PATCH', `/api/v1/users/${p.id}`, { body: { roles: PIPELINE_ROLES } })).status, 200);
    assert.equal((await ask(h, p.token, raw)).status, 200);
    // The account disabled: 401.
    assert.equal((await h.request('PATCH', `/api/v1/users/${p.id}`, { body: { disabled: true } })).status, 200);
    assert.equal((await ask(h, p.token, raw)).status, 401);
    // A token revoked by another process: 401 at the very next request.
    const q = await pipeline(h);
    await askUntilRemembered(h, q.token, raw);
    await withOther(h, async (other) => {
      const [token] = (await other.services.auth.listTokens(systemActor(), true)).filter((t) => t.userId === q.id);
      await other.services.auth.revokeToken(systemActor(), token!.id);
    });
    const revoked = await ask(h, q.token, raw);
    assert.equal(revoked.status, 401, revoked.text);
    assert.equal(revoked.body.error.code, 'invalid_token');
  });

  eachEngine('never stale: a window edge passing, a freeze, the change moving on', async (h) => {
    const p = await pipeline(h);
    // A change whose window opens in 30 minutes: pending, never remembered, until the clock passes the edge.
    const web = await ci(h, 'pay-fast-3', 'application');
    const later = await scheduledStandard(h, web, 30, 90);
    await remembering(h);
    const raw = checkBytes([web]);
    for (let i = 0; i < 3; i++) {
      const early = await ask(h, p.token, raw);
      assert.equal(early.body.decision, 'pending', early.text);
      assert.deepEqual(codes(early.body), ['outside_change_window']);
    }
    assert.equal(await remembered(h, p.token, raw), undefined, 'a pending answer is decided again at each ask');
    h.advance(31 * MIN);
    const opened = await askUntilRemembered(h, p.token, raw);
    assert.equal(opened.body.decision, 'allow', opened.text);
    assert.deepEqual(opened.body.change, { id: later.id, number: later.number, state: 'implement' });

    // The change moves on in another process: the repeat shows it (the answer itself is final).
    await withOther(h, (other) =>
      other.services.changes.update(systemActor(), later.id, { actualEnd: h.now().toISOString(), closeCode: 'successful' }),
    );
    await withOther(h, (other) => other.services.changes.transition(systemActor(), later.id, 'closed'));
    // NOTE: on PostgreSQL another process's write is known once its notification arrived (invalidation.ts).
    await h.cabinet.store.decisions.settle();
    const closed = await ask(h, p.token, raw);
    assert.equal(closed.status, 200, closed.text);
    assert.equal(closed.body.decision, 'allow');
    assert.equal(closed.body.change.state, 'closed', closed.text);

    // A freeze in force: pending, whatever was remembered; lifted, the next ask allows.
    const other = await ci(h, 'pay-fast-4', 'application');
    await scheduledStandard(h, other, -5, 60);
    const frozenRaw = checkBytes([other]);
    const freezeId = await freezeNow(h, other);
    assert.equal(await remembered(h, p.token, raw), undefined, 'a freeze written forgets what was remembered');
    for (let i = 0; i < 2; i++) {
      const frozen = await ask(h, p.token, frozenRaw);
      assert.equal(frozen.body.decision, 'pending', frozen.text);
      assert.deepEqual(codes(frozen.body), ['freeze']);
    }
    assert.equal((await h.request('DELETE', `/api/v1/windows/${freezeId}`)).status, 204);
    const lifted = await ask(h, p.token, frozenRaw);
    assert.equal(lifted.body.decision, 'allow', lifted.text);
  });

  eachEngine('never stale: approvals given, withdrawn when the change is edited, given again', async (h) => {
    const p = await pipeline(h);
    const cm = await h.userWithToken(['change_manager', 'approver']);
    await addMembers(h, 'change-managers', [cm.id]);
    await addMembers(h, 'cab', [cm.id]);
    const web = await ci(h, 'pay-fast-5', 'application');
    await remembering(h);
    const raw = checkBytes([web]);
    const first = await ask(h, p.token, raw);
    assert.equal(first.body.decision, 'pending', first.text);
    const changeId = first.body.change.id as string;
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Payments platform' } });
    assert.equal((await edit(h, `/api/v1/changes/${changeId}`, { assignmentTeamId: team.body.id })).status, 200);
    assert.equal((await move(h, changeId, 'authorize', cm.token)).status, 200);
    const asked = await approvalsOf(h, changeId, cm.token);
    assert.ok(asked.length > 0);
    const waiting = await ask(h, p.token, raw);
    assert.equal(waiting.body.decision, 'pending', waiting.text);
    const named = (v: GateCheckView) => v.reasons.map((r) => r.ref?.id).filter((id) => asked.some((a) => a.id === id));
    assert.deepEqual(named(waiting.body).sort(), asked.map((a) => a.id).sort(), 'names each approval it waits for');
    for (const a of asked) assert.equal((await decide(h, cm.token, a.id, { decision: 'approve', comment: 'ok' })).status, 200);
    const approved = await ask(h, p.token, raw);
    assert.deepEqual(named(approved.body), [], approved.text);
    // A material edit withdraws the approvals and asks them again: the repeat waits for the new ones.
    assert.equal(
      (await edit(h, `/api/v1/changes/${changeId}`, { implementationPlan: 'Deploy with the new flag off.' }, cm.token)).status,
      200,
    );
    const again = await approvalsOf(h, changeId, cm.token);
    const open = again.filter((a) => a.state === 'pending');
    assert.ok(open.length > 0, JSON.stringify(again));
    const reopened = await ask(h, p.token, raw);
    assert.equal(reopened.body.decision, 'pending', reopened.text);
    assert.ok(
      reopened.body.reasons.some((r: GateCheckView['reasons'][number]) => open.some((a) => a.id === r.ref?.id)),
      reopened.text,
    );
    for (const a of open) assert.equal((await decide(h, cm.token, a.id, { decision: 'approve', comment: 'ok' })).status, 200);
    assert.equal((await move(h, changeId, 'scheduled', cm.token)).status, 200);
    const allowed = await askUntilRemembered(h, p.token, raw);
    assert.equal(allowed.body.decision, 'allow', allowed.text);
    assert.equal(allowed.body.change.state, 'implement');
  });
});
