import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { describe } from 'node:test';
import { cab, highRisk } from './support/cab';
import { eachEngine } from './support/cabinet';
import { cabinet } from './support/cli';
import { approvalsOf, ci, decide, edit, fileAndAuthorize, move, plan } from './support/fixtures';

const issuePaths = (body: { error: { details: { issues: { path: string }[] } } }) => body.error.details.issues.map((i) => i.path).sort();

describe('CAB routing and asynchronous review', () => {
  eachEngine('routes a high-risk change to the board whose scope takes it, and to the cab team when none does', async (h) => {
    const stamp = `R${Date.now()}`;
    const { board } = await cab(h, stamp);
    const requester = await h.userWithToken(['requester']);
    const routed = await highRisk(h, stamp, requester.token);
    const approvals = await approvalsOf(h, routed.id);
    const cabApproval = approvals.find((a) => a.rule === 'cab')!;
    assert.equal(cabApproval.approver.label, board.name);
    assert.deepEqual(cabApproval.quorum, { kind: 'board', value: 2 });
    assert.equal(cabApproval.state, 'pending');

    const outOfScope = await highRisk(h, `elsewhere`, requester.token);
    const fallback = (await approvalsOf(h, outOfScope.id)).find((a) => a.rule === 'cab')!;
    assert.equal(fallback.approver.label, 'cab', 'no board takes it: the policy’s otherwise (the cab team) decides');
  });

  eachEngine('decides by members’ votes when they agree and make the quorum; a split board waits for its meeting; parties never vote', async (h) => {
    const stamp = `V${Date.now()}`;
    const { chair, sec, third } = await cab(h, stamp);
    const requester = await h.userWithToken(['requester']);
    const agreed = await highRisk(h, stamp, requester.token);
    const approval = (await approvalsOf(h, agreed.id)).find((a) => a.rule === 'cab')!;

    // The chair approves: one member, and no security voter yet.
    assert.equal((await decide(h, chair.token, approval.id, { decision: 'approve', comment: 'fine' })).status, 200);
    assert.equal((await approvalsOf(h, agreed.id)).find((a) => a.id === approval.id)!.state, 'pending');
    // Members see it among their pending approvals (the home page's "my approvals").
    const mine = await h.request('GET', '/api/v1/me/approvals', { token: sec.token });
    assert.equal(mine.status, 200, mine.text);
    assert.ok(mine.body.items.some((a: { id: string }) => a.id === approval.id), mine.text);
    const voted = await decide(h, sec.token, approval.id, { decision: 'approve', comment: 'security reviewed' });
    assert.equal(voted.status, 200, voted.text);
    assert.equal(voted.body.state, 'approved');

    const split = await highRisk(h, stamp, requester.token);
    const splitApproval = (await approvalsOf(h, split.id)).find((a) => a.rule === 'cab')!;
    assert.equal((await decide(h, sec.token, splitApproval.id, { decision: 'approve', comment: 'ok' })).status, 200);
    const rejected = await decide(h, third.token, splitApproval.id, { decision: 'reject', comment: 'not in peak season' });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.body.state, 'pending', 'a split board is not decided by votes');

    // Not a member: refused. A member who is a party: refused.
    const outsider = await h.userWithToken(['approver']);
    assert.equal((await decide(h, outsider.token, splitApproval.id, { decision: 'approve', comment: 'x' })).status, 403);
    const own = await highRisk(h, stamp, chair.token);
    const ownApproval = (await approvalsOf(h, own.id)).find((a) => a.rule === 'cab')!;
    const party = await decide(h, chair.token, ownApproval.id, { decision: 'approve', comment: 'mine' });
    assert.equal(party.status, 403, party.text);
    assert.equal(party.body.error.code, 'segregation_of_duties');
  });
});

