import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startCabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { ChangeListQuery } from '../src/contracts/change';
import { systemActor } from '../src/domain/actor';
import { createTestDatabase } from './support/databases';
import { eachEngine, type Harness } from './support/cabinet';

describe('the demo organisation', () => {
  it('loads two days before the year-end freeze: the change planned inside it is scheduled on an approved freeze exception', async () => {
    const db = await createTestDatabase('sqlite');
    const year = new Date().getUTCFullYear();
    const cabinet = await startCabinet(loadConfig({ DATABASE_URL: db.url, CABINET_DEMO: '1', CABINET_WEB_DIR: '/nonexistent' }), { now: () => new Date(`${year}-12-18T10:00:00Z`) });
    try {
      const actor = systemActor();
      const { items } = await cabinet.services.changes.list(actor, ChangeListQuery.parse({ limit: 100 }));
      const rotate = items.find((c) => c.title === 'Rotate the payments database credentials')!;
      assert.equal(rotate.state, 'scheduled');
      const exceptions = await cabinet.services.schedule.freezeExceptions(actor, rotate.id);
      assert.deepEqual(exceptions.map((e) => [e.state, e.windows.map((w) => w.name)]), [['approved', ['Year-end freeze']]]);
      const conflicts = await cabinet.services.schedule.conflicts(actor, rotate.id);
      assert.ok(conflicts.items.some((c) => c.kind === 'freeze' && c.excepted && !c.blocking));
    } finally {
      await cabinet.close();
      await db.drop();
    }
  });
});

/** An API token acting as a demo person, made by the admin (token.manage_all). */
async function tokenOf(h: Harness, email: string): Promise<string> {
  const users = await h.request('GET', '/api/v1/users?limit=100');
  const user = users.body.items.find((u: { email: string }) => u.email === email);
  const made = await h.request('POST', '/api/v1/tokens', { body: { name: 'demo test', userId: user.id } });
  assert.equal(made.status, 201, made.text);
  return made.body.token;
}

