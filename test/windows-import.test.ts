import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { readIcsEvents, type IcsEvent, type IcsWindowDraft } from '../src/integrations/ical/ics-windows';
import { InputError } from '../src/domain/errors';
import { occurrences } from '../src/domain/schedule/windows';
import { eachEngine, type Harness } from './support/cabinet';

const CALENDARS = '/work/shared/data/calendars';
const CORPUS = join(CALENDARS, 'ics-corpus');
const OPENSTACK = join(CALENDARS, 'openstack-releases');

const ics = (...events: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//cabinet tests//EN', ...events, 'END:VCALENDAR', ''].join('\r\n');
const vevent = (...lines: string[]) => ['BEGIN:VEVENT', ...lines, 'END:VEVENT'].join('\r\n');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
}

/** Freeze-like milestones of the OpenStack release schedule ("a-ff" feature freeze, "a-rf" requirements freeze …). */
const FREEZE_KEYS: Record<string, string> = { ff: 'Feature freeze', rf: 'Requirements freeze', 'soft-sf': 'Soft string freeze', 'hard-sf': 'Hard string freeze', mf: 'Membership freeze', 'extra-atc-freeze': 'Extra-ATC freeze' };

/**
 * The OpenStack schedules are YAML (weeks with milestone keys), not iCalendar; this renders each freeze week
 * of one cycle as an all-day VEVENT from Monday to the Saturday after its last day, as a calendar export would.
 */
