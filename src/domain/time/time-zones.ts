/**
 * IANA time zone names as people give them (a preference, a form), checked with Intl alone. Pure: no I/O.
 */

let known: Map<string, string> | null = null;

/** Every zone this engine lists, by lower-case name (built once; the list does not change while running). */
function knownZones(): Map<string, string> {
  if (!known) {
    const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    // NOTE: V8 leaves UTC out of supportedValuesOf although every engine accepts it.
    known = new Map(['UTC', ...names].map((name) => [name.toLowerCase(), name]));
  }
  return known;
}

/**
 * The zone `input` names, spelt as the engine lists it ("europe/london" → "Europe/London"), or null when it
 * is not an IANA zone. Aliases the engine accepts but does not list ("Asia/Kolkata" on Node 20's ICU, which
 * lists "Asia/Calcutta"; "US/Eastern") are kept as given: browsers and servers of other ages disagree on which
 * name of a pair is canonical, and both name the same rules. Offsets such as "+05:30" are refused: a zone
 * has rules, an offset does not follow daylight saving time.
 */
export function timeZoneName(input: string): string | null {
  const name = input.trim();
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || name.length > 64) return null;
  const listed = knownZones().get(name.toLowerCase());
  if (listed) return listed;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return null;
  }
}