describe('the ECAB', () => {
  eachEngine('decides an emergency change by votes within its response time (an hour unless it says otherwise)', async (h) => {
    const stamp = `E${Date.now()}`;
    const a = await h.userWithToken(['cab_member']);
    const b = await h.userWithToken(['cab_member']);
    const ecab = await h.request('POST', '/api/v1/boards', {
      body: { name: `ECAB ${stamp}`, kind: 'ecab', memberIds: [a.id, b.id], scope: `change.title.contains("${stamp}")`, quorum: { minMembers: 2 } },
    });
    assert.equal(ecab.status, 201, ecab.text);
    assert.equal(ecab.body.responseMinutes, 60);
    const requester = await h.userWithToken(['requester']);
    const ciId = await ci(h, `db-${stamp}`, 'application');
    const { id } = await fileAndAuthorize(h, requester.token, plan([ciId], { type: 'emergency', title: `Hotfix ${stamp}` }));
    const approval = (await approvalsOf(h, id)).find((x) => x.rule === 'ecab')!;
    assert.equal(approval.approver.label, `ECAB ${stamp}`);
    assert.equal(approval.state, 'pending');
    const asked = (await h.request('GET', `/api/v1/changes/${id}/approvals`)).body.items.find((x: { id: string }) => x.id === approval.id);
    const due = Date.parse(asked.dueAt) - Date.now();
    assert.ok(due > 55 * 60_000 && due <= 60 * 60_000, `due in ${due / 60_000} min`);
    assert.equal((await decide(h, a.token, approval.id, { decision: 'approve', comment: 'go' })).body.state, 'pending');
    const done = await decide(h, b.token, approval.id, { decision: 'approve', comment: 'go' });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.state, 'approved');
  });
});

