import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import ICAL from 'ical.js';
import { startCabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { redactUrl } from '../src/http/logger';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOKEN, eachEngine, ENGINES, type Harness } from './support/cabinet';
import { createTestDatabase } from './support/databases';
import { ci, move, plan } from './support/fixtures';

/**
 * The harness clock is pinned to this instant, so the feed's range (30 days back, 180 ahead) and the London
 * clock change of Sunday 30 March 2031 sit where the assertions expect them, whatever day the suite runs.
 */
const NOW = Date.parse('2031-03-01T12:00:00Z');
const pinClock = (h: Harness) => h.advance(NOW - h.now().getTime());

interface FeedEvent {
  uid: string;
  summary: string;
  description: string;
  start: string;
  end: string;
  sequence: number | null;
  status: string | null;
  transp: string | null;
  url: string | null;
}

/** Reads iCalendar text with ical.js (an independent parser) into plain events, by start then summary. */
function parseIcs(text: string): { name: string | null; events: FeedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    const value = (name: string) => {
      const found = v.getFirstPropertyValue(name);
      return found === null || found === undefined ? null : String(found);
    };
    return {
      uid: e.uid,
      summary: e.summary,
      description: e.description,
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
      sequence: e.sequence ?? null,
      status: value('status'),
      transp: value('transp'),
      url: value('url'),
    };
  });
  events.sort((a, b) => a.start.localeCompare(b.start) || a.summary.localeCompare(b.summary));
  const name = calendar.getFirstPropertyValue('x-wr-calname');
  return { name: name === null ? null : String(name), events };
}

