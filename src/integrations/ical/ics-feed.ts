/**
 * Writing a calendar feed as iCalendar (RFC 5545) text: planned changes and window occurrences as VEVENTs,
 * every time in UTC. ical-generator does the escaping, folding and line endings. Pure: no I/O, no clock.
 */
import ical, { ICalCalendarMethod, ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { CalendarChange } from '../../contracts/calendar';
import type { ScheduledWindow } from '../../contracts/windows';
import { meetingUid, type IcsMeeting } from './ics-meeting';

/** A change as the feed shows it, with the words for its type and state from the active policy. */
export interface FeedChange extends CalendarChange {
  version: number;
  typeLabel: string;
  stateLabel: string;
}

export interface FeedCalendar {
  /** The calendar's name in the subscriber's app (X-WR-CALNAME). */
  name: string;
  /** The web app's origin, e.g. `https://cabinet.example.com`, for links back to changes. */
  webUrl: string;
  changes: FeedChange[];
  windows: ScheduledWindow[];
  /** Meetings of the boards the feed's owner sits on (a person's own feed); none when left out. */
  meetings?: FeedMeeting[];
  /** DTSTAMP of every event: when the feed was written. */
  now: Date;
}

/** A board meeting as a feed shows it: the same UID and SEQUENCE as its emailed invitation and its download. */
export type FeedMeeting = Omit<IcsMeeting, 'cancelledReason'>;

/** States whose changes will not happen; their events say STATUS:CANCELLED so apps strike them through. */
const CANCELLED_STATES = new Set(['cancelled', 'rejected']);
/** How often subscribers are asked to fetch again (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
const REFRESH_SECONDS = 30 * 60;

const RISK_WORDS: Record<string, string> = { low: 'Low', moderate: 'Moderate', high: 'High', very_high: 'Very high' };

/** `20261024T190000Z`: an occurrence's start, which with the window id names it for good. */
const compactInstant = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export function changeUid(changeId: string): string {
  return `${changeId}@cabinet`;
}

export function windowOccurrenceUid(windowId: string, start: string): string {
  return `${windowId}-${compactInstant(start)}@cabinet`;
}

/** The feed as iCalendar text (CRLF line endings, lines folded at 75 octets). */
export function writeFeedIcs(feed: FeedCalendar): string {
  const calendar = ical({
    name: feed.name,
    prodId: { company: 'Cabinet', product: 'Cabinet', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: REFRESH_SECONDS,
  });
  for (const c of feed.changes) {
    const link = `${feed.webUrl}/changes/${encodeURIComponent(c.id)}`;
    calendar.createEvent({
      id: changeUid(c.id),
      sequence: c.version,
      stamp: feed.now,
      start: new Date(c.plannedStart),
      end: new Date(c.plannedEnd),
      summary: `${c.number} ${c.title}`,
      description: [
        `Type: ${c.typeLabel}`,
        `State: ${c.stateLabel}`,
        `Risk: ${c.riskLevel ? (RISK_WORDS[c.riskLevel] ?? c.riskLevel) : 'not assessed yet'}`,
        '',
        link,
      ].join('\n'),
      url: link,
      status: CANCELLED_STATES.has(c.state) ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      transparency: ICalEventTransparency.OPAQUE,
    });
  }
  for (const m of feed.meetings ?? []) {
    const link = `${feed.webUrl}/meetings/${encodeURIComponent(m.id)}`;
    calendar.createEvent({
      id: meetingUid(m.id),
      sequence: m.version,
      stamp: feed.now,
      start: new Date(m.start),
      end: new Date(m.end),
      summary: m.title,
      description: `Meeting of ${m.boardName}.\n\n${link}`,
      url: link,
      status: m.state === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      transparency: ICalEventTransparency.OPAQUE,
    });
  }
  for (const w of feed.windows) {
    const isFreeze = w.kind === 'freeze';
    calendar.createEvent({
      id: windowOccurrenceUid(w.windowId, w.start),
      stamp: feed.now,
      start: new Date(w.start),
      end: new Date(w.end),
      summary: `${isFreeze ? 'Freeze' : 'Maintenance'}: ${w.name}`,
      description: isFreeze
        ? `${w.urgent ? 'Lockdown: changes in its scope are held while it lasts.' : 'Changes in its scope should not happen now.'}\n\n${feed.webUrl}/schedule/windows`
        : `Maintenance window: work on what it covers is expected now.\n\n${feed.webUrl}/schedule/windows`,
      // A maintenance window is when work may happen, not time anyone is busy; a freeze blocks the time.
      transparency: isFreeze ? ICalEventTransparency.OPAQUE : ICalEventTransparency.TRANSPARENT,
      status: ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
