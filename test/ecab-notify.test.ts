import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';
import { cab, highRisk } from './support/cab';
import { approvalsOf, ci, fileAndAuthorize, plan } from './support/fixtures';
import { startSmtp } from './support/smtp';

/**
 * An emergency change convenes the ECAB at once (issue 15, point 6; docs/notifications.md#emergencies): its
 * members hear in Cabinet, by email whatever their approval email preference and quiet hours, and the
 * webhooks' message says it is urgent. A CAB's request keeps to both.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;

const smtp = await startSmtp();
after(() => smtp.close());

/** A real HTTP receiver on 127.0.0.1 standing in for a chat webhook: keeps every request body by path. */
const hits: { path: string; body: string }[] = [];
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    hits.push({ path: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200);
    res.end('ok');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
const receiverPort = (receiver.address() as { port: number }).port;

const ENV = { ...smtp.env, CABINET_WEBHOOK_ALLOW_PRIVATE: '1' };

/** A generic webhook that hears of approval requests; the messages it got, parsed. */
async function approvalHook(h: Harness): Promise<() => { event: string; urgent?: boolean; text: { title: string }; change?: { number: string } }[]> {
  const path = `/hook/${randomUUID()}`;
  const res = await h.request('POST', '/api/v1/webhooks', {
    body: { url: `http://127.0.0.1:${receiverPort}${path}`, secret: `whsec_${randomBytes(16).toString('hex')}`, format: 'generic', events: ['approval_requested'] },
  });
  assert.equal(res.status, 201, res.text);
  return () => hits.filter((x) => x.path === path).map((x) => JSON.parse(x.body));
}

const hm = (t: number) => new Date(t).toISOString().slice(11, 16);

/** Quiet hours from an hour ago to `end` (UTC), and approval emails as given. */
async function quietAndOff(h: Harness, token: string, end: number, approvalEmails: boolean): Promise<void> {
  const now = h.now().getTime();
  const res = await h.request('PATCH', '/api/v1/me/preferences', { token, body: { quietHours: { start: hm(now - HOUR), end: hm(end) }, approvalEmails } });
  assert.equal(res.status, 200, res.text);
}

/** The approval requests emailed to `email` about the change. */
const asked = (email: string, number: string) => smtp.mailTo(email).filter((m) => (m.mail.subject ?? '').includes(number) && /needs your approval/.test(m.mail.subject ?? ''));

describe('the ECAB is convened on every channel', { concurrency: 2 }, () => {
  eachEngine(
    'an emergency reaches each ECAB member at once, by email through approval emails turned off and quiet hours, and webhooks mark it urgent',
    async (h) => {
      const stamp = `E${Date.now()}`;
      const asleep = await h.userWithToken(['cab_member']);
      const awake = await h.userWithToken(['cab_member']);
      const ecab = await h.request('POST', '/api/v1/boards', {
        body: { name: `ECAB ${stamp}`, kind: 'ecab', memberIds: [asleep.id, awake.id], scope: `change.title.contains("${stamp}")`, quorum: { minMembers: 2 } },
      });
      assert.equal(ecab.status, 201, ecab.text);
      const end = Math.ceil((h.now().getTime() + 3 * HOUR) / MINUTE) * MINUTE;
      await quietAndOff(h, asleep.token, end, false);
      const hook = await approvalHook(h);

      const requester = await h.userWithToken(['requester']);
      const { id } = await fileAndAuthorize(h, requester.token, plan([await ci(h, `app-${stamp}`, 'application')], { type: 'emergency', title: `Hotfix ${stamp}` }));
      const approval = (await approvalsOf(h, id)).find((a) => a.approver.label === `ECAB ${stamp}`);
      assert.equal(approval?.state, 'pending', JSON.stringify(await approvalsOf(h, id)));
      const number = (await h.request('GET', `/api/v1/changes/${id}`)).body.number as string;
      const report = await h.tick();
      assert.equal(report.failed, 0, JSON.stringify(report));

      for (const member of [asleep, awake]) {
        const bell = await h.request('GET', '/api/v1/me/notifications', { token: member.token });
        assert.equal(bell.body.items.filter((n: { kind: string; approvalId: string | null }) => n.kind === 'approval_requested' && n.approvalId === approval!.id).length, 1, 'in Cabinet');
        const mails = asked(member.email, number);
        assert.equal(mails.length, 1, `${member.email} is emailed at once`);
        assert.match(mails[0]!.mail.subject ?? '', new RegExp(`^Emergency: ${number} `));
        assert.match(mails[0]!.mail.text ?? '', /the Emergency CAB is convened/);
      }
      const item = await h.cabinet.store.kysely.selectFrom('outbox').select(['state', 'attempts']).where('topic', '=', 'approval.email').execute();
      assert.deepEqual(item.map((i) => i.state), ['delivered'], 'nothing held back for later');

      const messages = hook().filter((m) => m.change?.number === number);
      assert.equal(messages.length, 1, JSON.stringify(hook()));
      assert.equal(messages[0]!.event, 'approval_requested');
      assert.equal(messages[0]!.urgent, true);
      assert.match(messages[0]!.text.title, new RegExp(`^Emergency: ${number} `));
    },
    ENV,
  );

  eachEngine(
    'a CAB’s request honours approval emails turned off and quiet hours, and is not urgent to webhooks',
    async (h) => {
      const stamp = `C${Date.now()}`;
      const { chair, sec, third } = await cab(h, stamp);
      const end = Math.ceil((h.now().getTime() + 2 * HOUR) / MINUTE) * MINUTE;
      await quietAndOff(h, sec.token, end, false);
      await quietAndOff(h, third.token, end, true);
      const hook = await approvalHook(h);

      const requester = await h.userWithToken(['requester']);
      const change = await highRisk(h, stamp, requester.token);
      const report = await h.tick();
      assert.equal(report.failed, 0, JSON.stringify(report));
      assert.deepEqual([chair, sec, third].map((m) => asked(m.email, change.number).length), [1, 0, 0], 'only the chair is emailed now');
      assert.doesNotMatch(asked(chair.email, change.number)[0]!.mail.subject ?? '', /^Emergency/);
      for (const m of [sec, third]) {
        const bell = await h.request('GET', '/api/v1/me/notifications', { token: m.token });
        assert.equal(bell.body.items.filter((n: { approvalId: string | null }) => n.approvalId === change.approvalId).length, 1, 'in Cabinet at once');
      }

      h.advance(end - h.now().getTime() + MINUTE);
      await h.tick();
      assert.deepEqual([chair, sec, third].map((m) => asked(m.email, change.number).length), [1, 0, 1], 'after the quiet hours: the one who keeps approval emails on');

      const messages = hook().filter((m) => m.change?.number === change.number);
      assert.ok(messages.length >= 1, JSON.stringify(hook()));
      for (const m of messages) {
        assert.equal(m.urgent, undefined);
        assert.doesNotMatch(m.text.title, /^Emergency/);
      }
    },
    ENV,
  );
  eachEngine(
    'without an ECAB board the ECAB team is convened the same way: at once, through approval emails turned off and quiet hours',
    async (h) => {
      const stamp = `T${Date.now()}`;
      const asleep = await h.userWithToken(['cab_member']);
      const team = await h.request('GET', '/api/v1/teams/ecab');
      assert.equal(team.status, 200, team.text);
      assert.equal((await h.request('PATCH', `/api/v1/teams/${team.body.id}`, { body: { memberIds: [asleep.id] } })).status, 200);
      const end = Math.ceil((h.now().getTime() + 3 * HOUR) / MINUTE) * MINUTE;
      await quietAndOff(h, asleep.token, end, false);
      const hook = await approvalHook(h);

      const requester = await h.userWithToken(['requester']);
      const { id } = await fileAndAuthorize(h, requester.token, plan([await ci(h, `app-${stamp}`, 'application')], { type: 'emergency', title: `Hotfix ${stamp}` }));
      const approval = (await approvalsOf(h, id)).find((a) => a.approver.label === 'ecab');
      assert.equal(approval?.state, 'pending', JSON.stringify(await approvalsOf(h, id)));
      const number = (await h.request('GET', `/api/v1/changes/${id}`)).body.number as string;
      const report = await h.tick();
      assert.equal(report.failed, 0, JSON.stringify(report));
      const mails = asked(asleep.email, number);
      assert.equal(mails.length, 1, 'emailed at once');
      assert.match(mails[0]!.mail.subject ?? '', new RegExp(`^Emergency: ${number} `));
      const messages = hook().filter((m) => m.change?.number === number);
      assert.equal(messages.length, 1, JSON.stringify(hook()));
      assert.equal(messages[0]!.urgent, true);

      // Its reminder (a quarter of the hour before it is due) and its escalation (at the hour, to the change
      // managers) are emergencies too, while everyone concerned is still in quiet hours with approval emails off.
      const manager = await h.userWithToken(['change_manager']);
      const managers = await h.request('GET', '/api/v1/teams/change-managers');
      assert.equal(managers.status, 200, managers.text);
      const patched = await h.request('PATCH', `/api/v1/teams/${managers.body.id}`, { body: { memberIds: [...managers.body.memberIds, manager.id] } });
      assert.equal(patched.status, 200, patched.text);
      await quietAndOff(h, manager.token, end, false);
      h.advance(46 * MINUTE);
      assert.equal((await h.tick()).failed, 0);
      const reminded = smtp.mailTo(asleep.email).filter((m) => (m.mail.subject ?? '').startsWith(`Emergency: Reminder: ${number} `));
      assert.equal(reminded.length, 1, smtp.mailTo(asleep.email).map((m) => m.mail.subject).join(' | '));
      h.advance(15 * MINUTE);
      assert.equal((await h.tick()).failed, 0);
      const escalated = smtp.mailTo(manager.email).filter((m) => (m.mail.subject ?? '').startsWith(`Emergency: Escalated to you: ${number} `));
      assert.equal(escalated.length, 1, smtp.mailTo(manager.email).map((m) => m.mail.subject).join(' | '));
    },
    ENV,
  );
});
