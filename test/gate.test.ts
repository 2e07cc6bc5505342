import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideGate, type GateFacts } from '../src/domain/gate/decision';
import type { GateCheckView } from '../src/contracts/gate';
import { eachEngine, type Harness } from './support/cabinet';
import { addMembers, approvalsOf, catalogueEntry, ci, decide, edit, move } from './support/fixtures';

const MIN = 60_000;

/** A pipeline's machine account with its API token. */
const pipeline = (h: Harness) => h.userWithToken(['pipeline']);

let runs = 0;
/** A gate check body for a deployment of the CIs to production, from a fresh run. */
function checkBody(target: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    target: { environment: 'production', ...target },
    source: 'github',
    repository: 'acme/payments',
    ref: 'refs/heads/main',
    sha: '3f2c1e9a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e',
    pipeline: { id: 'deploy.yml', runId: `run-${++runs}-${Date.now()}`, attempt: 1, url: 'https://github.com/acme/payments/actions/runs/1' },
    actor: 'octocat',
    ...extra,
  };
}

/** UTC wall-clock minutes (a window's `start` in time zone UTC). */
const utcLocal = (d: Date) => d.toISOString().slice(0, 16);

/** A freeze in force now on the CI, ending in `minutes`. */
async function freezeNow(h: Harness, ciId: string, minutes = 60): Promise<string> {
  const start = new Date(h.now().getTime() - 10 * MIN);
  const res = await h.request('POST', '/api/v1/windows', {
    body: { name: 'Year-end freeze', kind: 'freeze', start: utcLocal(start), timeZone: 'UTC', durationMinutes: minutes + 10, scope: { ciIds: [ciId] } },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** A scheduled standard change from the catalogue on the CI, planned from `fromMin` to `toMin` minutes from now. */
async function scheduledStandard(h: Harness, ciId: string, fromMin: number, toMin: number): Promise<{ id: string; number: string }> {
  const at = (m: number) => new Date(h.now().getTime() + m * MIN).toISOString();
  const created = await h.request('POST', '/api/v1/changes', {
    body: { type: 'standard', templateId: await catalogueEntry(h), title: 'Deploy payments', description: 'd', ciIds: [ciId], plannedStart: at(fromMin), plannedEnd: at(toMin), implementationPlan: 'p' },
  });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.type, 'standard', created.text);
  const moved = await move(h, created.body.id, 'scheduled');
  assert.equal(moved.status, 200, moved.text);
  return { id: created.body.id, number: created.body.number };
}

const codes = (v: GateCheckView) => v.reasons.map((r) => r.code);

describe('deployment gate', () => {
  eachEngine('allows a deployment an authorised change covers in its window, starts the change, and answers repeats with the same check', async (h) => {
    const p = await pipeline(h);
    const web = await ci(h, 'pay-web-1', 'application');
    const change = await scheduledStandard(h, web, -5, 60);
    const body = checkBody({ ciIds: ['pay-web-1'] });
    const first = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.decision, 'allow', first.text);
    assert.deepEqual(first.body.change, { id: change.id, number: change.number, state: 'implement' });
    assert.deepEqual(codes(first.body), ['allowed']);
    const again = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body });
    assert.equal(again.body.id, first.body.id, 'the same key answers the same check');
    assert.equal(again.body.decision, 'allow');
    const retry = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: { ...body, pipeline: { ...body.pipeline, attempt: 2 } } });
    assert.notEqual(retry.body.id, first.body.id, 'a new attempt is a new check');
    assert.equal(retry.body.change.id, change.id, 'the same run keeps its change');
    // Kept as evidence on the change, and listed with it.
    const evidence = await h.request('GET', `/api/v1/changes/${change.id}/evidence`);
    assert.ok(evidence.body.items.some((e: { kind: string }) => e.kind === 'gate_check'), evidence.text);
    const listed = await h.request('GET', `/api/v1/changes/${change.number}/gate-checks`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.items.map((c: GateCheckView) => c.id).sort(), [first.body.id, retry.body.id].sort());
    const byService = await h.request('GET', `/api/v1/gate/checks?decision=allow&repository=acme/payments&limit=1`);
    assert.equal(byService.body.items.length, 1);
    assert.ok(byService.body.nextCursor);
    const next = await h.request('GET', `/api/v1/gate/checks?decision=allow&repository=acme/payments&limit=1&cursor=${byService.body.nextCursor}`);
    assert.equal(next.body.items.length, 1);
    assert.notEqual(next.body.items[0].id, byService.body.items[0].id);
    // The deployments slice finds the change of a run or a commit.
    assert.equal(await h.cabinet.services.gate.changeForDeployment({ source: 'github', repository: 'acme/payments', runId: body.pipeline.runId }), change.id);
    assert.equal(await h.cabinet.services.gate.changeForDeployment({ source: 'github', repository: 'acme/payments', sha: body.sha.toUpperCase() }), change.id);
    assert.equal(await h.cabinet.services.gate.changeForDeployment({ source: 'gitlab', repository: 'acme/payments', runId: body.pipeline.runId }), null);
    // An environment the gate does not control needs no change.
    const staging = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [web], environment: 'staging' }) });
    assert.equal(staging.body.decision, 'allow', staging.text);
    assert.equal(staging.body.change, null);
  });

  eachEngine('names why it waits or refuses: window, freeze, closed change, suspended entry, failed checks, no change, conditions', async (h) => {
    const p = await pipeline(h);
    const web = await ci(h, 'pay-web-2', 'application');
    // A change planned later: pending until its window opens, naming when.
    const later = await scheduledStandard(h, web, 120, 180);
    const early = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [web] }, { changeNumber: later.number }) });
    assert.equal(early.body.decision, 'pending', early.text);
    assert.deepEqual(codes(early.body), ['outside_change_window']);
    assert.ok(Date.parse(early.body.reasons[0].ref.until) > Date.parse(early.body.createdAt) + 100 * MIN, 'names when the window opens');
    assert.ok(early.body.deadline, 'a pending check says when it is denied');
    // Found without a number too: the covering change whose window opens next.
    const found = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [web] }) });
    assert.equal(found.body.decision, 'pending', found.text);
    assert.equal(found.body.reasons[0].ref.id, later.id);
    // A freeze in force: pending, naming the freeze and when it ends; lifted, the next answer allows.
    const other = await ci(h, 'pay-web-3', 'application');
    const now = await scheduledStandard(h, other, -5, 60);
    const freezeId = await freezeNow(h, other);
    const frozen = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [other] }) });
    assert.equal(frozen.body.decision, 'pending', frozen.text);
    assert.deepEqual(codes(frozen.body), ['freeze']);
    assert.equal(frozen.body.reasons[0].ref.type, 'freeze');
    assert.equal(frozen.body.reasons[0].ref.id, freezeId);
    assert.ok(frozen.body.reasons[0].ref.until > h.now().toISOString());
    assert.equal(frozen.body.change.id, now.id);
    assert.equal((await h.request('DELETE', `/api/v1/windows/${freezeId}`)).status, 204);
    const lifted = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [other] }, { pipeline: frozen.body.pipeline }) });
    assert.equal(lifted.body.id, frozen.body.id);
    assert.equal(lifted.body.decision, 'allow', lifted.text);
    // A cancelled change never authorises: deny.
    const cancelled = await scheduledStandard(h, web, 300, 360);
    assert.equal((await move(h, cancelled.id, 'cancelled', undefined, 'not needed')).status, 200);
    const closed = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [web] }, { changeNumber: cancelled.number }) });
    assert.equal(closed.body.decision, 'deny');
    assert.ok(codes(closed.body).includes('change_closed'), closed.text);
    // A suspended catalogue entry: deny, naming it.
    const entry = await catalogueEntry(h, 'Deploy web');
    assert.equal((await h.request('POST', `/api/v1/templates/${entry}/suspend`, { body: { reason: 'Two failures' } })).status, 200);
    const suspended = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [web] }, { templateId: entry }) });
    assert.equal(suspended.body.decision, 'deny', suspended.text);
    assert.deepEqual(codes(suspended.body), ['template_suspended']);
    assert.equal(suspended.body.reasons[0].ref.id, entry);
    // An entry whose pre-approval checks fail (it covers only staging): deny with the failed check.
    const narrow = await h.request('POST', '/api/v1/templates', { body: { name: 'Staging only', type: 'standard', category: 'Tests', fields: { title: 'x', implementationPlan: 'p' }, eligibility: { environments: ['staging'] } } });
    assert.equal(narrow.status, 201, narrow.text);
    const failed = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [web] }, { templateId: narrow.body.id }) });
    assert.equal(failed.body.decision, 'deny', failed.text);
    assert.ok(codes(failed.body).includes('checks_failed'), failed.text);
    // A service with no CIs: nothing to open a change on.
    const empty = await h.request('POST', '/api/v1/services', { body: { name: 'Empty', tier: 3 } });
    const none = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ serviceId: 'Empty' }) });
    assert.equal(empty.status, 201);
    assert.equal(none.body.decision, 'deny', none.text);
    assert.deepEqual(codes(none.body), ['no_change']);
    // Conditions (issue 15's hook): unmet, the run waits.
    const cond = await ci(h, 'pay-web-4', 'application');
    await scheduledStandard(h, cond, -5, 60);
    h.cabinet.services.gate.addConditionSource(async (_repos, change) => (change.ciIds.includes(cond) ? [{ id: 'cond-1', label: 'Run the smoke suite first' }] : []));
    const conditioned = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: [cond] }) });
    assert.equal(conditioned.body.decision, 'pending', conditioned.text);
    assert.deepEqual(codes(conditioned.body), ['conditions_unmet']);
  });

  eachEngine('opens a normal change for a pipeline, waits for its authorisation, and tells adapters when the answer changes', async (h) => {
    const p = await pipeline(h);
    const cm = await h.userWithToken(['change_manager', 'approver']);
    await addMembers(h, 'change-managers', [cm.id]);
    await addMembers(h, 'cab', [cm.id]);
    const web = await ci(h, 'pay-api-1', 'application');
    const told: GateCheckView[] = [];
    h.cabinet.services.gate.addAdapter({ name: 'test', decisionChanged: async (check) => void told.push(check) });
    const body = checkBody({ ciIds: [web] });
    const first = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body });
    assert.equal(first.body.decision, 'pending', first.text);
    assert.deepEqual(codes(first.body), ['change_not_authorized']);
    const opened = await h.request('GET', `/api/v1/changes/${first.body.change.id}`);
    assert.equal(opened.body.type, 'normal');
    assert.equal(opened.body.state, 'assess');
    assert.equal(opened.body.requesterId, p.id);
    assert.match(opened.body.title, /acme\/payments/);
    assert.match(opened.body.description, /actions\/runs\/1/);
    assert.deepEqual(opened.body.ciIds, [web]);
    // Long-polling returns when the change is authorised (scheduled) by a person, and the gate starts it.
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Payments platform' } });
    assert.equal((await edit(h, `/api/v1/changes/${opened.body.id}`, { assignmentTeamId: team.body.id })).status, 200);
    const waiting = h.request('GET', `/api/v1/gate/checks/${first.body.id}?wait=20`, { token: p.token });
    assert.equal((await move(h, opened.body.id, 'authorize', cm.token)).status, 200);
    for (const a of await approvalsOf(h, opened.body.id, cm.token)) {
      const d = await decide(h, cm.token, a.id, { decision: 'approve', comment: 'ok' });
      assert.equal(d.status, 200, d.text);
    }
    const scheduled = await move(h, opened.body.id, 'scheduled', cm.token);
    assert.equal(scheduled.status, 200, scheduled.text);
    const answered = await waiting;
    assert.equal(answered.status, 200, answered.text);
    assert.equal(answered.body.decision, 'allow', answered.text);
    assert.equal(answered.body.change.state, 'implement');
    // The worker delivers the outbox item: every adapter hears of the new decision.
    await h.tick();
    assert.deepEqual(told.map((c) => [c.id, c.decision]), [[first.body.id, 'allow']]);
  });

  eachEngine('twenty identical checks at once make one check and one change', async (h) => {
    const p = await pipeline(h);
    await ci(h, 'pay-batch-1', 'application');
    const body = checkBody({ ciIds: ['pay-batch-1'] });
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.request('POST', '/api/v1/gate/checks', { token: p.token, body })));
    for (const a of answers) assert.equal(a.status, 200, a.text);
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1, 'one check');
    assert.equal(new Set(answers.map((a) => a.body.change?.id)).size, 1, 'one change');
    const changes = await h.request('GET', '/api/v1/changes?ciId=pay-batch-1');
    assert.equal(changes.body.items.length, 1, changes.text);
  });

  eachEngine('only those allowed ask the gate, a bad question lists every problem, and a run pending past its deadline is denied', async (h) => {
    const p = await pipeline(h);
    const requester = await h.userWithToken(['requester']);
    await ci(h, 'pay-perm-1', 'application');
    const refused = await h.request('POST', '/api/v1/gate/checks', { token: requester.token, body: checkBody({ ciIds: ['pay-perm-1'] }) });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.details.permission, 'gate.check');
    const bad = await h.request('POST', '/api/v1/gate/checks', {
      token: p.token,
      body: { target: { environment: '' }, source: 'travis', repository: 'acme/x', ref: 'main', sha: 'not-a-sha', pipeline: { id: 'd', runId: '1', attempt: 0 }, actor: 'x', changeNumber: 'CHG1', extra: true },
    });
    assert.equal(bad.status, 400, bad.text);
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    for (const path of ['target.environment', 'target.serviceId', 'source', 'sha', 'pipeline.attempt', 'changeNumber', 'extra']) assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
    const unknown = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: ['no-such-ci'], serviceId: 'No such service' }, { templateId: 'No such entry' }) });
    assert.equal(unknown.status, 400, unknown.text);
    assert.deepEqual(unknown.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['target.ciIds.0', 'target.serviceId', 'templateId']);
    // A shape problem and unknown references come in the same answer.
    const both = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: { ...checkBody({ ciIds: ['no-such-ci'] }, { templateId: 'No such entry' }), source: 'travis' } });
    assert.equal(both.status, 400, both.text);
    assert.deepEqual(both.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['source', 'target.ciIds.0', 'templateId']);
    assert.equal((await h.request('GET', '/api/v1/gate/checks', { token: requester.token })).status, 200, 'a requester reads checks');
    assert.equal((await h.request('GET', '/api/v1/gate/checks/nope', { token: p.token })).status, 404);
    // A run left pending past the policy's deadline is denied by the worker.
    await ci(h, 'pay-late-1', 'application');
    const first = await h.request('POST', '/api/v1/gate/checks', { token: p.token, body: checkBody({ ciIds: ['pay-late-1'] }) });
    assert.equal(first.body.decision, 'pending');
    assert.equal(Date.parse(first.body.deadline) - Date.parse(first.body.createdAt), 4 * 3_600_000, 'gate.yaml: 4h');
    h.advance(4 * 3_600_000 + MIN);
    const report = await h.tick();
    assert.equal(report.gateDecisions, 1);
    const after = await h.request('GET', `/api/v1/gate/checks/${first.body.id}`, { token: p.token });
    assert.equal(after.body.decision, 'deny', after.text);
    assert.ok(codes(after.body).includes('deadline_passed'), after.text);
    const trail = await h.cabinet.store.repos.audit.forEntity('gate_check', first.body.id);
    assert.deepEqual(trail.map((e) => e.action), ['gate.checked', 'gate.decision_changed'], 'audited: asked, then denied');
  });
});

