import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';

async function demoCi(h: Harness): Promise<string> {
  const svc = await h.request('POST', '/api/v1/services', { body: { name: `Payments ${Math.random()}`, tier: 1, tags: ['pci'] } });
  assert.equal(svc.status, 201, svc.text);
  const ci = await h.request('POST', '/api/v1/cis', { body: { name: `pay-db-${Math.random()}`, type: 'database', environment: 'production', serviceId: svc.body.id, criticality: 'critical', tags: ['pci'] } });
  assert.equal(ci.status, 201, ci.text);
  return ci.body.id;
}

/** Grants every approval the policy asked for, stage by stage, as someone in every approving team. */
async function approveAll(h: Harness, changeId: string): Promise<void> {
  const approver = await h.userWithToken(['approver']);
  for (const handle of ['security', 'dba', 'network', 'compliance', 'change-managers', 'cab', 'ecab']) {
    const team = await h.request('GET', `/api/v1/teams/${handle}`);
    assert.equal((await h.request('PATCH', `/api/v1/teams/${team.body.id}`, { body: { memberIds: [approver.id] } })).status, 200);
  }
  for (let stage = 0; stage < 4; stage++) {
    const items = (await h.request('GET', `/api/v1/changes/${changeId}/approvals`)).body.items as { id: string; state: string }[];
    for (const a of items.filter((x) => x.state === 'pending')) {
      const res = await h.request('POST', `/api/v1/approvals/${a.id}/decision`, { token: approver.token, body: { decision: 'approve' } });
      assert.equal(res.status, 200, res.text);
    }
  }
}

const completePlan = (ciId: string) => ({
  description: 'Upgrade the payments database to PostgreSQL 16.',
  justification: 'Version 15 leaves support next year.',
  ciIds: [ciId],
  plannedStart: '2026-12-01T22:00:00Z',
  plannedEnd: '2026-12-01T23:30:00+00:00',
  implementationPlan: 'pg_upgrade with --link',
  testPlan: 'Run the smoke suite',
  backoutPlan: 'Restore from the snapshot',
});

