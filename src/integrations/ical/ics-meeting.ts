/**
 * A board meeting as an iCalendar event (RFC 5545), for the members' calendars: its time in UTC, the chair as
 * organizer, the board's people as attendees, a link to the workbench. The UID stays the same for the meeting
 * and SEQUENCE follows its version, so a calendar that imports it again updates the one event; a cancelled
 * meeting says STATUS:CANCELLED. Pure: no I/O, no clock.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

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
}): string {
  const { meeting } = input;
  const link = `${input.webUrl}/meetings/${encodeURIComponent(meeting.id)}`;
  const calendar = ical({ name: `Cabinet: ${meeting.boardName}`, prodId: { company: 'Cabinet', product: 'Cabinet', language: 'EN' }, method: ICalCalendarMethod.PUBLISH });
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
    status: meeting.state === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: input.chair ? { name: input.chair.name, email: input.chair.email } : undefined,
    attendees: input.attendees.map((a) => ({ name: a.name, email: a.email })),
  });
  return calendar.toString();
}
