import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { dueDigest, quietUntil } from '../src/domain/notification/quiet-hours';
import { wallClockOf } from '../src/domain/time/zoned';
import { writeDigestMail } from '../src/integrations/mail/digest-mail';
import { eachEngine, type Harness } from './support/cabinet';
import { catalogueEntry } from './support/fixtures';
import { startSmtp, type Received } from './support/smtp';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const smtp = await startSmtp();
after(() => smtp.close());

const MAIL_ENV = smtp.env;
const mailTo = smtp.mailTo;
const unique = () => Math.random().toString(36).slice(2, 8);
/** The path of the first link in a message's text that starts with `prefix`. */
const linkIn = (m: Received, prefix: string): string => {
  const url = new RegExp(`https://cabinet\\.example\\.com(${prefix.replace(/\//g, '\\/')}[^\\s]+)`).exec(m.mail.text ?? '')?.[1];
  assert.ok(url, `a ${prefix} link in: ${m.mail.text}`);
  return url;
};
/** The link with one character of its MAC changed (not the last: its low bits are padding base64url ignores). */
const forge = (link: string): string => `${link.slice(0, -5)}${link.at(-5) === 'A' ? 'B' : 'A'}${link.slice(-4)}`;
const unsubscribePathOf = (m: Received): string => new URL(/^List-Unsubscribe: <([^>]+)>/im.exec(m.head)![1]!).pathname;

async function person(h: Harness, name: string, roles: string[]): Promise<{ id: string; token: string; email: string }> {
  const u = await h.userWithToken(roles, { email: `${name.toLowerCase().replace(/\W+/g, '.')}-${unique()}@example.com` });
  const renamed = await h.request('PATCH', `/api/v1/users/${u.id}`, { body: { name } });
  assert.equal(renamed.status, 200, renamed.text);
  return u;
}

async function prefs(h: Harness, token: string, body: Record<string, unknown>): Promise<void> {
  const res = await h.request('PATCH', '/api/v1/me/preferences', { token, body });
  assert.equal(res.status, 200, res.text);
}

/** A CI of a service, named as given. */
async function aCi(h: Harness, name = 'pay-db-1', serviceName = 'Databases'): Promise<string> {
  const service = await h.request('POST', '/api/v1/services', { body: { name: serviceName, tier: 1 } });
  assert.equal(service.status, 201, service.text);
  const ci = await h.request('POST', '/api/v1/cis', { body: { name, type: 'database', environment: 'production', criticality: 'low', serviceId: service.body.id } });
  assert.equal(ci.status, 201, ci.text);
  return ci.body.id;
}

