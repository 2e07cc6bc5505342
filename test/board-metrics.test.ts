import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { cab, highRisk } from './support/cab';
import { eachEngine, type Harness } from './support/cabinet';
import { approvalsOf, ci, decide, edit, fileAndAuthorize, move, plan } from './support/fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const ratio = (numerator: number, denominator: number) => ({ value: denominator === 0 ? null : numerator / denominator, numerator, denominator });
const issuePaths = (body: { error: { details: { issues: { path: string }[] } } }) => body.error.details.issues.map((i) => i.path).sort();

/**
 * The scenario every figure is hand-counted from: four changes submitted at t0; A approved by the members' votes
 * two hours later; a day later, at a meeting all three members attend, B approved after ten minutes'
 * discussion, C rejected, D deferred; at the next meeting, without its security member, D deferred again. B then
 * closes unsuccessful: an escape.
 */
async function scenario(h: Harness) {
  const stamp = `F${Date.now()}`;
  const { board, chair, sec, third, manager } = await cab(h, stamp);
  const requester = await h.userWithToken(['requester']);
  const t0 = h.now().getTime();
  const [a, b, c, d] = [await highRisk(h, stamp, requester.token), await highRisk(h, stamp, requester.token), await highRisk(h, stamp, requester.token), await highRisk(h, stamp, requester.token)];

  h.advance(2 * HOUR);
  assert.equal((await decide(h, chair.token, a.approvalId, { decision: 'approve', comment: 'fine' })).status, 200);
  const byVotes = await decide(h, sec.token, a.approvalId, { decision: 'approve', comment: 'security reviewed' });
  assert.equal(byVotes.body.state, 'approved', byVotes.text);

  h.advance(22 * HOUR);
  const at = (hours: number) => new Date(h.now().getTime() + hours * HOUR).toISOString();
  const schedule = async (hours: number) => {
    const res = await h.request('POST', `/api/v1/boards/${board.id}/meetings`, { token: manager.token, body: { start: at(hours), durationMinutes: 60 } });
    assert.equal(res.status, 201, res.text);
    return res.body as { id: string; title: string; start: string };
  };
  const [m1, m2, m3] = [await schedule(1), await schedule(48), await schedule(96)];
  const run = async (path: string, method: string, body?: unknown) => {
    const res = await h.request(method, `/api/v1/meetings/${path}`, { token: manager.token, body });
    assert.ok(res.status < 300, `${method} ${path}: ${res.text}`);
    return res;
  };
  const decideAt = (m: { id: string }, change: { id: string }, body: Record<string, unknown>) => run(`${m.id}/items/${change.id}/decision`, 'POST', { rationale: 'Discussed', ...body });

  await run(`${m1.id}/start`, 'POST');
  await run(`${m1.id}/attendance`, 'PUT', { attendees: [chair, sec, third].map((p) => ({ userId: p.id, present: true })) });
  await run(`${m1.id}/current`, 'PUT', { changeId: b.id });
  h.advance(10 * MINUTE);
  await decideAt(m1, b, { decision: 'approve' });
  await run(`${m1.id}/current`, 'PUT', { changeId: null });
  await decideAt(m1, c, { decision: 'reject' });
  await decideAt(m1, d, { decision: 'defer', deferTo: m2.id });
  await run(`${m1.id}/end`, 'POST');

  await run(`${m2.id}/start`, 'POST');
  // Without the security member there is no quorum: a deferral may still be recorded.
  await run(`${m2.id}/attendance`, 'PUT', { attendees: [chair, third].map((p) => ({ userId: p.id, present: true })) });
  await decideAt(m2, d, { decision: 'defer', deferTo: m3.id });
  await run(`${m2.id}/end`, 'POST');
  const decidedAtMeetings = h.now().getTime();

  // B goes out and fails.
  assert.equal((await move(h, b.id, 'scheduled')).status, 200);
  const read = await h.request('GET', `/api/v1/changes/${b.id}`);
  assert.equal((await edit(h, `/api/v1/changes/${b.id}`, { actualStart: read.body.plannedStart })).status, 200);
  const implement = await move(h, b.id, 'implement');
  assert.equal(implement.status, 200, implement.text);
  const ending = await edit(h, `/api/v1/changes/${b.id}`, { actualEnd: new Date(Date.parse(read.body.plannedStart) + HOUR).toISOString(), closeCode: 'unsuccessful', closeNotes: 'The migration failed half way; restored.' });
  assert.equal(ending.status, 200, ending.text);
  // Its close code counts from the moment it is recorded; closing waits for the post-implementation review.
  const review = await move(h, b.id, 'review');
  assert.equal(review.status, 200, review.text);
  return { board, requester, manager, t0, decidedAtMeetings, changes: { a, b, c, d }, meetings: { m1, m2 } };
}

