import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { openCabinetStore } from '../src/cabinet';
import { loadConfig } from '../src/config';
import {
  allowListEntryProblem,
  isAllowListed,
  isForbiddenAddress,
  refusalOf,
  targetProblem,
} from '../src/integrations/webhook/address-guard';
import {
  markdownEscape,
  mattermostBody,
  slackBody,
  slackEscape,
  teamsBody,
  writeWebhookBody,
  type WebhookMessage,
} from '../src/integrations/webhook/formats';
import { openSecret, sealSecret } from '../src/integrations/webhook/secret-box';
import { signatureHeader, verifySignature } from '../src/integrations/webhook/signature';
import { eachEngine, onEngine, type Harness } from './support/cabinet';
import { at } from './support/communication';
import { catalogueEntry } from './support/fixtures';

const HOUR = 3_600_000;

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The exact bytes received. */
  body: string;
}

/**
 * A real HTTP receiver on 127.0.0.1: keeps every request, and answers each path as `answers` says (200 by
 * default; a status, a body, a redirect).
 */
async function startReceiver() {
  const hits: Hit[] = [];
  const answers = new Map<string, { status: number; body?: string; location?: string }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.get(path) ?? { status: 200, body: 'ok' };
      res.writeHead(answer.status, answer.location ? { location: answer.location } : {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, hits, answers, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const receiver = await startReceiver();
after(() => receiver.close());

/** A fresh path on the receiver, so each test reads its own requests. */
function endpoint(host = '127.0.0.1'): { url: string; path: string; hits: () => Hit[] } {
  const path = `/hook/${randomUUID()}`;
  return { url: `http://${host}:${receiver.port}${path}`, path, hits: () => receiver.hits.filter((x) => x.path === path) };
}

const PRIVATE_OK = { CABINET_WEBHOOK_ALLOW_PRIVATE: '1', CABINET_PUBLIC_URL: 'https://cabinet.example.com' };
const secretOf = () => `whsec_${randomBytes(16).toString('hex')}`;

/**
 * What docs/communication.md tells a receiver to do, line for line: read t and v1, refuse a t older than 5
 * minutes, recompute the HMAC over "t.BODY" with the raw body, compare in constant time.
 */
function receiverVerifies(header: string | undefined, secret: string, rawBody: string, nowSeconds: number): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  const given = Buffer.from(parts.v1 ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function person(h: Harness, name: string, roles: string[]): Promise<{ id: string; token: string }> {
  const u = await h.userWithToken(roles);
  assert.equal((await h.request('PATCH', `/api/v1/users/${u.id}`, { body: { name } })).status, 200);
  return u;
}

/** pay-db-1, a CI of service Databases. */
async function database(h: Harness): Promise<string> {
  const service = await h.request('POST', '/api/v1/services', { body: { name: 'Databases', tier: 1 } });
  assert.equal(service.status, 201, service.text);
  const ci = await h.request('POST', '/api/v1/cis', {
    body: { name: 'pay-db-1', type: 'database', environment: 'production', criticality: 'low', serviceId: service.body.id },
  });
  assert.equal(ci.status, 201, ci.text);
  return ci.body.id;
}

/** A standard change on the CI, filed and scheduled by `token`. */
async function scheduled(
  h: Harness,
  token: string,
  ciId: string,
  title = 'Patch the payments database <b>&</b> *now*',
  from = 0,
): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', {
    token,
    body: {
      type: 'standard',
      title,
      description: 'd',
      justification: 'j',
      implementationPlan: 'p',
      testPlan: 't',
      backoutPlan: 'b',
      ciIds: [ciId],
      plannedStart: at(h, from),
      plannedEnd: at(h, from + 2),
      templateId: await catalogueEntry(h),
    },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.type, 'standard', res.text);
  const moved = await h.request('POST', `/api/v1/changes/${res.body.id}/transitions`, { token, body: { to: 'scheduled' } });
  assert.equal(moved.status, 200, moved.text);
  return res.body;
}

async function addWebhook(h: Harness, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await h.request('POST', '/api/v1/webhooks', { body: { format: 'generic', events: ['scheduled'], ...body } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function logOf(
  h: Harness,
  id: string,
): Promise<{ result: string; error: string | null; attempt: number; event: string; changeNumber: string | null }[]> {
  const res = await h.request('GET', `/api/v1/webhooks/${id}/deliveries`);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

const MESSAGE: WebhookMessage = {
  id: 'evt-1',
  event: 'scheduled',
  occurredAt: '2026-12-01T10:00:00.000Z',
  text: {
    title: 'CHG0000042 "Resize <the> ledger & *more*" was scheduled by @channel.',
    body: '# not a heading\n- not a list\n[x](http://evil)',
  },
  change: {
    id: 'c1',
    number: 'CHG0000042',
    title: 'Resize <the> ledger & *more*',
    type: 'standard',
    state: 'scheduled',
    risk: 'low',
    plannedStart: '2026-12-12T21:00:00.000Z',
    plannedEnd: '2026-12-12T22:30:00.000Z',
    url: 'https://cabinet.example.com/changes/CHG0000042',
    services: ['Payments'],
    cis: ['pay-db-1'],
  },
  actor: { id: 'u1', name: 'Rita <Requester>' },
};

describe('webhook messages, signatures and targets (pure)', () => {
  it('writes the generic body as Cabinet’s JSON, unchanged', () => {
    assert.deepEqual(JSON.parse(writeWebhookBody('generic', MESSAGE)), MESSAGE);
  });

  it('writes a Slack body with escaped mrkdwn, a link to the change and one to raise a concern', () => {
    const body = slackBody(MESSAGE) as {
      text: string;
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[];
    };
    assert.equal(slackEscape('a & <b> >'), 'a &amp; &lt;b&gt; &gt;');
    assert.ok(!JSON.stringify(body).includes('<the>'), 'no raw angle brackets of what people typed');
    assert.match(body.blocks[0]!.text!.text, /^\*CHG0000042 "Resize &lt;the&gt; ledger &amp; \*more\*" was scheduled by @channel\.\*/);
    const context = body.blocks.find((b) => b.type === 'context')!.elements![0]!.text;
    assert.match(context, /<https:\/\/cabinet\.example\.com\/changes\/CHG0000042\|Open CHG0000042>/);
    assert.match(context, /<https:\/\/cabinet\.example\.com\/changes\/CHG0000042#concerns\|Raise a concern>/);
    assert.ok(body.blocks.find((b) => b.fields)!.fields!.some((f) => f.text === '*By*\nRita &lt;Requester&gt;'));
    assert.match(body.text, /CHG0000042/);
  });

  it('writes a Teams Adaptive Card 1.4 with escaped Markdown and Action.OpenUrl buttons', () => {
    const body = teamsBody(MESSAGE) as {
      type: string;
      attachments: {
        contentType: string;
        content: {
          type: string;
          version: string;
          body: { type: string; text?: string; facts?: { title: string; value: string }[] }[];
          actions: { type: string; title: string; url: string }[];
        };
      }[];
    };
    assert.equal(body.type, 'message');
    const card = body.attachments[0]!;
    assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.content.type, 'AdaptiveCard');
    assert.equal(card.content.version, '1.4');
    assert.equal(card.content.body[0]!.text, 'CHG0000042 "Resize \\<the\\> ledger & \\*more\\*" was scheduled by @\u2060channel.');
    assert.equal(card.content.body[1]!.text, '\\# not a heading\n\\- not a list\n\\[x\\]\\(http://evil\\)');
    assert.deepEqual(
      card.content.actions.map((a) => [a.type, a.title, a.url]),
      [
        ['Action.OpenUrl', 'Open CHG0000042', 'https://cabinet.example.com/changes/CHG0000042'],
        ['Action.OpenUrl', 'Raise a concern', 'https://cabinet.example.com/changes/CHG0000042#concerns'],
      ],
    );
    assert.ok(
      card.content.body
        .find((b) => b.type === 'FactSet')!
        .facts!.some((f) => f.title === 'Window' && f.value === '2026-12-12 21:00 UTC – 2026-12-12 22:30 UTC'),
    );
  });

  it('writes a Mattermost body in escaped Markdown, with @-mentions defused and links to the change', () => {
    const body = mattermostBody(MESSAGE) as { text: string; props: { cabinet: { id: string; event: string } } };
    assert.match(body.text, /^\*\*CHG0000042 "Resize \\<the\\> ledger & \\\*more\\\*" was scheduled by @\u2060channel\.\*\*/);
    assert.ok(!/@channel/.test(body.text), 'no live @channel');
    assert.match(
      body.text,
      /\[Open CHG0000042\]\(https:\/\/cabinet\.example\.com\/changes\/CHG0000042\) · \[Raise a concern\]\(https:\/\/cabinet\.example\.com\/changes\/CHG0000042#concerns\)/,
    );
    assert.deepEqual(body.props.cabinet, { id: 'evt-1', event: 'scheduled' });
    assert.equal(markdownEscape('1. item\n+ plus'), '1\\. item\n\\+ plus');
  });

  it('signs "t.BODY" with HMAC-SHA256 and refuses a stale timestamp, another body or another secret', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const header = signatureHeader('0123456789abcdef', '{"a":1}', now);
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.ok(verifySignature(header, '0123456789abcdef', '{"a":1}', now));
    assert.ok(receiverVerifies(header, '0123456789abcdef', '{"a":1}', now.getTime() / 1000));
    assert.ok(!verifySignature(header, '0123456789abcdef', '{"a":2}', now));
    assert.ok(!verifySignature(header, 'another-secret-xx', '{"a":1}', now));
    assert.ok(!verifySignature(header, '0123456789abcdef', '{"a":1}', new Date(now.getTime() + 301_000)), 'older than 5 minutes');
  });

  const forbidden: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', '0.0.0.0/8'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'IPv6 loopback'],
    ['fe80::1', 'IPv6 link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
  ];
  for (const [address, what] of forbidden) it(`refuses ${address} (${what})`, () => assert.ok(isForbiddenAddress(address)));
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])
    it(`allows public ${address}`, () => assert.ok(!isForbiddenAddress(address)));

  it('lets the allow-list through by host name, address or range, and CABINET_WEBHOOK_ALLOW_PRIVATE through everything', () => {
    assert.ok(isAllowListed(['hooks.internal'], 'HOOKS.internal', '10.0.0.5'));
    assert.ok(isAllowListed(['10.20.0.0/16'], 'x.internal', '10.20.3.4'));
    assert.ok(isAllowListed(['10.20.0.0/16'], 'x.internal', '::ffff:10.20.3.4'));
    assert.ok(!isAllowListed(['10.20.0.0/16'], 'x.internal', '10.21.0.1'));
    assert.ok(isAllowListed(['::1'], '[::1]', '::1'));
    assert.ok(isAllowListed(['127.0.0.1'], '127.0.0.1', '::ffff:127.0.0.1'));
    assert.equal(refusalOf({ allowPrivate: true, allowList: [] }, '127.0.0.1', '127.0.0.1'), null);
    assert.match(
      refusalOf({ allowPrivate: false, allowList: [] }, 'db.internal', '10.0.0.1')!,
      /db\.internal resolves to 10\.0\.0\.1, a private \(RFC 1918\) address/,
    );
    for (const ok of ['hooks.internal', '10.0.0.0/8', 'fd00::/8', '127.0.0.1', '::1']) assert.equal(allowListEntryProblem(ok), null, ok);
    for (const bad of ['10.0.0.0/33', 'http://x', 'a b', '-bad-.com/']) assert.ok(allowListEntryProblem(bad), bad);
  });

  it('refuses a name that resolves to a private address, and one with any private address among several', async () => {
    const policy = { allowPrivate: false, allowList: [] };
    assert.match(
      (await targetProblem('http://rebind.example/x', policy, async () => ['127.0.0.1']))!,
      /rebind\.example resolves to 127\.0\.0\.1, a loopback address/,
    );
    assert.match((await targetProblem('http://mixed.example/x', policy, async () => ['93.184.216.34', '10.0.0.1']))!, /10\.0\.0\.1/);
    assert.equal(await targetProblem('https://public.example/x', policy, async () => ['93.184.216.34']), null);
    assert.match(
      (await targetProblem('http://nowhere.example/', policy, async () =>
        Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })),
      ))!,
      /does not resolve/,
    );
  });

  it('seals a secret with AES-256-GCM so that it opens only under its key and for its webhook', () => {
    const key = randomBytes(32);
    const sealed = sealSecret(key, 'my-webhook-secret-123', 'w1');
    assert.ok(!sealed.includes('my-webhook-secret'));
    assert.equal(openSecret(key, sealed, 'w1'), 'my-webhook-secret-123');
    assert.throws(() => openSecret(key, sealed, 'w2'));
    assert.throws(() => openSecret(randomBytes(32), sealed, 'w1'));
  });

  it('reads CABINET_WEBHOOK_ALLOW_PRIVATE, off by default', () => {
    assert.equal(loadConfig({}).webhookAllowPrivate, false);
    assert.equal(loadConfig({ CABINET_WEBHOOK_ALLOW_PRIVATE: '1' }).webhookAllowPrivate, true);
  });
});

describe('outbound webhooks', () => {
  eachEngine(
    'delivers a scheduled change to a generic webhook, signed as the docs say, and logs it; the secret is never shown',
    async (h) => {
      const ci = await database(h);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const secret = secretOf();
      const e = endpoint();
      const created = await h.request('POST', '/api/v1/webhooks', {
        body: { url: e.url, secret, format: 'generic', events: ['scheduled', 'cancelled'] },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.secretHint, `…${secret.slice(-4)}`);
      assert.deepEqual(Object.keys(created.body).sort(), [
        'createdAt',
        'createdBy',
        'enabled',
        'events',
        'format',
        'id',
        'secretHint',
        'updatedAt',
        'url',
      ]);
      const change = await scheduled(h, rita.token, ci);
      await h.tick();
      const hits = e.hits();
      assert.equal(hits.length, 1);
      const hit = hits[0]!;
      assert.equal(hit.headers['x-cabinet-event'], 'scheduled');
      assert.equal(hit.headers['content-type'], 'application/json');
      assert.match(String(hit.headers['x-cabinet-delivery']), new RegExp(`\\.${created.body.id}$`));
      assert.ok(
        receiverVerifies(hit.headers['x-cabinet-signature'] as string, secret, hit.body, h.now().getTime() / 1000),
        'the signature verifies',
      );
      assert.ok(
        !receiverVerifies(hit.headers['x-cabinet-signature'] as string, secret, hit.body, h.now().getTime() / 1000 + 400),
        'and is refused when replayed 6 minutes later',
      );
      const body = JSON.parse(hit.body);
      assert.equal(body.event, 'scheduled');
      assert.equal(body.change.number, change.number);
      assert.equal(body.change.state, 'scheduled');
      assert.equal(body.change.url, `https://cabinet.example.com/changes/${change.number}`);
      assert.deepEqual([body.change.services, body.change.cis], [['Databases'], ['pay-db-1']]);
      assert.equal(body.actor.name, 'Rita Requester');
      assert.match(body.text.title, new RegExp(`^${change.number} ".+" was scheduled for .+ UTC.* by Rita Requester\\.$`));

      const log = await logOf(h, created.body.id);
      assert.deepEqual(
        log.map((d) => [d.result, d.event, d.changeNumber]),
        [['delivered', 'scheduled', change.number]],
      );
      const changeLog = await h.request('GET', `/api/v1/changes/${change.id}/deliveries`);
      assert.ok(
        changeLog.body.items.some(
          (d: { channel: string; recipient: string }) => d.channel === 'webhook' && d.recipient === created.body.id,
        ),
        'the change’s log has it too',
      );
      await h.tick();
      assert.equal(e.hits().length, 1, 'once');

      // The secret is nowhere: responses, the audit trail.
      const texts = [
        created.text,
        (await h.request('GET', '/api/v1/webhooks')).text,
        (await h.request('GET', `/api/v1/webhooks/${created.body.id}`)).text,
      ];
      const patched = await h.request('PATCH', `/api/v1/webhooks/${created.body.id}`, {
        body: { secret: `${secret}-new`, events: ['scheduled'] },
      });
      assert.equal(patched.status, 200, patched.text);
      texts.push(patched.text, (await h.request('GET', '/api/v1/audit/events?limit=200')).text);
      for (const t of texts) assert.ok(!t.includes(secret), 'the secret is not shown');
      const audit = await h.request('GET', '/api/v1/audit/events?action=webhook.updated&limit=10');
      assert.equal(audit.body.items[0].data.changes.secret, 'changed');
      assert.deepEqual(audit.body.items[0].data.changes.events, { from: ['scheduled', 'cancelled'], to: ['scheduled'] });
      const stored = await h.cabinet.store.repos.webhooks.find(created.body.id);
      assert.ok(stored && !stored.secretSealed.includes(secret), 'stored sealed');
    },
    PRIVATE_OK,
  );

  eachEngine(
    'writes each format for its receiver: Slack, Teams and Mattermost bodies, all signed',
    async (h) => {
      const ci = await database(h);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const secret = secretOf();
      const targets = { slack: endpoint(), teams: endpoint(), mattermost: endpoint() };
      for (const [format, e] of Object.entries(targets)) await addWebhook(h, { url: e.url, secret, format });
      const change = await scheduled(h, rita.token, ci);
      await h.tick();
      const [slack, teams, mattermost] = [targets.slack, targets.teams, targets.mattermost].map((e) => {
        assert.equal(e.hits().length, 1);
        const hit = e.hits()[0]!;
        assert.ok(receiverVerifies(hit.headers['x-cabinet-signature'] as string, secret, hit.body, h.now().getTime() / 1000));
        return JSON.parse(hit.body);
      });
      assert.ok(Array.isArray(slack.blocks) && typeof slack.text === 'string');
      assert.match(JSON.stringify(slack.blocks), new RegExp(`changes/${change.number}#concerns\\|Raise a concern`));
      assert.ok(JSON.stringify(slack).includes('&lt;b&gt;&amp;&lt;/b&gt;'), 'Slack escaping of the title');
      assert.equal(teams.attachments[0].content.type, 'AdaptiveCard');
      assert.equal(teams.attachments[0].content.actions[1].url, `https://cabinet.example.com/changes/${change.number}#concerns`);
      assert.match(mattermost.text, /\\<b\\>&\\<\/b\\> \\\*now\\\*/);
    },
    PRIVATE_OK,
  );

  eachEngine(
    'retries a receiver that answers 500 until the item is a dead letter, while a healthy one gets its message once',
    async (h) => {
      const ci = await database(h);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const secret = secretOf();
      const broken = endpoint();
      const healthy = endpoint();
      receiver.answers.set(broken.path, { status: 500, body: `upstream exploded; we got secret ${secret}` });
      const bad = await addWebhook(h, { url: broken.url, secret });
      const good = await addWebhook(h, { url: healthy.url, secret: secretOf() });
      await scheduled(h, rita.token, ci);
      for (let attempt = 1; attempt <= 3; attempt++) {
        const report = await h.tick();
        assert.equal(report.failed, 1, `attempt ${attempt}: ${JSON.stringify(report)}`);
        assert.equal(broken.hits().length, attempt);
        assert.equal(healthy.hits().length, 1, 'the healthy receiver is not sent it again');
        h.advance(2 * HOUR);
      }
      assert.equal(new Set(broken.hits().map((x) => x.headers['x-cabinet-delivery'])).size, 1, 'the same delivery id on every retry');
      const log = await logOf(h, bad.id);
      assert.deepEqual(
        log.map((d) => [d.attempt, d.result]),
        [
          [3, 'dead'],
          [2, 'failed'],
          [1, 'failed'],
        ],
      );
      assert.match(log[0]!.error!, /^HTTP 500: upstream exploded/);
      assert.ok(
        log.every((d) => !d.error!.includes(secret)),
        'the secret is blanked from what the receiver said',
      );
      assert.deepEqual(
        (await logOf(h, good.id)).map((d) => d.result),
        ['delivered'],
      );
      const dead = await h.request('GET', '/api/v1/outbox/dead-letters');
      const letter = dead.body.items.find((d: { topic: string }) => d.topic === 'webhook.event');
      assert.ok(letter, 'the dead letter waits for an admin');
      assert.ok(!letter.lastError.includes(secret));

      // An admin retries it once the receiver is fixed: only the broken webhook is sent it.
      receiver.answers.delete(broken.path);
      assert.equal((await h.request('POST', `/api/v1/outbox/dead-letters/${letter.id}/retry`)).status, 200);
      await h.tick();
      assert.deepEqual([broken.hits().length, healthy.hits().length], [4, 1]);
      assert.equal((await logOf(h, bad.id))[0]!.result, 'delivered');
    },
    { ...PRIVATE_OK, CABINET_OUTBOX_MAX_ATTEMPTS: '3' },
  );

  onEngine('postgres', 'two workers racing deliver each event to each webhook once', async (h) => {
    assert.equal((await h.request('PUT', '/api/v1/webhooks/allow-list', { body: { entries: ['127.0.0.1'] } })).status, 200);
    const ci = await database(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const a = endpoint();
    const b = endpoint();
    await addWebhook(h, { url: a.url, secret: secretOf() });
    await addWebhook(h, { url: b.url, secret: secretOf() });
    for (let i = 0; i < 4; i++) await scheduled(h, rita.token, ci, `Change ${i}`, 4 * i);
    const other = await openCabinetStore({ databaseUrl: h.url, sessionHours: 12 }, { now: () => h.now() });
    try {
      await Promise.all([
        h.cabinet.services.outbox.deliverDue('one', { limit: 1 }),
        other.services.outbox.deliverDue('two', { limit: 1 }),
        h.cabinet.services.outbox.deliverDue('one'),
        other.services.outbox.deliverDue('two'),
      ]);
    } finally {
      await other.store.close();
    }
    await h.tick();
    for (const e of [a, b]) {
      const ids = e.hits().map((x) => String(x.headers['x-cabinet-delivery']));
      assert.equal(ids.length, 4, 'four events, each once');
      assert.equal(new Set(ids).size, 4);
    }
  });

  eachEngine('refuses private, loopback and link-local targets without CABINET_WEBHOOK_ALLOW_PRIVATE or the allow-list', async (h) => {
    const secret = secretOf();
    for (const url of [
      `http://127.0.0.1:${receiver.port}/x`,
      'http://10.1.2.3/hook',
      `http://[::1]:${receiver.port}/x`,
      `http://localhost:${receiver.port}/x`,
      `http://[::ffff:127.0.0.1]:${receiver.port}/x`,
      'http://169.254.169.254/latest/meta-data',
      'http://[fd00::1]/x',
      'http://100.64.1.1/x',
    ]) {
      const res = await h.request('POST', '/api/v1/webhooks', { body: { url, secret, format: 'generic', events: ['scheduled'] } });
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.equal(res.body.error.code, 'invalid_input');
      const issue = res.body.error.details.issues.find((i: { path: string }) => i.path === 'url');
      assert.match(issue.message, /CABINET_WEBHOOK_ALLOW_PRIVATE=1/, url);
      const test = await h.request('POST', '/api/v1/webhooks/test', { body: { url, secret, format: 'generic' } });
      assert.equal(test.status, 400, `test ${url}: ${test.text}`);
    }
    assert.equal(receiver.hits.filter((x) => x.path === '/x').length, 0, 'nothing was sent');

    // Allowed by name: localhost (whatever it resolves to), not 127.0.0.1 written out.
    const allowed = await h.request('PUT', '/api/v1/webhooks/allow-list', {
      body: { entries: ['LOCALHOST', 'localhost', '10.20.0.0/16'] },
    });
    assert.equal(allowed.status, 200, allowed.text);
    assert.deepEqual(allowed.body, { entries: ['10.20.0.0/16', 'localhost'], allowPrivate: false });
    const local = endpoint('localhost');
    const hook = await addWebhook(h, { url: local.url, secret });
    assert.equal(
      (
        await h.request('POST', '/api/v1/webhooks', {
          body: { url: `http://127.0.0.1:${receiver.port}/y`, secret, format: 'generic', events: ['scheduled'] },
        })
      ).status,
      400,
    );
    const ping = await h.request('POST', `/api/v1/webhooks/${hook.id}/test`);
    assert.equal(ping.status, 200, ping.text);
    assert.equal(ping.body.ok, true, ping.text);
    assert.equal(local.hits()[0]!.headers['x-cabinet-event'], 'ping');

    // Taken off the list, the saved webhook is refused at connect time (the lookup hook), and the attempt fails.
    assert.equal((await h.request('PUT', '/api/v1/webhooks/allow-list', { body: { entries: [] } })).status, 200);
    const ci = await database(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    await scheduled(h, rita.token, ci);
    const report = await h.tick();
    assert.equal(report.failed, 1);
    assert.equal(local.hits().length, 1, 'nothing more reached the receiver');
    const [attempt] = await logOf(h, hook.id);
    assert.equal(attempt!.result, 'failed');
    assert.match(attempt!.error!, /^Refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);

    // 127.0.0.0/8 and ::1 by range: 127.0.0.1 written out is allowed.
    const ranges = await h.request('PUT', '/api/v1/webhooks/allow-list', {
      body: { entries: ['127.0.0.0/8', '::1', 'not a host', '10.0.0.0/40'] },
    });
    assert.equal(ranges.status, 400);
    assert.deepEqual(
      ranges.body.error.details.issues.map((i: { path: string }) => i.path),
      ['entries.2', 'entries.3'],
    );
    assert.equal((await h.request('PUT', '/api/v1/webhooks/allow-list', { body: { entries: ['127.0.0.0/8', '::1'] } })).status, 200);
    await addWebhook(h, { url: `http://127.0.0.1:${receiver.port}/z`, secret });
    const changes = await h.request('GET', '/api/v1/audit/events?action=webhook.allow_list_updated&limit=10');
    assert.equal(changes.body.items.length, 3);
  });

  eachEngine(
    'sends a test message before saving and says what the receiver answered; never follows a redirect',
    async (h) => {
      const secret = secretOf();
      const ok = endpoint();
      const res = await h.request('POST', '/api/v1/webhooks/test', { body: { url: ok.url, secret, format: 'slack' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.ok, true);
      assert.equal(res.body.status, 200);
      assert.ok(Number.isInteger(res.body.durationMs));
      assert.equal(res.body.error, undefined);
      const hit = ok.hits()[0]!;
      assert.equal(hit.headers['x-cabinet-event'], 'ping');
      assert.ok(receiverVerifies(hit.headers['x-cabinet-signature'] as string, secret, hit.body, h.now().getTime() / 1000));
      assert.match(JSON.parse(hit.body).text, /Test message from Cabinet/);

      const failing = endpoint();
      receiver.answers.set(failing.path, { status: 500, body: 'x'.repeat(100_000) });
      const bad = await h.request('POST', '/api/v1/webhooks/test', { body: { url: failing.url, secret, format: 'generic' } });
      assert.deepEqual([bad.status, bad.body.ok, bad.body.status], [200, false, 500]);
      assert.ok(bad.body.error.length < 400, 'only the start of a long answer');

      const target = endpoint();
      const redirecting = endpoint();
      receiver.answers.set(redirecting.path, { status: 302, location: target.url });
      const moved = await h.request('POST', '/api/v1/webhooks/test', { body: { url: redirecting.url, secret, format: 'generic' } });
      assert.deepEqual([moved.body.ok, moved.body.status], [false, 302]);
      assert.match(moved.body.error, /redirects are not followed/);
      assert.equal(target.hits().length, 0);

      const closed = await h.request('POST', '/api/v1/webhooks/test', {
        body: { url: 'http://127.0.0.1:1/nothing', secret, format: 'generic' },
      });
      assert.deepEqual([closed.body.ok, closed.body.status], [false, null]);
      assert.match(closed.body.error, /ECONNREFUSED/);
    },
    PRIVATE_OK,
  );

  eachEngine(
    'refuses everyone but admins (webhook.manage) on every route',
    async (h) => {
      const manager = await h.userWithToken(['change_manager']);
      const e = endpoint();
      const body = { url: e.url, secret: secretOf(), format: 'generic', events: ['scheduled'] };
      for (const [method, path, b] of [
        ['GET', '/api/v1/webhooks', undefined],
        ['POST', '/api/v1/webhooks', body],
        ['POST', '/api/v1/webhooks/test', { url: e.url, secret: body.secret, format: 'generic' }],
        ['GET', '/api/v1/webhooks/allow-list', undefined],
        ['PUT', '/api/v1/webhooks/allow-list', { entries: ['10.0.0.0/8'] }],
        ['GET', '/api/v1/webhooks/x', undefined],
        ['PATCH', '/api/v1/webhooks/x', { enabled: false }],
        ['DELETE', '/api/v1/webhooks/x', undefined],
        ['GET', '/api/v1/webhooks/x/deliveries', undefined],
        ['POST', '/api/v1/webhooks/x/test', undefined],
      ] as const) {
        const res = await h.request(method, path, { token: manager.token, body: b });
        assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
        assert.equal(res.body.error.details.permission, 'webhook.manage');
      }
      assert.equal(e.hits().length, 0);
    },
    PRIVATE_OK,
  );

  eachEngine('answers 400 listing every problem of a webhook at once, without quoting the secret', async (h) => {
    const res = await h.request('POST', '/api/v1/webhooks', {
      body: { url: 'ftp://user:pw@example.com/x', secret: 'short-secret', format: 'xml', events: ['nope'], colour: 'red' },
    });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.body.error.details.issues.map((i: { path: string }) => i.path).sort(), [
      'colour',
      'events.0',
      'format',
      'secret',
      'url',
    ]);
    assert.ok(!res.text.includes('short-secret'));
    const both = await h.request('POST', '/api/v1/webhooks', {
      body: { url: 'http://10.9.9.9/hook', secret: 'short-secret', format: 'generic', events: [] },
    });
    assert.equal(both.status, 400);
    const issues = both.body.error.details.issues as { path: string; message: string }[];
    assert.deepEqual(issues.map((i) => i.path).sort(), ['events', 'secret', 'url']);
    assert.match(issues.find((i) => i.path === 'url')!.message, /10\.9\.9\.9 is a private \(RFC 1918\) address/);
    const creds = await h.request('POST', '/api/v1/webhooks', {
      body: { url: 'https://bot:pw@hooks.example.com/x', secret: secretOf(), format: 'generic', events: ['scheduled'] },
    });
    assert.match(creds.body.error.details.issues[0].message, /must not carry a user name or password/);
    assert.equal((await h.request('PATCH', '/api/v1/webhooks/nope', { body: { enabled: false } })).status, 404);
  });

  eachEngine(
    'queues nothing without a webhook that wants the event; a disabled or deleted webhook hears nothing',
    async (h) => {
      const ci = await database(h);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const e = endpoint();
      const { store, services } = h.cabinet;
      const emit = () =>
        store.transaction((repos) => services.webhooks.emit(repos, 'scheduled', { title: 'Something was scheduled.', body: '' }));
      assert.equal(await store.repos.outbox.pendingCount(), 0);
      await emit();
      assert.equal(await store.repos.outbox.pendingCount(), 0, 'a Cabinet without webhooks writes nothing');
      const hook = await addWebhook(h, { url: e.url, secret: secretOf(), events: ['cancelled'] });
      await emit();
      assert.equal(await store.repos.outbox.pendingCount(), 0, 'nobody wants scheduled');
      assert.equal(
        (await h.request('PATCH', `/api/v1/webhooks/${hook.id}`, { body: { events: ['scheduled'], enabled: false } })).status,
        200,
      );
      await emit();
      assert.equal(await store.repos.outbox.pendingCount(), 0, 'disabled');
      await scheduled(h, rita.token, ci, 'One', 0);
      await h.tick();
      assert.equal(e.hits().length, 0, 'a disabled webhook hears nothing');
      assert.equal((await h.request('PATCH', `/api/v1/webhooks/${hook.id}`, { body: { enabled: true } })).status, 200);
      await emit();
      assert.equal(await store.repos.outbox.pendingCount(), 1);
      assert.equal((await h.request('DELETE', `/api/v1/webhooks/${hook.id}`)).status, 204);
      await h.tick();
      assert.equal(e.hits().length, 0, 'deleted before it was delivered');
      assert.equal(await store.repos.outbox.pendingCount(), 0);
      assert.equal((await h.request('GET', `/api/v1/webhooks/${hook.id}`)).status, 404);
      const deleted = await h.request('GET', '/api/v1/audit/events?action=webhook.deleted&limit=10');
      assert.equal(deleted.body.items[0].entityId, hook.id);
    },
    PRIVATE_OK,
  );

  eachEngine(
    'pages a webhook’s delivery log newest first',
    async (h) => {
      const ci = await database(h);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const e = endpoint();
      const hook = await addWebhook(h, { url: e.url, secret: secretOf() });
      for (let i = 0; i < 3; i++) {
        await scheduled(h, rita.token, ci, `Change ${i}`, 4 * i);
        await h.tick();
        h.advance(1000);
      }
      const first = await h.request('GET', `/api/v1/webhooks/${hook.id}/deliveries?limit=2`);
      assert.equal(first.body.items.length, 2);
      assert.ok(first.body.nextCursor);
      const second = await h.request('GET', `/api/v1/webhooks/${hook.id}/deliveries?limit=2&cursor=${first.body.nextCursor}`);
      assert.equal(second.body.items.length, 1);
      assert.equal(second.body.nextCursor, null);
      const titles = [...first.body.items, ...second.body.items].map((d: { title: string }) => d.title);
      assert.deepEqual(
        titles.map((t) => t.match(/"(Change \d)"/)![1]),
        ['Change 2', 'Change 1', 'Change 0'],
      );
    },
    PRIVATE_OK,
  );
});

describe('the events webhooks hear of besides announcements', () => {
  eachEngine(
    'a concern raised and answered, and a change started, reach the webhook that chose them, with Cabinet’s words',
    async (h) => {
      const ci = await database(h);
      const rita = await person(h, 'Rita Requester', ['requester']);
      const sam = await h.userWithToken(['stakeholder']);
      assert.equal((await h.request('POST', '/api/v1/subscriptions', { token: sam.token, body: { target: { kind: 'ci', id: ci }, channels: ['in_app'] } })).status, 201);
      const e = endpoint();
      const hook = await addWebhook(h, { url: e.url, secret: secretOf(), events: ['concern_raised', 'concern_answered', 'started'] });
      const change = await scheduled(h, rita.token, ci, 'Patch the payments database');
      const raised = await h.request('POST', `/api/v1/changes/${change.id}/concerns`, { token: sam.token, body: { text: 'Month end runs that night.' } });
      assert.equal(raised.status, 201, raised.text);
      const answered = await h.request('POST', `/api/v1/concerns/${raised.body.id}/answer`, { token: rita.token, body: { text: 'Moved a day.' } });
      assert.equal(answered.status, 200, answered.text);
      const current = await h.request('GET', `/api/v1/changes/${change.id}`);
      assert.equal((await h.request('PATCH', `/api/v1/changes/${change.id}`, { token: rita.token, body: { actualStart: h.now().toISOString(), version: current.body.version } })).status, 200);
      assert.equal((await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { token: rita.token, body: { to: 'implement' } })).status, 200);
      await h.tick();
      await h.tick();
      const got = e.hits().map((x) => [x.headers['x-cabinet-event'], JSON.parse(x.body).change?.number]);
      assert.deepEqual(got.sort(), [
        ['concern_answered', change.number],
        ['concern_raised', change.number],
        ['started', change.number],
      ]);
      assert.equal((await logOf(h, hook.id)).length, 3);
    },
    PRIVATE_OK,
  );
});
