import assert from 'node:assert/strict';
import { describe, eachEngine } from './support/cabinet';
import { addMembers, approvalsOf, ci, decide, fileAndAuthorize, move, plan } from './support/fixtures';

interface Move {
  to: string;
  allowed: boolean;
  missingFields: string[];
  reasons: string[];
  needsReason: boolean;
}

describe('acting safely', () => {
  eachEngine('refuses to cancel a change without a reason, then cancels it with one and keeps the reason', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const created = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { type: 'normal', title: 'Retire the old wiki' } });
    assert.equal(created.status, 201, created.text);
    const cancel = (created.body.availableTransitions as Move[]).find((t) => t.to === 'cancelled')!;
    assert.equal(cancel.needsReason, true, 'the page knows to ask for a reason');
    assert.equal((created.body.availableTransitions as Move[]).find((t) => t.to === 'assess')!.needsReason, false);

    for (const comment of [undefined, '', '   ']) {
      const bare = await move(h, created.body.id, 'cancelled', requester.token, comment);
      assert.equal(bare.status, 422, bare.text);
      assert.equal(bare.body.error.code, 'reason_required');
      assert.match(bare.body.error.message, /Say why/);
      assert.deepEqual(bare.body.error.details.issues.map((i: { path: string }) => i.path), ['comment']);
    }
    const unchanged = await h.request('GET', `/api/v1/changes/${created.body.id}`);
    assert.equal(unchanged.body.state, 'draft');
    assert.equal(unchanged.body.version, 1);

    const cancelled = await move(h, created.body.id, 'cancelled', requester.token, 'The vendor retires the wiki for us next month.');
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.body.state, 'cancelled');
    const history = await h.request('GET', `/api/v1/changes/${created.body.id}/audit`);
    const moved = history.body.items.find((e: { action: string }) => e.action === 'change.transitioned');
    assert.equal(moved.data.comment, 'The vendor retires the wiki for us next month.');
    const notes = await h.request('GET', `/api/v1/changes/${created.body.id}/comments`);
    assert.deepEqual(notes.body.items.map((c: { kind: string; body: string }) => [c.kind, c.body]), [['work_note', 'The vendor retires the wiki for us next month.']]);
  });

  eachEngine('refuses to reject a change without a reason', async (h) => {
    const db = await ci(h, 'orders-db', 'database');
    const created = await h.request('POST', '/api/v1/changes', { body: plan([db]) });
    assert.equal((await move(h, created.body.id, 'assess')).status, 200);
    const bare = await move(h, created.body.id, 'rejected');
    assert.equal(bare.status, 422, bare.text);
    assert.equal(bare.body.error.code, 'reason_required');
    assert.equal((await move(h, created.body.id, 'rejected', undefined, 'Duplicates CHG0000007.')).status, 200);
  });

  eachEngine('refuses to reject an approval without a comment', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const dba = await h.userWithToken(['approver']);
    await addMembers(h, 'dba', [dba.id]);
    const change = await fileAndAuthorize(h, requester.token, plan([await ci(h, 'orders-db', 'database')]));
    const [approval] = await approvalsOf(h, change.id);
    for (const comment of [undefined, '  ']) {
      const bare = await decide(h, dba.token, approval!.id, { decision: 'reject', ...(comment === undefined ? {} : { comment }) });
      assert.equal(bare.status, 422, bare.text);
      assert.equal(bare.body.error.code, 'reason_required');
      assert.deepEqual(bare.body.error.details.issues.map((i: { path: string }) => i.path), ['comment']);
    }
    assert.equal((await approvalsOf(h, change.id))[0]!.state, 'pending', 'a refused rejection decides nothing');
    // Approving needs no comment.
    const approved = await decide(h, dba.token, approval!.id, { decision: 'approve' });
    assert.equal(approved.status, 200, approved.text);
  });

  eachEngine('says before the click why a move would be refused: approvals pending, not your role', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const dba = await h.userWithToken(['approver']);
    await addMembers(h, 'dba', [dba.id]);
    const change = await fileAndAuthorize(h, requester.token, plan([await ci(h, 'orders-db', 'database')]));

    // The change manager (the harness's admin) may schedule it, but its approvals are pending.
    const managerView = await h.request('GET', `/api/v1/changes/${change.id}`);
    const schedule = (managerView.body.availableTransitions as Move[]).find((t) => t.to === 'scheduled')!;
    assert.equal(schedule.allowed, true);
    assert.equal(schedule.reasons.length, 1, JSON.stringify(schedule.reasons));
    assert.match(schedule.reasons[0]!, /^Waiting on approvals: dba by /);
    // And the server refuses it for that very reason.
    const refused = await move(h, change.id, 'scheduled');
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'approvals_pending');
    // Cancelling has nothing in its way but the reason it asks for.
    const cancel = (managerView.body.availableTransitions as Move[]).find((t) => t.to === 'cancelled')!;
    assert.deepEqual([cancel.allowed, cancel.reasons, cancel.needsReason], [true, [], true]);

    // The requester may not schedule it at all: that is said too.
    const requesterView = await h.request('GET', `/api/v1/changes/${change.id}`, { token: requester.token });
    const theirs = (requesterView.body.availableTransitions as Move[]).find((t) => t.to === 'scheduled')!;
    assert.equal(theirs.allowed, false);
    assert.match(theirs.reasons[0]!, /^Only change managers may do this\.$/);

    // Once the approvals are granted, nothing stands in the way: the move offered is the move that succeeds.
    for (const a of await approvalsOf(h, change.id)) {
      if (a.state !== 'pending') continue;
      assert.equal((await decide(h, dba.token, a.id, { decision: 'approve' })).status, 200);
    }
    const manager = await h.userWithToken(['change_manager']);
    await addMembers(h, 'change-managers', [manager.id]);
    for (const a of (await approvalsOf(h, change.id)).filter((x) => x.state === 'pending')) {
      const approved = await decide(h, manager.token, a.id, { decision: 'approve' });
      assert.equal(approved.status, 200, approved.text);
    }
    const ready = await h.request('GET', `/api/v1/changes/${change.id}`);
    const now = (ready.body.availableTransitions as Move[]).find((t) => t.to === 'scheduled')!;
    assert.deepEqual(now.reasons, []);
    assert.equal((await move(h, change.id, 'scheduled')).status, 200);
  });
});
