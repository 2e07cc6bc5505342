/**
 * Every time the web app shows or reads goes through here, in one time zone: the person's own (their
 * preference, GET /api/v1/me `timeZone`), or the browser's when they have not chosen one. The layout sets it
 * (`setDisplayTimeZone`) before any page renders; every time shown carries its zone ("12 Dec 2026, 22:00 CET").
 */

/** The browser's IANA zone; UTC when the engine does not say. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

let preferredZone: string | null = null;

/** Whether the engine knows `zone` as an IANA zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return /^[A-Za-z]/.test(zone);
  } catch {
    return false;
  }
}

/** Sets the zone times are shown in: the person's preference, or null for the browser's. An unknown zone is ignored. */
export function setDisplayTimeZone(zone: string | null | undefined): void {
  preferredZone = zone && isTimeZone(zone) ? zone : null;
}

/** The zone times are shown in right now. */
export function displayTimeZone(): string {
  return preferredZone ?? browserTimeZone();
}

// NOTE: performance. Building an Intl.DateTimeFormat costs far more than using one, and a table formats a
// few times per row, so formatters are kept per zone and kind.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: string, zone: string, options: Intl.DateTimeFormatOptions, locale?: string): Intl.DateTimeFormat {
  const key = `${kind}|${zone}|${locale ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

const toDate = (at: string | number | Date): Date => (at instanceof Date ? at : new Date(at));

/**
 * `2026-12-12T21:00:00Z` → "12 Dec 2026, 22:00 CET" (in the browser's locale), or "—" when there is none;
 * with `seconds`, "12 Dec 2026, 22:00:41 CET" (the audit trail).
 */
export function formatDateTime(iso: string | null | undefined, opts: { seconds?: boolean } = {}): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
  return opts.seconds
    ? formatter('dateTimeSeconds', displayTimeZone(), { ...options, hour: '2-digit', second: '2-digit' }).format(d)
    : formatter('dateTime', displayTimeZone(), options).format(d);
}

/**
 * A message from the server with its instants (`2026-12-12T21:00:00.000Z`) written as `formatDateTime` writes
 * them, in the display zone: the server's reasons name times in UTC so that every client can read them.
 */
export function withLocalTimes(message: string): string {
  return message.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => formatDateTime(iso));
}

/** "12 Dec 2026" (the day in the display zone), or "—". */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatter('date', displayTimeZone(), { day: 'numeric', month: 'short', year: 'numeric' }).format(d);
}

/** "22:00" (no zone: for ranges whose zone is said once, as in `formatRange`). */
export function formatTime(iso: string | number | Date): string {
  // timeStyle, not hour/minute: alone, `hour: 'numeric'` reads "1:00" in en-GB, where dates read "01:00".
  return formatter('time', displayTimeZone(), { timeStyle: 'short' }).format(toDate(iso));
}

/** The zone's short name at an instant: "CET", "CEST", "GMT+9", "UTC". */
export function zoneAbbreviation(at: string | number | Date = Date.now(), zone = displayTimeZone()): string {
  const part = formatter('zone', zone, { timeZoneName: 'short' }).formatToParts(toDate(at)).find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

/** "Europe/Amsterdam (CET)": the zone, for notes beside tables, calendars and time inputs. */
export function zoneWords(at: string | number | Date = Date.now()): string {
  const zone = displayTimeZone();
  const short = zoneAbbreviation(at, zone);
  return short === zone ? zone : `${zone} (${short})`;
}

/**
 * "3 Jan 2027, 00:00–02:00 CET" within a day, "31 Dec 2026, 22:00 – 1 Jan 2027, 02:00 CET" across days: an
 * interval with its zone said once.
 */
export function formatRange(start: string, end: string): string {
  const s = new Date(start);
  const e = new Date(end);
  if (Number.isNaN(s.getTime()) || Number.isNaN(e.getTime())) return `${start} – ${end}`;
  const day = formatter('date', displayTimeZone(), { day: 'numeric', month: 'short', year: 'numeric' });
  const zone = zoneAbbreviation(e);
  if (day.format(s) === day.format(e)) return `${day.format(s)}, ${formatTime(s)}–${formatTime(e)} ${zone}`;
  return `${day.format(s)}, ${formatTime(s)} – ${day.format(e)}, ${formatTime(e)} ${zone}`;
}

// ---- wall-clock readings in the display zone ----------------------------------------------------------------

/** The wall-clock reading of an instant in `zone`, written as if it were UTC (local milliseconds). */
function wallClockMs(t: number, zone: string): number {
  const parts: Record<string, string> = {};
  const f = formatter('parts', zone, { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }, 'en-US');
  for (const p of f.formatToParts(t)) parts[p.type] = p.value;
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) + (((t % 1000) + 1000) % 1000);
}

/**
 * The instant at which clocks in `zone` read `local` (local milliseconds). A reading skipped by a
 * spring-forward gap moves forward by the gap; one that happens twice takes the earlier instant.
 */
function instantOfWallClock(local: number, zone: string): number {
  const DAY = 86_400_000;
  const before = wallClockMs(local - DAY, zone) - (local - DAY);
  const after = wallClockMs(local + DAY, zone) - (local + DAY);
  const candidates = [local - before, local - after].filter((t) => wallClockMs(t, zone) === local);
  return candidates.length > 0 ? Math.min(...candidates) : local - before;
}

/**
 * An instant as a Date whose local fields (getHours, getDate…) read the display zone's wall clock. The
 * calendar's placement maths work on local Dates; this lets them lay out any zone. Identity when the display
 * zone is the browser's. NOTE: a wall-clock time that the browser's own zone skips (its spring-forward hour)
 * lands an hour later; only someone whose preference differs from their device's zone can meet it.
 */
export function toZonedDate(at: string | number | Date): Date {
  const t = toDate(at).getTime();
  const zone = displayTimeZone();
  if (zone === browserTimeZone()) return new Date(t);
  const w = new Date(wallClockMs(t, zone));
  return new Date(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate(), w.getUTCHours(), w.getUTCMinutes(), w.getUTCSeconds(), w.getUTCMilliseconds());
}

/** The instant that a Date from `toZonedDate` (or a local day built from one) stands for. */
export function fromZonedDate(d: Date): Date {
  const zone = displayTimeZone();
  if (zone === browserTimeZone()) return new Date(d.getTime());
  const local = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
  return new Date(instantOfWallClock(local, zone));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant → the `YYYY-MM-DDTHH:mm` value a datetime-local input shows, in the display zone. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const w = new Date(wallClockMs(t, displayTimeZone()));
  return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}T${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`;
}

/** A datetime-local value (wall-clock time in the display zone) → an ISO instant in UTC with `Z`, or null when empty or invalid. */
export function localInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value ?? '');
  if (!m) return null;
  const [year, month, day, hour, minute, second = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const local = Date.UTC(year!, month! - 1, day!, hour!, minute!, second);
  const check = new Date(local);
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour! > 23 || minute! > 59) return null;
  return new Date(instantOfWallClock(local, displayTimeZone())).toISOString();
}

/** `implementationPlan` → "Implementation plan", `ciIds` → "Ci", `close_code` → "Close code". */
export function humanize(name: string): string {
  const words = name
    .replace(/Ids?$/, '')
    .replace(/[_.-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}
