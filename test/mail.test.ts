import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { invitationUid, writeInvitation } from '../src/integrations/mail/invitation';
import { escapeHtml, writeNoticeMail } from '../src/integrations/mail/notice-mail';
import { smtpOptions } from '../src/integrations/mail/smtp';
import { readBundleFiles } from '../src/policy/loader';
import { addMembers, approvalsOf, catalogueEntry, ci as newCi, decide, fileAndAuthorize, plan } from './support/fixtures';
import { eachEngine, type Harness } from './support/cabinet';
import { startSmtp, type Received } from './support/smtp';
import { at } from './support/communication';

const HOUR = 3_600_000;

const smtp = await startSmtp();
after(() => smtp.close());

const MAIL_ENV = smtp.env;
const mailTo = smtp.mailTo;

/** The invitation of a message, read back with ical.js. */
function invitationOf(m: Received): { method: string; uid: string; sequence: number; start: string; end: string; organizer: string; attendee: string } {
  const part = m.mail.attachments.find((a) => a.contentType === 'text/calendar');
  assert.ok(part, 'the message carries a text/calendar part');
  const calendar = new ICAL.Component(ICAL.parse(part.content.toString('utf8')));
  const event = calendar.getFirstSubcomponent('vevent')!;
  const e = new ICAL.Event(event);
  return {
    method: String(calendar.getFirstPropertyValue('method')),
    uid: String(event.getFirstPropertyValue('uid')),
    sequence: Number(event.getFirstPropertyValue('sequence')),
    start: e.startDate.toJSDate().toISOString(),
    end: e.endDate.toJSDate().toISOString(),
    organizer: String(event.getFirstPropertyValue('organizer')).toLowerCase(),
    attendee: String(event.getFirstPropertyValue('attendee')).toLowerCase(),
  };
}

async function person(h: Harness, name: string, roles: string[]): Promise<{ id: string; token: string; email: string }> {
  const u = await h.userWithToken(roles, { email: `${name.toLowerCase().replace(/\W+/g, '.')}-${Math.random().toString(36).slice(2, 8)}@example.com` });
  const renamed = await h.request('PATCH', `/api/v1/users/${u.id}`, { body: { name } });
  assert.equal(renamed.status, 200, renamed.text);
  return u;
}

/** pay-db-1, a CI of service Databases. */
async function database(h: Harness): Promise<string> {
  const service = await h.request('POST', '/api/v1/services', { body: { name: 'Databases', tier: 1 } });
  assert.equal(service.status, 201, service.text);
  const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'pay-db-1', type: 'database', environment: 'production', criticality: 'low', serviceId: service.body.id } });
  assert.equal(ci.status, 201, ci.text);
  return ci.body.id;
}

