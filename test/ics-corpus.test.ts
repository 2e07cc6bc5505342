import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
// NOTE: ical.js is an ES module whose only export is the default namespace object (`import { parse }` fails).
import ICAL from 'ical.js';
import { InputError } from '../src/domain/errors';
import { occurrences, windowRuleIssues } from '../src/domain/schedule/windows';
import { readIcsEvents, type IcsEvent, type IcsReadResult } from '../src/integrations/ical/ics-windows';
import { eachEngine, type Harness } from './support/cabinet';

/**
 * The 163 real .ics files of collective/icalendar's tests (Google, Outlook/Exchange, Thunderbird, khal, the
 * RFC examples, and deliberately broken ones), read by the window import's parse layer; a handful also
 * imported through the API on both engines. docs/schedule.md ("How real files fare") gives the counts that
 * `npx tsx bench/ics-corpus.ts` prints and the last test here checks.
 */
const CORPUS = '/work/shared/data/calendars/ics-corpus';

const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
const FILES = walk(CORPUS)
  .sort()
  .map((file) => file.slice(CORPUS.length + 1));
const text = (name: string) => readFileSync(join(CORPUS, name), 'utf8');
const ics = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//cabinet tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');

/**
 * Whether a strict parser accepts the file as iCalendar: ical.js reads the whole text without an error and
 * finds only VCALENDARs at the top. It refuses a file for any line or value it cannot read (a bad RRULE,
 * a line without a colon, text after END:VCALENDAR).
 */
function strictlyAccepted(body: string): boolean {
  try {
    const jcal = ICAL.parse(body) as unknown[];
    const list = (Array.isArray(jcal[0]) ? jcal : [jcal]) as unknown[][];
    return list.every((component) => component[0] === 'vcalendar');
  } catch {
    return false;
  }
}

