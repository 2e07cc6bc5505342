import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { occurrences, overlaps, windowRuleIssues, within, type WindowRule } from '../src/domain/schedule/windows';

const iso = (d: Date) => d.toISOString();
const at = (s: string) => new Date(s);
const starts = (rule: WindowRule, from: string, to: string, limit?: number) =>
  occurrences(rule, at(from), at(to), limit).map((o) => iso(o.start));

const SATURDAY_NIGHT_LONDON: WindowRule = {
  start: '2026-03-07T22:00',
  timeZone: 'Europe/London',
  durationMinutes: 240,
  rrule: 'FREQ=WEEKLY;BYDAY=SA',
};

describe('window rules: one-off windows', () => {
  it('converts a one-off local start to its instant and adds the duration', () => {
    const [o, ...rest] = occurrences(
      { start: '2026-06-10T09:30', timeZone: 'Europe/London', durationMinutes: 90, rrule: null },
      at('2026-06-01T00:00Z'),
      at('2026-07-01T00:00Z'),
    );
    assert.equal(rest.length, 0);
    assert.equal(iso(o!.start), '2026-06-10T08:30:00.000Z');
    assert.equal(iso(o!.end), '2026-06-10T10:00:00.000Z');
  });

  it('returns nothing for a one-off window outside the range, and nothing for an empty range', () => {
    const rule: WindowRule = { start: '2026-06-10T09:30', timeZone: 'UTC', durationMinutes: 60, rrule: null };
    assert.deepEqual(starts(rule, '2026-06-10T10:30Z', '2026-06-11T00:00Z'), []);
    assert.deepEqual(starts(rule, '2026-06-01T00:00Z', '2026-06-10T09:30Z'), [], 'a window starting exactly at `to` does not overlap');
    assert.deepEqual(starts(rule, '2026-06-10T09:45Z', '2026-06-10T09:45Z'), []);
  });
});

describe('window rules: weekly windows keep their local time across daylight-saving changes', () => {
  it('Saturday 22:00 Europe/London is 22:00Z in winter and 21:00Z in summer (spring change on 29 March 2026)', () => {
    assert.deepEqual(starts(SATURDAY_NIGHT_LONDON, '2026-03-20T00:00Z', '2026-04-12T00:00Z'), [
      '2026-03-21T22:00:00.000Z',
      '2026-03-28T22:00:00.000Z',
      '2026-04-04T21:00:00.000Z',
      '2026-04-11T21:00:00.000Z',
    ]);
  });

  it('Saturday 22:00 Europe/London across the autumn change on 25 October 2026', () => {
    const found = occurrences(SATURDAY_NIGHT_LONDON, at('2026-10-16T00:00Z'), at('2026-11-08T00:00Z'));
    assert.deepEqual(
      found.map((o) => [iso(o.start), iso(o.end)]),
      [
        ['2026-10-17T21:00:00.000Z', '2026-10-18T01:00:00.000Z'],
        // Runs into the change: four elapsed hours, ending 01:00 GMT local.
        ['2026-10-24T21:00:00.000Z', '2026-10-25T01:00:00.000Z'],
        ['2026-10-31T22:00:00.000Z', '2026-11-01T02:00:00.000Z'],
        ['2026-11-07T22:00:00.000Z', '2026-11-08T02:00:00.000Z'],
      ],
    );
  });

  it('Sunday 09:00 America/New_York across 8 March and 1 November 2026', () => {
    const rule: WindowRule = {
      start: '2026-01-04T09:00',
      timeZone: 'America/New_York',
      durationMinutes: 120,
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
    };
    assert.deepEqual(starts(rule, '2026-02-28T00:00Z', '2026-03-16T00:00Z'), [
      '2026-03-01T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-15T13:00:00.000Z',
    ]);
    assert.deepEqual(starts(rule, '2026-10-24T00:00Z', '2026-11-09T00:00Z'), [
      '2026-10-25T13:00:00.000Z',
      '2026-11-01T14:00:00.000Z',
      '2026-11-08T14:00:00.000Z',
    ]);
  });

  it('weekends with BYDAY=SA,SU and INTERVAL=2 (every other week)', () => {
    const rule: WindowRule = {
      start: '2026-01-03T00:00',
      timeZone: 'UTC',
      durationMinutes: 60,
      rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU',
    };
    assert.deepEqual(starts(rule, '2026-01-01T00:00Z', '2026-01-25T00:00Z'), [
      '2026-01-03T00:00:00.000Z',
      '2026-01-04T00:00:00.000Z',
      '2026-01-17T00:00:00.000Z',
      '2026-01-18T00:00:00.000Z',
    ]);
  });
});

