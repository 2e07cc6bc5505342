import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import ICAL from 'ical.js';
import { eachEngine, type Harness } from './support/cabinet';
import { cab } from './support/cab';
import { startSmtp, type Received } from './support/smtp';

/** Board meetings reach the members' inboxes and calendars (issue 15, point 2; docs/cab.md#invitations). */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const smtp = await startSmtp();
after(() => smtp.close());

interface Invitation {
  method: string;
  uid: string;
  sequence: number;
  status: string;
  start: number;
  end: number;
  organizer: string;
  attendees: string[];
  /** The DTSTART line as written. */
  dtstart: string;
}

/** The meeting invitation a message carries, read back with ical.js. */
function invitationOf(m: Received): Invitation {
  const part = m.mail.attachments.find((a) => a.contentType === 'text/calendar');
  assert.ok(part, 'the message carries a text/calendar part');
  const text = part.content.toString('utf8');
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent');
  assert.equal(events.length, 1, 'one event');
  const event = events[0]!;
  const e = new ICAL.Event(event);
  return {
    method: String(calendar.getFirstPropertyValue('method')),
    uid: String(event.getFirstPropertyValue('uid')),
    sequence: Number(event.getFirstPropertyValue('sequence')),
    status: String(event.getFirstPropertyValue('status')),
    start: e.startDate.toJSDate().getTime(),
    end: e.endDate.toJSDate().getTime(),
    organizer: String(event.getFirstPropertyValue('organizer')).toLowerCase(),
    attendees: event
      .getAllProperties('attendee')
      .map((p) => String(p.getFirstValue()).toLowerCase())
      .sort(),
    dtstart: /^DTSTART[^\r\n]*/m.exec(text)?.[0] ?? '',
  };
}

/** A whole minute some days ahead, so the start survives iCalendar's seconds exactly. */
const aheadBy = (h: Harness, ms: number): string => new Date(Math.ceil((h.now().getTime() + ms) / MINUTE) * MINUTE).toISOString();

async function schedule(h: Harness, token: string, boardId: string, start: string, durationMinutes = 60) {
  const res = await h.request('POST', `/api/v1/boards/${boardId}/meetings`, { token, body: { start, durationMinutes, title: 'Weekly CAB' } });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string; version: number; chair: { userId: string } | null };
}

