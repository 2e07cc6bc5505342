/**
 * A board meeting as an iCalendar event (RFC 5545), for the members' calendars: its time in UTC, the chair as
 * organizer, the board's people as attendees, a link to the workbench. The UID stays the same for the meeting
 * and SEQUENCE follows its version, so a calendar that imports it again updates the one event; a cancelled
 * meeting says STATUS:CANCELLED. The download is published (METHOD:PUBLISH); the invitation emailed to the
 * members (RFC 5546, iTIP) is a REQUEST, or a CANCEL once the meeting is cancelled. Pure: no I/O, no clock.
 */
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export interface IcsMeeting {
  id: string;
  title: string;
  boardName: string;
  start: string;
  end: string;
  state: string;
  version: number;
  cancelledReason: string | null;
}

export function meetingUid(meetingId: string): string {
  return `meeting-${meetingId}@cabinet`;
}

export function writeMeetingIcs(input: {
  meeting: IcsMeeting;
  /** The web app's origin, for the link to the workbench. */
  webUrl: string;
  chair: { name: string; email: string } | null;
  attendees: { name: string; email: string }[];
  now: Date;
  /** PUBLISH (the download, the default), or the iTIP method of an emailed invitation. */
  method?: 'PUBLISH' | 'REQUEST' | 'CANCEL';
}): string {
  const { meeting } = input;
  const link = `${input.webUrl}/meetings/${encodeURIComponent(meeting.id)}`;
  const method = input.method === 'REQUEST' ? ICalCalendarMethod.REQUEST : input.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH;
  const invitation = method !== ICalCalendarMethod.PUBLISH;
  const calendar = ical({ name: `Cabinet: ${meeting.boardName}`, prodId: { company: 'Cabinet', product: 'Cabinet', language: 'EN' }, method });
  calendar.createEvent({
    id: meetingUid(meeting.id),
    sequence: meeting.version,
    stamp: input.now,
    start: new Date(meeting.start),
    end: new Date(meeting.end),
    summary: meeting.title,
    description: [
      `${meeting.boardName}: the agenda builds itself from the changes that await the board; vote ahead on what you can decide.`,
      ...(meeting.cancelledReason ? ['', `Cancelled: ${meeting.cancelledReason}`] : []),
      '',
      link,
    ].join('\n'),
    url: link,
    status: meeting.state === 'cancelled' || method === ICalCalendarMethod.CANCEL ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: input.chair ? { name: input.chair.name, email: input.chair.email } : undefined,
    // An invitation asks each member to answer (Accept/Decline in their mail app); the answers go to the organizer.
    attendees: input.attendees.map((a) =>
      invitation ? { name: a.name, email: a.email, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION, rsvp: true } : { name: a.name, email: a.email },
    ),
  });
  return calendar.toString();
}