describe('gate decisions from facts', () => {
  const now = new Date('2026-12-07T10:00:00Z');
  const change = { id: 'c1', number: 'CHG0000001', type: 'normal', state: 'scheduled', plannedStart: '2026-12-07T09:00:00Z', plannedEnd: '2026-12-07T12:00:00Z', final: false, authorised: true, covers: true, hold: null };
  const base: GateFacts = {
    now,
    environment: 'production',
    controlled: true,
    deadline: new Date('2026-12-07T14:00:00Z'),
    template: null,
    failedChecks: [],
    change,
    changeSource: 'named',
    upcoming: null,
    pendingApprovals: [],
    freezes: [],
    conflicts: [],
    conditions: [],
    mayOpenChange: true,
  };
  const cases: [string, Partial<GateFacts>, string, string[]][] = [
    ['an authorised change in its window', {}, 'allow', ['allowed']],
    ['no change', { change: null, mayOpenChange: false }, 'deny', ['no_change']],
    ['an approval pending', { change: { ...change, state: 'authorize', authorised: false }, pendingApprovals: [{ id: 'a1', label: 'cab by CAB' }] }, 'pending', ['change_not_authorized']],
    ['a rejected change', { change: { ...change, state: 'rejected', final: true, authorised: false } }, 'deny', ['change_closed']],
    ['before its window', { now: new Date('2026-12-07T08:00:00Z') }, 'pending', ['outside_change_window']],
    ['after its window', { now: new Date('2026-12-07T12:30:00Z') }, 'deny', ['outside_change_window']],
    ['after the window of a change still being authorised', { now: new Date('2026-12-07T12:30:00Z'), change: { ...change, state: 'assess', authorised: false } }, 'pending', ['change_not_authorized', 'outside_change_window']],
    ['a suspended entry and no change', { template: { id: 't', name: 'Deploy', state: 'suspended', standard: true }, change: null }, 'deny', ['template_suspended']],
    ['a freeze', { freezes: [{ id: 'f', name: 'Freeze', endsAt: '2026-12-08T00:00:00Z', excepted: false, exceptionRequested: true }] }, 'pending', ['freeze']],
    ['a freeze with an approved exception', { freezes: [{ id: 'f', name: 'Freeze', endsAt: '2026-12-08T00:00:00Z', excepted: true, exceptionRequested: false }] }, 'allow', ['allowed']],
    ['a conflict', { conflicts: [{ id: 'x', message: 'CHG2 works on db-1 at the same time.' }] }, 'pending', ['conflict']],
    ['a suspended entry', { template: { id: 't', name: 'Deploy', state: 'suspended', standard: true } }, 'deny', ['template_suspended']],
    ['failed checks', { failedChecks: [{ name: 'eligibility', reason: 'Not eligible.' }] }, 'deny', ['checks_failed']],
    ['a condition', { conditions: [{ id: 'k', label: 'Smoke tests' }] }, 'pending', ['conditions_unmet']],
    ['a change elsewhere', { change: { ...change, covers: false } }, 'deny', ['change_not_covering']],
    ['pending past the deadline', { conditions: [{ id: 'k', label: 'Smoke tests' }], now: new Date('2026-12-07T11:00:00Z'), deadline: new Date('2026-12-07T10:30:00Z') }, 'deny', ['conditions_unmet', 'deadline_passed']],
    ['an uncontrolled environment', { controlled: false, change: null, environment: 'staging' }, 'allow', ['allowed']],
  ];
  for (const [name, facts, decision, expected] of cases) {
    it(`${name}: ${decision} (${expected.join(', ')})`, () => {
      const out = decideGate({ ...base, ...facts });
      assert.equal(out.decision, decision);
      assert.deepEqual(out.reasons.map((r) => r.code), expected);
    });
  }
});