describe('window rules: monthly, UNTIL and COUNT', () => {
  it('first Sunday of the month at 02:00 London, through the spring change', () => {
    const rule: WindowRule = {
      start: '2026-01-04T02:00',
      timeZone: 'Europe/London',
      durationMinutes: 180,
      rrule: 'FREQ=MONTHLY;BYDAY=1SU;COUNT=12',
    };
    assert.deepEqual(starts(rule, '2026-01-01T00:00Z', '2026-07-01T00:00Z'), [
      '2026-01-04T02:00:00.000Z',
      '2026-02-01T02:00:00.000Z',
      '2026-03-01T02:00:00.000Z',
      '2026-04-05T01:00:00.000Z',
      '2026-05-03T01:00:00.000Z',
      '2026-06-07T01:00:00.000Z',
    ]);
  });

  it('COUNT counts from the first occurrence, not from the start of the range', () => {
    const rule: WindowRule = {
      start: '2026-01-04T02:00',
      timeZone: 'Europe/London',
      durationMinutes: 180,
      rrule: 'FREQ=MONTHLY;BYDAY=1SU;COUNT=12',
    };
    const all = starts(rule, '2025-01-01T00:00Z', '2030-01-01T00:00Z');
    assert.equal(all.length, 12);
    assert.equal(all.at(-1), '2026-12-06T02:00:00.000Z');
    assert.deepEqual(starts(rule, '2026-11-01T00:00Z', '2030-01-01T00:00Z'), ['2026-11-01T02:00:00.000Z', '2026-12-06T02:00:00.000Z']);
  });

  it('a UTC UNTIL is compared with instants, inclusively (Sunday 00:00 BST is Saturday 23:00Z)', () => {
    const base = { start: '2026-04-04T00:00', timeZone: 'Europe/London', durationMinutes: 60 };
    const included = starts({ ...base, rrule: 'FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20260411T230000Z' }, '2026-04-01T00:00Z', '2026-05-01T00:00Z');
    assert.deepEqual(included, [
      '2026-04-03T23:00:00.000Z',
      '2026-04-04T23:00:00.000Z',
      '2026-04-10T23:00:00.000Z',
      '2026-04-11T23:00:00.000Z',
    ]);
    const excluded = starts({ ...base, rrule: 'FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20260411T225959Z' }, '2026-04-01T00:00Z', '2026-05-01T00:00Z');
    assert.deepEqual(excluded, included.slice(0, 3));
  });

  it('an UNTIL without Z is local time in the window zone', () => {
    const rule: WindowRule = {
      start: '2026-04-04T00:00',
      timeZone: 'Europe/London',
      durationMinutes: 60,
      rrule: 'FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20260412T000000',
    };
    assert.equal(starts(rule, '2026-04-01T00:00Z', '2026-05-01T00:00Z').at(-1), '2026-04-11T23:00:00.000Z');
  });

  it('reads a lower-case rule like an upper-case one', () => {
    const rule: WindowRule = {
      start: '2026-01-03T22:00',
      timeZone: 'Europe/London',
      durationMinutes: 60,
      rrule: 'freq=weekly;byday=sa;count=2',
    };
    assert.deepEqual(windowRuleIssues(rule), []);
    assert.deepEqual(starts(rule, '2026-01-01T00:00Z', '2027-01-01T00:00Z'), ['2026-01-03T22:00:00.000Z', '2026-01-10T22:00:00.000Z']);
  });

  it('nothing before the first occurrence', () => {
    assert.deepEqual(starts(SATURDAY_NIGHT_LONDON, '2026-01-01T00:00Z', '2026-03-07T00:00Z'), []);
  });
});

