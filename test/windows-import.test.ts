import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { readIcsEvents, type IcsEvent } from '../src/integrations/ical/ics-windows';
import { InputError } from '../src/domain/errors';
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

/** Corpus files that are not importable iCalendar at all: they must be refused whole. */
const BROKEN = [
  'calendars/big_bad_calendar.ics',
  'calendars/small_bad_calendar.ics',
  'calendars/issue_104_broken_calendar.ics',
  'calendars/issue_168_input.ics',
  'calendars/issue_348_exception_parsing_value.ics',
  'calendars/issue_350.ics',
  'calendars/multiple_calendar_components.ics',
  'calendars/pr_480_summary_with_colon.ics',
  'calendars/timezone_rdate.ics',
  'calendars/fuzz_testcase_0_char_in_component_name.ics',
  'calendars/fuzz_testcase_invalid_month.ics',
  'calendars/issue_1081_invalid_rrule_freq.ics',
  'calendars/issue_165_missing_event.ics',
  'calendars/rfc_7529.ics',
  'calendars/empty.ics',
  'calendars/bom_calendar.ics',
  'events/issue_104_mark_events_broken.ics',
  'todos/example.ics',
];

describe('reading windows out of iCalendar', () => {
  const read = (text: string, timeZone = 'UTC'): IcsEvent[] => readIcsEvents(text, { timeZone });

  const cases: { name: string; lines: string[]; timeZone?: string; draft: Partial<NonNullable<IcsEvent['draft']>> }[] = [
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
    { name: 'gives an all-day date without an end one day', lines: ['DTSTART;VALUE=DATE:20260101'], draft: { start: '2026-01-01T00:00', durationMinutes: 1440 } },
    {
      name: 'finds the IANA zone at the end of a vendor TZID',
      lines: ['DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260105T010000', 'DURATION:PT30M'],
      draft: { start: '2026-01-05T01:00', timeZone: 'Europe/Berlin', durationMinutes: 30 },
    },
    {
      name: 'keeps the RRULE',
      lines: ['DTSTART;TZID=Europe/London:20261003T200000', 'DURATION:PT2H', 'RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=4'],
      // ical.js writes the parts in its own order; the rule is the same.
      draft: { rrule: 'FREQ=WEEKLY;COUNT=4;BYDAY=SA' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [event] = read(ics(vevent('UID:one', 'SUMMARY:Freeze', 'DESCRIPTION:why', ...c.lines)), c.timeZone);
      assert.deepEqual(event!.problems, []);
      assert.deepEqual({ ...event!.draft, ...c.draft }, event!.draft);
      assert.equal(event!.draft!.name, 'Freeze');
      assert.equal(event!.draft!.description, 'why');
    });
  }

  const refusals: { name: string; lines: string[]; problems: RegExp[] }[] = [
    { name: 'an HOURLY rule, with the window rule’s words', lines: ['UID:a', 'SUMMARY:x', 'DTSTART:20260101T000000Z', 'DURATION:PT1H', 'RRULE:FREQ=HOURLY'], problems: [/^RRULE FREQ=HOURLY is not supported/] },
    { name: 'every missing field at once', lines: ['DTSTART:20260101T000000Z'], problems: [/^UID is missing/, /^SUMMARY is missing/, /no length/] },
    { name: 'excluded dates', lines: ['UID:a', 'SUMMARY:x', 'DTSTART:20260101T000000Z', 'DURATION:PT1H', 'RRULE:FREQ=DAILY', 'EXDATE:20260102T000000Z'], problems: [/^EXDATE is not supported/] },
    { name: 'a Windows zone name', lines: ['UID:a', 'SUMMARY:x', 'DTSTART;TZID=Eastern Standard Time:20260101T090000', 'DURATION:PT1H'], problems: [/TZID "Eastern Standard Time", which is not an IANA time zone/] },
    { name: 'a cancelled event', lines: ['UID:a', 'SUMMARY:x', 'STATUS:CANCELLED', 'DTSTART:20260101T000000Z', 'DURATION:PT1H'], problems: [/CANCELLED/] },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}`, () => {
      const [event] = read(ics(vevent(...r.lines)));
      assert.equal(event!.draft, null);
      assert.equal(event!.problems.length, r.problems.length, event!.problems.join(' | '));
      r.problems.forEach((p, i) => assert.match(event!.problems[i]!, p));
    });
  }

  it('refuses a file that is not iCalendar, naming the line the parser stopped at', () => {
    const text = ics(vevent('UID:a', 'SUMMARY:x', 'this line has no colon', 'DTSTART:20260101T000000Z'));
    assert.throws(
      () => read(text),
      (err: unknown) => err instanceof InputError && err.code === 'invalid_calendar' && /^line 7: invalid line/.test((err.details.issues as { message: string }[])[0]!.message),
    );
    assert.throws(() => read('name,type\nfoo,bar\n'), /not an iCalendar file/);
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

  eachEngine('refuses every broken corpus file as a whole with a clear message, and never answers 500 for any corpus file', async (h) => {
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

  eachEngine('updates instead of duplicating on re-import, per kind, and audits what it wrote', async (h) => {
    const event = (summary: string) => ics(vevent('UID:year-end@example.com', `SUMMARY:${summary}`, 'DTSTART;VALUE=DATE:20261215', 'DTEND;VALUE=DATE:20270102', 'RRULE:FREQ=YEARLY'));
    const first = await importIcs(h, event('Year-end freeze'), 'kind=freeze&global=true&timeZone=Europe/London');
    assert.equal(first.body.created, 1);
    const again = await importIcs(h, event('Year-end freeze'), 'kind=freeze&global=true&timeZone=Europe/London');
    assert.deepEqual([again.body.created, again.body.unchanged, again.body.events[0].windowId], [0, 1, first.body.events[0].windowId]);
    const renamed = await importIcs(h, event('Year-end change freeze'), 'kind=freeze&global=true&timeZone=Europe/London');
    assert.deepEqual([renamed.body.created, renamed.body.updated], [0, 1]);
    assert.equal(await windowCount(h), 1);
    const window = (await h.request('GET', `/api/v1/windows/${first.body.events[0].windowId}`)).body;
    assert.deepEqual([window.name, window.version, window.durationMinutes], ['Year-end change freeze', 2, 18 * 1440]);

    const asMaintenance = await importIcs(h, event('Year-end freeze'), 'kind=maintenance&global=true');
    assert.equal(asMaintenance.body.created, 1);
    assert.equal(await windowCount(h), 2);

    const exported = await h.request('GET', '/api/v1/audit/export');
    const actions = exported.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { action: string; entityId: string; data: { source?: string } })
      .filter((e) => e.entityId === window.id)
      .map((e) => [e.action, e.data.source]);
    assert.deepEqual(actions, [['window.created', 'ics'], ['window.updated', 'ics']]);
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