describe('the board measures itself', () => {
  eachEngine('counts every figure of a small period as a person would by hand, each share with its numerator and denominator', async (h) => {
    const { board, t0, changes, meetings } = await scenario(h);
    const res = await h.request('GET', `/api/v1/boards/${encodeURIComponent(board.name)}/metrics`);
    assert.equal(res.status, 200, res.text);
    const m = res.body;
    assert.deepEqual(m.board, { id: board.id, name: board.name, kind: 'cab' });
    assert.equal(m.period.grain, 'week', 'ninety days by default, per week');
    assert.equal(Date.parse(m.period.to) - Date.parse(m.period.from), 90 * 24 * HOUR);

    // A by votes; B, C, D and D again at meetings.
    assert.deepEqual(m.decisions, { total: 5, atMeetings: 4, byVotes: 1 });
    assert.deepEqual(m.approvalRate, ratio(2, 5));
    assert.deepEqual(m.rubberStamp, { flagged: false, above: 0.95, minDecisions: 20 });
    // B approved, then closed unsuccessful.
    assert.deepEqual(m.escapeRate, ratio(1, 2));
    assert.deepEqual(
      m.escapes.map((e: { number: string; closeCode: string; incidents: number }) => [e.number, e.closeCode, e.incidents]),
      [[changes.b.number, 'unsuccessful', 0]],
    );
    assert.deepEqual(m.deferralRate, ratio(2, 5));
    assert.deepEqual(m.deferredMoreThanOnce, { count: 1, items: [{ changeId: changes.d.id, number: changes.d.number, title: m.deferredMoreThanOnce.items[0].title, deferrals: 2 }] });
    assert.deepEqual(m.lowRiskShare, ratio(0, 5));
    // Answers: A after 2 h, B and C after 24 h 10 min; the deferrals are not answers.
    assert.equal(m.timeToDecision.answers, 3);
    assert.ok(Math.abs(m.timeToDecision.medianHours - (24 + 10 / 60)) < 0.05, String(m.timeToDecision.medianHours));
    assert.ok(Date.parse(m.period.from) < t0);
    // Only B was timed: 10 minutes of the 15 a high-risk item is allotted.
    assert.deepEqual(m.timeAgainstAllotment, ratio(10, 15));
    // Three of three at the first meeting, two of three at the second.
    assert.deepEqual(m.attendance, { rate: ratio(5, 6), meetingsHeld: 2, people: 3 });
    // The second meeting never had its security member: its deferral stood without quorum.
    assert.deepEqual(m.quorum.rate, ratio(3, 4));
    assert.deepEqual(
      m.quorum.meetingsWithoutQuorum.map((x: { meetingId: string }) => x.meetingId),
      [meetings.m2.id],
    );
    assert.equal(m.response, null, 'a CAB has no response time to report');

    const sum = (pick: (p: { decisions: number; meetingsHeld: number }) => number) => m.series.reduce((n: number, p: { decisions: number; meetingsHeld: number }) => n + pick(p), 0);
    assert.ok(m.series.length >= 13 && m.series.length <= 15, `${m.series.length} weeks`);
    assert.equal(sum((p) => p.decisions), 5);
    assert.equal(sum((p) => p.meetingsHeld), 2);
    assert.equal(new Date(m.series[0].start).getUTCDay(), 1, 'weeks start on Monday');

    const monthly = await h.request('GET', `/api/v1/boards/${board.id}/metrics?grain=month`);
    assert.equal(monthly.status, 200, monthly.text);
    assert.ok(monthly.body.series.every((p: { start: string }) => new Date(p.start).getUTCDate() === 1), monthly.text);
    assert.equal(monthly.body.series.reduce((n: number, p: { decisions: number }) => n + p.decisions, 0), 5);
  });

  eachEngine('counts only what falls in the period asked for', async (h) => {
    const { board, t0, decidedAtMeetings } = await scenario(h);
    const iso = (ms: number) => new Date(ms).toISOString();
    // Up to the day before the meetings: the vote alone.
    const before = await h.request('GET', `/api/v1/boards/${board.id}/metrics?from=${iso(t0 - HOUR)}&to=${iso(t0 + 23 * HOUR)}`);
    assert.equal(before.status, 200, before.text);
    assert.deepEqual(before.body.decisions, { total: 1, atMeetings: 0, byVotes: 1 });
    assert.deepEqual(before.body.approvalRate, ratio(1, 1));
    assert.deepEqual(before.body.attendance.rate, ratio(0, 0));
    assert.equal(before.body.attendance.meetingsHeld, 0);
    assert.ok(Math.abs(before.body.timeToDecision.medianHours - 2) < 0.05, String(before.body.timeToDecision.medianHours));
    assert.equal(before.body.period.from, iso(t0 - HOUR));
    // From then on: the meetings alone.
    const after = await h.request('GET', `/api/v1/boards/${board.id}/metrics?from=${iso(t0 + 23 * HOUR)}&to=${iso(decidedAtMeetings + HOUR)}&grain=month`);
    assert.equal(after.status, 200, after.text);
    assert.deepEqual(after.body.decisions, { total: 4, atMeetings: 4, byVotes: 0 });
    assert.deepEqual(after.body.approvalRate, ratio(1, 4));
    assert.equal(after.body.attendance.meetingsHeld, 2);
    assert.equal(after.body.period.grain, 'month');
  });

  eachEngine('an ECAB reports its response time against its SLA, and the changes still waiting past it', async (h) => {
    const stamp = `E${Date.now()}`;
    const { board, chair, sec } = await cab(h, stamp, { kind: 'ecab', responseMinutes: 30 });
    const requester = await h.userWithToken(['requester']);
    const emergency = async () => {
      const ciId = await ci(h, `app-${stamp}-${Math.random()}`, 'application');
      const { id } = await fileAndAuthorize(h, requester.token, plan([ciId], { type: 'emergency', title: `Hotfix ${stamp}`, implementerId: (await h.userWithToken(['implementer'])).id }));
      const approval = (await approvalsOf(h, id)).find((a) => a.approver.label === board.name);
      assert.ok(approval, `routed to the ECAB: ${JSON.stringify(await approvalsOf(h, id))}`);
      assert.equal(approval.state, 'pending');
      return approval.id;
    };
    const [quick, slow] = [await emergency(), await emergency()];
    await emergency(); // left waiting
    const approve = async (approvalId: string) => {
      assert.equal((await decide(h, chair.token, approvalId, { decision: 'approve', comment: 'go' })).status, 200);
      const res = await decide(h, sec.token, approvalId, { decision: 'approve', comment: 'go' });
      assert.equal(res.body.state, 'approved', res.text);
    };
    h.advance(20 * MINUTE);
    await approve(quick);
    h.advance(40 * MINUTE);
    await approve(slow);

    const res = await h.request('GET', `/api/v1/boards/${board.id}/metrics`);
    assert.equal(res.status, 200, res.text);
    const { response } = res.body;
    assert.equal(response.slaMinutes, 30);
    // 20 and 60 minutes: one within the 30 of the SLA.
    assert.ok(Math.abs(response.medianMinutes - 40) < 0.5, String(response.medianMinutes));
    assert.deepEqual(response.withinSla, ratio(1, 2));
    assert.equal(response.openPastSla, 1, 'the third has waited an hour');
    assert.deepEqual(res.body.decisions, { total: 2, atMeetings: 0, byVotes: 2 });
    const weeks = res.body.series.filter((p: { responseWithinSla: { denominator: number } }) => p.responseWithinSla.denominator > 0);
    assert.equal(weeks.reduce((n: number, p: { responseWithinSla: { numerator: number } }) => n + p.responseWithinSla.numerator, 0), 1);
  });

  eachEngine('refuses a requester, an unknown board and a reversed period, listing every bad parameter at once', async (h) => {
    const { board } = await cab(h, `P${Date.now()}`);
    const requester = await h.userWithToken(['requester']);
    const refused = await h.request('GET', `/api/v1/boards/${board.id}/metrics`, { token: requester.token });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 'forbidden');
    assert.equal((await h.request('GET', '/api/v1/boards/nosuch/metrics')).status, 404);

    const reversed = await h.request('GET', `/api/v1/boards/${board.id}/metrics?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
    assert.equal(reversed.status, 400, reversed.text);
    assert.equal(reversed.body.error.code, 'invalid_input');
    assert.deepEqual(issuePaths(reversed.body), ['query.from']);
    const same = await h.request('GET', `/api/v1/boards/${board.id}/metrics?from=2026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z`);
    assert.equal(same.status, 400, same.text);
    const all = await h.request('GET', `/api/v1/boards/${board.id}/metrics?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z&grain=day&colour=red`);
    assert.equal(all.status, 400, all.text);
    assert.deepEqual(issuePaths(all.body), ['query.colour', 'query.from', 'query.grain']);
    const future = new Date(h.now().getTime() + 24 * HOUR).toISOString();
    const afterNow = await h.request('GET', `/api/v1/boards/${board.id}/metrics?from=${future}`);
    assert.equal(afterNow.status, 400, afterNow.text);
    assert.deepEqual(issuePaths(afterNow.body), ['query.from']);
  });
});