describe('window rules: ranges and limits', () => {
  it('returns an occurrence that started before `from` and is still running', () => {
    // Saturday 4 April 22:00 BST = 21:00Z, runs to 01:00Z on Sunday.
    assert.deepEqual(starts(SATURDAY_NIGHT_LONDON, '2026-04-05T00:30Z', '2026-04-06T00:00Z'), ['2026-04-04T21:00:00.000Z']);
    assert.deepEqual(
      starts(SATURDAY_NIGHT_LONDON, '2026-04-05T01:00Z', '2026-04-06T00:00Z'),
      [],
      'an occurrence ending exactly at `from` does not overlap',
    );
  });

  it('stops at the limit', () => {
    assert.deepEqual(starts(SATURDAY_NIGHT_LONDON, '2026-03-01T00:00Z', '2027-01-01T00:00Z', 2), [
      '2026-03-07T22:00:00.000Z',
      '2026-03-14T22:00:00.000Z',
    ]);
  });

  it('expands a daily rule over 90 days to 90 occurrences, each at 03:00 London', () => {
    const rule: WindowRule = { start: '2026-01-01T03:00', timeZone: 'Europe/London', durationMinutes: 60, rrule: 'FREQ=DAILY' };
    const found = occurrences(rule, at('2026-01-01T00:00Z'), at('2026-04-01T00:00Z'));
    assert.equal(found.length, 90);
    assert.equal(new Set(found.map((o) => o.start.getTime())).size, 90);
    assert.equal(iso(found[0]!.start), '2026-01-01T03:00:00.000Z');
    assert.equal(iso(found.at(-1)!.start), '2026-03-31T02:00:00.000Z');
  });
});

describe('window rules: local times that do not exist or exist twice', () => {
  const oneOff = (start: string, timeZone: string) =>
    starts({ start, timeZone, durationMinutes: 30, rrule: null }, '2026-01-01T00:00Z', '2027-01-01T00:00Z')[0];
  const cases: [string, string, string, string][] = [
    [
      'London gap: 01:30 on 29 March does not exist, shifts forward to 02:30 BST',
      '2026-03-29T01:30',
      'Europe/London',
      '2026-03-29T01:30:00.000Z',
    ],
    ['London: just before the gap', '2026-03-29T00:59', 'Europe/London', '2026-03-29T00:59:00.000Z'],
    ['London: the end of the gap', '2026-03-29T02:00', 'Europe/London', '2026-03-29T01:00:00.000Z'],
    [
      'London overlap: 01:30 on 25 October happens twice, the earlier (BST) one is taken',
      '2026-10-25T01:30',
      'Europe/London',
      '2026-10-25T00:30:00.000Z',
    ],
    ['London: just after the overlap', '2026-10-25T02:00', 'Europe/London', '2026-10-25T02:00:00.000Z'],
    ['New York gap: 02:30 on 8 March shifts forward to 03:30 EDT', '2026-03-08T02:30', 'America/New_York', '2026-03-08T07:30:00.000Z'],
    ['New York overlap: 01:30 on 1 November, the earlier (EDT) one', '2026-11-01T01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    [
      'Lord Howe 30-minute gap: 02:15 on 4 October shifts forward to 02:45 (+11:00)',
      '2026-10-04T02:15',
      'Australia/Lord_Howe',
      '2026-10-03T15:45:00.000Z',
    ],
    [
      'Lord Howe 30-minute overlap: 01:45 on 5 April, the earlier (+11:00) one',
      '2026-04-05T01:45',
      'Australia/Lord_Howe',
      '2026-04-04T14:45:00.000Z',
    ],
  ];
  for (const [name, start, zone, expected] of cases) {
    it(name, () => assert.equal(oneOff(start, zone), expected));
  }

  it('a recurring time that falls in the gap happens once, shifted, and is not doubled', () => {
    const rule: WindowRule = {
      start: '2026-03-28T01:30',
      timeZone: 'Europe/London',
      durationMinutes: 30,
      rrule: 'FREQ=DAILY;BYHOUR=1,2;BYMINUTE=30',
    };
    assert.deepEqual(starts(rule, '2026-03-28T00:00Z', '2026-03-31T00:00Z'), [
      '2026-03-28T01:30:00.000Z',
      '2026-03-28T02:30:00.000Z',
      // 01:30 local does not exist and becomes 02:30 BST, the same instant as the 02:30 occurrence.
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-30T01:30:00.000Z',
    ]);
  });
});