async function follow(h: Harness, token: string, ciId: string, channels: string[]): Promise<string> {
  const res = await h.request('POST', '/api/v1/subscriptions', { token, body: { target: { kind: 'ci', id: ciId }, channels } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** A standard change from the catalogue on the CI planned at `start` for two hours, filed and scheduled by `token`. */
async function scheduled(h: Harness, token: string, ciId: string, title: string, start: number): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', {
    token,
    body: {
      type: 'standard', title, description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', ciIds: [ciId],
      plannedStart: new Date(start).toISOString(), plannedEnd: new Date(start + 2 * HOUR).toISOString(), templateId: await catalogueEntry(h),
    },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.type, 'standard', res.text);
  const moved = await h.request('POST', `/api/v1/changes/${res.body.id}/transitions`, { token, body: { to: 'scheduled' } });
  assert.equal(moved.status, 200, moved.text);
  return res.body;
}

/** The first instant after `from` at which clocks in `zone` read 07:00 (on a Monday when `monday`). */
function nextSeven(from: Date, zone: string, monday = false): number {
  for (let t = Math.ceil(from.getTime() / HOUR) * HOUR; ; t += HOUR) {
    const local = new Date(wallClockOf(zone, t));
    if (local.getUTCHours() === 7 && local.getUTCMinutes() === 0 && (!monday || local.getUTCDay() === 1)) return t;
  }
}

/** "HH:MM" of an instant in UTC. */
const hm = (t: number) => new Date(t).toISOString().slice(11, 16);

describe('quiet hours and digest periods (pure)', () => {
  const cases: [what: string, now: string, quiet: { start: string; end: string } | null, zone: string | null, until: string | null][] = [
    ['inside hours that wrap midnight, before midnight', '2026-12-07T23:30:00Z', { start: '22:00', end: '07:00' }, null, '2026-12-08T07:00:00.000Z'],
    ['inside hours that wrap midnight, after midnight', '2026-12-08T03:00:00Z', { start: '22:00', end: '07:00' }, null, '2026-12-08T07:00:00.000Z'],
    ['the end is outside', '2026-12-08T07:00:00Z', { start: '22:00', end: '07:00' }, null, null],
    ['the start is inside', '2026-12-07T22:00:00Z', { start: '22:00', end: '07:00' }, 'UTC', '2026-12-08T07:00:00.000Z'],
    ['hours within one day', '2026-12-07T13:00:00Z', { start: '12:00', end: '14:00' }, null, '2026-12-07T14:00:00.000Z'],
    ['outside hours within one day', '2026-12-07T15:00:00Z', { start: '12:00', end: '14:00' }, null, null],
    ['read in the person’s zone (CET, UTC+1)', '2026-12-07T22:30:00Z', { start: '22:00', end: '07:00' }, 'Europe/Amsterdam', '2026-12-08T06:00:00.000Z'],
    ['none', '2026-12-07T23:30:00Z', null, null, null],
  ];
  for (const [what, now, quiet, zone, until] of cases) {
    it(`quiet hours: ${what}`, () => assert.equal(quietUntil(new Date(now), quiet, zone)?.toISOString() ?? null, until));
  }

  it('a daily digest is due from 07:00 to midnight in the person’s zone, a weekly one on Monday only', () => {
    assert.equal(dueDigest(new Date('2026-12-08T05:59:00Z'), 'daily', 'Europe/Amsterdam'), null, '06:59 CET');
    assert.deepEqual(dueDigest(new Date('2026-12-08T06:00:00Z'), 'daily', 'Europe/Amsterdam'), { key: 'daily:2026-12-08', from: '2026-12-08T06:00:00.000Z', to: '2026-12-09T06:00:00.000Z' });
    assert.equal(dueDigest(new Date('2026-12-08T22:59:00Z'), 'daily', 'Europe/Amsterdam')?.key, 'daily:2026-12-08', '23:59 CET');
    assert.equal(dueDigest(new Date('2026-12-08T23:00:00Z'), 'daily', 'Europe/Amsterdam'), null, 'midnight CET, before 07:00');
    // 7 December 2026 is a Monday.
    assert.deepEqual(dueDigest(new Date('2026-12-07T07:00:00Z'), 'weekly', null), { key: 'weekly:2026-12-07', from: '2026-12-07T07:00:00.000Z', to: '2026-12-14T07:00:00.000Z' });
    assert.equal(dueDigest(new Date('2026-12-08T07:00:00Z'), 'weekly', null), null, 'Tuesday');
    assert.equal(dueDigest(new Date('2026-12-07T07:00:00Z'), 'off', null), null);
  });

  it('escapes what people typed in the digest’s HTML part', () => {
    const m = writeDigestMail({
      frequency: 'daily',
      from: 'Mon 7 Dec 2026, 07:00 UTC',
      to: 'Tue 8 Dec 2026, 07:00 UTC',
      items: [{ number: 'CHG1', title: 'Patch <script>x</script>', window: null, risk: null, services: ['A & B'], reasons: ['follows <b>db</b>'], link: 'https://c.example/changes/CHG1', concernUrl: 'https://c.example/c?a=1&b=2' }],
      unsubscribeUrl: 'https://c.example/u',
    });
    assert.ok(!m.html.includes('<script>'), m.html);
    assert.match(m.html, /Patch &lt;script&gt;x&lt;\/script&gt;/);
    assert.match(m.html, /A &amp; B/);
    assert.match(m.html, /follows &lt;b&gt;db&lt;\/b&gt;/);
    assert.match(m.html, /href="https:\/\/c\.example\/c\?a=1&amp;b=2"/);
    assert.equal(m.subject, 'Your daily digest: 1 change planned from Mon 7 Dec 2026, 07:00 UTC');
  });
});

// Every test has its own database and its own addresses, so the runs of a test on the two engines may overlap.
describe('quiet hours', { concurrency: 2 }, () => {
  eachEngine(
    'holds a reader’s email during their quiet hours and sends it when they end, without counting a failure; in-app is not held',
    async (h) => {
      const ci = await aCi(h);
      const sam = await person(h, 'Sam Sleeper', ['stakeholder']);
      const ann = await person(h, 'Ann Awake', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const now = h.now().getTime();
      // Quiet from an hour ago to two hours on, in UTC (Sam chose no zone).
      const end = Math.ceil((now + 2 * HOUR) / MINUTE) * MINUTE;
      await prefs(h, sam.token, { quietHours: { start: hm(now - HOUR), end: hm(end) } });
      assert.deepEqual((await h.request('GET', '/api/v1/me/preferences', { token: sam.token })).body, { timeZone: null, quietHours: { start: hm(now - HOUR), end: hm(end) }, digest: 'off', approvalEmails: true });
      await follow(h, sam.token, ci, ['in_app', 'email']);
      await follow(h, ann.token, ci, ['email']);

      const change = await scheduled(h, rita.token, ci, 'Patch the payments database', now + 10 * DAY);
      const first = await h.tick();
      assert.equal(first.failed, 0, JSON.stringify(first));
      assert.deepEqual([mailTo(ann.email).length, mailTo(sam.email).length], [1, 0], 'Ann is emailed, Sam is in his quiet hours');
      const inApp = await h.request('GET', '/api/v1/me/notifications', { token: sam.token });
      assert.equal(inApp.body.items.filter((n: { kind: string }) => n.kind === 'change_announced').length, 1, 'the bell is not held');

      const { store } = h.cabinet;
      const items = await store.kysely.selectFrom('outbox').selectAll().where('topic', '=', 'change.announced.email').execute();
      assert.equal(items.length, 1);
      const item = (await store.repos.outbox.find(items[0]!.id))!;
      assert.deepEqual([item.state, item.attempts, item.lastError, item.availableAt], ['pending', 0, null, new Date(end).toISOString()], 'deferred to the end of the quiet hours, the attempt not counted');
      const log = await store.repos.deliveries.forItem(item.id);
      assert.deepEqual(log.map((d) => [d.recipient, d.result]), [[ann.email.toLowerCase(), 'delivered']], 'nothing in the failure log');

      await h.tick();
      assert.equal(mailTo(sam.email).length, 0, 'still quiet');
      h.advance(end - now + MINUTE);
      const released = await h.tick();
      assert.equal(released.failed, 0);
      assert.deepEqual([mailTo(ann.email).length, mailTo(sam.email).length], [1, 1], 'Sam gets it once his quiet hours end; Ann not again');
      assert.match(mailTo(sam.email)[0]!.mail.subject ?? '', new RegExp(`^${change.number} `));
      const done = (await store.repos.outbox.find(item.id))!;
      assert.deepEqual([done.state, done.attempts], ['delivered', 1]);
    },
    MAIL_ENV,
  );

  eachEngine(
    'an urgent notice is emailed at once, through the reader’s quiet hours',
    async (h) => {
      const ci = await aCi(h);
      const sam = await person(h, 'Sam Sleeper', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const now = h.now().getTime();
      await prefs(h, sam.token, { quietHours: { start: hm(now - HOUR), end: hm(now + 2 * HOUR) } });
      const subscriptionId = await follow(h, sam.token, ci, ['email']);
      const change = await scheduled(h, rita.token, ci, 'Patch it now', now + 10 * DAY);
      await h.tick();
      assert.equal(mailTo(sam.email).length, 0, 'an ordinary notice waits');
      // What a rule marked urgent (notifications.yaml: a lockdown) queues: the same email item, urgent.
      const { store, services } = h.cabinet;
      const payload = { changeId: change.id, event: 'rescheduled', actorId: rita.id, actorName: 'Rita Requester', alreadyTold: [], readers: [{ userId: sam.id, subscriptionId, reasons: ['follows pay-db-1'] }], urgent: true };
      await store.transaction((repos) => services.outbox.enqueue(repos, 'change.announced.email', payload));
      const report = await h.tick();
      assert.equal(report.failed, 0);
      assert.equal(mailTo(sam.email).length, 1, 'the urgent one goes at once');
    },
    MAIL_ENV,
  );

  eachEngine('refuses quiet hours that are not HH:MM or start where they end, listing every problem', async (h) => {
    const sam = await person(h, 'Sam', ['stakeholder']);
    const bad = await h.request('PATCH', '/api/v1/me/preferences', { token: sam.token, body: { quietHours: { start: '25:00', end: '7:00' }, digest: 'hourly' } });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['digest', 'quietHours.end', 'quietHours.start']);
    const same = await h.request('PATCH', '/api/v1/me/preferences', { token: sam.token, body: { quietHours: { start: '22:00', end: '22:00' } } });
    assert.equal(same.status, 400, same.text);
    assert.deepEqual(same.body.error.details.issues, [{ path: 'quietHours.end', message: 'the start and the end must differ' }]);
    await prefs(h, sam.token, { quietHours: { start: '22:00', end: '07:00' }, digest: 'weekly' });
    await prefs(h, sam.token, { quietHours: null });
    assert.deepEqual((await h.request('GET', '/api/v1/me/preferences', { token: sam.token })).body, { timeZone: null, quietHours: null, digest: 'weekly', approvalEmails: true });
  });
});

describe('digests', { concurrency: 2 }, () => {
  eachEngine(
    'a daily digest at 07:00 in the reader’s zone lists the changes planned in the next day on what they follow, with why; exactly once with two workers racing and a repeated tick; its link turns it off',
    async (h) => {
      const ci = await aCi(h);
      const other = await aCi(h, 'web-1', 'Web');
      const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      await prefs(h, sam.token, { timeZone: 'Europe/Amsterdam', digest: 'daily' });
      await follow(h, sam.token, ci, ['in_app']);
      const seven = nextSeven(new Date(h.now().getTime() + DAY), 'Europe/Amsterdam');
      const listed = await scheduled(h, rita.token, ci, 'Patch <the> payments database', seven + 3 * HOUR);
      const later = await scheduled(h, rita.token, ci, 'Later work', seven + 3 * DAY);
      const cancelled = await scheduled(h, rita.token, ci, 'Cancelled work', seven + 5 * HOUR);
      assert.equal((await h.request('POST', `/api/v1/changes/${cancelled.id}/transitions`, { token: rita.token, body: { to: 'cancelled', comment: 'No.' } })).status, 200);
      const unfollowed = await scheduled(h, rita.token, other, 'Web work', seven + 4 * HOUR);
      await h.tick();

      h.advance(seven + MINUTE - h.now().getTime());
      const { services } = h.cabinet;
      const [a, b] = await Promise.all([services.digests.tick(), services.digests.tick()]);
      assert.equal(a.digests + b.digests, 1, 'one of two racing workers claims the digest');
      await Promise.all([services.outbox.deliverDue('worker-a'), services.outbox.deliverDue('worker-b')]);
      const again = await h.tick();
      assert.equal(again.digests, 0, 'a repeated tick claims nothing');
      await h.tick();

      const digests = mailTo(sam.email);
      assert.equal(digests.length, 1, 'one email');
      const m = digests[0]!;
      assert.match(m.mail.subject ?? '', /^Your daily digest: 1 change planned from .*07:00 CET$/);
      const text = m.mail.text ?? '';
      assert.match(text, new RegExp(`${listed.number} "Patch <the> payments database"`));
      const local = new Date(seven + 3 * HOUR + HOUR).toISOString().slice(11, 16);
      assert.match(text, new RegExp(`When: .*${local}.*CET`));
      assert.match(text, /Risk: /);
      assert.match(text, /Services: Databases/);
      assert.match(text, /Why you get this: follows pay-db-1/);
      assert.match(text, /Raise a concern: https:\/\/cabinet\.example\.com\/api\/v1\/concern-links\//);
      for (const c of [later, cancelled, unfollowed]) assert.doesNotMatch(text, new RegExp(c.number), `${c.number} is not listed`);
      assert.match(String(m.mail.html), /Patch &lt;the&gt; payments database/);
      const inApp = (await h.request('GET', '/api/v1/me/notifications', { token: sam.token })).body.items.filter((n: { kind: string }) => n.kind === 'digest');
      assert.equal(inApp.length, 1, 'one in-app digest');
      assert.match(inApp[0].title, /^Your daily digest: 1 change planned from .*CET\.$/);

      // The one-click link turns the digest off; GET only describes.
      const path = unsubscribePathOf(m);
      assert.deepEqual((await h.request('GET', path, { token: null })).body, { subscription: null, email: false, unsubscribed: false, digest: 'daily' });
      const page = await h.request('GET', path, { token: null, headers: { accept: 'text/html' } });
      assert.match(page.text, /Stop your daily digest\?/);
      const off = await h.request('POST', path, { token: null, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(off.status, 200, off.text);
      assert.deepEqual(off.body, { subscription: null, email: false, unsubscribed: true, digest: 'off' });
      assert.equal((await h.request('GET', '/api/v1/me/preferences', { token: sam.token })).body.digest, 'off');
      const audit = await h.request('GET', `/api/v1/audit/events?record=${sam.id}&action=user.updated`);
      assert.ok(
        audit.body.items.some((e: { actorId: string; data: { changes?: { digest?: unknown }; link?: string } }) => e.actorId === sam.id && e.data.link === 'unsubscribe' && JSON.stringify(e.data.changes?.digest) === '{"from":"daily","to":"off"}'),
        JSON.stringify(audit.body.items),
      );
      const forged = forge(path);
      assert.equal((await h.request('POST', forged, { token: null })).status, 404);

      await scheduled(h, rita.token, ci, 'Tomorrow’s work', seven + DAY + 3 * HOUR);
      h.advance(DAY);
      assert.equal((await h.tick()).digests, 0, 'no digest once it is off');
      assert.equal(mailTo(sam.email).length, 1);
    },
    MAIL_ENV,
  );

  eachEngine(
    'a weekly digest comes on Monday at 07:00 with the next seven days; a digest with nothing planned is not sent',
    async (h) => {
      const ci = await aCi(h);
      const wendy = await person(h, 'Wendy Weekly', ['stakeholder']);
      const nora = await person(h, 'Nora Nothing', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      await prefs(h, wendy.token, { digest: 'weekly' });
      await prefs(h, nora.token, { digest: 'daily' });
      await follow(h, wendy.token, ci, ['in_app']);
      const monday = nextSeven(new Date(h.now().getTime() + DAY), 'UTC', true);
      const inWeek = await scheduled(h, rita.token, ci, 'Within the week', monday + 6 * DAY);
      const nextWeek = await scheduled(h, rita.token, ci, 'The week after', monday + 8 * DAY);
      await h.tick();
      h.advance(monday - DAY + 8 * HOUR - h.now().getTime());
      await h.tick();
      assert.equal(mailTo(wendy.email).length, 0, 'not on Sunday');
      h.advance(DAY - HOUR);
      const report = await h.tick();
      assert.equal(report.digests, 1, JSON.stringify(report));
      const [m] = mailTo(wendy.email);
      assert.ok(m, 'Wendy’s weekly digest');
      assert.match(m.mail.subject ?? '', /^Your weekly digest: 1 change planned from Mon .*07:00 UTC$/);
      assert.match(m.mail.text ?? '', new RegExp(inWeek.number));
      assert.doesNotMatch(m.mail.text ?? '', new RegExp(nextWeek.number));
      assert.equal(mailTo(nora.email).length, 0, 'Nora follows nothing: no digest');
      assert.equal((await h.request('GET', '/api/v1/me/notifications', { token: nora.token })).body.items.filter((n: { kind: string }) => n.kind === 'digest').length, 0);
    },
    MAIL_ENV,
  );
});

describe('external addresses', { concurrency: 2 }, () => {
  eachEngine(
    'an external address gets nothing until it confirms (expired and forged links 404, a fresh one may be sent), then the announcements with an unsubscribe link',
    async (h) => {
      const ci = await aCi(h);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
      const list = `ops-list-${unique()}@lists.example.org`;

      const refused = await h.request('POST', '/api/v1/subscriptions', { token: sam.token, body: { target: { kind: 'ci', id: ci }, channels: ['in_app'], address: list } });
      assert.equal(refused.status, 400, refused.text);
      assert.deepEqual(refused.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['address', 'channels']);
      const notAnAddress = await h.request('POST', '/api/v1/subscriptions', { body: { target: { kind: 'ci', id: ci }, channels: ['email'], address: 'not an address' } });
      assert.equal(notAnAddress.status, 400, notAnAddress.text);

      const created = await h.request('POST', '/api/v1/subscriptions', { body: { target: { kind: 'ci', id: ci }, channels: ['email'], address: list } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual([created.body.subscriber, created.body.state], [{ kind: 'address', id: list, name: list }, 'pending']);
      const mine = await h.request('GET', '/api/v1/me/subscriptions');
      assert.deepEqual(mine.body.items.map((s: { id: string; state: string }) => [s.id, s.state]), [[created.body.id, 'pending']], 'shown as waiting for confirmation');

      await h.tick();
      const [confirmation] = mailTo(list);
      assert.ok(confirmation, 'the address is asked to confirm');
      assert.match(confirmation.mail.subject ?? '', /^Confirm: email about changes to CI pay-db-1$/);
      const link = linkIn(confirmation, '/api/v1/subscription-confirmations/');

      const change = await scheduled(h, rita.token, ci, 'Patch before confirming', h.now().getTime() + 20 * DAY);
      await h.tick();
      assert.equal(mailTo(list).length, 1, 'unconfirmed: no announcement');
      assert.deepEqual((await h.request('GET', `/api/v1/changes/${change.id}/audience`)).body.addresses, []);

      const described = await h.request('GET', link, { token: null });
      assert.equal(described.status, 200, described.text);
      assert.deepEqual(described.body, { subscription: { id: created.body.id, address: list, target: { kind: 'ci', name: 'pay-db-1' } }, confirmed: false });
      const page = await h.request('GET', link, { token: null, headers: { accept: 'text/html' } });
      assert.match(page.text, /<form method="post"><button type="submit">Confirm<\/button><\/form>/);
      const forged = forge(link);
      assert.equal((await h.request('GET', forged, { token: null })).status, 404);
      assert.equal((await h.request('POST', forged, { token: null })).status, 404);

      h.advance(8 * DAY);
      assert.equal((await h.request('POST', link, { token: null })).status, 404, 'a link older than 7 days is unknown');
      assert.equal((await h.request('POST', `/api/v1/subscriptions/${created.body.id}/confirmation`, { token: sam.token })).status, 403);
      assert.equal((await h.request('POST', `/api/v1/subscriptions/${created.body.id}/confirmation`)).status, 204);
      await h.tick();
      assert.equal(mailTo(list).length, 2, 'a fresh link');
      const fresh = linkIn(mailTo(list)[1]!, '/api/v1/subscription-confirmations/');
      for (let i = 0; i < 2; i++) {
        const confirmed = await h.request('POST', fresh, { token: null, body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(confirmed.status, 200, confirmed.text);
        assert.equal(confirmed.body.confirmed, true);
      }
      const audit = await h.request('GET', `/api/v1/audit/events?record=${created.body.id}&action=subscription.confirmed`);
      assert.deepEqual(audit.body.items.map((e: { actorName: string }) => e.actorName), [list], 'audited once, as the address');
      assert.equal((await h.request('POST', `/api/v1/subscriptions/${created.body.id}/confirmation`)).status, 409);

      const moved = await scheduled(h, rita.token, ci, 'Patch after confirming', h.now().getTime() + 20 * DAY);
      const audience = await h.request('GET', `/api/v1/changes/${moved.id}/audience`);
      assert.deepEqual(audience.body.addresses, [{ address: list, reasons: ['follows pay-db-1'], events: null }]);
      await h.tick();
      const announced = mailTo(list)[2];
      assert.ok(announced, 'confirmed: the announcement comes');
      assert.match(announced.mail.subject ?? '', new RegExp(`^${moved.number} `));
      assert.doesNotMatch(announced.mail.text ?? '', /Raise a concern/, 'an address is nobody in Cabinet: no concern link');
      // A freeze on what it follows reaches it too.
      const freeze = await h.request('POST', '/api/v1/windows', { body: { name: 'List freeze', kind: 'freeze', start: new Date(h.now().getTime() + 30 * DAY).toISOString().slice(0, 16), timeZone: 'UTC', durationMinutes: 60, scope: { ciIds: [ci] } } });
      assert.equal(freeze.status, 201, freeze.text);
      await h.tick();
      assert.match(mailTo(list)[3]?.mail.subject ?? '', /^Change freeze "List freeze" announced: /);

      const off = await h.request('POST', unsubscribePathOf(announced), { token: null, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(off.status, 200, off.text);
      assert.equal(off.body.unsubscribed, true);
      assert.deepEqual((await h.request('GET', '/api/v1/me/subscriptions')).body.items, []);
      const removed = await h.request('GET', `/api/v1/audit/events?record=${created.body.id}&action=subscription.deleted`);
      assert.deepEqual(removed.body.items.map((e: { actorName: string; data: { link?: string } }) => [e.actorName, e.data.link]), [[list, 'unsubscribe']], 'audited as the address');
      await scheduled(h, rita.token, ci, 'Patch after unsubscribing', h.now().getTime() + 25 * DAY);
      await h.tick();
      assert.equal(mailTo(list).length, 4, 'nothing after unsubscribing');
    },
    MAIL_ENV,
  );
});

describe('the "raise a concern" link', { concurrency: 2 }, () => {
  eachEngine(
    'the link in a notice email raises a concern as its person (page or JSON), refuses a forged link, an empty text and a disabled person',
    async (h) => {
      const ci = await aCi(h);
      const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      await follow(h, sam.token, ci, ['email']);
      const change = await scheduled(h, rita.token, ci, 'Patch the payments database', h.now().getTime() + 20 * DAY);
      await h.tick();
      const [m] = mailTo(sam.email);
      assert.ok(m);
      assert.match(String(m.mail.html), /<a href="https:\/\/cabinet\.example\.com\/api\/v1\/concern-links\/[^"]+">Raise a concern<\/a>/);
      const link = linkIn(m, '/api/v1/concern-links/');

      const described = await h.request('GET', link, { token: null });
      assert.deepEqual(described.body, { change: { id: change.id, number: change.number, title: 'Patch the payments database' }, person: { id: sam.id, name: 'Sam Stakeholder' } });
      const page = await h.request('GET', link, { token: null, headers: { accept: 'text/html' } });
      assert.match(page.text, /<label for="text">What worries you about it\?<\/label>/);

      const raised = await h.request('POST', link, { token: null, body: { text: 'The payments batch runs then.' } });
      assert.equal(raised.status, 201, raised.text);
      assert.deepEqual([raised.body.author, raised.body.text], [{ id: sam.id, name: 'Sam Stakeholder' }, 'The payments batch runs then.']);
      const byForm = await h.request('POST', link, { token: null, body: 'text=Also+the+reports.', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } });
      assert.equal(byForm.status, 201, byForm.text);
      assert.match(byForm.text, /was raised/);
      const listed = await h.request('GET', `/api/v1/changes/${change.id}/concerns`, { token: rita.token });
      assert.deepEqual(listed.body.items.map((c: { author: { id: string }; text: string }) => [c.author.id, c.text]), [[sam.id, 'The payments batch runs then.'], [sam.id, 'Also the reports.']]);
      const audit = await h.request('GET', `/api/v1/audit/events?record=${change.id}&action=change.concern_raised`);
      assert.deepEqual(audit.body.items.map((e: { actorId: string }) => e.actorId), [sam.id, sam.id], 'audited as Sam’s act');

      const empty = await h.request('POST', link, { token: null, body: { text: '  ' } });
      assert.equal(empty.status, 400, empty.text);
      assert.deepEqual(empty.body.error.details.issues.map((i: { path: string }) => i.path), ['text']);
      const forged = forge(link);
      assert.equal((await h.request('POST', forged, { token: null, body: { text: 'x' } })).status, 404);
      assert.equal((await h.request('POST', '/api/v1/concern-links/a.b.c.d', { token: null, body: { text: 'x' } })).status, 404);

      assert.equal((await h.request('PATCH', `/api/v1/users/${sam.id}`, { body: { disabled: true } })).status, 200);
      const disabled = await h.request('POST', link, { token: null, body: { text: 'Still me.' } });
      assert.equal(disabled.status, 403, disabled.text);
      assert.equal((await h.request('GET', `/api/v1/changes/${change.id}/concerns`, { token: rita.token })).body.items.length, 2);

      h.advance(31 * DAY);
      assert.equal((await h.request('GET', link, { token: null })).status, 404, 'expired after 30 days');
    },
    MAIL_ENV,
  );
});
