import { afterEach, describe, expect, it } from 'vitest';
import {
  browserTimeZone,
  displayTimeZone,
  formatDateTime,
  formatRange,
  fromZonedDate,
  isoToLocalInput,
  localInputToIso,
  setDisplayTimeZone,
  toZonedDate,
  withLocalTimes,
  zoneAbbreviation,
  zoneWords,
} from './format';

afterEach(() => setDisplayTimeZone(null));

describe('the display time zone', () => {
  it('is the browser’s until the person chooses one, and ignores a zone the browser does not know', () => {
    expect(displayTimeZone()).toBe(browserTimeZone());
    setDisplayTimeZone('Asia/Tokyo');
    expect(displayTimeZone()).toBe('Asia/Tokyo');
    setDisplayTimeZone('Mars/Olympus');
    expect(displayTimeZone()).toBe(browserTimeZone());
  });

  it.each([
    ['Europe/Amsterdam', '2026-12-12T21:00:00.000Z', /22:00|10:00\sPM/, /CET|GMT\+1/],
    ['Europe/Amsterdam', '2026-07-12T21:00:00.000Z', /23:00|11:00\sPM/, /CEST|GMT\+2/],
    ['America/New_York', '2026-12-12T21:00:00.000Z', /16:00|4:00\sPM/, /EST|GMT-5/],
    ['Asia/Tokyo', '2026-12-12T21:00:00.000Z', /06:00|6:00\sAM/, /GMT\+9|JST/],
    ['UTC', '2026-12-12T21:00:00.000Z', /21:00|9:00\sPM/, /UTC/],
  ])('shows every time with its zone: %s %s', (zone, iso, time, name) => {
    setDisplayTimeZone(zone);
    const shown = formatDateTime(iso);
    expect(shown).toMatch(time);
    expect(shown).toMatch(name);
    expect(shown).toMatch(/2026/);
  });

  it('says an interval’s zone once, and names the zone for notes', () => {
    setDisplayTimeZone('Europe/Amsterdam');
    expect(formatRange('2027-01-02T23:00:00.000Z', '2027-01-03T01:00:00.000Z')).toMatch(
      /^3 Jan 2027, 00:00–02:00 (CET|GMT\+1)$|^Jan 3, 2027, 12:00\sAM–2:00\sAM (CET|GMT\+1)$/,
    );
    expect(zoneAbbreviation('2026-07-01T00:00:00Z')).toMatch(/CEST|GMT\+2/);
    expect(zoneWords('2026-12-01T00:00:00Z')).toMatch(/^Europe\/Amsterdam \((CET|GMT\+1)\)$/);
    setDisplayTimeZone('UTC');
    expect(zoneWords()).toBe('UTC');
    expect(formatDateTime(null)).toBe('—');
  });

  it('writes the instants in a server message in the display zone, and leaves the rest as it is', () => {
    setDisplayTimeZone('Europe/Amsterdam');
    const message = 'The freeze "Year end" is in force until 2026-12-31T23:00:00.000Z. CHG0000042 is planned from 2027-01-02T08:30:00Z.';
    const shown = withLocalTimes(message);
    expect(shown).toContain('The freeze "Year end" is in force until ');
    expect(shown).toContain(formatDateTime('2026-12-31T23:00:00.000Z'));
    expect(shown).toContain(`CHG0000042 is planned from ${formatDateTime('2027-01-02T08:30:00Z')}.`);
    expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(shown).toMatch(/1 Jan 2027|Jan 1, 2027/);
    expect(withLocalTimes('No change covers this deployment now.')).toBe('No change covers this deployment now.');
  });
});

describe('time inputs in the display zone', () => {
  it.each([
    ['Europe/Amsterdam', '2026-12-12T22:00', '2026-12-12T21:00:00.000Z'],
    ['Europe/Amsterdam', '2026-07-12T22:00', '2026-07-12T20:00:00.000Z'],
    ['America/New_York', '2026-12-12T22:00', '2026-12-13T03:00:00.000Z'],
    ['Asia/Kolkata', '2026-12-12T22:00', '2026-12-12T16:30:00.000Z'],
    // 29 March 2026: Amsterdam skips 02:00–03:00; a time in the gap moves forward by it.
    ['Europe/Amsterdam', '2026-03-29T02:30', '2026-03-29T01:30:00.000Z'],
    // 25 October 2026: 02:30 happens twice in Amsterdam; the earlier one is taken.
    ['Europe/Amsterdam', '2026-10-25T02:30', '2026-10-25T00:30:00.000Z'],
  ])('reads %s %s as %s and shows it back', (zone, local, iso) => {
    setDisplayTimeZone(zone);
    expect(localInputToIso(local)).toBe(iso);
    if (!local.startsWith('2026-03-29')) expect(isoToLocalInput(iso)).toBe(local);
  });

  it('refuses what is not a date and time', () => {
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('2026-02-30T10:00')).toBeNull();
    expect(localInputToIso('tomorrow')).toBeNull();
    expect(isoToLocalInput(null)).toBe('');
  });
});

describe('zoned dates for the calendar', () => {
  it('turns an instant into a Date whose local fields read the display zone, and back', () => {
    setDisplayTimeZone('Asia/Tokyo');
    const d = toZonedDate('2026-12-12T21:00:00.000Z');
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2026, 11, 13, 6, 0]);
    expect(fromZonedDate(d).toISOString()).toBe('2026-12-12T21:00:00.000Z');
    // A local midnight of the calendar is Tokyo's midnight.
    expect(fromZonedDate(new Date(2026, 11, 14)).toISOString()).toBe('2026-12-13T15:00:00.000Z');
  });

  it('changes nothing when the display zone is the browser’s', () => {
    const t = '2026-12-12T21:17:00.000Z';
    expect(toZonedDate(t).toISOString()).toBe(t);
    expect(fromZonedDate(new Date(t)).toISOString()).toBe(t);
  });
});