/** Words of a JavaScript error rather than of a person: none may reach a report. */
const RAW_ERROR = /TypeError|ReferenceError|RangeError|Cannot read propert|is not a function|undefined|\[object |at \S+ \(/;

type Outcome = { result: IcsReadResult } | { refusal: string };

function readFile(name: string): Outcome {
  try {
    return { result: readIcsEvents(text(name), { timeZone: 'UTC' }) };
  } catch (error) {
    assert.ok(error instanceof InputError, `${name}: ${String(error)}`);
    assert.equal(error.code, 'invalid_calendar', name);
    return { refusal: (error.details.issues as { message: string }[])[0]!.message };
  }
}

const read = (name: string): IcsEvent[] => {
  const outcome = readFile(name);
  assert.ok('result' in outcome, `${name} was refused whole: ${'refusal' in outcome ? outcome.refusal : ''}`);
  return outcome.result.events;
};

/** The occurrences of every window an event became, as `start/minutes` in UTC. */
function occurrencesOf(events: IcsEvent[], from: string, to: string): string[] {
  return events
    .flatMap((e) => e.windows.flatMap((w) => occurrences(w, new Date(from), new Date(to))))
    .sort((a, b) => a.start.getTime() - b.start.getTime())
    .map((o) => `${o.start.toISOString().slice(0, 16)}/${(o.end.getTime() - o.start.getTime()) / 60_000}`);
}

describe('reading every file of the iCalendar corpus', () => {
  it('has the whole corpus to read', () => assert.equal(FILES.length, 163));

  for (const name of FILES) {
    it(`${name}: imports, or names a reason for each refused event, or (broken or without events) is refused whole in plain words`, () => {
      const outcome = readFile(name);
      if ('refusal' in outcome) {
        assert.doesNotMatch(outcome.refusal, RAW_ERROR);
        assert.ok(outcome.refusal.length > 20, outcome.refusal);
        // A file the strict parser reads is refused whole only when there is nothing to import.
        if (strictlyAccepted(text(name))) assert.match(outcome.refusal, /holds no events \(VEVENT\)/);
        return;
      }
      const keys = new Set<string>();
      for (const e of outcome.result.events) {
        const label = `${name} event ${e.index} (line ${e.line})`;
        for (const p of [...e.problems, ...e.notes]) assert.doesNotMatch(p, RAW_ERROR, label);
        if (e.problems.length > 0) {
          assert.deepEqual(e.windows, [], label);
          continue;
        }
        // Imported: at least one valid window, or a changed occurrence that only cancels its occurrence.
        if (e.windows.length === 0) assert.ok(e.recurrenceId && e.notes.some((n) => /cancels the occurrence/.test(n)), `${label}: neither imported nor refused`);
        for (const w of e.windows) {
          assert.deepEqual(windowRuleIssues(w), [], label);
          assert.ok(!keys.has(w.key), `${label}: key ${w.key} twice`);
          keys.add(w.key);
        }
      }
      for (const warning of outcome.result.warnings) assert.doesNotMatch(warning, RAW_ERROR);
    });
  }
});

describe('real files that were refused before', () => {
  it('maps Outlook’s Windows zone names with the CLDR table', () => {
    const [pacific] = read('calendars/timezone_same_start.ics');
    assert.deepEqual(pacific!.windows.map((w) => [w.start, w.timeZone, w.durationMinutes]), [['2017-02-24T12:00', 'America/Los_Angeles', 30]]);
    assert.match(pacific!.notes.join(), /"Pacific Standard Time" is a Windows zone name, read as America\/Los_Angeles/);
    const [eastern] = read('calendars/issue_836_do_not_quote_tzid.ics');
    assert.deepEqual(eastern!.windows.map((w) => [w.start, w.timeZone]), [['2024-10-28T17:00', 'America/New_York']]);
  });

  it('reads a custom TZID as the IANA zone whose clocks match the file’s VTIMEZONE', () => {
    const zoneOf = (name: string) => read(name).map((e) => e.windows[0]?.timeZone ?? e.problems.join(' '));
    assert.deepEqual(zoneOf('calendars/issue_466_respect_unique_timezone.ics'), ['Europe/Berlin']);
    assert.deepEqual(zoneOf('calendars/america_new_york.ics'), ['America/New_York']);
    // Exchange's "(UTC-03:00) Brasília" with Brazil's daylight saving of 2017; "UTC+11" is a fixed offset.
    assert.deepEqual(
      read('calendars/issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics')[0]!.notes,
      ['TZID "(UTC-03:00) Brasília" is read as America/Sao_Paulo, whose clocks match its VTIMEZONE (line 2).'],
    );
    assert.deepEqual(zoneOf('calendars/issue_218_bad_tzid.ics'), ['Etc/GMT-11']);
    // Friday 20:00 in "/Europe/CUSTOM": 18:00 UTC in summer time, 19:00 UTC after the October change.
    assert.deepEqual(occurrencesOf(read('calendars/issue_466_respect_unique_timezone.ics'), '2022-10-20T00:00:00Z', '2022-11-05T00:00:00Z'), [
      '2022-10-21T18:00/60',
      '2022-10-28T18:00/60',
      '2022-11-04T19:00/60',
    ]);
  });

  it('refuses an event in a VTIMEZONE that no IANA zone matches, saying so', () => {
    for (const e of read('calendars/issue_722_timezone_transition_ambiguity.ics')) {
      assert.match(e.problems.join(' '), /TZID "MyTimezone" is defined by a VTIMEZONE \(line 2\) whose clocks match no IANA time zone in 2024/);
    }
  });

  it('keeps RDATE periods, EXDATE and an occurrence changed by RECURRENCE-ID (RFC 7265’s example)', () => {
    const events = read('calendars/rfc_7265_appendix_example_2_ical.ics');
    assert.deepEqual(
      events.map((e) => [e.recurrenceId, e.problems, e.windows.length]),
      [
        [null, [], 3],
        ['2006-01-04 12:00 US/Eastern', [], 1],
      ],
    );
    // Daily at 12:00 New York for five days, the third moved to 14:00, and a two-hour meeting at 15:00 on the first.
    assert.deepEqual(occurrencesOf(events, '2006-01-01T00:00:00Z', '2006-02-01T00:00:00Z'), [
      '2006-01-02T17:00/60',
      '2006-01-02T20:00/120',
      '2006-01-03T17:00/60',
      '2006-01-04T19:00/60',
      '2006-01-05T17:00/60',
      '2006-01-06T17:00/60',
    ]);
    // Third Wednesday of the month, nine times, without 20 December, with a three-hour 13 December instead.
    assert.deepEqual(occurrencesOf(read('calendars/period_with_timezone.ics'), '2023-09-01T00:00:00Z', '2024-07-01T00:00:00Z'), [
      '2023-09-20T19:00/120',
      '2023-10-18T19:00/120',
      '2023-11-15T20:00/120',
      '2023-12-13T20:00/180',
      '2024-01-17T20:00/120',
      '2024-02-21T20:00/120',
      '2024-03-20T19:00/120',
      '2024-04-17T19:00/120',
      '2024-05-15T19:00/120',
    ]);
  });

  it('takes out EXDATEs written in the event’s zone (Google’s export)', () => {
    const found = occurrencesOf(read('events/issue_112_missing_tzinfo_on_exdate.ics'), '2013-10-01T00:00:00Z', '2013-11-01T00:00:00Z');
    assert.deepEqual(found, ['2013-10-04T16:00/300', '2013-10-05T16:00/300', '2013-10-18T16:00/300', '2013-10-19T16:00/300']);
  });

  it('refuses one bad RRULE alone, with its line, and imports the events around it', () => {
    const events = readIcsEvents(
      ics(
        ['BEGIN:VEVENT', 'UID:before', 'SUMMARY:Before', 'DTSTART:20260105T010000Z', 'DURATION:PT1H', 'END:VEVENT'].join('\r\n'),
        ['BEGIN:VEVENT', 'UID:bad', 'SUMMARY:Bad rule', 'DTSTART:20260105T010000Z', 'DURATION:PT1H', 'RRULE:FREQ=FORTNIGHTLY', 'END:VEVENT'].join('\r\n'),
        ['BEGIN:VEVENT', 'UID:after', 'SUMMARY:After', 'DTSTART:20260105T030000Z', 'DURATION:PT1H', 'RRULE:FREQ=WEEKLY', 'END:VEVENT'].join('\r\n'),
      ),
      { timeZone: 'UTC' },
    ).events;
    assert.deepEqual(
      events.map((e) => [e.uid, e.summary, e.windows.length, e.problems]),
      [
        ['before', 'Before', 1, []],
        ['bad', 'Bad rule', 0, ['it cannot be read: line 15: invalid frequency "FORTNIGHTLY" expected: "SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY"']],
        ['after', 'After', 1, []],
      ],
    );
    const [chinese, thirteenth] = read('calendars/rfc_7529.ics');
    assert.deepEqual(thirteenth!.problems, ['it cannot be read: line 14: BYMONTH: invalid value "13" must be < 1']);
    assert.deepEqual(chinese!.problems, ['RRULE RSCALE is not an RRULE part.']);
  });

  it('reads the event of a file with text after END:VCALENDAR (which made ical.js throw a TypeError) and says what it ignored', () => {
    const outcome = readFile('calendars/issue_350.ics');
    assert.ok('result' in outcome);
    assert.deepEqual(outcome.result.events.map((e) => [e.uid, e.problems, e.windows.length]), [['20055546456446', [], 1]]);
    assert.match(outcome.result.warnings.join(), /^line 36: "X-COMMENT:.*" is outside any component and was ignored\.$/);
  });

  it('counts what the corpus does as docs/schedule.md says', () => {
    const counts = { clean: 0, someRefused: 0, allRefused: 0, refusedWhole: 0, events: 0, eventsImported: 0 };
    for (const name of FILES) {
      const outcome = readFile(name);
      if ('refusal' in outcome) {
        counts.refusedWhole++;
        continue;
      }
      const refused = outcome.result.events.filter((e) => e.problems.length > 0).length;
      counts.events += outcome.result.events.length;
      counts.eventsImported += outcome.result.events.length - refused;
      counts[refused === 0 ? 'clean' : refused < outcome.result.events.length ? 'someRefused' : 'allRefused']++;
    }
    assert.deepEqual(counts, { clean: 46, someRefused: 1, allRefused: 77, refusedWhole: 39, events: 163, eventsImported: 55 });
  });
});

function importFile(h: Harness, body: string, query: string) {
  return h.request('POST', `/api/v1/windows/import?${query}`, { body, headers: { 'content-type': 'text/calendar; charset=utf-8' } });
}

describe('importing real files through the API', () => {
  eachEngine('stores Windows-zone, custom-VTIMEZONE and RDATE/RECURRENCE-ID events with their occurrences, and refuses the bad event alone', async (h) => {
    const files = ['calendars/timezone_same_start.ics', 'calendars/issue_466_respect_unique_timezone.ics', 'calendars/rfc_7265_appendix_example_2_ical.ics', 'calendars/rfc_7529.ics'];
    const reports = [];
    for (const name of files) {
      const res = await importFile(h, text(name), 'kind=freeze&global=true');
      assert.equal(res.status, 200, `${name}: ${res.text}`);
      reports.push(res.body);
    }
    assert.deepEqual(
      reports.map((r) => [r.created, r.refused]),
      [
        [1, 0],
        [1, 0],
        [2, 0],
        [0, 4],
      ],
    );
    const list = await h.request('GET', '/api/v1/windows?limit=500');
    assert.equal(list.body.items.length, 1 + 1 + 4);
    const schedule = async (from: string, to: string) => {
      const res = await h.request('GET', `/api/v1/schedule/windows?from=${from}&to=${to}`);
      assert.equal(res.status, 200, res.text);
      return res.body.items.map((o: { start: string; end: string }) => `${o.start.slice(0, 16)}/${(Date.parse(o.end) - Date.parse(o.start)) / 60_000}`);
    };
    assert.deepEqual(await schedule('2017-02-24T00:00:00Z', '2017-02-25T00:00:00Z'), ['2017-02-24T20:00/30']);
    assert.deepEqual(await schedule('2022-10-27T00:00:00Z', '2022-11-05T00:00:00Z'), ['2022-10-28T18:00/60', '2022-11-04T19:00/60']);
    assert.deepEqual(await schedule('2006-01-01T00:00:00Z', '2006-02-01T00:00:00Z'), [
      '2006-01-02T17:00/60',
      '2006-01-02T20:00/120',
      '2006-01-03T17:00/60',
      '2006-01-04T19:00/60',
      '2006-01-05T17:00/60',
      '2006-01-06T17:00/60',
    ]);

    // Imported again as maintenance windows: the same six windows change kind.
    const again = await importFile(h, text('calendars/rfc_7265_appendix_example_2_ical.ics'), 'kind=maintenance&global=true');
    assert.deepEqual([again.body.updated, again.body.created, again.body.removed], [2, 0, 0]);
    const kinds = (await h.request('GET', '/api/v1/windows?limit=500')).body.items.map((w: { kind: string }) => w.kind).sort();
    assert.deepEqual(kinds, ['freeze', 'freeze', 'maintenance', 'maintenance', 'maintenance', 'maintenance']);
  });
});