describe('meeting invitations', { concurrency: 2 }, () => {
  eachEngine(
    'each member is emailed an invitation when a meeting is scheduled; a move updates the same event with a higher SEQUENCE; a cancellation cancels it',
    async (h) => {
      const { board, chair, sec, third, manager } = await cab(h, `I${Date.now()}`);
      const members = [chair, sec, third];
      const emails = members.map((m) => m.email.toLowerCase()).sort();
      const start = aheadBy(h, 3 * DAY);
      const meeting = await schedule(h, manager.token, board.id, start, 90);
      assert.equal(meeting.chair?.userId, chair.id);
      const report = await h.tick();
      assert.equal(report.failed, 0, JSON.stringify(report));

      for (const m of members) assert.equal(smtp.mailTo(m.email).length, 1, `${m.email} is invited once`);
      assert.equal(smtp.mailTo(manager.email).length, 0, 'the change manager who scheduled it does not sit on the board');
      const first = smtp.mailTo(third.email)[0]!;
      assert.match(first.mail.subject ?? '', new RegExp(`^${board.name} meets on .*: Weekly CAB$`));
      assert.match(first.mail.text ?? '', new RegExp(`Open it in Cabinet: https://cabinet\\.example\\.com/meetings/${meeting.id}`));
      assert.match(first.mail.text ?? '', /Why you get this: you sit on the board that meets\./);
      assert.match(first.raw, /Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
      const invited = invitationOf(first);
      assert.equal(invited.method, 'REQUEST');
      assert.equal(invited.uid, `meeting-${meeting.id}@cabinet`);
      assert.equal(invited.sequence, 1);
      assert.equal(invited.status, 'CONFIRMED');
      assert.equal(invited.start, Date.parse(start));
      assert.equal(invited.end, Date.parse(start) + 90 * MINUTE);
      assert.match(invited.dtstart, /^DTSTART:\d{8}T\d{6}Z$/, 'in UTC');
      assert.equal(invited.organizer, `mailto:${chair.email.toLowerCase()}`, 'the chair organizes');
      assert.deepEqual(invited.attendees, emails.map((e) => `mailto:${e}`), 'the members attend');
      assert.match(first.raw, /RSVP=TRUE/, 'members are asked to answer');
      assert.deepEqual(invitationOf(smtp.mailTo(chair.email)[0]!).uid, invited.uid, 'every member gets the same event');

      // Moved by two hours: the same event, a higher SEQUENCE, the new time.
      const later = new Date(Date.parse(start) + 2 * HOUR).toISOString();
      const moved = await h.request('PATCH', `/api/v1/meetings/${meeting.id}`, { token: manager.token, body: { start: later, version: meeting.version } });
      assert.equal(moved.status, 200, moved.text);
      await h.tick();
      for (const m of members) assert.equal(smtp.mailTo(m.email).length, 2, `${m.email} hears of the move`);
      const update = smtp.mailTo(sec.email)[1]!;
      assert.match(update.mail.subject ?? '', /^Moved: /);
      const updated = invitationOf(update);
      assert.deepEqual([updated.method, updated.uid, updated.sequence, updated.start], ['REQUEST', invited.uid, moved.body.version, Date.parse(later)]);
      assert.ok(updated.sequence > invited.sequence);

      // Notes alone move nothing: no email.
      const noted = await h.request('PATCH', `/api/v1/meetings/${meeting.id}`, { token: manager.token, body: { notes: 'Bring the rollback numbers.', version: moved.body.version } });
      assert.equal(noted.status, 200, noted.text);
      await h.tick();
      assert.equal(smtp.mailTo(sec.email).length, 2, 'editing the notes sends no invitation');

      const cancelled = await h.request('POST', `/api/v1/meetings/${meeting.id}/cancel`, { token: manager.token, body: { reason: 'Nothing on the agenda.' } });
      assert.equal(cancelled.status, 200, cancelled.text);
      await h.tick();
      for (const m of members) assert.equal(smtp.mailTo(m.email).length, 3, `${m.email} hears of the cancellation`);
      const cancel = smtp.mailTo(third.email)[2]!;
      assert.match(cancel.mail.subject ?? '', /^Cancelled: Weekly CAB$/);
      assert.match(cancel.mail.text ?? '', /Nothing on the agenda\./);
      assert.match(cancel.raw, /Content-Type: text\/calendar; charset=utf-8; method=CANCEL/i);
      const withdrawn = invitationOf(cancel);
      assert.deepEqual([withdrawn.method, withdrawn.status, withdrawn.uid, withdrawn.sequence], ['CANCEL', 'CANCELLED', invited.uid, cancelled.body.version]);
      assert.ok(withdrawn.sequence > updated.sequence);

      // In Cabinet too: three notices of the meeting each.
      const bell = await h.request('GET', '/api/v1/me/notifications', { token: third.token });
      assert.equal(bell.body.items.filter((n: { kind: string }) => n.kind === 'meeting_scheduled').length, 3);
    },
    smtp.env,
  );

  eachEngine(
    'an invitation waits for the end of a member’s quiet hours; a member’s calendar feed shows the board’s meetings with the invitation’s UID',
    async (h) => {
      const { board, chair, sec, third, manager } = await cab(h, `Q${Date.now()}`);
      const now = h.now().getTime();
      const hm = (t: number) => new Date(t).toISOString().slice(11, 16);
      const end = Math.ceil((now + 2 * HOUR) / MINUTE) * MINUTE;
      const quiet = await h.request('PATCH', '/api/v1/me/preferences', { token: sec.token, body: { quietHours: { start: hm(now - HOUR), end: hm(end) } } });
      assert.equal(quiet.status, 200, quiet.text);
      const start = aheadBy(h, 5 * DAY);
      const meeting = await schedule(h, manager.token, board.id, start);
      const report = await h.tick();
      assert.equal(report.failed, 0, JSON.stringify(report));
      assert.deepEqual([chair, sec, third].map((m) => smtp.mailTo(m.email).length), [1, 0, 1], 'the member in quiet hours is not emailed yet');
      h.advance(end - now + MINUTE);
      await h.tick();
      assert.equal(smtp.mailTo(sec.email).length, 1, 'sent when the quiet hours end');
      assert.equal(smtp.mailTo(chair.email).length, 1, 'the others not again');
      assert.equal(invitationOf(smtp.mailTo(sec.email)[0]!).uid, `meeting-${meeting.id}@cabinet`);

      // The member's own feed holds the meeting, the same event as the invitation; a feed of someone who does not sit on the board does not.
      const feed = await h.request('POST', '/api/v1/me/calendar-feeds', { token: third.token, body: { name: 'Mine', scope: { kind: 'user' } } });
      assert.equal(feed.status, 201, feed.text);
      const read = await h.request('GET', new URL(feed.body.url).pathname, { token: null });
      assert.equal(read.status, 200, read.text);
      const events = new ICAL.Component(ICAL.parse(read.text)).getAllSubcomponents('vevent');
      const event = events.find((e) => e.getFirstPropertyValue('uid') === `meeting-${meeting.id}@cabinet`);
      assert.ok(event, read.text);
      assert.equal(Number(event.getFirstPropertyValue('sequence')), meeting.version);
      assert.equal(new ICAL.Event(event).startDate.toJSDate().getTime(), Date.parse(start));
      assert.equal(event.getFirstPropertyValue('summary'), 'Weekly CAB');
      const outsider = await h.userWithToken(['cab_member']);
      const theirs = await h.request('POST', '/api/v1/me/calendar-feeds', { token: outsider.token, body: { name: 'Mine', scope: { kind: 'user' } } });
      const other = await h.request('GET', new URL(theirs.body.url).pathname, { token: null });
      assert.equal(other.status, 200, other.text);
      assert.ok(!other.text.includes(`meeting-${meeting.id}@cabinet`), 'not on the board: not in the feed');

      // Cancelled, the feed strikes it through.
      const cancelled = await h.request('POST', `/api/v1/meetings/${meeting.id}/cancel`, { token: manager.token, body: { reason: 'Holiday.' } });
      assert.equal(cancelled.status, 200, cancelled.text);
      const again = await h.request('GET', new URL(feed.body.url).pathname, { token: null });
      const struck = new ICAL.Component(ICAL.parse(again.text)).getAllSubcomponents('vevent').find((e) => e.getFirstPropertyValue('uid') === `meeting-${meeting.id}@cabinet`);
      assert.equal(struck?.getFirstPropertyValue('status'), 'CANCELLED');
      assert.equal(Number(struck?.getFirstPropertyValue('sequence')), cancelled.body.version);
    },
    smtp.env,
  );
});
