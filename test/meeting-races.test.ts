import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';
import { cab, highRisk } from './support/cab';
import { approvalsOf } from './support/fixtures';

/**
 * Two people acting on one meeting at once (docs/cab.md#meetings): the chair and a change manager both record
 * the board's decision on an item, both end the meeting, or one ends it while the other decides. Whatever the
 * order the database serialises them in, one wins, the other gets a 409, and the records agree with each other:
 * one decision, one settlement of the approval, one set of minutes that says what was decided.
 */

/** A live meeting of a fresh CAB with the quorum checked in and two changes on its agenda. */
async function liveMeeting(h: Harness) {
  const stamp = `R${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
  const board = await cab(h, stamp);
  const requester = await h.userWithToken(['requester']);
  const first = await highRisk(h, stamp, requester.token);
  const second = await highRisk(h, stamp, requester.token);
  const scheduled = await h.request('POST', `/api/v1/boards/${board.board.id}/meetings`, { token: board.manager.token, body: { start: new Date(Date.now() + 3_600_000).toISOString(), durationMinutes: 60 } });
  assert.equal(scheduled.status, 201, scheduled.text);
  const meetingId = scheduled.body.id as string;
  for (const member of [board.sec, board.third]) {
    const res = await h.request('PUT', `/api/v1/meetings/${meetingId}/attendance`, { token: member.token, body: { attendees: [{ userId: member.id, present: true }] } });
    assert.equal(res.status, 200, res.text);
  }
  const started = await h.request('POST', `/api/v1/meetings/${meetingId}/start`, { token: board.chair.token });
  assert.equal(started.status, 200, started.text);
  return { ...board, meetingId, first, second };
}

const decide = (h: Harness, token: string, meetingId: string, changeId: string, decision: string, rationale: string) =>
  h.request('POST', `/api/v1/meetings/${meetingId}/items/${changeId}/decision`, { token, body: { decision, rationale } });

async function auditCount(h: Harness, recordId: string, action: string): Promise<number> {
  const res = await h.request('GET', `/api/v1/audit/events?record=${recordId}&action=${action}`);
  assert.equal(res.status, 200, res.text);
  return res.body.items.filter((e: { action: string }) => e.action === action).length;
}

describe('racing on one meeting', { concurrency: 2 }, () => {
  eachEngine('the chair approves and a change manager rejects the same item at once: one decision stands, the other is refused', async (h) => {
    const m = await liveMeeting(h);
    const [a, b] = await Promise.all([
      decide(h, m.chair.token, m.meetingId, m.first.id, 'approve', 'Sound plan, tested backout.'),
      decide(h, m.manager.token, m.meetingId, m.first.id, 'reject', 'Not in the peak season.'),
    ]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [201, 409], `${a.text} | ${b.text}`);
    const winner = a.status === 201 ? a : b;
    const decisions = await h.request('GET', `/api/v1/changes/${m.first.id}/board-decisions`);
    assert.equal(decisions.status, 200, decisions.text);
    assert.deepEqual(decisions.body.items.map((d: { decision: string }) => d.decision), [winner.body.decision]);
    const approval = (await approvalsOf(h, m.first.id)).find((x) => x.rule === 'cab')!;
    assert.equal(approval.state, winner.body.decision === 'approve' ? 'approved' : 'rejected');
    assert.equal(await auditCount(h, m.first.id, 'board.decided'), 1);
  });

  eachEngine('two members whose votes together make the quorum vote at once: the board’s approval is decided, once', async (h) => {
    const stamp = `Q${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
    const { chair, sec, third } = await cab(h, stamp, { quorum: { minMembers: 3, requiredDomains: ['security'] } });
    const requester = await h.userWithToken(['requester']);
    const change = await highRisk(h, stamp, requester.token);
    const vote = (token: string) => h.request('POST', `/api/v1/approvals/${change.approvalId}/decision`, { token, body: { decision: 'approve', comment: 'Read the pre-read; fine.' } });
    assert.equal((await vote(chair.token)).status, 200);
    // Neither of the last two votes makes the quorum alone; both together do, whichever commits second.
    const [a, b] = await Promise.all([vote(sec.token), vote(third.token)]);
    assert.deepEqual([a.status, b.status], [200, 200], `${a.text} | ${b.text}`);
    const approval = (await approvalsOf(h, change.id)).find((x) => x.id === change.approvalId)!;
    assert.equal(approval.state, 'approved', 'the quorum was reached, so the board decided');
    assert.equal(approval.votes.filter((v: { decision: string }) => v.decision === 'approve').length, 3);
  });

  eachEngine('two people end the meeting at once: the minutes are written once, and the loser is told they exist', async (h) => {
    const m = await liveMeeting(h);
    assert.equal((await decide(h, m.chair.token, m.meetingId, m.first.id, 'approve', 'Sound plan, tested backout.')).status, 201);
    const [a, b] = await Promise.all([
      h.request('POST', `/api/v1/meetings/${m.meetingId}/end`, { token: m.chair.token }),
      h.request('POST', `/api/v1/meetings/${m.meetingId}/end`, { token: m.manager.token }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [201, 409], `${a.text} | ${b.text}`);
    const minutes = await h.request('GET', `/api/v1/meetings/${m.meetingId}/minutes`);
    assert.equal(minutes.status, 200, minutes.text);
    assert.equal(minutes.body.sha256, (a.status === 201 ? a : b).body.sha256);
    assert.equal(await auditCount(h, m.meetingId, 'meeting.ended'), 1);
  });

  eachEngine('a decision racing the end of the meeting is either in the minutes or refused, never lost between them', async (h) => {
    const m = await liveMeeting(h);
    const [decided, ended] = await Promise.all([
      decide(h, m.manager.token, m.meetingId, m.second.id, 'approve', 'Routine upgrade, rehearsed on staging.'),
      h.request('POST', `/api/v1/meetings/${m.meetingId}/end`, { token: m.chair.token }),
    ]);
    assert.equal(ended.status, 201, ended.text);
    const approval = (await approvalsOf(h, m.second.id)).find((x) => x.rule === 'cab')!;
    if (decided.status === 201) {
      assert.match(ended.body.markdown, new RegExp(m.second.number), 'a decision that stands is in the minutes');
      assert.equal(approval.state, 'approved');
    } else {
      assert.equal(decided.status, 409, decided.text);
      assert.doesNotMatch(ended.body.markdown.split('## Decisions')[1] ?? '', new RegExp(`${m.second.number}[^\\n]*\\n[^#]*Decision: Approved`), 'a refused decision is not in the minutes');
      assert.equal(approval.state, 'pending');
      assert.equal((await h.request('GET', `/api/v1/changes/${m.second.id}/board-decisions`)).body.items.length, 0);
    }
  });
});