describe('CAB meetings', () => {
  eachEngine('a meeting from agenda to minutes: quorum, a decision with a condition that blocks implement until verified, immutable minutes', async (h) => {
    const stamp = `M${Date.now()}`;
    const { board, chair, sec, third, manager } = await cab(h, stamp);
    const requester = await h.userWithToken(['requester']);
    const change = await highRisk(h, stamp, requester.token);

    // Requesters do not see boards or meetings.
    assert.equal((await h.request('GET', '/api/v1/meetings', { token: requester.token })).status, 403);
    const start = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await h.request('POST', `/api/v1/boards/${board.id}/meetings`, { token: manager.token, body: { start, durationMinutes: 60 } });
    assert.equal(scheduled.status, 201, scheduled.text);
    const meeting = scheduled.body;
    assert.equal(meeting.state, 'planned');
    assert.equal(meeting.chair.userId, chair.id, 'round robin starts with the first member');

    // Members add it to their calendars: one event, the chair organizing, the board's people attending.
    const ics = await h.request('GET', `/api/v1/meetings/${meeting.id}/ics`, { token: third.token });
    assert.equal(ics.status, 200, ics.text);
    assert.match(String(ics.headers['content-type']), /^text\/calendar/);
    const event = new ICAL.Component(ICAL.parse(ics.text)).getFirstSubcomponent('vevent')!;
    assert.equal(event.getFirstPropertyValue('uid'), `meeting-${meeting.id}@cabinet`);
    assert.equal((event.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().getTime(), Math.floor(Date.parse(start) / 1000) * 1000, 'to the second, as iCalendar writes it');
    assert.equal(event.getAllProperties('attendee').length, 3);
    assert.match(String(event.getFirstPropertyValue('organizer')), /mailto:/i);

    const agenda = await h.request('GET', `/api/v1/meetings/${meeting.id}/agenda`, { token: third.token });
    assert.equal(agenda.status, 200, agenda.text);
    const item = agenda.body.items.find((i: { changeId: string }) => i.changeId === change.id);
    assert.ok(item, agenda.text);
    assert.equal(item.number, change.number);
    assert.equal(item.riskLevel, 'high');
    assert.equal(item.allottedMinutes, 15);
    assert.equal(agenda.body.frozen, false);

    // The same agenda from the command line.
    const cli = await cabinet(['cab', 'agenda', '--board', board.name], { DATABASE_URL: h.url });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`${change.number}\\s+high\\s`));
    assert.match(cli.stdout, /15 min/);
    assert.ok(cli.stdout.startsWith(`${board.name}: `), `the board named once: ${cli.stdout.split('\n')[0]}`);
    const cliJson = await cabinet(['cab', 'agenda', '--board', board.id, '--json'], { DATABASE_URL: h.url });
    assert.equal(JSON.parse(cliJson.stdout).agenda.items[0].changeId, change.id);
    const noBoard = await cabinet(['cab', 'agenda', '--board', 'No such board'], { DATABASE_URL: h.url });
    assert.notEqual(noBoard.code, 0);

    const preRead = await h.request('GET', `/api/v1/meetings/${meeting.id}/items/${change.number}`, { token: third.token });
    assert.equal(preRead.status, 200, preRead.text);
    assert.equal(preRead.body.risk.level, 'high');

    // Only the chair (or a change manager) runs it; it must be live to decide.
    assert.equal((await h.request('POST', `/api/v1/meetings/${meeting.id}/start`, { token: third.token })).status, 403);
    const early = await h.request('POST', `/api/v1/meetings/${meeting.id}/items/${change.id}/decision`, { token: chair.token, body: { decision: 'approve', rationale: 'ok' } });
    assert.equal(early.status, 409, early.text);
    const started = await h.request('POST', `/api/v1/meetings/${meeting.id}/start`, { token: chair.token });
    assert.equal(started.status, 200, started.text);
    assert.equal(started.body.state, 'live');

    // Every problem of a decision at once.
    const bad = await h.request('POST', `/api/v1/meetings/${meeting.id}/items/${change.id}/decision`, {
      token: chair.token,
      body: { decision: 'approve_with_conditions', rationale: 'ok', conditions: [{ text: 'x', verifier: 'nobody@example.com' }, { text: 'y', verifier: { check: 'change.typo == 1' } }] },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(issuePaths(bad.body), ['conditions.0.verifier', 'conditions.1.verifier.check']);

    // Without the quorum present (two members, one of them security), no decision stands.
    await h.request('PUT', `/api/v1/meetings/${meeting.id}/attendance`, { token: chair.token, body: { attendees: [{ userId: chair.id, present: true }, { userId: third.id, present: true }] } });
    const short = await h.request('POST', `/api/v1/meetings/${meeting.id}/items/${change.id}/decision`, { token: chair.token, body: { decision: 'approve', rationale: 'ok' } });
    assert.equal(short.status, 422, short.text);
    assert.equal(short.body.error.code, 'quorum_not_met');
    assert.deepEqual(short.body.error.details.quorum.missingDomains, ['security']);
    // The chair (not a change manager) ticking the security member present does not make the quorum: only the
    // person themself, or a change manager, attests a presence.
    const ticked = await h.request('PUT', `/api/v1/meetings/${meeting.id}/attendance`, { token: chair.token, body: { attendees: [{ userId: sec.email, present: true }] } });
    assert.equal(ticked.status, 200, ticked.text);
    assert.deepEqual(
      ticked.body.attendance.map((a: { userId: string; present: boolean; attested: boolean }) => [a.userId, a.present, a.attested]).sort(),
      [[chair.id, true, true], [sec.id, true, false], [third.id, true, false]].sort(),
    );
    const stillShort = await h.request('POST', `/api/v1/meetings/${meeting.id}/items/${change.id}/decision`, { token: chair.token, body: { decision: 'approve', rationale: 'ok' } });
    assert.equal(stillShort.status, 422, stillShort.text);
    // A member checks only themself in; someone else's presence is the chair's to record.
    assert.equal((await h.request('PUT', `/api/v1/meetings/${meeting.id}/attendance`, { token: sec.token, body: { attendees: [{ userId: third.id, present: true }] } })).status, 403);
    const checkedIn = await h.request('PUT', `/api/v1/meetings/${meeting.id}/attendance`, { token: sec.token, body: { attendees: [{ userId: sec.id, present: true }] } });
    assert.equal(checkedIn.status, 200, checkedIn.text);
    assert.equal(checkedIn.body.attendance.find((a: { userId: string }) => a.userId === sec.id).attested, true);

    assert.equal((await h.request('PUT', `/api/v1/meetings/${meeting.id}/current`, { token: chair.token, body: { changeId: change.id } })).status, 200);
    const decided = await h.request('POST', `/api/v1/meetings/${meeting.id}/items/${change.id}/decision`, {
      token: chair.token,
      body: { decision: 'approve_with_conditions', rationale: 'Sound plan; the DBA must be on call.', conditions: [{ text: 'A DBA is on call during the window', verifier: sec.id }] },
    });
    assert.equal(decided.status, 201, decided.text);
    assert.equal(decided.body.decision, 'approve_with_conditions');
    assert.equal(decided.body.quorum.met, true);
    assert.equal(decided.body.conditions.length, 1);
    const approval = (await approvalsOf(h, change.id)).find((a) => a.rule === 'cab')!;
    assert.equal(approval.state, 'approved');

    // The change is scheduled on the board's approval; it cannot start until the condition is met.
    assert.equal((await move(h, change.id, 'scheduled')).status, 200);
    const read = await h.request('GET', `/api/v1/changes/${change.id}`);
    assert.equal((await edit(h, `/api/v1/changes/${change.id}`, { actualStart: read.body.plannedStart })).status, 200);
    const blocked = await move(h, change.id, 'implement');
    assert.equal(blocked.status, 422, blocked.text);
    assert.equal(blocked.body.error.code, 'conditions_unmet');
    assert.equal(blocked.body.error.details.conditions[0].text, 'A DBA is on call during the window');
    const conditions = await h.request('GET', `/api/v1/changes/${change.id}/conditions`, { token: sec.token });
    assert.equal(conditions.status, 200, conditions.text);
    const [condition] = conditions.body.items;
    assert.equal(condition.canVerify, true);
    // Only its verifier may mark it met.
    assert.equal((await h.request('POST', `/api/v1/changes/${change.id}/conditions/${condition.id}/verify`, { token: third.token, body: {} })).status, 403);
    const met = await h.request('POST', `/api/v1/changes/${change.id}/conditions/${condition.id}/verify`, { token: sec.token, body: { note: 'Rota confirmed' } });
    assert.equal(met.status, 200, met.text);
    assert.equal(met.body.state, 'met');
    const implement = await move(h, change.id, 'implement');
    assert.equal(implement.status, 200, implement.text);

    // Ending writes the minutes once; their hash is in the audit trail; they never change.
    const ended = await h.request('POST', `/api/v1/meetings/${meeting.id}/end`, { token: chair.token });
    assert.equal(ended.status, 201, ended.text);
    assert.match(ended.body.markdown, new RegExp(change.number));
    assert.match(ended.body.markdown, /Approved with conditions/);
    assert.match(ended.body.markdown, /A DBA is on call during the window/);
    assert.equal(ended.body.sha256, createHash('sha256').update(ended.body.markdown).digest('hex'));
    const trail = await h.request('GET', `/api/v1/audit/events?record=${meeting.id}&action=meeting.ended`);
    assert.equal(trail.status, 200, trail.text);
    const endEvent = trail.body.items.find((e: { action: string }) => e.action === 'meeting.ended');
    assert.equal(endEvent?.data.minutesSha256, ended.body.sha256, trail.text);
    for (const method of ['PUT', 'PATCH'] as const) {
      const edited = await h.request(method, `/api/v1/meetings/${meeting.id}/minutes`, { token: manager.token, body: { markdown: 'rewritten' } });
      assert.equal(edited.status, 409, edited.text);
      assert.equal(edited.body.error.code, 'minutes_immutable');
    }
    assert.equal((await h.request('POST', `/api/v1/meetings/${meeting.id}/end`, { token: chair.token })).status, 409);
    const md = await h.request('GET', `/api/v1/meetings/${meeting.id}/minutes?format=markdown`, { token: third.token });
    assert.equal(md.status, 200);
    assert.match(String(md.headers['content-type']), /text\/markdown/);
    assert.equal(md.text, ended.body.markdown);
  });

  eachEngine('a change manager edits the agenda with reasons; a deferral names a later meeting and puts the item on its agenda', async (h) => {
    const stamp = `A${Date.now()}`;
    const { board, chair, sec, manager } = await cab(h, stamp);
    const requester = await h.userWithToken(['requester']);
    const first = await highRisk(h, stamp, requester.token);
    const second = await highRisk(h, stamp, requester.token);
    const at = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const m1 = (await h.request('POST', `/api/v1/boards/${board.id}/meetings`, { token: manager.token, body: { start: at(1), durationMinutes: 30 } })).body;
    const m2 = (await h.request('POST', `/api/v1/boards/${board.id}/meetings`, { token: manager.token, body: { start: at(200), durationMinutes: 30 } })).body;
    const noReason = await h.request('POST', `/api/v1/meetings/${m1.id}/agenda`, { token: manager.token, body: { action: 'move', changeId: second.id } });
    assert.equal(noReason.status, 400);
    assert.deepEqual(issuePaths(noReason.body), ['reason']);
    const moved = await h.request('POST', `/api/v1/meetings/${m1.id}/agenda`, { token: manager.token, body: { action: 'move', changeId: second.number, position: 1, reason: 'Its window is first' } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.items[0].changeId, second.id);
    assert.equal(moved.body.items[0].movedReason, 'Its window is first');
    assert.equal((await h.request('POST', `/api/v1/meetings/${m1.id}/agenda`, { token: chair.token, body: { action: 'remove', changeId: first.id, reason: 'x' } })).status, 403);

    await h.request('POST', `/api/v1/meetings/${m1.id}/start`, { token: chair.token });
    await h.request('PUT', `/api/v1/meetings/${m1.id}/attendance`, { token: chair.token, body: { attendees: [{ userId: chair.id, present: true }, { userId: sec.id, present: true }] } });
    const noTarget = await h.request('POST', `/api/v1/meetings/${m1.id}/items/${first.id}/decision`, { token: chair.token, body: { decision: 'defer', rationale: 'Needs the vendor' } });
    assert.equal(noTarget.status, 400);
    assert.deepEqual(issuePaths(noTarget.body), ['deferTo']);
    const deferred = await h.request('POST', `/api/v1/meetings/${m1.id}/items/${first.id}/decision`, { token: chair.token, body: { decision: 'defer', rationale: 'Needs the vendor', deferTo: m2.id } });
    assert.equal(deferred.status, 201, deferred.text);
    assert.equal(deferred.body.deferredTo.meetingId, m2.id);
    assert.equal((await approvalsOf(h, first.id)).find((a) => a.rule === 'cab')!.state, 'pending', 'a deferral decides nothing');
    const next = await h.request('GET', `/api/v1/meetings/${m2.id}/agenda`, { token: manager.token });
    const carried = next.body.items.find((i: { changeId: string }) => i.changeId === first.id);
    assert.match(carried.addedReason, /Deferred from/);
    // A late addition after the meeting started is marked late.
    const late = await h.request('POST', `/api/v1/meetings/${m1.id}/agenda`, { token: manager.token, body: { action: 'remove', changeId: second.id, reason: 'Withdrawn by the requester' } });
    assert.equal(late.status, 200, late.text);
    assert.deepEqual(late.body.removed.map((r: { changeId: string }) => r.changeId), [second.id]);
  });
});

describe('recurring meetings', () => {
  eachEngine('makes a board’s weekly meetings a set number of days ahead, in its time zone, skipping holidays, once', async (h) => {
    const stamp = `W${Date.now()}`;
    const member = await h.userWithToken(['cab_member']);
    const other = await h.userWithToken(['cab_member']);
    // Tomorrow in London: the first meeting's date; the meeting a week later is a holiday.
    const day = (offset: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(h.now().getTime() + offset * 86_400_000));
    const bad = await h.request('POST', '/api/v1/boards', {
      body: { name: `Bad ${stamp}`, kind: 'cab', memberIds: [member.id], recurrence: { start: `${day(1)}T25:00`, timeZone: 'Mars/Olympus', rrule: 'FREQ=SOMETIMES', durationMinutes: 60 } },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(issuePaths(bad.body), ['recurrence.rrule', 'recurrence.start', 'recurrence.timeZone']);
    const board = await h.request('POST', '/api/v1/boards', {
      body: {
        name: `Weekly ${stamp}`,
        kind: 'cab',
        memberIds: [member.id, other.id],
        recurrence: { start: `${day(1)}T10:00`, timeZone: 'Europe/London', rrule: 'FREQ=DAILY;INTERVAL=7', durationMinutes: 45, daysAhead: 20, holidays: [day(8)] },
      },
    });
    assert.equal(board.status, 201, board.text);
    assert.equal(board.body.recurrence.daysAhead, 20);
    const report = await h.tick();
    assert.equal(report.meetingsMade, 2, 'tomorrow and in fifteen days; the holiday in eight days is skipped');
    const listed = await h.request('GET', `/api/v1/meetings?boardId=${board.body.id}`);
    assert.equal(listed.status, 200, listed.text);
    const starts = listed.body.items.map((m: { start: string; durationMinutes: number; chair: { userId: string } }) => [m.start.slice(0, 10), m.durationMinutes, m.chair.userId]);
    assert.deepEqual(starts.map((s: unknown[]) => s[1]), [45, 45]);
    assert.deepEqual(starts.map((s: unknown[]) => s[2]), [member.id, other.id], 'the chair rotates round robin');
    // Ten o'clock in London, whatever the offset that day.
    for (const m of listed.body.items) assert.equal(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(new Date(m.start)), '10:00');
    const byBoard = await h.request('GET', `/api/v1/boards/${encodeURIComponent(board.body.name)}/meetings?state=planned`);
    assert.equal(byBoard.status, 200, byBoard.text);
    assert.deepEqual(byBoard.body.items.map((m: { id: string }) => m.id), listed.body.items.map((m: { id: string }) => m.id), 'the board’s own listing, by name');
    const badState = await h.request('GET', `/api/v1/boards/${board.body.id}/meetings?state=soon&boardId=x`);
    assert.equal(badState.status, 400, badState.text);
    h.advance(61_000);
    assert.equal((await h.tick()).meetingsMade, 0, 'made once');
  });
});
