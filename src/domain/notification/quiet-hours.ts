/**
 * Quiet hours and digest periods: when a person's email waits, and which digest is due. Both read the
 * person's wall clock (their IANA zone, UTC when they chose none) with domain/time/zoned.ts. Pure: no I/O,
 * no clock.
 */
import { instantOf, wallClockOf } from '../time/zoned';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Quiet hours: "HH:MM" to "HH:MM" in the person's zone; an end earlier than the start wraps past midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

export const DIGEST_FREQUENCIES = ['off', 'daily', 'weekly'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

/** The local hour a digest is written at (weekly: on Monday). */
export const DIGEST_HOUR = 7;

const HM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of an "HH:MM" (24-hour, two digits each), or null when it is not one. */
export function minutesOf(hm: string): number | null {
  const m = HM.exec(hm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** A zone this runtime knows, or UTC (a stored zone from a newer tz database reads as UTC, as notices do). */
function zoneOrUtc(zone: string | null): string {
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

/**
 * When the quiet hours `now` falls in end, or null when `now` is outside them (or there are none). The start
 * is inside, the end outside: 22:00–07:00 holds 22:00 and 06:59, not 07:00.
 */
export function quietUntil(now: Date, quiet: QuietHours | null, zone: string | null): Date | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === null || end === null || start === end) return null;
  const tz = zoneOrUtc(zone);
  const local = wallClockOf(tz, now.getTime());
  const midnight = Math.floor(local / DAY) * DAY;
  const minute = Math.floor((local - midnight) / MINUTE);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return null;
  // The end is today when it is later in the day than now, tomorrow otherwise (a span that wraps midnight).
  const endLocal = midnight + end * MINUTE + (minute < end ? 0 : DAY);
  return new Date(instantOf(tz, endLocal));
}

/** A digest due now: its period key (one digest per person and key) and the planned starts it lists. */
export interface DigestPeriod {
  /** `daily:YYYY-MM-DD` or `weekly:YYYY-MM-DD` (that Monday), the date in the person's zone. */
  key: string;
  /** 07:00 of the period's day in the person's zone. */
  from: string;
  /** 07:00 a day (daily) or seven days (weekly) later. */
  to: string;
}

/**
 * The digest due at `now`, or null: a daily digest is due from 07:00 to midnight of each day in the person's
 * zone, a weekly one from 07:00 to midnight of each Monday. NOTE: the rest of the day is a catch-up for a
 * worker that was down at 07:00; a digest turned on in the afternoon comes that afternoon, once.
 */
export function dueDigest(now: Date, frequency: DigestFrequency, zone: string | null): DigestPeriod | null {
  if (frequency === 'off') return null;
  const tz = zoneOrUtc(zone);
  const local = wallClockOf(tz, now.getTime());
  const midnight = Math.floor(local / DAY) * DAY;
  if (local - midnight < DIGEST_HOUR * 60 * MINUTE) return null;
  // new Date(local ms).getUTCDay() reads the local weekday: 1 is Monday.
  if (frequency === 'weekly' && new Date(midnight).getUTCDay() !== 1) return null;
  const fromLocal = midnight + DIGEST_HOUR * 60 * MINUTE;
  const days = frequency === 'weekly' ? 7 : 1;
  return {
    key: `${frequency}:${new Date(midnight).toISOString().slice(0, 10)}`,
    from: new Date(instantOf(tz, fromLocal)).toISOString(),
    to: new Date(instantOf(tz, fromLocal + days * DAY)).toISOString(),
  };
}
