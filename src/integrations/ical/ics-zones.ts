/**
 * Which IANA zone a TZID means. Windows need an IANA zone (it knows the daylight-saving rules every future
 * occurrence needs), but calendars write TZIDs in four ways: an IANA name ("Europe/London"), an IANA name
 * behind a vendor prefix ("/mozilla.org/20050126_1/Europe/Berlin"), a Windows zone name from Outlook and
 * Exchange ("W. Europe Standard Time"), or any name at all defined by a VTIMEZONE in the same file
 * ("Western/Central Europe", "custom_America/New_York"). Pure: no I/O, no clock.
 */
// NOTE: ical.js is an ES module whose only export is the default namespace object (`import { parse }` fails).
import ICAL from 'ical.js';
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { formatterFor, wallClockOf } from '../../domain/time/zoned';
import type { IcsBlock } from './ics-text';

/** The zone a TZID resolves to (with a note saying how, when it was not written as IANA), or why it cannot. */
export type ZoneAnswer = { zone: string; note: string | null } | { problem: string };

export interface ZoneResolver {
  /** `year`: the year of the time being read; a VTIMEZONE is compared with IANA zones around it. */
  resolve(tzid: string, year: number): ZoneAnswer;
}

const DAY_MS = 86_400_000;
/** Compared at local noon, away from the night-time clock changes where zones disambiguate differently. */
const SAMPLE_HOUR = 12;

/** A wall-clock reading (local milliseconds) and the instant at which the VTIMEZONE's clocks show it. */
interface Sample {
  local: number;
  instant: number;
}