describe('window rules: zones with unusual offsets', () => {
  it('Asia/Kolkata (+05:30, no daylight saving) keeps 02:00 local at 20:30Z the day before', () => {
    const rule: WindowRule = { start: '2026-01-03T02:00', timeZone: 'Asia/Kolkata', durationMinutes: 60, rrule: 'FREQ=WEEKLY;BYDAY=SA' };
    assert.deepEqual(starts(rule, '2026-01-01T00:00Z', '2026-01-20T00:00Z'), [
      '2026-01-02T20:30:00.000Z',
      '2026-01-09T20:30:00.000Z',
      '2026-01-16T20:30:00.000Z',
    ]);
    assert.equal(starts(rule, '2026-07-01T00:00Z', '2026-07-05T00:00Z')[0], '2026-07-03T20:30:00.000Z');
  });

  it('Australia/Lord_Howe (+10:30 / +11:00) moves by 30 minutes across its changes', () => {
    const rule: WindowRule = { start: '2026-01-01T12:00', timeZone: 'Australia/Lord_Howe', durationMinutes: 60, rrule: 'FREQ=DAILY' };
    assert.deepEqual(starts(rule, '2026-04-03T12:00Z', '2026-04-06T00:00Z'), ['2026-04-04T01:00:00.000Z', '2026-04-05T01:30:00.000Z']);
    assert.deepEqual(starts(rule, '2026-10-02T12:00Z', '2026-10-05T00:00Z'), ['2026-10-03T01:30:00.000Z', '2026-10-04T01:00:00.000Z']);
  });
});

describe('overlaps', () => {
  const span = (a: string, b: string) => ({ start: at(a), end: at(b) });
  const cases: [string, ReturnType<typeof span>, ReturnType<typeof span>, boolean][] = [
    [
      'end touching start does not overlap',
      span('2026-01-01T10:00Z', '2026-01-01T11:00Z'),
      span('2026-01-01T11:00Z', '2026-01-01T12:00Z'),
      false,
    ],
    [
      'start touching end does not overlap',
      span('2026-01-01T11:00Z', '2026-01-01T12:00Z'),
      span('2026-01-01T10:00Z', '2026-01-01T11:00Z'),
      false,
    ],
    ['one minute of overlap counts', span('2026-01-01T10:00Z', '2026-01-01T11:01Z'), span('2026-01-01T11:00Z', '2026-01-01T12:00Z'), true],
    ['containment overlaps', span('2026-01-01T09:00Z', '2026-01-01T13:00Z'), span('2026-01-01T11:00Z', '2026-01-01T12:00Z'), true],
    [
      'disjoint intervals do not overlap',
      span('2026-01-01T09:00Z', '2026-01-01T10:00Z'),
      span('2026-01-01T11:00Z', '2026-01-01T12:00Z'),
      false,
    ],
  ];
  for (const [name, a, b, expected] of cases) {
    it(name, () => assert.equal(overlaps(a, b), expected));
  }
});

