/**
 * Wall-clock time in IANA zones, with Intl alone: the reading of an instant in a zone, and the instant a
 * local reading happens. "Local milliseconds" are a wall-clock reading written as if it were UTC
 * (2026-03-28T22:00 local is Date.UTC(2026, 2, 28, 22, 0)). Pure: no I/O, no clock.
 */

const DAY_MS = 86_400_000;

// NOTE: performance. Building an Intl.DateTimeFormat costs far more than formatting with one, and an
// expansion formats a few times per occurrence, so formatters are cached per zone for the process lifetime.
const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading of instant `t` in `timeZone`, as local milliseconds. */
export function wallClockOf(timeZone: string, t: number): number {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(t)) parts[part.type] = part.value;
  const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
  const seconds = Date.UTC(
    year,
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  // Intl has no milliseconds; carry them over from t (offsets are whole seconds).
  return seconds + (((t % 1000) + 1000) % 1000);
}

export function offsetAt(timeZone: string, t: number): number {
  return wallClockOf(timeZone, t) - t;
}

/**
 * The instant at which clocks in `timeZone` read `local`.
 *
 * Like Temporal's "compatible" disambiguation:
 * - a local time skipped by a spring-forward gap is shifted forward by the length of the gap (01:30 on the
 *   day London skips 01:00-02:00 becomes 02:30 BST), so a window in the gap still happens, just later;
 * - a local time that occurs twice in an autumn overlap takes the earlier instant (the first 01:30), so a
 *   window never starts later than the local time written on it.
 * The offsets a day either side bracket any single transition; zones do not change twice within two days.
 */
export function instantOf(timeZone: string, local: number): number {
  const before = offsetAt(timeZone, local - DAY_MS);
  const after = offsetAt(timeZone, local + DAY_MS);
  const candidates = [local - before, local - after].filter((t) => wallClockOf(timeZone, t) === local);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: read the local time with the offset in force before the transition, which lands after it.
  return local - before;
}