function isIanaZone(zone: string): boolean {
  // Intl also accepts offsets such as "+05:30"; a window needs a zone with rules, so ask for a name.
  if (!/^[A-Za-z]/.test(zone)) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * A TZID as an IANA zone: as written ("Europe/London"), or the Area/Location at the end of a vendor prefix
 * ("/mozilla.org/20050126_1/Europe/Berlin", "/citadel.org/20190914_1/Europe/Zurich").
 */
export function ianaZoneOf(tzid: string): string | null {
  const parts = tzid.split('/');
  const candidates = [tzid, parts.slice(-3).join('/'), parts.slice(-2).join('/')].filter((z) => z.includes('/') || z === tzid);
  return candidates.find(isIanaZone) ?? null;
}

/** Windows zone name (lower case) → its IANA zone, from the CLDR table: the "001" (primary) territory's zone. */
const windowsZones = new Map<string, string>();
for (const entry of WINDOWS_TO_IANA_MAP) {
  const key = entry.windowsName.toLowerCase();
  if (entry.territory !== '001' || windowsZones.has(key)) continue;
  const zone = entry.iana.find(isIanaZone);
  if (zone) windowsZones.set(key, zone);
}

/** A Windows zone name ("Pacific Standard Time", any case) as its IANA zone by the CLDR table, or null. */
export function windowsZoneOf(tzid: string): string | null {
  return windowsZones.get(tzid.trim().toLowerCase()) ?? null;
}

/** Fixed-offset zones: Etc/GMT-14 … Etc/GMT+12 (POSIX signs: Etc/GMT-11 is UTC+11). */
const FIXED_ZONES = ['UTC', ...Array.from({ length: 26 }, (_, i) => i - 14).filter((h) => h !== 0).map((h) => `Etc/GMT${h > 0 ? '+' : ''}${h}`)];

let candidateZones: string[] | null = null;
/**
 * Every IANA zone to compare a VTIMEZONE with, best first: the CLDR primary zones (one per Windows zone,
 * the zone most people of that offset and rules live in), then the rest.
 */
function candidates(): string[] {
  if (!candidateZones) {
    const all = [...new Set([...windowsZones.values(), ...Intl.supportedValuesOf('timeZone'), ...FIXED_ZONES])];
    candidateZones = all.filter(isIanaZone);
  }
  return candidateZones;
}

/** Lower-case letters and spaces only, accents dropped: "(UTC-03:00) Brasília" → " utc brasilia". */
const plain = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ');

/** The instant at which the VTIMEZONE's clocks read `local` (local milliseconds). */
function vtimezoneInstant(tz: ICAL.Timezone, local: number): number {
  const d = new Date(local);
  const time = new ICAL.Time({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: 0, isDate: false }, tz);
  return local - tz.utcOffset(time) * 1000;
}

/**
 * Points of the two years from `year` at which a VTIMEZONE and an IANA zone should read the same clocks:
 * local noon of each week, and of each day of a week in which the VTIMEZONE's clocks change.
 * NOTE: performance. ical.js takes a fifth of a millisecond per offset, so not every day is asked.
 */
function samples(tz: ICAL.Timezone, year: number): Sample[] {
  const at = (local: number): Sample => ({ local, instant: vtimezoneInstant(tz, local) });
  const from = Date.UTC(year, 0, 1, SAMPLE_HOUR);
  const to = Date.UTC(year + 2, 0, 1);
  const weekly: Sample[] = [];
  for (let local = from; local < to; local += 7 * DAY_MS) weekly.push(at(local));
  const out: Sample[] = [];
  weekly.forEach((point, i) => {
    const before = weekly[i - 1];
    if (before && before.local - before.instant !== point.local - point.instant) {
      for (let day = 1; day < 7; day++) out.push(at(before.local + day * DAY_MS));
    }
    out.push(point);
  });
  return out;
}

/** Whether `zone` reads the same wall-clock time as the VTIMEZONE at every sample instant. */
function agrees(zone: string, points: Sample[]): boolean {
  return points.every((p) => wallClockOf(zone, p.instant) === p.local);
}

/**
 * The IANA zone whose clocks agree with a VTIMEZONE at every point (every day of a year or two), or null. Among
 * several that agree: one whose city the TZID names, then its X-LIC-LOCATION, then a fixed Etc/GMT zone
 * for a VTIMEZONE without daylight saving, then the CLDR primary zones.
 */
function matchVtimezone(component: ICAL.Component, tzid: string, points: Sample[]): string | null {
  // NOTE: performance. Comparing every zone at every point is slow; four points a season apart and the days
  // either side of each of the VTIMEZONE's clock changes single out the candidates, and only the one chosen
  // is then compared at every point.
  const offsets = points.map((p) => p.local - p.instant);
  const telling = new Set([2, 15, 28, 41].filter((i) => i < points.length));
  offsets.forEach((offset, i) => {
    if (i > 0 && offset !== offsets[i - 1]) telling.add(i - 1).add(i);
  });
  const signature = [...telling].map((i) => points[i]!);
  const matches = candidates().filter((zone) => agrees(zone, signature));
  const words = ` ${plain(tzid)} `;
  const named = matches.filter((zone) => {
    if (zone === 'UTC' || zone.startsWith('Etc/')) return false;
    const city = plain(zone.split('/').pop()!).trim();
    return city.length >= 3 && words.includes(` ${city} `);
  });
  const location = component.getFirstPropertyValue('x-lic-location');
  const fixed = new Set(offsets).size === 1 ? matches.filter((zone) => zone === 'UTC' || zone.startsWith('Etc/GMT')) : [];
  const preferred = [...named, ...matches.filter((zone) => zone === location), ...fixed, ...matches];
  return preferred.find((zone) => agrees(zone, points)) ?? null;
}

/**
 * Resolves TZIDs against IANA names, vendor prefixes, the CLDR Windows table and the file's VTIMEZONEs, in
 * that order (a name IANA or Windows knows is taken at its word, whatever the file's VTIMEZONE says).
 * Answers are cached; for a VTIMEZONE, per year: the zone found for one year is checked first for the next,
 * and the search runs again only when it no longer agrees.
 */
export function createZoneResolver(vtimezones: IcsBlock[]): ZoneResolver {
  const byTzid = new Map<string, IcsBlock>();
  for (const block of vtimezones) {
    const tzid = block.component?.getFirstPropertyValue('tzid');
    if (typeof tzid === 'string' && !byTzid.has(tzid)) byTzid.set(tzid, block);
  }
  const broken = vtimezones.filter((b) => b.component === null);
  const named = new Map<string, ZoneAnswer>();
  /** `${year} ${tzid}` → the zone that matched its VTIMEZONE that year (null: none did). */
  const yearZones = new Map<string, string | null>();
  const lastZone = new Map<string, string>();

  function fromVtimezone(tzid: string, block: IcsBlock, year: number): ZoneAnswer {
    const key = `${year} ${tzid}`;
    let zone = yearZones.get(key);
    if (zone === undefined) {
      try {
        const tz = new ICAL.Timezone({ component: block.component!, tzid });
        const points = samples(tz, year);
        const firstYear = points.filter((p) => p.local < Date.UTC(year + 1, 0, 1));
        // Another year: the zone found before usually still agrees, which is far cheaper to check.
        const previous = lastZone.get(tzid);
        // Two years tell zones apart best; a VTIMEZONE copied from older rules may agree for its own year only.
        zone = previous !== undefined && agrees(previous, points) ? previous : (matchVtimezone(block.component!, tzid, points) ?? matchVtimezone(block.component!, tzid, firstYear));
      } catch {
        return { problem: `TZID ${JSON.stringify(tzid)} is defined by a VTIMEZONE (line ${block.line}) that cannot be read.` };
      }
      yearZones.set(key, zone);
      if (zone !== null) lastZone.set(tzid, zone);
    }
    if (zone !== null) return { zone, note: `TZID ${JSON.stringify(tzid)} is read as ${zone}, whose clocks match its VTIMEZONE (line ${block.line}).` };
    // NOTE: a VTIMEZONE that names its IANA zone (X-LIC-LOCATION, or a TZURL ending in the name) but whose
    // rules are an older copy of it (Fiji's, before IANA updated them) is taken as that zone: the name is
    // the calendar's own statement, and IANA's current rules are the better guess for future occurrences.
    const named = [block.component!.getFirstPropertyValue('x-lic-location'), /zoneinfo\/(.+)$/.exec(String(block.component!.getFirstPropertyValue('tzurl') ?? ''))?.[1]]
      .filter((z): z is string => typeof z === 'string')
      .find(isIanaZone);
    if (named) return { zone: named, note: `TZID ${JSON.stringify(tzid)} is read as ${named}, which its VTIMEZONE (line ${block.line}) names; the file's copy of its rules differs from IANA's in ${year}.` };
    return { problem: `TZID ${JSON.stringify(tzid)} is defined by a VTIMEZONE (line ${block.line}) whose clocks match no IANA time zone in ${year}.` };
  }

  return {
    resolve(tzid, year) {
      const cached = named.get(tzid);
      if (cached) return cached;
      const iana = ianaZoneOf(tzid);
      const windows = iana ? null : windowsZoneOf(tzid);
      let answer: ZoneAnswer | null = null;
      if (iana) answer = { zone: iana, note: iana === tzid ? null : `TZID ${JSON.stringify(tzid)} is read as ${iana}.` };
      else if (windows) answer = { zone: windows, note: `TZID ${JSON.stringify(tzid)} is a Windows zone name, read as ${windows} (CLDR table).` };
      if (answer) {
        named.set(tzid, answer);
        return answer;
      }
      const block = byTzid.get(tzid);
      if (block) return fromVtimezone(tzid, block, year);
      const unreadable = broken.length > 0 ? ` (the VTIMEZONE at line ${broken.map((b) => b.line).join(', ')} cannot be read: ${broken[0]!.error})` : '';
      return {
        problem: `TZID ${JSON.stringify(tzid)} is not an IANA time zone such as "Europe/London" nor a Windows zone name, and no VTIMEZONE in the file defines it${unreadable}.`,
      };
    },
  };
}