describe('changes', () => {
  eachEngine('creates a normal change as a numbered draft with derived services', async (h) => {
    const ciId = await demoCi(h);
    const res = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Upgrade payments DB', ...completePlan(ciId) } });
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.number, /^CHG\d{7}$/);
    assert.equal(res.body.state, 'draft');
    assert.equal(res.body.version, 1);
    assert.equal(res.body.plannedEnd, '2026-12-01T23:30:00.000Z');
    assert.equal(res.body.serviceIds.length, 1);
    const listed = await h.request('GET', '/api/v1/changes');
    assert.deepEqual(listed.body.items[0].serviceIds, res.body.serviceIds);
    assert.equal(res.body.priority, 3);
    const get = await h.request('GET', `/api/v1/changes/${res.body.number}`);
    assert.equal(get.status, 200);
    assert.equal(get.body.id, res.body.id);
    assert.deepEqual(
      get.body.availableTransitions.map((t: { to: string }) => t.to),
      ['assess', 'cancelled'],
    );
  });

  eachEngine('refuses to leave draft naming every missing field, then moves through the normal lifecycle', async (h) => {
    const ciId = await demoCi(h);
    const created = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Only a title' } });
    assert.equal(created.status, 201);
    const refused = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to: 'assess' } });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'missing_fields');
    assert.deepEqual(refused.body.error.details.fields, ['description', 'justification', 'ciIds', 'plannedStart', 'plannedEnd', 'implementationPlan', 'testPlan', 'backoutPlan']);
    const unchanged = await h.request('GET', `/api/v1/changes/${created.body.id}`);
    assert.equal(unchanged.body.state, 'draft');
    assert.equal(unchanged.body.version, 1);

    const patched = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { ...completePlan(ciId), version: 1 } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.version, 2);
    let version = patched.body.version;
    for (const to of ['assess', 'authorize']) {
      const moved = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to } });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(moved.body.state, to);
      version = moved.body.version;
    }
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Platform' } });
    // Routing gave the database change to the DBAs; unassigning it by hand sticks.
    assert.equal(patched.body.assignmentTeamId, (await h.request('GET', '/api/v1/teams/dba')).body.id);
    const unassigned = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { assignmentTeamId: null, version } });
    assert.equal(unassigned.status, 200, unassigned.text);
    assert.equal(unassigned.body.assignmentTeamId, null);
    const noTeam = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to: 'scheduled' } });
    assert.equal(noTeam.status, 422);
    assert.deepEqual(noTeam.body.error.details.fields, ['assignmentTeamId']);
    const assigned = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { assignmentTeamId: team.body.id, version: unassigned.body.version } });
    assert.equal(assigned.status, 200, assigned.text);
    await approveAll(h, created.body.id);
    const scheduled = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to: 'scheduled' } });
    assert.equal(scheduled.status, 200, scheduled.text);

    const history = await h.request('GET', `/api/v1/changes/${created.body.id}/audit`);
    // Risk reassessments and routing are interleaved where they moved; risk.test.ts and routing.test.ts test them.
    const lifecycle = history.body.items.filter((e: { action: string }) => e.action !== 'change.risk_assessed' && e.action !== 'change.routed');
    assert.deepEqual(
      lifecycle.map((e: { action: string }) => e.action),
      ['change.created', 'change.updated', 'change.transitioned', 'change.transitioned', 'change.approvals_requested', 'change.updated', 'change.updated', 'approval.decided', 'approval.decided', 'approval.decided', 'approval.decided', 'change.evidence_added', 'change.transitioned'],
    );
    assert.deepEqual(lifecycle[2].data.changes.state, { from: 'draft', to: 'assess' });
    assert.equal(lifecycle[1].data.changes.backoutPlan.to, 'Restore from the snapshot');
  });

  eachEngine('answers 409 invalid_transition naming the allowed next states', async (h) => {
    const created = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'x' } });
    const res = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to: 'closed' } });
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'invalid_transition');
    assert.deepEqual(res.body.error.details.allowed, ['assess', 'cancelled']);
  });

  eachEngine('answers 412 to a stale version in the body or If-Match and changes nothing', async (h) => {
    const created = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'first' } });
    const ok = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { title: 'second', version: 1 } });
    assert.equal(ok.status, 200);
    const stale = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { title: 'third', version: 1 } });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.error.code, 'stale_version');
    const staleHeader = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { title: 'third' }, headers: { 'if-match': '"1"' } });
    assert.equal(staleHeader.status, 412);
    const now = await h.request('GET', `/api/v1/changes/${created.body.id}`);
    assert.equal(now.body.title, 'second');
    assert.equal(now.body.version, 2);
  });

  eachEngine('lists every problem of a bad change at once and writes nothing', async (h) => {
    const before = await h.request('GET', '/api/v1/changes');
    const res = await h.request('POST', '/api/v1/changes', {
      body: { type: 'sideways', title: '', plannedStart: 'tomorrow', ciIds: 'db1', impact: 'huge' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_input');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['ciIds', 'impact', 'plannedStart', 'title', 'type']);
    const semantic = await h.request('POST', '/api/v1/changes', {
      body: { type: 'normal', title: 't', ciIds: ['nope'], plannedStart: '2026-12-02T00:00:00Z', plannedEnd: '2026-12-01T00:00:00Z', ownerId: 'ghost' },
    });
    assert.equal(semantic.status, 400);
    assert.deepEqual(semantic.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['ciIds.0', 'ownerId', 'plannedEnd']);
    const after = await h.request('GET', '/api/v1/changes');
    assert.equal(after.body.items.length, before.body.items.length);
  });

  eachEngine('gives unique consecutive numbers to changes created concurrently', async (h) => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: `c${i}` } })));
    assert.ok(results.every((r) => r.status === 201));
    const numbers = results.map((r) => r.body.number).sort();
    assert.equal(new Set(numbers).size, 20);
    assert.deepEqual(numbers, Array.from({ length: 20 }, (_, i) => `CHG${String(i + 1).padStart(7, '0')}`));
    const verify = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(verify.body.ok, true);
  });

  eachEngine('leaves a change consistent when two people move it at once', async (h) => {
    const ciId = await demoCi(h);
    const created = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'race', ...completePlan(ciId) } });
    const [a, b] = await Promise.all([
      h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to: 'assess', version: 1 } }),
      h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to: 'cancelled', version: 1, comment: 'Not needed any more' } }),
    ]);
    const statuses = [a.status, b.status].sort();
    assert.equal(statuses[0], 200);
    const final = await h.request('GET', `/api/v1/changes/${created.body.id}`);
    assert.equal(final.body.version, 2);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    // The loser reads the winner's state: a move that no longer fits it is 409 invalid_transition (cancelled is
    // final); one that still fits was made against a stale version, 412.
    if (winner.body.state === 'cancelled') assert.equal(loser.body.error.code, 'invalid_transition', loser.text);
    else assert.deepEqual([loser.status, loser.body.error.code], [412, 'stale_version'], loser.text);
    assert.equal(final.body.state, winner.body.state);
    const history = await h.request('GET', `/api/v1/changes/${created.body.id}/audit`);
    assert.equal(history.body.items.filter((e: { action: string }) => e.action === 'change.transitioned').length, 1);
  });

  eachEngine('searches and filters the change list with a cursor', async (h) => {
    for (const title of ['Rotate certificates', 'Upgrade kernel', 'Rotate passwords']) {
      await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title } });
    }
    await h.request('POST', '/api/v1/changes', { body: { type: 'emergency', title: 'Rotate keys now' } });
    const rotate = await h.request('GET', '/api/v1/changes?q=rotate');
    assert.deepEqual(rotate.body.items.map((c: { title: string }) => c.title), ['Rotate keys now', 'Rotate passwords', 'Rotate certificates']);
    const normalRotate = await h.request('GET', '/api/v1/changes?q=ROTATE&type=normal&limit=1');
    assert.equal(normalRotate.body.items.length, 1);
    assert.equal(normalRotate.body.items[0].title, 'Rotate passwords');
    const next = await h.request('GET', `/api/v1/changes?q=rotate&type=normal&limit=1&cursor=${normalRotate.body.nextCursor}`);
    assert.equal(next.body.items[0].title, 'Rotate certificates');
    assert.equal(next.body.nextCursor, null);
    const badCursor = await h.request('GET', '/api/v1/changes?cursor=not-a-cursor');
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.error.details.issues[0].path, 'query.cursor');
    const byNumber = await h.request('GET', '/api/v1/changes?q=chg0000002');
    assert.equal(byNumber.body.items[0].title, 'Upgrade kernel');
  });

  eachEngine('refuses edits to a closed or cancelled change', async (h) => {
    const created = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'to cancel' } });
    const cancelled = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to: 'cancelled', comment: 'Not needed any more' } });
    const edit = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { title: 'again', version: cancelled.body.version } });
    assert.equal(edit.status, 409);
    assert.equal(edit.body.error.code, 'change_closed');
    const move = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to: 'draft' } });
    assert.equal(move.status, 409);
    assert.deepEqual(move.body.error.details.allowed, []);
  });

  eachEngine('lets only the roles and relations the policy names fire a transition', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const other = await h.userWithToken(['requester']);
    const manager = await h.userWithToken(['change_manager']);
    const auditor = await h.userWithToken(['auditor']);
    const ciId = await demoCi(h);
    const created = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { type: 'normal', title: 'mine', ...completePlan(ciId) } });
    assert.equal(created.status, 201, created.text);
    const byAuditor = await h.request('POST', '/api/v1/changes', { token: auditor.token, body: { type: 'normal', title: 'x' } });
    assert.equal(byAuditor.status, 403);
    const byOther = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { token: other.token, body: { to: 'assess' } });
    assert.equal(byOther.status, 403);
    assert.equal(byOther.body.error.code, 'transition_not_permitted');
    const byRequester = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { token: requester.token, body: { to: 'assess' } });
    assert.equal(byRequester.status, 200);
    const requesterCannotAuthorize = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { token: requester.token, body: { to: 'authorize' } });
    assert.equal(requesterCannotAuthorize.status, 403);
    const seen = await h.request('GET', `/api/v1/changes/${created.body.id}`, { token: requester.token });
    // During assessment the requester may still withdraw the change, but only a change manager moves it on.
    assert.deepEqual(seen.body.availableTransitions.filter((t: { allowed: boolean }) => t.allowed).map((t: { to: string }) => t.to), ['cancelled']);
    const byManager = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { token: manager.token, body: { to: 'authorize' } });
    assert.equal(byManager.status, 200);
    const auditorReads = await h.request('GET', `/api/v1/changes/${created.body.id}`, { token: auditor.token });
    assert.equal(auditorReads.status, 200);
  });

  eachEngine('keeps comments and work notes on a change', async (h) => {
    const created = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'talk' } });
    const bad = await h.request('POST', `/api/v1/changes/${created.body.id}/comments`, { body: { body: '  ' } });
    assert.equal(bad.status, 400);
    const c1 = await h.request('POST', `/api/v1/changes/${created.body.id}/comments`, { body: { body: 'Please add a test plan' } });
    assert.equal(c1.status, 201);
    await h.request('POST', `/api/v1/changes/${created.body.id}/comments`, { body: { body: 'Checked with DBA', kind: 'work_note' } });
    const list = await h.request('GET', `/api/v1/changes/${created.body.id}/comments`);
    assert.deepEqual(list.body.items.map((c: { kind: string }) => c.kind), ['comment', 'work_note']);
    assert.equal(list.body.items[0].authorName, 'Administrator');
  });
});