describe('within', () => {
  // Saturday 4 April 2026: 22:00-02:00 BST = 21:00Z-01:00Z.
  const cases: [string, string, string, boolean][] = [
    ['exactly the occurrence', '2026-04-04T21:00Z', '2026-04-05T01:00Z', true],
    ['inside it', '2026-04-04T22:00Z', '2026-04-04T23:00Z', true],
    ['one minute too late at the end', '2026-04-04T21:00Z', '2026-04-05T01:01Z', false],
    ['one minute too early at the start (22:00Z would be right in winter)', '2026-04-04T20:59Z', '2026-04-04T22:00Z', false],
    ['on a weekday', '2026-04-07T21:00Z', '2026-04-07T22:00Z', false],
    ['an empty interval', '2026-04-04T22:00Z', '2026-04-04T22:00Z', false],
  ];
  for (const [name, start, end, expected] of cases) {
    it(`${name}: ${expected}`, () => assert.equal(within(SATURDAY_NIGHT_LONDON, at(start), at(end)), expected));
  }

  it('an interval across two back-to-back occurrences is not within one of them', () => {
    const daily: WindowRule = { start: '2026-01-01T00:00', timeZone: 'UTC', durationMinutes: 1440, rrule: 'FREQ=DAILY' };
    assert.equal(within(daily, at('2026-01-01T23:00Z'), at('2026-01-02T01:00Z')), false);
    assert.equal(within(daily, at('2026-01-02T01:00Z'), at('2026-01-02T23:00Z')), true);
  });
});