describe('the demo change advisory board', () => {
  eachEngine(
    'Alice finds the weekly Retail CAB with its next agenda, two past meetings minuted and decided, its figures, and the Retail ECAB',
    async (h) => {
      const token = await tokenOf(h, 'alice@example.com');
      const get = async (path: string) => {
        const res = await h.request('GET', path, { token });
        assert.equal(res.status, 200, `${path}: ${res.text}`);
        return res.body;
      };
      const now = h.now().getTime();

      // The weekly CAB: members with their domains, a chair rule, a quorum with a required domain, a narrow scope.
      const [cab] = (await get('/api/v1/boards?kind=cab')).items.filter((b: { name: string }) => b.name === 'Retail CAB');
      assert.ok(cab, 'the Retail CAB exists');
      assert.deepEqual(
        { rrule: cab.recurrence.rrule, timeZone: cab.recurrence.timeZone, time: cab.recurrence.start.slice(11), daysAhead: cab.recurrence.daysAhead },
        { rrule: 'FREQ=WEEKLY;BYDAY=TU', timeZone: 'Europe/London', time: '14:00', daysAhead: 7 },
      );
      assert.equal(cab.people, 4);
      assert.deepEqual(cab.quorum, { minMembers: 3, requiredDomains: ['security'] });
      assert.equal(cab.chairRule, 'round_robin');
      assert.match(cab.scope, /"retail" in change\.tags/);
      const [ecab] = (await get('/api/v1/boards?kind=ecab')).items.filter((b: { name: string }) => b.name === 'Retail ECAB');
      assert.ok(ecab, 'the Retail ECAB exists');
      assert.equal(ecab.responseMinutes, 60);
      assert.equal(ecab.members.length, 3);

      // Its meetings: two ended in the past, the next one planned within the week, each chaired in turn.
      const meetings = (await get(`/api/v1/meetings?boardId=${cab.id}`)).items;
      const ended = meetings.filter((m: { state: string }) => m.state === 'ended');
      const planned = meetings.filter((m: { state: string }) => m.state === 'planned');
      assert.equal(ended.length, 2, JSON.stringify(meetings.map((m: { title: string; state: string }) => [m.title, m.state])));
      assert.equal(planned.length, 1);
      assert.ok(ended.every((m: { start: string }) => Date.parse(m.start) < now - 4 * 86_400_000));
      const next = planned[0];
      assert.ok(Date.parse(next.start) > now && Date.parse(next.start) <= now + 7 * 86_400_000, next.start);
      const london = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', hour: '2-digit', minute: '2-digit' });
      assert.deepEqual([...meetings.map((m: { start: string }) => london.format(new Date(m.start)))], ['Tue 14:00', 'Tue 14:00', 'Tue 14:00']);
      assert.equal(new Set(meetings.map((m: { chair: { userId: string } }) => m.chair.userId)).size, 3, 'the chair rotates');

      // The next agenda: the changes awaiting the board, one with a member's vote ahead of the meeting.
      const agenda = await get(`/api/v1/meetings/${next.id}/agenda`);
      assert.deepEqual(agenda.items.map((i: { title: string }) => i.title).sort(), ['Move the web shop carts to the new cache cluster', 'Upgrade the web shop front end to Node.js 22']);
      assert.deepEqual(agenda.items.map((i: { riskLevel: string }) => i.riskLevel), ['very_high', 'high']);
      assert.equal(agenda.items.find((i: { title: string }) => i.title.includes('Node.js')).votes.approve, 1);

      // The past meetings: attendance each member attested, every kind of decision, minutes that cannot change.
      const decisions: { decision: string; rationale: string; quorum: { met: boolean } }[] = [];
      for (const m of ended) {
        assert.ok(m.attendance.filter((a: { present: boolean }) => a.present).length >= 3);
        assert.ok(m.attendance.every((a: { attested: boolean }) => a.attested));
        const minutes = await get(`/api/v1/meetings/${m.id}/minutes`);
        assert.equal(minutes.sha256, m.minutesHash);
        assert.match(minutes.markdown, /Retail CAB/);
        const edit = await h.request('PUT', `/api/v1/meetings/${m.id}/minutes`, { token, body: { markdown: 'rewritten' } });
        assert.equal(edit.status, 409, edit.text);
        assert.equal(edit.body.error.code, 'minutes_immutable');
        for (const item of (await get(`/api/v1/meetings/${m.id}/agenda`)).items) if (item.decision) decisions.push(item.decision);
      }
      assert.deepEqual(decisions.map((d) => d.decision).sort(), ['approve', 'approve', 'approve_with_conditions', 'defer', 'reject']);
      assert.ok(decisions.every((d) => d.rationale.length > 20 && d.quorum.met));
      // The deferred change came back a week later and was approved; the condition was met before it started.
      const changes = (await get('/api/v1/changes?limit=100')).items as { id: string; title: string; state: string }[];
      const search = changes.find((c) => c.title === 'Rebuild the web shop search index on the new cluster')!;
      assert.deepEqual((await get(`/api/v1/changes/${search.id}/board-decisions`)).items.map((d: { decision: string }) => d.decision), ['defer', 'approve']);
      const checkout = changes.find((c) => c.title === 'Move the web shop checkout to the new cart service')!;
      assert.equal(checkout.state, 'closed');
      assert.deepEqual((await get(`/api/v1/changes/${checkout.id}/conditions`)).items.map((c: { state: string }) => c.state), ['met']);
      assert.equal(changes.find((c) => c.title === 'Retire the legacy product image service')!.state, 'rejected');

      // The board's figures are not empty.
      const figures = await get(`/api/v1/boards/${cab.id}/metrics`);
      assert.deepEqual(figures.decisions, { total: 5, atMeetings: 5, byVotes: 0 });
      assert.deepEqual([figures.approvalRate.numerator, figures.approvalRate.denominator], [3, 5]);
      assert.deepEqual([figures.deferralRate.numerator, figures.deferralRate.denominator], [1, 5]);
      assert.deepEqual([figures.attendance.rate.numerator, figures.attendance.rate.denominator, figures.attendance.meetingsHeld], [7, 8, 2]);
      assert.equal(figures.timeToDecision.answers, 4);
      assert.ok(figures.timeToDecision.medianHours > 0);
      assert.ok(figures.timeAgainstAllotment.denominator > 0 && figures.timeAgainstAllotment.value > 0);

      // The ECAB decided a past emergency by two members' votes, without a meeting, within its hour.
      const rollback = changes.find((c) => c.title === 'Roll back the web shop payment page after card errors')!;
      assert.equal(rollback.state, 'closed');
      const ecabFigures = await get(`/api/v1/boards/${ecab.id}/metrics`);
      assert.deepEqual(ecabFigures.decisions, { total: 1, atMeetings: 0, byVotes: 1 });
      assert.deepEqual([ecabFigures.response.slaMinutes, ecabFigures.response.withinSla.numerator, ecabFigures.response.withinSla.denominator], [60, 1, 1]);
      assert.ok(ecabFigures.response.medianMinutes > 0 && ecabFigures.response.medianMinutes <= 60, JSON.stringify(ecabFigures.response));
      const votes = (await get(`/api/v1/changes/${rollback.id}/approvals`)).items.find((a: { approver: { kind: string } }) => a.approver.kind === 'board');
      assert.equal(votes.state, 'approved');
      assert.equal(votes.votes.filter((v: { decision: string }) => v.decision === 'approve').length, 2);

      // The boards take the web shop's changes only: every other change's CAB approval stays with the teams.
      const shop = new Set(changes.filter((c) => /web shop|image service/.test(c.title)).map((c) => c.id));
      for (const c of changes) {
        const approvals = (await get(`/api/v1/changes/${c.id}/approvals`)).items as { approver: { kind: string } }[];
        assert.equal(approvals.some((a) => a.approver.kind === 'board'), shop.has(c.id), c.title);
      }
    },
    { CABINET_DEMO: '1' },
  );
});