async function service(h: Harness, name: string): Promise<string> {
  const res = await h.request('POST', '/api/v1/services', { body: { name, tier: 2 } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function team(h: Harness, name: string): Promise<string> {
  const res = await h.request('POST', '/api/v1/teams', { body: { name } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function change(
  h: Harness,
  ciIds: string[],
  extra: Record<string, unknown>,
  token?: string,
): Promise<{ id: string; number: string; version: number }> {
  const res = await h.request('POST', '/api/v1/changes', { token, body: plan(ciIds, extra) });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function window(h: Harness, body: Record<string, unknown>): Promise<string> {
  const res = await h.request('POST', '/api/v1/windows', { body: { timeZone: 'UTC', ...body } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function createFeed(
  h: Harness,
  token: string,
  body: unknown,
): Promise<{ id: string; url: string; prefix: string; scope: { kind: string; ref: string | null; label: string } }> {
  const res = await h.request('POST', '/api/v1/me/calendar-feeds', { token, body });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Fetches a feed the way a calendar app does: no credentials, just the URL's path. */
async function fetchFeed(h: Harness, url: string) {
  const { pathname } = new URL(url);
  return h.request('GET', pathname, { token: null });
}

async function feedEvents(h: Harness, url: string): Promise<FeedEvent[]> {
  const res = await fetchFeed(h, url);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['content-type'], 'text/calendar; charset=utf-8');
  return parseIcs(res.text).events;
}

const summaries = (events: FeedEvent[]) => events.map((e) => e.summary);

describe('calendar feeds', () => {
  eachEngine('each scope holds its own changes and the windows that apply, at exact instants across a clock change', async (h) => {
    pinClock(h);
    const payments = await service(h, 'Payments');
    const search = await service(h, 'Search');
    const payApi = await ci(h, 'pay-api', 'application', { serviceId: payments });
    const searchApi = await ci(h, 'search-api', 'application', { serviceId: search });
    const payTeam = await team(h, 'Payments team');
    const searchTeam = await team(h, 'Search team');
    const erin = await h.userWithToken(['requester'], { teamIds: [payTeam] });

    const when = (day: string, hours = 1) => ({
      plannedStart: `${day}T22:00:00.000Z`,
      plannedEnd: new Date(Date.parse(`${day}T22:00:00Z`) + hours * 3_600_000).toISOString(),
    });
    // Erin's: she asked for one, implements one, and her team has one.
    const requested = await change(h, [payApi], { title: 'Rotate keys', ...when('2031-03-10'), assignmentTeamId: searchTeam }, erin.token);
    const implemented = await change(h, [payApi], {
      title: 'Patch pay-api',
      ...when('2031-03-12', 2),
      implementerId: erin.id,
      assignmentTeamId: searchTeam,
    });
    const teamWork = await change(h, [payApi], { title: 'Scale out', ...when('2031-04-02'), assignmentTeamId: payTeam });
    // Not Erin's: on Search, assigned to the Search team.
    const other = await change(h, [searchApi], { title: 'Reindex', ...when('2031-03-20'), assignmentTeamId: searchTeam });
    // Outside the range: more than 180 days ahead, and more than 30 days back.
    await change(h, [payApi], { title: 'Too late', ...when('2031-12-01'), assignmentTeamId: payTeam });
    await change(h, [payApi], { title: 'Too early', ...when('2031-01-10'), assignmentTeamId: payTeam });

    await window(h, { name: 'Quarter end', kind: 'freeze', start: '2031-03-31T00:00', durationMinutes: 1440, scope: { global: true } });
    // Saturday 20:00 London, four hours: GMT (20:00Z) until the clocks go forward on 30 March, then BST (19:00Z).
    await window(h, {
      name: 'Payments night',
      kind: 'maintenance',
      start: '2031-03-22T20:00',
      timeZone: 'Europe/London',
      durationMinutes: 240,
      rrule: 'FREQ=WEEKLY;BYDAY=SA;COUNT=3',
      scope: { serviceIds: [payments] },
    });
    await window(h, {
      name: 'Search reindex freeze',
      kind: 'freeze',
      start: '2031-03-15T06:00',
      durationMinutes: 120,
      scope: { serviceIds: [search] },
    });

    const mine = await createFeed(h, erin.token, { name: 'My work', scope: { kind: 'user' } });
    assert.deepEqual(mine.scope, { kind: 'user', ref: erin.id, label: `Changes of User ${erin.email}` });
    const bySearchTeam = await createFeed(h, erin.token, { name: 'Search team', scope: { kind: 'team', ref: searchTeam } });
    const byPayments = await createFeed(h, erin.token, { name: 'Payments', scope: { kind: 'service', ref: 'Payments' } });
    assert.deepEqual(byPayments.scope, { kind: 'service', ref: payments, label: 'Service Payments' });
    const everything = await createFeed(h, erin.token, { name: 'Everything', scope: { kind: 'all' } });
    assert.match(mine.url, /^http:\/\/localhost(:80)?\/feeds\/cal_[A-Za-z0-9_-]{43}\.ics$/);

    const night = (day: string, hourUtc: number) => ({
      summary: 'Maintenance: Payments night',
      start: `${day}T${String(hourUtc).padStart(2, '0')}:00:00.000Z`,
    });
    const nights = [night('2031-03-22', 20), night('2031-03-29', 20), night('2031-04-05', 19)];

    // Links back to the web app use the origin the feed was created at (the request's, without a public URL).
    const origin = mine.url.split('/feeds/')[0]!;
    const user = await feedEvents(h, mine.url);
    assert.deepEqual(summaries(user), [
      `${requested.number} Rotate keys`,
      `${implemented.number} Patch pay-api`,
      'Maintenance: Payments night',
      'Maintenance: Payments night',
      'Freeze: Quarter end',
      `${teamWork.number} Scale out`,
      'Maintenance: Payments night',
    ]);
    assert.deepEqual(
      user.filter((e) => e.summary.startsWith('Maintenance')).map((e) => ({ summary: e.summary, start: e.start })),
      nights,
    );
    // Elapsed duration: four real hours after each start.
    for (const e of user.filter((x) => x.summary.startsWith('Maintenance')))
      assert.equal(Date.parse(e.end) - Date.parse(e.start), 4 * 3_600_000);

    const patch = user.find((e) => e.summary.endsWith('Patch pay-api'))!;
    assert.deepEqual(
      {
        uid: patch.uid,
        start: patch.start,
        end: patch.end,
        sequence: patch.sequence,
        status: patch.status,
        transp: patch.transp,
        url: patch.url,
      },
      {
        uid: `${implemented.id}@cabinet`,
        start: '2031-03-12T22:00:00.000Z',
        end: '2031-03-13T00:00:00.000Z',
        sequence: implemented.version,
        status: 'CONFIRMED',
        transp: 'OPAQUE',
        url: `${origin}/changes/${implemented.id}`,
      },
    );
    assert.match(patch.description, /Type: Normal change/);
    assert.match(patch.description, /State: Draft/);
    assert.match(patch.description, /Risk: /);
    assert.ok(patch.description.endsWith(`${origin}/changes/${implemented.id}`), patch.description);
    const freeze = user.find((e) => e.summary === 'Freeze: Quarter end')!;
    assert.deepEqual(
      { start: freeze.start, end: freeze.end, transp: freeze.transp },
      { start: '2031-03-31T00:00:00.000Z', end: '2031-04-01T00:00:00.000Z', transp: 'OPAQUE' },
    );
    const firstNight = user.find((e) => e.summary.startsWith('Maintenance'))!;
    assert.equal(firstNight.transp, 'TRANSPARENT');
    // Each occurrence has its own UID, stable from one fetch to the next.
    assert.equal(new Set(user.map((e) => e.uid)).size, user.length);
    assert.deepEqual(
      (await feedEvents(h, mine.url)).map((e) => e.uid),
      user.map((e) => e.uid),
    );

    // The Search team's change, with the freeze on Search and the global freeze; nothing of Payments.
    assert.deepEqual(summaries(await feedEvents(h, bySearchTeam.url)), [
      `${requested.number} Rotate keys`,
      `${implemented.number} Patch pay-api`,
      'Freeze: Search reindex freeze',
      `${other.number} Reindex`,
      'Maintenance: Payments night',
      'Maintenance: Payments night',
      'Freeze: Quarter end',
      'Maintenance: Payments night',
    ]);

    assert.deepEqual(summaries(await feedEvents(h, byPayments.url)), [
      `${requested.number} Rotate keys`,
      `${implemented.number} Patch pay-api`,
      'Maintenance: Payments night',
      'Maintenance: Payments night',
      'Freeze: Quarter end',
      `${teamWork.number} Scale out`,
      'Maintenance: Payments night',
    ]);

    const all = await fetchFeed(h, everything.url);
    assert.equal(all.status, 200);
    assert.match(all.text, /^BEGIN:VCALENDAR\r\n/);
    const parsed = parseIcs(all.text);
    assert.equal(parsed.name, 'Cabinet: Everything');
    assert.deepEqual(summaries(parsed.events), [
      `${requested.number} Rotate keys`,
      `${implemented.number} Patch pay-api`,
      'Freeze: Search reindex freeze',
      `${other.number} Reindex`,
      'Maintenance: Payments night',
      'Maintenance: Payments night',
      'Freeze: Quarter end',
      `${teamWork.number} Scale out`,
      'Maintenance: Payments night',
    ]);
  });

  eachEngine('a change keeps its UID, its SEQUENCE follows its version, and a cancelled change says CANCELLED', async (h) => {
    pinClock(h);
    const api = await ci(h, 'orders-api', 'application');
    const c = await change(h, [api], { title: 'Upgrade orders', plannedStart: '2031-03-05T22:00:00Z', plannedEnd: '2031-03-05T23:00:00Z' });
    const feed = await createFeed(h, ADMIN_TOKEN, { name: 'All', scope: { kind: 'all' } });
    const [before] = await feedEvents(h, feed.url);
    assert.deepEqual(
      { uid: before!.uid, sequence: before!.sequence, status: before!.status },
      { uid: `${c.id}@cabinet`, sequence: c.version, status: 'CONFIRMED' },
    );

    const edited = await h.request('PATCH', `/api/v1/changes/${c.id}`, {
      body: { title: 'Upgrade orders to v2', plannedStart: '2031-03-06T22:00:00Z', plannedEnd: '2031-03-06T23:30:00Z', version: c.version },
    });
    assert.equal(edited.status, 200, edited.text);
    const [after] = await feedEvents(h, feed.url);
    assert.deepEqual(
      { uid: after!.uid, sequence: after!.sequence, summary: after!.summary, start: after!.start, end: after!.end },
      {
        uid: `${c.id}@cabinet`,
        sequence: edited.body.version,
        summary: `${c.number} Upgrade orders to v2`,
        start: '2031-03-06T22:00:00.000Z',
        end: '2031-03-06T23:30:00.000Z',
      },
    );
    assert.ok(after!.sequence! > before!.sequence!);

    const cancelled = await move(h, c.id, 'cancelled', undefined, 'Not needed any more');
    assert.equal(cancelled.status, 200, cancelled.text);
    const [gone] = await feedEvents(h, feed.url);
    assert.equal(gone!.status, 'CANCELLED');
    assert.match(gone!.description, /State: Cancelled/);
  });

  eachEngine('a revoked feed answers 404 exactly like an unknown one, and only its owner or an admin may revoke it', async (h) => {
    pinClock(h);
    const erin = await h.userWithToken(['requester']);
    const frank = await h.userWithToken(['change_manager']);
    const feed = await createFeed(h, erin.token, { name: 'Mine', scope: { kind: 'user' } });
    assert.equal((await fetchFeed(h, feed.url)).status, 200);

    // Someone else (even a change manager) cannot see or revoke it: the same 404 as for a feed that is not there.
    const foreign = await h.request('DELETE', `/api/v1/me/calendar-feeds/${feed.id}`, { token: frank.token });
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal(foreign.body.error.code, 'not_found');
    assert.deepEqual((await h.request('GET', '/api/v1/me/calendar-feeds', { token: frank.token })).body.items, []);
    assert.equal((await fetchFeed(h, feed.url)).status, 200);

    const revoked = await h.request('DELETE', `/api/v1/me/calendar-feeds/${feed.id}`, { token: erin.token });
    assert.equal(revoked.status, 204, revoked.text);
    const afterRevoke = await fetchFeed(h, feed.url);
    const unknown = await h.request('GET', `/feeds/cal_${'A'.repeat(43)}.ics`, { token: null });
    const malformed = await h.request('GET', '/feeds/not-a-feed.ics', { token: null });
    assert.equal(afterRevoke.status, 404);
    assert.deepEqual(afterRevoke.body, unknown.body);
    assert.deepEqual(malformed.body, unknown.body);
    assert.equal(unknown.body.error.code, 'not_found');
    assert.ok(!afterRevoke.text.includes(new URL(feed.url).pathname.slice(7, -4)), 'the 404 does not echo the secret');
    // Revoking twice, and listing: a revoked feed is gone.
    assert.equal((await h.request('DELETE', `/api/v1/me/calendar-feeds/${feed.id}`, { token: erin.token })).status, 404);
    assert.deepEqual((await h.request('GET', '/api/v1/me/calendar-feeds', { token: erin.token })).body.items, []);

    // An admin may list everyone's feeds and revoke any of them; others may not list everyone's.
    const second = await createFeed(h, erin.token, { name: 'Again', scope: { kind: 'all' } });
    assert.equal((await h.request('GET', '/api/v1/me/calendar-feeds?all=true', { token: frank.token })).status, 403);
    const everyone = await h.request('GET', '/api/v1/me/calendar-feeds?all=true');
    assert.deepEqual(
      everyone.body.items.map((f: { id: string }) => f.id),
      [second.id],
    );
    assert.equal((await h.request('DELETE', `/api/v1/me/calendar-feeds/${second.id}`)).status, 204);
    assert.equal((await fetchFeed(h, second.url)).status, 404);
  });

  eachEngine('a feed answers 404 once its owner is disabled or may no longer read changes', async (h) => {
    pinClock(h);
    const erin = await h.userWithToken(['requester']);
    const gail = await h.userWithToken(['auditor']);
    const erinFeed = await createFeed(h, erin.token, { name: 'Mine', scope: { kind: 'all' } });
    const gailFeed = await createFeed(h, gail.token, { name: 'Audit', scope: { kind: 'all' } });
    assert.equal((await fetchFeed(h, erinFeed.url)).status, 200);
    assert.equal((await fetchFeed(h, gailFeed.url)).status, 200);

    assert.equal((await h.request('PATCH', `/api/v1/users/${erin.id}`, { body: { disabled: true } })).status, 200);
    assert.equal((await h.request('PATCH', `/api/v1/users/${gail.id}`, { body: { roles: [] } })).status, 200);
    assert.equal((await fetchFeed(h, erinFeed.url)).status, 404);
    assert.equal((await fetchFeed(h, gailFeed.url)).status, 404);
    // Restored, the same URL works again: the feed was never revoked.
    assert.equal((await h.request('PATCH', `/api/v1/users/${erin.id}`, { body: { disabled: false } })).status, 200);
    assert.equal((await fetchFeed(h, erinFeed.url)).status, 200);
  });

  eachEngine('answers 400 listing every problem with a new feed, and 403 without change.read', async (h) => {
    const other = await h.userWithToken(['requester']);
    const expectIssues = async (body: unknown, paths: string[]) => {
      const res = await h.request('POST', '/api/v1/me/calendar-feeds', { body });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.code, 'invalid_input');
      assert.deepEqual(res.body.error.details.issues.map((i: { path: string }) => i.path).sort(), [...paths].sort(), res.text);
      return res.body.error.details.issues as { path: string; message: string }[];
    };
    const both = await expectIssues({ name: '  ', scope: { kind: 'team', ref: 'ghosts' } }, ['name', 'scope.ref']);
    assert.match(both.find((i) => i.path === 'scope.ref')!.message, /unknown team ghosts/);
    assert.match(
      (await expectIssues({ name: 'x', scope: { kind: 'service', ref: 'Nowhere' } }, ['scope.ref']))[0]!.message,
      /unknown service Nowhere/,
    );
    await expectIssues({ name: 'x', scope: { kind: 'service' } }, ['scope.ref']);
    await expectIssues({ name: 'x', scope: { kind: 'all', ref: 'anything' } }, ['scope.ref']);
    await expectIssues({ name: 'x', scope: { kind: 'user', ref: other.id } }, ['scope.ref']);
    // Shape problems are listed together too.
    const shape = await h.request('POST', '/api/v1/me/calendar-feeds', {
      body: { name: 'n'.repeat(101), scope: { kind: 'planet' }, secret: 'x' },
    });
    assert.equal(shape.status, 400, shape.text);
    const paths = JSON.stringify(shape.body.error.details.issues);
    for (const p of ['name', 'scope.kind']) assert.match(paths, new RegExp(`"path":"${p.replace('.', '\\.')}"`));
    assert.match(paths, /secret/);

    const nobody = await h.userWithToken([]);
    const refused = await h.request('POST', '/api/v1/me/calendar-feeds', {
      token: nobody.token,
      body: { name: 'x', scope: { kind: 'all' } },
    });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.details.permission, 'change.read');
    assert.equal((await h.request('GET', '/api/v1/me/calendar-feeds', { token: null })).status, 401);
  });

  eachEngine(
    'the secret is shown once: never in the list, nor in the audit trail; last use is recorded at most once a minute',
    async (h) => {
      pinClock(h);
      const payTeam = await team(h, 'Payments team');
      const feed = await createFeed(h, ADMIN_TOKEN, { name: 'Payments team', scope: { kind: 'team', ref: 'payments-team' } });
      assert.equal(feed.scope.ref, payTeam);
      const secret = new URL(feed.url).pathname.replace(/^\/feeds\//, '').replace(/\.ics$/, '');
      assert.ok(secret.startsWith(feed.prefix) && secret.length > feed.prefix.length + 32);

      const listed = await h.request('GET', '/api/v1/me/calendar-feeds');
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.items, [
        {
          id: feed.id,
          userId: listed.body.items[0].userId,
          name: 'Payments team',
          scope: { kind: 'team', ref: payTeam, label: 'Team Payments team' },
          prefix: feed.prefix,
          createdAt: listed.body.items[0].createdAt,
          lastUsedAt: null,
        },
      ]);
      assert.ok(!listed.text.includes(secret));

      await fetchFeed(h, feed.url);
      const used: string = (await h.request('GET', '/api/v1/me/calendar-feeds')).body.items[0].lastUsedAt;
      assert.ok(Math.abs(Date.parse(used) - h.now().getTime()) < 5000, `last use ${used} is the time of the fetch`);
      h.advance(20_000);
      await fetchFeed(h, feed.url);
      assert.equal((await h.request('GET', '/api/v1/me/calendar-feeds')).body.items[0].lastUsedAt, used, 'not rewritten within a minute');
      h.advance(60_000);
      await fetchFeed(h, feed.url);
      assert.ok((await h.request('GET', '/api/v1/me/calendar-feeds')).body.items[0].lastUsedAt > used);

      assert.equal((await h.request('DELETE', `/api/v1/me/calendar-feeds/${feed.id}`)).status, 204);
      const trail = await h.request('GET', '/api/v1/audit/export');
      assert.equal(trail.status, 200, trail.text);
      const events = trail.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { action: string; entityId: string; data: Record<string, unknown> })
        .filter((e) => e.entityId === feed.id);
      assert.deepEqual(
        events.map((e) => e.action),
        ['calendar_feed.created', 'calendar_feed.revoked'],
      );
      assert.deepEqual(events[0]!.data.scope, { kind: 'team', ref: payTeam });
      assert.equal(events[0]!.data.prefix, feed.prefix);
      assert.ok(!trail.text.includes(secret), 'the audit trail never holds the secret');
    },
  );
});

describe('calendar feeds behind a public URL', () => {
  eachEngine(
    'builds the feed URL and the links inside it from CABINET_PUBLIC_URL, whatever host the request names',
    async (h) => {
      pinClock(h);
      const api = await ci(h, 'orders-api', 'application');
      const c = await change(h, [api], {
        title: 'Upgrade orders',
        plannedStart: '2031-03-05T22:00:00Z',
        plannedEnd: '2031-03-05T23:00:00Z',
      });
      const created = await h.request('POST', '/api/v1/me/calendar-feeds', {
        body: { name: 'All', scope: { kind: 'all' } },
        headers: { host: 'evil.example' },
      });
      assert.equal(created.status, 201, created.text);
      assert.match(created.body.url, /^https:\/\/cabinet\.example\.com\/feeds\/cal_[A-Za-z0-9_-]{43}\.ics$/);
      const res = await h.request('GET', new URL(created.body.url).pathname, { token: null, headers: { host: 'evil.example' } });
      const [event] = parseIcs(res.text).events;
      assert.equal(event!.url, `https://cabinet.example.com/changes/${c.id}`);
      assert.ok(!res.text.includes('evil.example'));
    },
    { CABINET_PUBLIC_URL: 'https://cabinet.example.com/' },
  );

  it('refuses a public URL that is not http(s), naming the variable', () => {
    assert.throws(
      () => loadConfig({ CABINET_PUBLIC_URL: 'ftp://cabinet.example.com' }),
      (err: Error) => /CABINET_PUBLIC_URL: must be an http\(s\) URL/.test(err.message),
    );
    assert.equal(loadConfig({}).publicUrl, null);
  });
});

describe('calendar feed secrets in logs', () => {
  it('redacts the feed secret from any URL shape a client may send', () => {
    const secret = 'cal_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr';
    const cases: [string, string][] = [
      [`/feeds/${secret}.ics`, '/feeds/[redacted]'],
      [`/feeds/${secret}.ics?alt=1`, '/feeds/[redacted]?alt=1'],
      [`//feeds/${secret}.ics`, '//feeds/[redacted]'],
      [`/FEEDS/${secret}`, '/feeds/[redacted]'],
      [`/api/v1/changes?q=${secret}`, '/api/v1/changes?q=[redacted]'],
      ['/api/v1/calendar?from=x', '/api/v1/calendar?from=x'],
    ];
    for (const [url, expected] of cases) assert.equal(redactUrl(url), expected, url);
  });

  for (const { engine, skip } of ENGINES) {
    it(`never writes a feed secret to the request log [${engine}]`, { skip }, async () => {
      const db = await createTestDatabase(engine);
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      });
      const config = loadConfig({
        DATABASE_URL: db.url,
        CABINET_ADMIN_EMAIL: ADMIN_EMAIL,
        CABINET_ADMIN_PASSWORD: ADMIN_PASSWORD,
        CABINET_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
        CABINET_WEB_DIR: '/nonexistent',
        CABINET_LOG_LEVEL: 'info',
      });
      const cabinet = await startCabinet(config, { logger: true, logDestination: sink });
      try {
        const created = await cabinet.app.inject({
          method: 'POST',
          url: '/api/v1/me/calendar-feeds',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          payload: { name: 'All', scope: { kind: 'all' } },
        });
        assert.equal(created.statusCode, 201, created.body);
        const { url } = created.json<{ url: string }>();
        const path = new URL(url).pathname;
        const secret = path.slice('/feeds/'.length, -'.ics'.length);
        assert.equal((await cabinet.app.inject({ method: 'GET', url: path })).statusCode, 200);
        assert.equal((await cabinet.app.inject({ method: 'GET', url: `${path}?download=1` })).statusCode, 200);
        assert.equal((await cabinet.app.inject({ method: 'GET', url: `/feeds/${secret}x.ics` })).statusCode, 404);

        const requests = lines.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } }).filter((l) => l.req);
        assert.deepEqual(
          requests.filter((l) => l.req!.url.includes('/feeds/')).map((l) => l.req!.url),
          ['/feeds/[redacted]', '/feeds/[redacted]?download=1', '/feeds/[redacted]'],
        );
        assert.ok(lines.length > 0 && lines.every((l) => !l.includes(secret)), 'no log line holds the secret');
      } finally {
        await cabinet.close();
        await db.drop();
      }
    });
  }
});
