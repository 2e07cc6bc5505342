import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { highRisk } from './support/cab';
import { eachEngine, type Harness } from './support/cabinet';
import { addMembers, decide } from './support/fixtures';

/** A board's overdue approval escalates to its delegates first, to the rule's escalateTo only without them (docs/cab.md#response-time). */

const MINUTE = 60_000;

const approvalsOf = async (h: Harness, changeId: string) => {
  const res = await h.request('GET', `/api/v1/changes/${changeId}/approvals`);
  assert.equal(res.status, 200, res.text);
  return res.body.items as {
    id: string;
    approver: { label: string };
    escalatedAt: string | null;
    escalation: { kind: string; ref: string } | null;
  }[];
};

const inbox = async (h: Harness, token: string) => {
  const res = await h.request('GET', '/api/v1/me/notifications', { token });
  assert.equal(res.status, 200, res.text);
  return (res.body.items as { kind: string; approvalId: string | null; title: string }[]).filter((n) => n.kind === 'approval_escalated');
};

/** A CAB of two members (quorum two) answering within the hour, taking the changes titled with `stamp`. */
async function board(h: Harness, stamp: string, delegates: string[]) {
  const members = [await h.userWithToken(['cab_member']), await h.userWithToken(['cab_member'])];
  const res = await h.request('POST', '/api/v1/boards', {
    body: {
      name: `CAB ${stamp}`,
      kind: 'cab',
      memberIds: members.map((m) => m.id),
      members: delegates.map((userId) => ({ userId, delegate: true })),
      scope: `change.title.contains("${stamp}")`,
      quorum: { minMembers: 2 },
      responseMinutes: 60,
    },
  });
  assert.equal(res.status, 201, res.text);
  return { ...(res.body as { id: string; name: string }), members };
}

describe('escalating an overdue board approval', () => {
  eachEngine(
    'goes to the board’s delegates (told, their votes count), not to the rule’s escalateTo; a delegate who is a party is neither told nor counted',
    async (h) => {
      const stamp = `D${Date.now()}`;
      const delegate = await h.userWithToken(['cab_member']);
      const requester = await h.userWithToken(['cab_member', 'requester']);
      const manager = await h.userWithToken(['change_manager']);
      await addMembers(h, 'change-managers', [manager.id]);
      const b = await board(h, stamp, [delegate.id, requester.id]);
      const change = await highRisk(h, stamp, requester.token);
      const [asked] = (await approvalsOf(h, change.id)).filter((a) => a.id === change.approvalId);
      assert.equal(asked!.approver.label, b.name);

      h.advance(59 * MINUTE);
      assert.equal((await h.tick()).escalated, 0, 'not overdue yet');
      h.advance(2 * MINUTE);
      const ticked = await h.tick();
      assert.deepEqual([ticked.breached, ticked.escalated], [1, 1]);
      assert.equal((await h.tick()).escalated, 0, 'escalated once');

      const escalated = (await approvalsOf(h, change.id)).find((a) => a.id === change.approvalId)!;
      assert.ok(escalated.escalatedAt);
      assert.deepEqual(escalated.escalation, { kind: 'board', ref: b.id });
      const told = await inbox(h, delegate.token);
      assert.deepEqual(
        told.map((n) => n.approvalId),
        [change.approvalId],
      );
      assert.match(told[0]!.title, /overdue/);
      assert.deepEqual(await inbox(h, requester.token), [], 'the requester sits as a delegate but is a party: not told');
      assert.deepEqual(await inbox(h, manager.token), [], 'the board has delegates: the rule’s escalateTo (change managers) is not asked');
      const audit = (await h.request('GET', `/api/v1/changes/${change.id}/audit`)).body.items as {
        action: string;
        data: { escalateTo: Record<string, unknown> };
      }[];
      assert.deepEqual(
        audit.filter((e) => e.action === 'approval.escalated').map((e) => e.data.escalateTo),
        [{ kind: 'board', ref: b.id, delegates: [delegate.id] }],
      );

      // The change managers may not decide it; the requester-delegate may not either (segregation of duties).
      const byManager = await decide(h, manager.token, change.approvalId, { decision: 'approve', comment: 'late' });
      assert.equal(byManager.status, 403, byManager.text);
      assert.equal(byManager.body.error.code, 'not_an_approver');
      const byParty = await decide(h, requester.token, change.approvalId, { decision: 'approve', comment: 'mine' });
      assert.equal(byParty.status, 403, byParty.text);
      assert.equal(byParty.body.error.code, 'segregation_of_duties');

      // The delegate's vote counts as a seat towards the quorum of two, with a member's.
      const mine = await h.request('GET', '/api/v1/me/approvals', { token: delegate.token });
      assert.ok(
        mine.body.items.some((a: { id: string }) => a.id === change.approvalId),
        mine.text,
      );
      assert.equal(
        (await decide(h, delegate.token, change.approvalId, { decision: 'approve', comment: 'covering' })).body.state,
        'pending',
      );
      const done = await decide(h, b.members[0]!.token, change.approvalId, { decision: 'approve', comment: 'agreed' });
      assert.equal(done.status, 200, done.text);
      assert.equal(done.body.state, 'approved');
    },
  );

  eachEngine('a board without delegates escalates to the rule’s escalateTo, as any approval', async (h) => {
    const stamp = `N${Date.now()}`;
    const requester = await h.userWithToken(['requester']);
    const manager = await h.userWithToken(['change_manager']);
    await addMembers(h, 'change-managers', [manager.id]);
    await board(h, stamp, []);
    const change = await highRisk(h, stamp, requester.token);
    assert.equal((await decide(h, manager.token, change.approvalId, { decision: 'approve', comment: 'early' })).status, 403);
    h.advance(61 * MINUTE);
    assert.equal((await h.tick()).escalated, 1);
    const escalated = (await approvalsOf(h, change.id)).find((a) => a.id === change.approvalId)!;
    assert.equal(escalated.escalation?.kind, 'team');
    assert.deepEqual(
      (await inbox(h, manager.token)).map((n) => n.approvalId),
      [change.approvalId],
    );
    const decided = await decide(h, manager.token, change.approvalId, { decision: 'approve', comment: 'overdue, approved' });
    assert.equal(decided.status, 200, decided.text);
  });

  eachEngine('a board whose only delegate is a party to the change escalates to the rule’s escalateTo', async (h) => {
    const stamp = `P${Date.now()}`;
    const requester = await h.userWithToken(['cab_member', 'requester']);
    const manager = await h.userWithToken(['change_manager']);
    await addMembers(h, 'change-managers', [manager.id]);
    await board(h, stamp, [requester.id]);
    const change = await highRisk(h, stamp, requester.token);
    h.advance(61 * MINUTE);
    assert.equal((await h.tick()).escalated, 1);
    assert.equal((await approvalsOf(h, change.id)).find((a) => a.id === change.approvalId)!.escalation?.kind, 'team');
    assert.equal((await inbox(h, manager.token)).length, 1);
  });
});