async function follow(h: Harness, token: string, ciId: string, channels: string[]): Promise<string> {
  const res = await h.request('POST', '/api/v1/subscriptions', { token, body: { target: { kind: 'ci', id: ciId }, channels } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** A standard change on the CI, filed and scheduled by `token`. */
async function scheduled(h: Harness, token: string, ciId: string, title = 'Patch the payments database', from = 0): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', {
    token,
    body: { type: 'standard', title, description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', ciIds: [ciId], plannedStart: at(h, from), plannedEnd: at(h, from + 2), templateId: await catalogueEntry(h) },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.type, 'standard', res.text);
  const moved = await h.request('POST', `/api/v1/changes/${res.body.id}/transitions`, { token, body: { to: 'scheduled' } });
  assert.equal(moved.status, 200, moved.text);
  return res.body;
}

describe('email, written (pure)', () => {
  it('escapes what people typed in the HTML part and keeps the subject on one line', () => {
    const m = writeNoticeMail({ title: 'CHG1 "<script>x</script>"\nwas scheduled', body: 'A & B', reasons: ['follows <b>db</b>'], link: 'https://c.example/changes/CHG1', unsubscribeUrl: 'https://c.example/u?a=1&b=2' });
    assert.equal(m.subject, 'CHG1 "<script>x</script>" was scheduled');
    assert.ok(!m.html.includes('<script>'), m.html);
    assert.match(m.html, /&lt;script&gt;x&lt;\/script&gt;/);
    assert.match(m.html, /A &amp; B/);
    assert.match(m.html, /follows &lt;b&gt;db&lt;\/b&gt;/);
    assert.match(m.html, /href="https:\/\/c\.example\/u\?a=1&amp;b=2"/);
    assert.match(m.text, /Stop these emails: https:\/\/c\.example\/u\?a=1&b=2/);
    assert.equal(escapeHtml(`'"`), '&#39;&quot;');
  });

  it('writes an invitation ical.js reads back, and a cancellation of the same event', () => {
    const base = { changeId: 'c1', start: '2026-12-26T10:00:00.000Z', end: '2026-12-26T12:00:00.000Z', summary: 'CHG1 Patch', description: 'd', url: 'https://c.example/changes/CHG1', organizer: { name: 'Cabinet', email: 'cabinet@example.com' }, attendee: { name: 'Sam', email: 'sam@example.com' }, now: new Date('2026-12-06T00:00:00Z') };
    for (const [method, sequence] of [['REQUEST', 3], ['CANCEL', 4]] as const) {
      const calendar = new ICAL.Component(ICAL.parse(writeInvitation({ ...base, method, sequence })));
      const event = calendar.getFirstSubcomponent('vevent')!;
      assert.equal(calendar.getFirstPropertyValue('method'), method);
      assert.equal(event.getFirstPropertyValue('uid'), invitationUid('c1'));
      assert.equal(event.getFirstPropertyValue('sequence'), sequence);
      assert.equal(event.getFirstPropertyValue('status'), method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED');
    }
  });

  it('reads the SMTP URL into transport options, credentials decoded, and the usual ports when none is given', () => {
    assert.deepEqual(
      (({ host, port, secure, auth }) => ({ host, port, secure, auth }))(smtpOptions('smtps://mailer%40example.com:p%40ss@mail.example.com')),
      { host: 'mail.example.com', port: 465, secure: true, auth: { user: 'mailer@example.com', pass: 'p@ss' } },
    );
    const plain = smtpOptions('smtp://127.0.0.1:2525');
    assert.deepEqual([plain.host, plain.port, plain.secure, 'auth' in plain], ['127.0.0.1', 2525, false, false]);
  });
});

describe('email of change announcements', () => {
  eachEngine(
    'emails an email subscriber a text and an HTML part in their zone with one-click unsubscribe and an invitation; a move updates it with a higher SEQUENCE; cancelling cancels it',
    async (h) => {
      const ci = await database(h);
      const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
      const ina = await person(h, 'Ina Inapp', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      assert.equal((await h.request('PATCH', '/api/v1/me/preferences', { token: sam.token, body: { timeZone: 'Europe/Amsterdam' } })).status, 200);
      await follow(h, sam.token, ci, ['email']);
      await follow(h, ina.token, ci, ['in_app']);
      assert.deepEqual((await h.request('GET', '/api/v1/mail/status', { token: sam.token })).body, { email: true });

      const change = await scheduled(h, rita.token, ci);
      await h.tick();
      const [first, ...more] = mailTo(sam.email);
      assert.ok(first, 'Sam, who chose email alone, is emailed');
      assert.equal(more.length, 0);
      assert.equal(mailTo(ina.email).length, 0, 'an in-app subscriber gets no email');
      assert.equal(mailTo(rita.email).length, 0, 'who scheduled it is not emailed');
      const notices = await h.request('GET', '/api/v1/me/notifications', { token: sam.token });
      assert.equal(notices.body.items.filter((n: { kind: string }) => n.kind === 'change_announced').length, 0, 'nor told in-app');

      const mail = first.mail;
      assert.equal(mail.from?.value[0]?.address, 'cabinet@example.com');
      assert.equal((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.address, sam.email);
      assert.equal((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.name, 'Sam Stakeholder');
      // 20 days ahead of today is in winter: Amsterdam is on CET, one hour ahead of UTC.
      const local = new Date(new Date(at(h, 0)).getTime() + HOUR).toISOString().slice(11, 16);
      assert.match(mail.subject ?? '', new RegExp(`^${change.number} "Patch the payments database" was scheduled for .*${local}.* CET by Rita Requester\\.$`));
      assert.match(mail.text ?? '', new RegExp(`${local}.*CET`));
      assert.match(String(mail.html), new RegExp(`${local}.*CET`));
      assert.match(mail.text ?? '', new RegExp(`https://cabinet\\.example\\.com/changes/${change.number}`));
      assert.match(String(mail.html), /Why you get this: follows pay-db-1\./);

      const listUnsubscribe = first.head.match(/^List-Unsubscribe: (.*)$/im)?.[1];
      assert.match(listUnsubscribe ?? '', /^<https:\/\/cabinet\.example\.com\/api\/v1\/unsubscribe\/[^>]+>/);
      assert.match(first.head, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/im);
      assert.match(first.raw.replace(/\r?\n[ \t]+/g, ' '), /Content-Type: text\/calendar;.*method=REQUEST/i);

      const request = invitationOf(first);
      assert.equal(request.method, 'REQUEST');
      assert.equal(request.uid, `change-${change.id}@cabinet`);
      assert.deepEqual([request.start, request.end], [at(h, 0), at(h, 2)]);
      assert.equal(request.organizer, 'mailto:cabinet@example.com');
      assert.equal(request.attendee, `mailto:${sam.email}`);

      const current = await h.request('GET', `/api/v1/changes/${change.id}`, { token: rita.token });
      const moved = await h.request('PATCH', `/api/v1/changes/${change.id}`, { token: rita.token, body: { plannedStart: at(h, 4), plannedEnd: at(h, 6), version: current.body.version } });
      assert.equal(moved.status, 200, moved.text);
      await h.tick();
      const update = invitationOf(mailTo(sam.email)[1]!);
      assert.equal(update.method, 'REQUEST');
      assert.equal(update.uid, request.uid);
      assert.ok(update.sequence > request.sequence, `SEQUENCE ${update.sequence} > ${request.sequence}`);
      assert.deepEqual([update.start, update.end], [at(h, 4), at(h, 6)]);

      const cancelled = await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { token: rita.token, body: { to: 'cancelled', comment: 'Not needed after all.' } });
      assert.equal(cancelled.status, 200, cancelled.text);
      await h.tick();
      const sent = mailTo(sam.email);
      assert.equal(sent.length, 3);
      assert.match(sent[2]!.mail.subject ?? '', /was cancelled by Rita Requester\.$/);
      assert.match(sent[2]!.raw.replace(/\r?\n[ \t]+/g, ' '), /Content-Type: text\/calendar;.*method=CANCEL/i);
      const cancel = invitationOf(sent[2]!);
      assert.equal(cancel.method, 'CANCEL');
      assert.equal(cancel.uid, request.uid);
      assert.ok(cancel.sequence > update.sequence, `SEQUENCE ${cancel.sequence} > ${update.sequence}`);

      // The delivery log holds each email once, by address.
      const log = await h.request('GET', `/api/v1/changes/${change.id}/deliveries`);
      assert.equal(log.status, 200, log.text);
      const emails = log.body.items.filter((d: { channel: string }) => d.channel === 'email');
      assert.equal(emails.length, 3, JSON.stringify(emails));
      assert.ok(emails.every((d: { recipient: string; result: string }) => d.recipient === sam.email && d.result === 'delivered'));
    },
    MAIL_ENV,
  );

  eachEngine(
    'a template’s Markdown becomes safe HTML (a title cannot become a link), a start is no invitation, and a freeze is emailed with a link to the freezes',
    async (h) => {
      const ci = await database(h);
      const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      await follow(h, sam.token, ci, ['email']);
      const files = await readBundleFiles(new URL('../policies/default', import.meta.url).pathname);
      files['notifications.yaml'] = `${files['notifications.yaml']!.trimEnd()}\n    scheduled:\n      title: "{{change.ref}} is planned"\n      body: "**Heads up.** {{change.title}} runs {{change.window}}. [Runbook](https://wiki.example.com/runbook)"\n`;
      const applied = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
      assert.equal(applied.status, 201, applied.text);
      const change = await scheduled(h, rita.token, ci, 'Fix [this](https://evil.example.com) <script>x</script>');
      await h.tick();
      const [planned] = mailTo(sam.email);
      assert.ok(planned);
      assert.equal(planned.mail.subject, `${change.number} "Fix [this](https://evil.example.com) <script>x</script>" is planned`);
      const html = String(planned.mail.html);
      assert.match(html, /<strong>Heads up\.<\/strong> Fix \[this\]\(https:\/\/evil\.example\.com\) &lt;script&gt;x&lt;\/script&gt; runs \w{3} \d+ \w{3} \d{4}, \d\d:\d\d–\d\d:\d\d UTC\./);
      assert.match(html, /<a href="https:\/\/wiki\.example\.com\/runbook">Runbook<\/a>/);
      assert.doesNotMatch(html, /href="https:\/\/evil/, 'the title’s link stays text');
      assert.doesNotMatch(html, /<script>/);
      assert.match(planned.mail.text ?? '', /^Heads up\. Fix \[this\]\(https:\/\/evil\.example\.com\) <script>x<\/script> runs .+ UTC\. Runbook \(https:\/\/wiki\.example\.com\/runbook\)$/m);

      const current = await h.request('GET', `/api/v1/changes/${change.id}`, { token: rita.token });
      assert.equal((await h.request('PATCH', `/api/v1/changes/${change.id}`, { token: rita.token, body: { actualStart: h.now().toISOString(), version: current.body.version } })).status, 200);
      assert.equal((await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { token: rita.token, body: { to: 'implement' } })).status, 200);
      await h.tick();
      const started = mailTo(sam.email)[1];
      assert.match(started?.mail.subject ?? '', /has started: Rita Requester is implementing it\.$/);
      assert.equal(started!.mail.attachments.filter((a) => a.contentType === 'text/calendar').length, 0, 'a start leaves calendars be');

      const freeze = await h.request('POST', '/api/v1/windows', { body: { name: 'Database freeze', kind: 'freeze', start: at(h, 48).slice(0, 16), timeZone: 'UTC', durationMinutes: 120, scope: { ciIds: [ci] } } });
      assert.equal(freeze.status, 201, freeze.text);
      await h.tick();
      const announced = mailTo(sam.email)[2];
      assert.match(announced?.mail.subject ?? '', /^Change freeze "Database freeze" announced: .+ UTC\.$/);
      assert.match(announced!.mail.text ?? '', /See the freezes: https:\/\/cabinet\.example\.com\/schedule\/windows/);
      assert.match(announced!.head, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/im);
    },
    MAIL_ENV,
  );

  eachEngine(
    'an approval request is emailed to each approver who keeps approval emails on, not once they voted, and without an unsubscribe header',
    async (h) => {
      const requester = await person(h, 'Rita Requester', ['requester']);
      const dora = await person(h, 'Dora DBA', ['approver']);
      const dan = await person(h, 'Dan DBA', ['approver']);
      const quiet = await person(h, 'Quinn Quiet', ['approver']);
      await addMembers(h, 'dba', [dora.id, dan.id, quiet.id]);
      assert.equal((await h.request('PATCH', '/api/v1/me/preferences', { token: quiet.token, body: { approvalEmails: false } })).status, 200);
      const db = await newCi(h, 'orders-db', 'database');
      const change = await fileAndAuthorize(h, requester.token, plan([db]));
      await h.tick();
      const [request, ...more] = mailTo(dora.email);
      assert.ok(request, 'Dora is emailed');
      assert.equal(more.length, 0);
      assert.match(request.mail.text ?? '', /Why you get this: you are asked to approve it\./);
      assert.match(request.mail.text ?? '', /Open it in Cabinet: https:\/\/cabinet\.example\.com\/changes\/CHG\d+\?tab=approvals/);
      assert.match(request.mail.text ?? '', /Choose the emails you get: https:\/\/cabinet\.example\.com\/me\/preferences/);
      assert.doesNotMatch(request.head, /^List-Unsubscribe/im);
      assert.equal(mailTo(dan.email).length, 1, 'Dan is asked too');
      assert.equal(mailTo(quiet.email).length, 0, 'Quinn turned approval emails off');
      assert.equal((await approvalsOf(h, change.id)).length, 2);

      // Dan approves a second change before the worker runs: the approval (quorum any) is decided, so nobody is emailed.
      const second = await fileAndAuthorize(h, requester.token, plan([db]));
      const [secondDba] = await approvalsOf(h, second.id);
      assert.equal((await decide(h, dan.token, secondDba!.id, { decision: 'approve', comment: 'Fine.' })).status, 200);
      const before = mailTo(dan.email).length + mailTo(dora.email).length;
      await h.tick();
      assert.equal(mailTo(dan.email).length + mailTo(dora.email).length, before, 'an approval decided before its email went is not emailed');
    },
    MAIL_ENV,
  );

  eachEngine(
    'one-click unsubscribe: GET only describes, POST turns email off for good (and again answers the same), a forged link is 404',
    async (h) => {
      const ci = await database(h);
      const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const subscription = await follow(h, sam.token, ci, ['in_app', 'email']);
      await scheduled(h, rita.token, ci);
      await h.tick();
      assert.equal(mailTo(sam.email).length, 1);
      const url = /^List-Unsubscribe: <([^>]+)>/im.exec(mailTo(sam.email)[0]!.head)![1]!;
      const path = new URL(url).pathname;

      for (let i = 0; i < 2; i++) {
        const described = await h.request('GET', path, { token: null });
        assert.equal(described.status, 200, described.text);
        assert.deepEqual(described.body, { subscription: { id: subscription, target: { kind: 'ci', name: 'pay-db-1' }, team: null }, email: true, unsubscribed: false });
      }
      // A browser that opens the link from the email's body gets a page whose button posts it.
      const page = await h.request('GET', path, { token: null, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      assert.equal(page.status, 200, page.text);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.text, /Stop email from your subscription to CI pay-db-1\?/);
      assert.match(page.text, /<form method="post"><button type="submit">Stop these emails<\/button><\/form>/);
      const [before] = (await h.request('GET', '/api/v1/me/subscriptions', { token: sam.token })).body.items;
      assert.deepEqual(before.channels, ['in_app', 'email'], 'a GET changes nothing');

      // What a mail client sends (RFC 8058): a form body, no session, no CSRF token.
      for (let i = 0; i < 2; i++) {
        const posted = await h.request('POST', path, { token: null, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(posted.status, 200, posted.text);
        assert.deepEqual(posted.body, { subscription: { id: subscription, target: { kind: 'ci', name: 'pay-db-1' }, team: null }, email: false, unsubscribed: true });
      }
      const pagePost = await h.request('POST', path, { token: null, body: '', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(pagePost.status, 200, pagePost.text);
      assert.match(pagePost.text, /Email from your subscription to CI pay-db-1 is off\./);
      assert.doesNotMatch(pagePost.text, /<form/);
      const [afterwards] = (await h.request('GET', '/api/v1/me/subscriptions', { token: sam.token })).body.items;
      assert.deepEqual(afterwards.channels, ['in_app']);
      const audit = await h.request('GET', `/api/v1/audit/events?record=${subscription}&action=subscription.updated`);
      assert.equal(audit.status, 200, audit.text);
      assert.deepEqual(
        audit.body.items.map((e: { actorId: string; data: Record<string, unknown> }) => [e.actorId, e.data.link]),
        [[sam.id, 'unsubscribe']],
        'audited once, as Sam’s act',
      );

      await scheduled(h, rita.token, ci, 'Patch it again', 10);
      await h.tick();
      assert.equal(mailTo(sam.email).length, 1, 'no email after unsubscribing');
      const inApp = (await h.request('GET', '/api/v1/me/notifications', { token: sam.token })).body.items.filter((n: { kind: string }) => n.kind === 'change_announced');
      assert.equal(inApp.length, 2, 'in-app goes on');

      const [subscriptionId, , mac] = path.split('/').pop()!.split('.');
      const ritaId = `U${Buffer.from(rita.id.replace(/-/g, ''), 'hex').toString('base64url')}`;
      const flipped = `${mac!.slice(0, 5)}${mac![5] === 'A' ? 'B' : 'A'}${mac!.slice(6)}`;
      for (const forged of [path.split('/').pop()!.replace(mac!, flipped), `${subscriptionId}.${ritaId}.${mac}`, 'nonsense', 'a.b.c']) {
        const get = await h.request('GET', `/api/v1/unsubscribe/${forged}`, { token: null });
        assert.equal(get.status, 404, forged);
        assert.equal(get.body.error.code, 'not_found');
        assert.equal((await h.request('POST', `/api/v1/unsubscribe/${forged}`, { token: null })).status, 404);
      }
    },
    MAIL_ENV,
  );

  eachEngine(
    'a recipient the SMTP server refuses is retried alone; the others are not emailed twice',
    async (h) => {
      const ci = await database(h);
      const ann = await person(h, 'Ann Able', ['stakeholder']);
      const bea = await person(h, 'Bea Bounce', ['stakeholder']);
      const cy = await person(h, 'Cy Can', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      for (const p of [ann, bea, cy]) await follow(h, p.token, ci, ['email']);
      smtp.refuse.add(bea.email.toLowerCase());
      try {
        const change = await scheduled(h, rita.token, ci);
        const first = await h.tick();
        assert.equal(first.failed, 1, JSON.stringify(first));
        assert.deepEqual([mailTo(ann.email).length, mailTo(bea.email).length, mailTo(cy.email).length], [1, 0, 1]);
        const log = await h.request('GET', `/api/v1/changes/${change.id}/deliveries`);
        const failed = log.body.items.filter((d: { channel: string; result: string }) => d.channel === 'email' && d.result === 'failed');
        assert.deepEqual(failed.map((d: { recipient: string }) => d.recipient), [bea.email.toLowerCase()]);
        assert.match(failed[0].error, /550/);

        smtp.refuse.delete(bea.email.toLowerCase());
        h.advance(2 * HOUR);
        const second = await h.tick();
        assert.equal(second.failed, 0, JSON.stringify(second));
        assert.deepEqual([mailTo(ann.email).length, mailTo(bea.email).length, mailTo(cy.email).length], [1, 1, 1]);
        await h.tick();
        assert.deepEqual([mailTo(ann.email).length, mailTo(bea.email).length, mailTo(cy.email).length], [1, 1, 1]);
      } finally {
        smtp.refuse.delete(bea.email.toLowerCase());
      }
    },
    MAIL_ENV,
  );

  eachEngine(
    'two workers racing, after one that died between sending and finishing: each address is emailed once',
    async (h) => {
      const ci = await database(h);
      const ann = await person(h, 'Ann Able', ['stakeholder']);
      const bea = await person(h, 'Bea Busy', ['stakeholder']);
      const rita = await person(h, 'Rita Requester', ['requester']);
      await follow(h, ann.token, ci, ['email']);
      await follow(h, bea.token, ci, ['email', 'in_app']);
      const change = await scheduled(h, rita.token, ci);
      const { store, services } = h.cabinet;
      // The announcement is delivered in-app and queues its email, which the mail server turns away this time.
      for (const p of [ann, bea]) smtp.refuse.add(p.email.toLowerCase());
      try {
        await h.tick();
      } finally {
        for (const p of [ann, bea]) smtp.refuse.delete(p.email.toLowerCase());
      }
      // A mail server that turns everyone away holds back no one's in-app notice.
      const inApp = await h.request('GET', '/api/v1/me/notifications', { token: bea.token });
      assert.equal(inApp.status, 200, inApp.text);
      assert.equal(inApp.body.items.filter((n: { kind: string; changeId: string }) => n.kind === 'change_announced' && n.changeId === change.id).length, 1);
      h.advance(2 * HOUR);
      const due = await store.repos.outbox.findMany(await store.repos.outbox.claimable(h.now().toISOString(), 100));
      const item = due.find((i) => i.topic === 'change.announced.email' && i.payload.changeId === change.id);
      assert.ok(item, 'the email waits for its next attempt');
      // A worker emailed Ann and logged it, then died before the item was done.
      const at = h.now().toISOString();
      await store.transaction((repos) =>
        repos.deliveries.recordDelivered([{ id: randomUUID(), outboxId: item.id, changeId: change.id, channel: 'email', recipient: ann.email.toLowerCase(), userId: ann.id, attempt: 1, attemptedAt: at }]),
      );
      await Promise.all([services.outbox.deliverDue('worker-a'), services.outbox.deliverDue('worker-b')]);
      await h.tick();
      assert.deepEqual([mailTo(ann.email).length, mailTo(bea.email).length], [0, 1]);
      const log = (await store.repos.deliveries.forItem(item.id)).filter((d) => d.channel === 'email' && d.result === 'delivered');
      assert.deepEqual(log.map((d) => [d.recipient, d.result]).sort(), [[ann.email.toLowerCase(), 'delivered'], [bea.email.toLowerCase(), 'delivered']].sort());
    },
    MAIL_ENV,
  );

  eachEngine('without an SMTP server no email is sent, nothing is logged as failed, and the API says email is off', async (h) => {
    const ci = await database(h);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const rita = await person(h, 'Rita Requester', ['requester']);
    await follow(h, sam.token, ci, ['email', 'in_app']);
    assert.deepEqual((await h.request('GET', '/api/v1/mail/status', { token: sam.token })).body, { email: false });
    assert.equal((await h.request('GET', '/api/v1/mail/status', { token: null })).status, 401);
    const change = await scheduled(h, rita.token, ci);
    const report = await h.tick();
    assert.equal(report.failed, 0);
    assert.equal(mailTo(sam.email).length, 0);
    const log = await h.request('GET', `/api/v1/changes/${change.id}/deliveries`);
    assert.deepEqual(log.body.items.filter((d: { channel: string }) => d.channel === 'email'), []);
    assert.equal((await h.request('GET', '/api/v1/me/notifications', { token: sam.token })).body.items.filter((n: { kind: string }) => n.kind === 'change_announced').length, 1);
  });
});