function openstackIcs(file: string): { text: string; uids: string[] } {
  const cycle = basename(file, '.schedule.yaml');
  const doc = parseYaml(readFileSync(file, 'utf8')) as { cycle: { start: string; end: string; name?: string; 'x-project'?: string[] }[] };
  const events: string[] = [];
  const uids: string[] = [];
  for (const week of doc.cycle) {
    for (const key of week['x-project'] ?? []) {
      const what = FREEZE_KEYS[key.replace(/^[a-z]-/, '')];
      // Keys of the next cycle (b-…) appear in this file too; each file imports only its own cycle's freezes.
      if (!what || key[0] !== cycle[0]) continue;
      const uid = `${cycle}-${key}@releases.openstack.org`;
      const endExclusive = new Date(Date.parse(`${week.end}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      uids.push(uid);
      events.push(vevent(`UID:${uid}`, `SUMMARY:${cycle}: ${what} (${week.name ?? week.start})`, `DTSTART;VALUE=DATE:${week.start.replace(/-/g, '')}`, `DTEND;VALUE=DATE:${endExclusive.replace(/-/g, '')}`));
    }
  }
  return { text: ics(...events), uids };
}

function importIcs(h: Harness, text: string, query: string, token?: string) {
  return h.request('POST', `/api/v1/windows/import?${query}`, { body: text, headers: { 'content-type': 'text/calendar; charset=utf-8' }, token });
}

async function windowCount(h: Harness): Promise<number> {
  const res = await h.request('GET', '/api/v1/windows?limit=500');
  assert.equal(res.status, 200, res.text);
  return res.body.items.length;
}

/**
 * Corpus files whose structure is broken (a component that never ends, a line that names no component), or
 * that hold no VEVENT: they must be refused whole. Every other file reaches its events, and a bad event is
 * refused alone (test/ics-corpus.test.ts checks each file).
 */
const BROKEN = [
  'calendars/big_bad_calendar.ics',
  'calendars/small_bad_calendar.ics',
  'calendars/pr_480_summary_with_colon.ics',
  'calendars/fuzz_testcase_0_char_in_component_name.ics',
  'calendars/fuzz_testcase_invalid_month.ics',
  'calendars/empty.ics',
  'calendars/bom_calendar.ics',
  'todos/example.ics',
];

describe('reading windows out of iCalendar', () => {
  const read = (text: string, timeZone = 'UTC'): IcsEvent[] => readIcsEvents(text, { timeZone }).events;

  const cases: { name: string; lines: string[]; timeZone?: string; draft: Partial<IcsWindowDraft> }[] = [
    {
      name: 'keeps local wall-clock time in the TZID zone and the elapsed length from DTEND',
      lines: ['DTSTART;TZID=Europe/London:20261024T220000', 'DTEND;TZID=Europe/London:20261025T020000'],
      // 22:00 BST to 02:00 GMT is five real hours: the clocks went back in between.
      draft: { start: '2026-10-24T22:00', timeZone: 'Europe/London', durationMinutes: 300, rrule: null },
    },
    { name: 'reads UTC times in the UTC zone', lines: ['DTSTART:20261103T010000Z', 'DURATION:PT2H'], draft: { start: '2026-11-03T01:00', timeZone: 'UTC', durationMinutes: 120 } },
    {
      name: 'reads all-day dates as whole local days in the requested zone',
      lines: ['DTSTART;VALUE=DATE:20261224', 'DTEND;VALUE=DATE:20261227'],
      timeZone: 'America/New_York',
      draft: { start: '2026-12-24T00:00', timeZone: 'America/New_York', durationMinutes: 3 * 1440 },
    },
    { name: 'gives an all-day date without an end one day (RFC 5545)', lines: ['DTSTART;VALUE=DATE:20260101'], draft: { start: '2026-01-01T00:00', durationMinutes: 1440 } },
    { name: 'reads an all-day DTEND equal to its DTSTART as that one day', lines: ['DTSTART:20260101', 'DTEND:20260101'], draft: { start: '2026-01-01T00:00', durationMinutes: 1440 } },
    {
      name: 'finds the IANA zone at the end of a vendor TZID',
      lines: ['DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260105T010000', 'DURATION:PT30M'],
      draft: { start: '2026-01-05T01:00', timeZone: 'Europe/Berlin', durationMinutes: 30 },
    },
    {
      name: 'maps a Windows zone name to its IANA zone with the CLDR table',
      lines: ['DTSTART;TZID="W. Europe Standard Time":20260105T010000', 'DTEND;TZID=W. Europe Standard Time:20260105T020000'],
      draft: { start: '2026-01-05T01:00', timeZone: 'Europe/Berlin', durationMinutes: 60 },
    },
    { name: 'maps Windows zone names whatever their case', lines: ['DTSTART;TZID=eastern standard time:20260105T090000', 'DURATION:PT1H'], draft: { timeZone: 'America/New_York' } },
    {
      name: 'keeps the RRULE as written, upper-cased and without empty parts',
      lines: ['DTSTART;TZID=Europe/London:20261003T200000', 'DURATION:PT2H', 'RRULE:freq=WEEKLY;BYDAY=SA;COUNT=4;'],
      draft: { rrule: 'FREQ=WEEKLY;BYDAY=SA;COUNT=4' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [event] = read(ics(vevent('UID:one', 'SUMMARY:Freeze', 'DESCRIPTION:why', ...c.lines)), c.timeZone);
      assert.deepEqual(event!.problems, []);
      assert.equal(event!.windows.length, 1);
      const [draft] = event!.windows;
      assert.deepEqual({ ...draft, ...c.draft }, draft);
      assert.deepEqual([draft!.key, draft!.name, draft!.description], ['one', 'Freeze', 'why']);
    });
  }

  const refusals: { name: string; lines: string[]; problems: RegExp[] }[] = [
    { name: 'an HOURLY rule, with the window rule’s words', lines: ['UID:a', 'SUMMARY:x', 'DTSTART:20260101T000000Z', 'DURATION:PT1H', 'RRULE:FREQ=HOURLY'], problems: [/^RRULE FREQ=HOURLY is not supported/] },
    { name: 'every missing field at once', lines: ['DTSTART:20260101T000000Z'], problems: [/^UID is missing/, /^SUMMARY is missing/, /neither DTEND nor DURATION: RFC 5545 makes such an event an instant/] },
    { name: 'a start time without DTEND or DURATION, which lasts no time (RFC 5545)', lines: ['UID:a', 'SUMMARY:x', 'DTSTART:20260101T090000Z'], problems: [/lasts no time, and a window lasts at least a minute/] },
    { name: 'a DTEND at its DTSTART', lines: ['UID:a', 'SUMMARY:x', 'DTSTART:20260101T090000Z', 'DTEND:20260101T090000Z'], problems: [/^DTEND .* is not after DTSTART/] },
    { name: 'a TZID that neither IANA nor Windows knows and no VTIMEZONE defines', lines: ['UID:a', 'SUMMARY:x', 'DTSTART;TZID=Mars Standard Time:20260101T090000', 'DURATION:PT1H'], problems: [/TZID "Mars Standard Time" is not an IANA time zone .* no VTIMEZONE in the file defines it/] },
    { name: 'a rule of another calendar scale, which ical.js would quietly read as Gregorian', lines: ['UID:a', 'SUMMARY:x', 'DTSTART;VALUE=DATE:20140208', 'RRULE:RSCALE=HEBREW;FREQ=YEARLY;BYMONTH=5L'], problems: [/RSCALE/, /5L/] },
    { name: 'a cancelled event', lines: ['UID:a', 'SUMMARY:x', 'STATUS:CANCELLED', 'DTSTART:20260101T000000Z', 'DURATION:PT1H'], problems: [/CANCELLED/] },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}`, () => {
      const [event] = read(ics(vevent(...r.lines)));
      assert.deepEqual(event!.windows, []);
      assert.equal(event!.problems.length, r.problems.length, event!.problems.join(' | '));
      r.problems.forEach((p, i) => assert.match(event!.problems[i]!, p));
    });
  }

  /** Every occurrence of every window the events became, `start/minutes` in UTC. */
  const occurrencesOf = (events: IcsEvent[], from: string, to: string) =>
    events
      .flatMap((e) => e.windows.flatMap((w) => occurrences(w, new Date(from), new Date(to))))
      .sort((a, b) => a.start.getTime() - b.start.getTime())
      .map((o) => `${o.start.toISOString().slice(0, 16)}/${(o.end.getTime() - o.start.getTime()) / 60_000}`);

  it('cuts a rule around an EXDATE and restarts it at its own local time, even from an occurrence in the spring-forward gap', () => {
    // Daily 01:30 London from Friday 27 March 2026; 01:30 does not exist on Sunday 29 March (clocks go 01:00 → 02:00).
    const events = read(ics(vevent('UID:a', 'SUMMARY:x', 'DTSTART;TZID=Europe/London:20260327T013000', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;TZID=Europe/London:20260328T013000')));
    assert.deepEqual(events[0]!.problems, []);
    assert.deepEqual(events[0]!.windows.map((w) => [w.key, w.start, w.rrule]), [
      ['a', '2026-03-27T01:30', null],
      ['a#20260329T013000Z', '2026-03-29T01:30', 'FREQ=DAILY;COUNT=3'],
    ]);
    assert.deepEqual(occurrencesOf(events, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z'), ['2026-03-27T01:30/60', '2026-03-29T01:30/60', '2026-03-30T00:30/60', '2026-03-31T00:30/60']);
  });

  it('takes out the occurrences on an EXDATE day of a timed event, and the occurrence a cancelled RECURRENCE-ID names', () => {
    const events = read(
      ics(
        vevent('UID:s', 'SUMMARY:Series', 'DTSTART:20260105T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;VALUE=DATE:20260106'),
        vevent('UID:s', 'RECURRENCE-ID:20260108T090000Z', 'STATUS:CANCELLED'),
      ),
    );
    assert.deepEqual(events.map((e) => [e.problems, e.windows.length]), [[[], 3], [[], 0]]);
    assert.match(events[1]!.notes.join(), /cancels the occurrence of 2026-01-08 09:00 UTC of event 1/);
    assert.deepEqual(occurrencesOf(events, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), ['2026-01-05T09:00/60', '2026-01-07T09:00/60', '2026-01-09T09:00/60']);
  });

  it('imports a changed occurrence whose series is not in the file as it stands, keyed by its RECURRENCE-ID', () => {
    const [event] = read(ics(vevent('UID:s', 'SUMMARY:Moved', 'RECURRENCE-ID:20260108T090000Z', 'DTSTART:20260108T140000Z', 'DURATION:PT1H')));
    assert.deepEqual([event!.series, event!.recurrenceId, event!.windows.map((w) => [w.key, w.start])], [null, '2026-01-08 09:00 UTC', [['s#RECURRENCE-ID=20260108T090000Z', '2026-01-08T14:00']]]);
  });

  it('refuses a series together with its changed occurrence when either cannot be imported', () => {
    const events = read(ics(vevent('UID:s', 'SUMMARY:Series', 'DTSTART:20260105T090000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY'), vevent('UID:s', 'SUMMARY:Moved', 'RECURRENCE-ID:20260108T090000Z', 'DTSTART:20260108T140000Z', 'DURATION:PT40D')));
    assert.deepEqual(events.map((e) => e.windows.length), [0, 0]);
    assert.match(events[0]!.problems.join(), /its changed occurrence \(event 2\) cannot be imported, so neither can the series/);
    assert.match(events[1]!.problems.join(), /44640/);
  });

  it('refuses an event whose line the parser cannot read alone, naming the line, and reads the others', () => {
    const text = ics(vevent('UID:good', 'SUMMARY:Good', 'DTSTART:20260101T000000Z', 'DURATION:PT1H'), vevent('UID:a', 'SUMMARY:x', 'this line has no colon', 'DTSTART:20260101T000000Z'));
    const [good, bad] = read(text);
    assert.deepEqual([good!.problems, good!.windows.length], [[], 1]);
    assert.deepEqual([bad!.uid, bad!.summary, bad!.line], ['a', 'x', 10]);
    assert.match(bad!.problems.join(' '), /^it cannot be read: line 13: invalid line/);
  });

  it('refuses a text that is not iCalendar, or whose components do not end, as a whole', () => {
    const refusal = (text: string, message: RegExp) =>
      assert.throws(
        () => read(text),
        (err: unknown) => err instanceof InputError && err.code === 'invalid_calendar' && message.test((err.details.issues as { message: string }[])[0]!.message),
      );
    refusal('name,type\nfoo,bar\n', /^line 1: an iCalendar file starts with BEGIN:VCALENDAR/);
    refusal(ics(vevent('UID:a', 'SUMMARY:x', 'DTSTART:20260101T000000Z')).replace('END:VCALENDAR', ''), /^line 1: BEGIN:VCALENDAR is never ended/);
    refusal(['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'END:VCALENDAR', 'END:VEVENT'].join('\n'), /^line 3: END:VCALENDAR while BEGIN:VEVENT \(line 2\) is still open/);
    refusal(ics(['BEGIN:VTODO', 'UID:t', 'END:VTODO'].join('\r\n')), /holds no events \(VEVENT\) to import \(it holds 1 VTODO\)/);
  });
});

describe('importing windows from iCalendar', () => {
  eachEngine('imports the freeze weeks of every OpenStack release schedule as freezes, with the antelope feature freeze on its dates', async (h) => {
    let total = 0;
    for (const file of readdirSync(OPENSTACK).sort()) {
      const { text, uids } = openstackIcs(join(OPENSTACK, file));
      const res = await importIcs(h, text, 'kind=freeze&global=true&timeZone=America/New_York');
      assert.equal(res.status, 200, `${file}: ${res.text}`);
      assert.deepEqual(res.body.events.filter((e: { status: string }) => e.status !== 'created'), [], file);
      assert.deepEqual(res.body.events.map((e: { uid: string }) => e.uid), uids);
      total += uids.length;
    }
    assert.ok(total > 50, `only ${total} freezes`);
    assert.equal(await windowCount(h), total);

    const list = await h.request('GET', '/api/v1/windows?kind=freeze&limit=500');
    const ff = list.body.items.find((w: { name: string }) => w.name === 'antelope: Feature freeze (R-5)');
    assert.ok(ff, 'the antelope feature freeze was imported');
    assert.deepEqual({ start: ff.start, timeZone: ff.timeZone, durationMinutes: ff.durationMinutes, rrule: ff.rrule, scope: ff.scope }, { start: '2023-02-13T00:00', timeZone: 'America/New_York', durationMinutes: 5 * 1440, rrule: null, scope: { global: true } });
    // Monday 13 to Saturday 18 February 2023, midnight in New York (EST, UTC-5).
    const occ = await h.request('GET', `/api/v1/windows/${ff.id}/occurrences?from=2023-02-01T00:00:00Z&to=2023-03-01T00:00:00Z`);
    assert.deepEqual(occ.body.items, [{ start: '2023-02-13T05:00:00.000Z', end: '2023-02-18T05:00:00.000Z' }]);
  });

  eachEngine('imports valid corpus files: a weekday series in Zurich and Berlin/New York events with vendor TZIDs', async (h) => {
    const daily = await importIcs(h, readFileSync(join(CORPUS, 'calendars/x_location.ics'), 'utf8'), 'kind=maintenance&tags=pci,sox');
    assert.equal(daily.status, 200, daily.text);
    assert.deepEqual(daily.body.events.map((e: { summary: string; status: string }) => [e.summary, e.status]), [['Daily Sync', 'created']]);
    const window = (await h.request('GET', `/api/v1/windows/${daily.body.events[0].windowId}`)).body;
    assert.deepEqual({ start: window.start, timeZone: window.timeZone, rrule: window.rrule, scope: window.scope }, { start: '2016-10-28T14:00', timeZone: 'Europe/Zurich', rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', scope: { tags: ['pci', 'sox'] } });
    // Friday 28 then Monday 31 October 2016 at 14:00 Zurich: CEST (UTC+2) before the 30 October change, CET after.
    const occ = await h.request('GET', `/api/v1/windows/${window.id}/occurrences?from=2016-10-28T00:00:00Z&to=2016-11-01T00:00:00Z`);
    assert.deepEqual(occ.body.items, [{ start: '2016-10-28T12:00:00.000Z', end: '2016-10-28T12:30:00.000Z' }, { start: '2016-10-31T13:00:00.000Z', end: '2016-10-31T13:30:00.000Z' }]);

    const tz = await importIcs(h, readFileSync(join(CORPUS, 'calendars/issue_313_globally_unique_tzid.ics'), 'utf8'), 'kind=maintenance&environments=production');
    assert.equal(tz.status, 200, tz.text);
    assert.deepEqual(tz.body.events.map((e: { status: string }) => e.status), ['created', 'created', 'created']);
    assert.equal(await windowCount(h), 4);
  });

  eachEngine('refuses a corpus file as a whole only when it is broken or holds no event, with a plain message, and never answers 500', async (h) => {
    const files = walk(CORPUS).sort();
    assert.ok(files.length > 150);
    for (const file of files) {
      const res = await importIcs(h, readFileSync(file, 'utf8'), 'kind=freeze&global=true&dryRun=true');
      const name = file.slice(CORPUS.length + 1);
      assert.ok(res.status === 200 || res.status === 400, `${name}: ${res.status} ${res.text}`);
      if (res.status === 400) {
        assert.equal(res.body.error.code, 'invalid_calendar', name);
        assert.ok(res.body.error.details.issues[0].message.length > 10, name);
      } else {
        for (const e of res.body.events) assert.ok(e.status === 'created' || e.problems.length > 0, `${name}: event ${e.index} refused without a reason`);
      }
      if (BROKEN.includes(name)) assert.equal(res.status, 400, `${name} should be refused: ${res.text}`);
      else assert.ok(res.status === 200 || /holds no events/.test(res.body.error.details.issues[0].message), `${name}: ${res.text.slice(0, 300)}`);
    }
    assert.equal(await windowCount(h), 0);
  });

  eachEngine('reports a refused event with every problem and, when atomic, writes nothing', async (h) => {
    const text = ics(vevent('UID:good', 'SUMMARY:Good', 'DTSTART:20261103T010000Z', 'DURATION:PT2H'), vevent('UID:bad', 'DTSTART:20261103T010000Z', 'RRULE:FREQ=MINUTELY'));
    const atomic = await importIcs(h, text, 'kind=freeze&global=true&atomic=true');
    assert.equal(atomic.status, 200, atomic.text);
    assert.equal(atomic.body.applied, false);
    assert.deepEqual(atomic.body.events.map((e: { uid: string; status: string; problems: string[] }) => [e.uid, e.status, e.problems.length]), [['good', 'created', 0], ['bad', 'refused', 3]]);
    assert.equal(await windowCount(h), 0);

    const partial = await importIcs(h, text, 'kind=freeze&global=true');
    assert.equal(partial.body.applied, true);
    assert.equal(partial.body.created, 1);
    assert.equal(partial.body.refused, 1);
    assert.equal(await windowCount(h), 1);
  });

  eachEngine('writes nothing on a dry run', async (h) => {
    const { text } = openstackIcs(join(OPENSTACK, 'antelope.schedule.yaml'));
    const res = await importIcs(h, text, 'kind=freeze&global=true&dryRun=true');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.applied, false);
    assert.ok(res.body.created > 0);
    assert.equal(await windowCount(h), 0);
  });

  eachEngine('updates instead of duplicating on re-import, whatever kind is chosen, and audits what it wrote', async (h) => {
    const event = (summary: string) => ics(vevent('UID:year-end@example.com', `SUMMARY:${summary}`, 'DTSTART;VALUE=DATE:20261215', 'DTEND;VALUE=DATE:20270102', 'RRULE:FREQ=YEARLY'));
    const first = await importIcs(h, event('Year-end freeze'), 'kind=freeze&global=true&timeZone=Europe/London');
    assert.equal(first.body.created, 1);
    const again = await importIcs(h, event('Year-end freeze'), 'kind=freeze&global=true&timeZone=Europe/London');
    assert.deepEqual([again.body.created, again.body.unchanged, again.body.events[0].windowId], [0, 1, first.body.events[0].windowId]);
    const renamed = await importIcs(h, event('Year-end change freeze'), 'kind=freeze&global=true&timeZone=Europe/London');
    assert.deepEqual([renamed.body.created, renamed.body.updated], [0, 1]);
    assert.equal(await windowCount(h), 1);
    const id = first.body.events[0].windowId;
    let window = (await h.request('GET', `/api/v1/windows/${id}`)).body;
    assert.deepEqual([window.name, window.version, window.durationMinutes], ['Year-end change freeze', 2, 18 * 1440]);

    // The same UIDs imported as the other kind change the windows' kind instead of adding a second set.
    const asMaintenance = await importIcs(h, event('Year-end change freeze'), 'kind=maintenance&global=true&timeZone=Europe/London');
    assert.deepEqual([asMaintenance.body.created, asMaintenance.body.updated, asMaintenance.body.events[0].windowId], [0, 1, id]);
    assert.equal(await windowCount(h), 1);
    window = (await h.request('GET', `/api/v1/windows/${id}`)).body;
    assert.deepEqual([window.kind, window.version], ['maintenance', 3]);

    const exported = await h.request('GET', '/api/v1/audit/export');
    const actions = exported.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { action: string; entityId: string; data: { source?: string; changes?: Record<string, unknown> } })
      .filter((e) => e.entityId === id)
      .map((e) => [e.action, e.data.source, Object.keys(e.data.changes ?? {}).join()]);
    assert.deepEqual(actions, [['window.created', 'ics', ''], ['window.updated', 'ics', 'name'], ['window.updated', 'ics', 'kind']]);
  });

  eachEngine('keeps EXDATE, RDATE and a moved occurrence as windows that hold exactly the occurrences, and removes those a re-import no longer needs', async (h) => {
    const uid = 'sat-night@example.com';
    const master = (...extra: string[]) => vevent(`UID:${uid}`, 'SUMMARY:Saturday night', 'DTSTART;TZID=Europe/London:20261003T200000', 'DURATION:PT2H', 'RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=8', ...extra);
    const schedule = async () => {
      const res = await h.request('GET', '/api/v1/schedule/windows?from=2026-09-01T00:00:00Z&to=2027-01-01T00:00:00Z');
      assert.equal(res.status, 200, res.text);
      return res.body.items.map((o: { start: string; end: string; name: string }) => `${o.start.slice(0, 16)} ${(Date.parse(o.end) - Date.parse(o.start)) / 60_000} ${o.name}`);
    };
    const plain = await importIcs(h, ics(master()), 'kind=freeze&global=true');
    assert.equal(plain.body.created, 1, plain.text);
    const everySaturday = await schedule();
    assert.equal(everySaturday.length, 8);

    // 17 October off, an extra Wednesday, and 31 October (across the clock change) moved to Sunday 10:00 for three hours.
    const changed = ics(
      master('EXDATE;TZID=Europe/London:20261017T200000', 'RDATE;VALUE=PERIOD:20261021T180000Z/PT1H'),
      vevent(`UID:${uid}`, 'SUMMARY:Saturday night, moved', 'RECURRENCE-ID;TZID=Europe/London:20261031T200000', 'DTSTART;TZID=Europe/London:20261101T100000', 'DURATION:PT3H'),
    );
    const cut = await importIcs(h, changed, 'kind=freeze&global=true');
    assert.equal(cut.status, 200, cut.text);
    assert.deepEqual(cut.body.events.map((e: { status: string; windowIds: string[] }) => [e.status, e.windowIds.length]), [['updated', 4], ['created', 1]]);
    assert.equal(cut.body.events[0].windowId, plain.body.events[0].windowId);
    assert.equal(await windowCount(h), 5);
    assert.deepEqual(
      await schedule(),
      [
        '2026-10-03T19:00 120 Saturday night',
        '2026-10-10T19:00 120 Saturday night',
        '2026-10-21T18:00 60 Saturday night',
        '2026-10-24T19:00 120 Saturday night',
        '2026-11-01T10:00 180 Saturday night, moved',
        '2026-11-07T20:00 120 Saturday night',
        '2026-11-14T20:00 120 Saturday night',
        '2026-11-21T20:00 120 Saturday night',
      ],
    );
    // Unchanged the second time: the keys find every window again.
    const same = await importIcs(h, changed, 'kind=freeze&global=true');
    assert.deepEqual([same.body.unchanged, same.body.created, same.body.removed], [2, 0, 0]);

    // Back to the plain series: the first window is restored, the other three and the moved occurrence's
    // window removed (and audited).
    const back = await importIcs(h, ics(master()), 'kind=freeze&global=true');
    assert.deepEqual([back.body.updated, back.body.removed, back.body.events[0].windowIds], [1, 4, [plain.body.events[0].windowId]]);
    assert.equal(await windowCount(h), 1);
    assert.deepEqual(await schedule(), everySaturday);
    const exported = await h.request('GET', '/api/v1/audit/export');
    const deleted = exported.text.split('\n').filter((line) => line.includes('"window.deleted"'));
    assert.equal(deleted.length, 4);
    assert.ok(deleted.every((line) => JSON.parse(line).data.source === 'ics'));
  });

  eachEngine('refuses a requester (403), a non-calendar content type (415) and a missing scope or unknown zone (400)', async (h) => {
    const text = ics(vevent('UID:a', 'SUMMARY:x', 'DTSTART:20261103T010000Z', 'DURATION:PT2H'));
    const requester = await h.userWithToken(['requester']);
    const forbidden = await importIcs(h, text, 'kind=freeze&global=true', requester.token);
    assert.equal(forbidden.status, 403, forbidden.text);

    const csv = await h.request('POST', '/api/v1/windows/import?kind=freeze&global=true', { body: 'a,b\n', headers: { 'content-type': 'text/csv' } });
    assert.equal(csv.status, 415, csv.text);
    assert.equal(csv.body.error.code, 'unsupported_media_type');

    const bad = await importIcs(h, text, 'kind=freeze&timeZone=Mars/Olympus');
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['query.scope', 'query.timeZone']);
    assert.equal(await windowCount(h), 0);
  });
});