describe('windowRuleIssues', () => {
  it('accepts valid rules, including the 31-day maximum duration', () => {
    assert.deepEqual(windowRuleIssues(SATURDAY_NIGHT_LONDON), []);
    assert.deepEqual(windowRuleIssues({ start: '2028-02-29T00:00', timeZone: 'UTC', durationMinutes: 44_640, rrule: null }), []);
    assert.deepEqual(windowRuleIssues({ ...SATURDAY_NIGHT_LONDON, rrule: 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1;WKST=MO' }), []);
  });

  it('reports every problem at once, each with its path', () => {
    const issues = windowRuleIssues({
      start: '2026-02-30T25:00',
      timeZone: 'Mars/Olympus_Mons',
      durationMinutes: 0,
      rrule: 'FREQ=SECONDLY;BYDAY=XX;COUNT=0',
    });
    assert.deepEqual(
      issues.map((i) => i.path),
      ['start', 'timeZone', 'durationMinutes', 'rrule', 'rrule', 'rrule'],
    );
    assert.match(issues[3]!.message, /FREQ=SECONDLY is not supported/);
    assert.match(issues[4]!.message, /BYDAY/);
    assert.match(issues[5]!.message, /COUNT must be a positive whole number/);
  });

  const invalid: [string, Partial<WindowRule>, string, RegExp][] = [
    ['a start with seconds', { start: '2026-01-01T10:00:00' }, 'start', /YYYY-MM-DDTHH:mm/],
    ['31 April', { start: '2026-04-31T10:00' }, 'start', /real calendar date/],
    ['29 February in a common year', { start: '2026-02-29T10:00' }, 'start', /real calendar date/],
    ['an offset instead of a zone', { timeZone: '+05:30' }, 'timeZone', /IANA/],
    ['an empty zone', { timeZone: '' }, 'timeZone', /IANA/],
    ['a negative duration', { durationMinutes: -5 }, 'durationMinutes', /1 to 44640/],
    ['a fractional duration', { durationMinutes: 1.5 }, 'durationMinutes', /whole number/],
    ['a duration over 31 days', { durationMinutes: 44_641 }, 'durationMinutes', /31 days/],
    ['FREQ=MINUTELY', { rrule: 'FREQ=MINUTELY' }, 'rrule', /not supported/],
    ['FREQ=HOURLY', { rrule: 'FREQ=HOURLY' }, 'rrule', /not supported/],
    ['an unknown frequency', { rrule: 'FREQ=FORTNIGHTLY' }, 'rrule', /not a frequency/],
    ['no FREQ', { rrule: 'BYDAY=MO' }, 'rrule', /FREQ is required/],
    ['a DTSTART inside the rule', { rrule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY' }, 'rrule', /no DTSTART/],
    ['a DTSTART part', { rrule: 'FREQ=DAILY;DTSTART=20260101T000000Z' }, 'rrule', /no DTSTART/],
    ['an RRULE: prefix', { rrule: 'RRULE:FREQ=DAILY' }, 'rrule', /bare RRULE value/],
    ['an unknown part', { rrule: 'FREQ=DAILY;COLOUR=RED' }, 'rrule', /COLOUR is not an RRULE part/],
    ['a malformed part', { rrule: 'FREQ=DAILY;;' }, 'rrule', /NAME=VALUE/],
    ['a repeated part', { rrule: 'FREQ=DAILY;FREQ=WEEKLY' }, 'rrule', /more than once/],
    ['COUNT and UNTIL together', { rrule: 'FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z' }, 'rrule', /cannot both/],
    ['a malformed UNTIL', { rrule: 'FREQ=DAILY;UNTIL=2027-01-01' }, 'rrule', /UNTIL must be a date-time/],
    ['a positioned BYDAY in a weekly rule', { rrule: 'FREQ=WEEKLY;BYDAY=1MO' }, 'rrule', /needs FREQ=MONTHLY/],
    ['BYMONTHDAY=0', { rrule: 'FREQ=MONTHLY;BYMONTHDAY=0' }, 'rrule', /not 0/],
    ['BYMONTH=13', { rrule: 'FREQ=YEARLY;BYMONTH=13' }, 'rrule', /between 1 and 12/],
    ['an empty rule', { rrule: '' }, 'rrule', /non-empty/],
  ];
  for (const [name, patch, path, message] of invalid) {
    it(`rejects ${name}`, () => {
      const issues = windowRuleIssues({ ...SATURDAY_NIGHT_LONDON, ...patch });
      assert.ok(issues.length > 0, 'expected an issue');
      assert.deepEqual([...new Set(issues.map((i) => i.path))], [path]);
      assert.ok(
        issues.some((i) => message.test(i.message)),
        issues.map((i) => i.message).join(' | '),
      );
    });
  }

  it('occurrences() and within() refuse an invalid rule with the problems in the message', () => {
    const bad: WindowRule = { ...SATURDAY_NIGHT_LONDON, timeZone: 'Nowhere/Special' };
    assert.throws(() => occurrences(bad, at('2026-01-01T00:00Z'), at('2026-02-01T00:00Z')), /timeZone: must be an IANA time zone/);
    assert.throws(() => within(bad, at('2026-01-01T00:00Z'), at('2026-01-01T01:00Z')), RangeError);
  });
});

describe('window rules: old recurring windows', () => {
  const iso = (list: { start: Date; end: Date }[]) => list.map((o) => [o.start.toISOString(), o.end.toISOString()]);

  it('expands a fortnightly window made years ago with the same phase, weekdays and DST times as a full expansion', () => {
    const rule: WindowRule = {
      start: '2019-01-05T22:00',
      timeZone: 'Europe/London',
      durationMinutes: 240,
      rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU',
    };
    const from = new Date('2026-10-01T00:00:00Z');
    const to = new Date('2026-11-15T00:00:00Z');
    // The whole history from the first occurrence, cut to the range, is what the fast path must give.
    const full = occurrences(rule, new Date('2019-01-01T00:00:00Z'), to).filter((o) => o.end.getTime() > from.getTime());
    const fast = occurrences(rule, from, to);
    assert.deepEqual(iso(fast), iso(full));
    // The fortnight phase counts from 5 January 2019. Saturday 17 October 2026 22:00 is BST (21:00Z); the
    // fortnight after, 31 October, is GMT (22:00Z): the clocks went back on 25 October.
    assert.deepEqual(
      fast.map((o) => o.start.toISOString()),
      [
        '2026-10-03T21:00:00.000Z',
        '2026-10-04T21:00:00.000Z',
        '2026-10-17T21:00:00.000Z',
        '2026-10-18T21:00:00.000Z',
        '2026-10-31T22:00:00.000Z',
        '2026-11-01T22:00:00.000Z',
        '2026-11-14T22:00:00.000Z',
      ],
    );
  });

  it('keeps a daily window with COUNT to its count however late the range', () => {
    const rule: WindowRule = { start: '2020-03-01T09:00', timeZone: 'UTC', durationMinutes: 60, rrule: 'FREQ=DAILY;COUNT=3' };
    assert.deepEqual(occurrences(rule, new Date('2026-01-01T00:00:00Z'), new Date('2026-12-31T00:00:00Z')), []);
    assert.equal(occurrences(rule, new Date('2020-01-01T00:00:00Z'), new Date('2026-12-31T00:00:00Z')).length, 3);
  });
});
