/**
 * The iCalendar invitation (RFC 5546, iTIP) an email about a planned change window carries: `METHOD:REQUEST`
 * when the window is planned or moved, `METHOD:CANCEL` when the change is cancelled, always with the change's
 * own UID so a calendar app updates the one event it holds. Pure: no I/O, no clock.
 */
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export interface Invitation {
  method: 'REQUEST' | 'CANCEL';
  changeId: string;
  /** Higher for each newer version of the event (the change's version, see invitationSequence). */
  sequence: number;
  start: string;
  end: string;
  summary: string;
  description: string;
  url: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
  /** DTSTAMP: when the invitation was written. */
  now: Date;
}

/**
 * The UID of a change's invitation. NOTE: not the UID the calendar feeds use (`<id>@cabinet`), so a person
 * who both subscribes to a feed and gets invitations holds two events their app does not mix up.
 */
export const invitationUid = (changeId: string): string => `change-${changeId}@cabinet`;

/** The invitation as iCalendar text (CRLF line endings, folded lines), for a `text/calendar` part. */
export function writeInvitation(inv: Invitation): string {
  const method = inv.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST;
  const calendar = ical({ prodId: { company: 'Cabinet', product: 'Cabinet', language: 'EN' }, method });
  calendar.createEvent({
    id: invitationUid(inv.changeId),
    sequence: inv.sequence,
    stamp: inv.now,
    start: new Date(inv.start),
    end: new Date(inv.end),
    summary: inv.summary,
    description: inv.description,
    url: inv.url,
    status: inv.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: inv.organizer.name, email: inv.organizer.email },
    // NOTE: RSVP is not asked for: Cabinet has no inbox for replies, the window is told, not negotiated.
    attendees: [{ name: inv.attendee.name, email: inv.attendee.email, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION, rsvp: false }],
  });
  return calendar.toString();
}
