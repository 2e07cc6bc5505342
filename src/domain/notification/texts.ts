/**
 * The words of notices: plain sentences that name changes, people and CIs, with times each reader reads in
 * their own zone. A notice is written once, when its cause is committed, but read by several people, so a
 * time is written as a token (`timeToken`, `rangeToken`) that the outbox renders per reader at delivery
 * (`renderTimes`), in the reader's time zone or UTC, always with the zone shown.
 */

const TOKEN = /\{\{(time|range):([^}|]+)(?:\|([^}]+))?\}\}/g;

/** A time in a notice's text, rendered for each reader at delivery. */
export const timeToken = (iso: string): string => `{{time:${iso}}}`;

/** A time range in a notice's text, rendered for each reader at delivery. */
export const rangeToken = (startIso: string, endIso: string): string => `{{range:${startIso}|${endIso}}}`;

interface Parts {
  date: string;
  time: string;
  zone: string;
}

function partsOf(iso: string, timeZone: string): Parts {
  const at = new Date(iso);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone, timeZoneName: 'short' });
  } catch {
    // NOTE: a zone this runtime does not know (a stored zone from a newer tz database) reads as UTC, said so.
    return partsOf(iso, 'UTC');
  }
  const p = Object.fromEntries(format.formatToParts(at).map((x) => [x.type, x.value])) as Record<string, string>;
  return { date: `${p.weekday} ${p.day} ${p.month} ${p.year}`, time: `${p.hour}:${p.minute}`, zone: p.timeZoneName ?? timeZone };
}

/** An instant as a person reads it: "Sat 12 Dec 2026, 22:00 UTC" (in `timeZone`, an IANA name). */
export function instantWords(iso: string, timeZone = 'UTC'): string {
  const p = partsOf(iso, timeZone);
  return `${p.date}, ${p.time} ${p.zone}`;
}

/** A range: "Sat 12 Dec 2026, 22:00–23:30 UTC", or with both dates when it crosses midnight. */
export function rangeWords(startIso: string, endIso: string, timeZone = 'UTC'): string {
  const s = partsOf(startIso, timeZone);
  const e = partsOf(endIso, timeZone);
  if (s.date === e.date && s.zone === e.zone) return `${s.date}, ${s.time}–${e.time} ${s.zone}`;
  return `${s.date}, ${s.time} ${s.zone} to ${e.date}, ${e.time} ${e.zone}`;
}

/** The text with its time tokens written out in the reader's zone (UTC when they have none). */
export function renderTimes(text: string, timeZone: string | null): string {
  const zone = timeZone ?? 'UTC';
  return text.replace(TOKEN, (_all, kind: string, a: string, b: string | undefined) => (kind === 'range' && b ? rangeWords(a, b, zone) : instantWords(a, zone)));
}

/** How a notice names a change: CHG0000012 "Upgrade payments DB". */
export const changeWords = (c: { number: string; title: string }): string => `${c.number} "${c.title}"`;

/** The relative link of a change's page. */
export const changeLink = (number: string): string => `/changes/${encodeURIComponent(number)}`;

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A quoted comment, trimmed to a readable length. */
export function quoteWords(comment: string, max = 280): string {
  const text = comment.trim().replace(/\s+/g, ' ');
  return `"${text.length > max ? `${text.slice(0, max - 1)}…` : text}"`;
}
