import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { WebhookEvent } from '../contracts/communication';
import type {
  CreateWebhookInput,
  TestWebhookInput,
  UpdateWebhookAllowListInput,
  UpdateWebhookInput,
  Webhook,
  WebhookAllowList,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookFormat,
  WebhookTestResult,
} from '../contracts/webhooks';
import type { OutboxRecord, Repositories, WebhookRecord } from '../db/repositories';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { NotFoundError, type Issue } from '../domain/errors';
import { changeLink, renderTimes } from '../domain/notification/texts';
import { isLastAttempt, redactError } from '../domain/outbox/delivery';
import { allowListEntryProblem, targetProblem, type Resolver, type TargetPolicy } from '../integrations/webhook/address-guard';
import { writeWebhookBody, type WebhookMessage } from '../integrations/webhook/formats';
import { openSecret, sealSecret } from '../integrations/webhook/secret-box';
import { postWebhook, type WebhookAnswer } from '../integrations/webhook/send';
import { signatureHeader } from '../integrations/webhook/signature';
import { audit, decodeInstantCursor, encodeInstantCursor, throwIfIssues, type ServiceDeps } from './context';
import { convenesEcab } from './notice-mail.service';
import type { NotificationKind, OutboxService, RecipientLog } from './outbox.service';

/** The in-app notices that webhooks hear of too, by their event. */
const NOTICE_KIND_EVENTS: Partial<Record<NotificationKind, WebhookEvent>> = {
  approval_requested: 'approval_requested',
  // A reminder and an escalation ask again: a channel that hears of requests hears of them too.
  approval_reminder: 'approval_requested',
  approval_escalated: 'approval_requested',
  approval_decided: 'approval_decided',
  concern_raised: 'concern_raised',
  concern_answered: 'concern_answered',
};

/** The outbox topic of an event on its way to the webhooks that want it. */
export const WEBHOOK_TOPIC = 'webhook.event';
/** The name of the key that seals webhook secrets in `server_secrets`. */
const WEBHOOK_KEY = 'webhook';

/** What `emit` queues: the words and the records the message is written from when it is delivered. */
export interface WebhookEventData {
  changeId?: string;
  freezeId?: string;
  actor?: { id: string; name: string };
  /** Plain words; time tokens (domain/notification/texts) are written out in UTC. */
  title: string;
  body: string;
  /** An emergency (an approval that convenes the ECAB): the message says `urgent: true` and its title starts "Emergency:". */
  urgent?: boolean;
}

interface WebhookPayload extends WebhookEventData {
  event: WebhookEvent;
  occurredAt: string;
}

/** How webhooks are configured: CABINET_WEBHOOK_ALLOW_PRIVATE and the origin of the links they carry. */
export interface WebhookSettings {
  allowPrivate: boolean;
  /** CABINET_PUBLIC_URL, or the address Cabinet listens at. */
  origin: string;
  /** Replaces DNS for the check on save (tests); connecting always uses the system's. */
  resolve?: Resolver;
  timeoutMs?: number;
}

export interface WebhookServiceDeps extends ServiceDeps {
  outbox: OutboxService;
}

/**
 * The part of a URL an audit event keeps: its origin, and whether it has a path. NOTE (security): Slack's,
 * Teams' and Mattermost's incoming-webhook URLs carry their credential in the path, so the trail names the
 * host only.
 */
function auditedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname !== '/' || u.search ? '/…' : ''}`;
  } catch {
    return '(invalid)';
  }
}

const hintOf = (secret: string): string => `…${secret.slice(-4)}`;

/**
 * Outbound webhooks (docs/communication.md#webhooks): admins register endpoints with a format, a secret and
 * the events they want; `emit` queues an event in the caller's transaction, and the outbox delivers it to each
 * webhook that wants it, signed, each webhook once (the delivery log), retrying only the ones that failed.
 */
export function createWebhookService(deps: WebhookServiceDeps, settings: WebhookSettings) {
  const { store, outbox } = deps;
  const nowIso = () => deps.now().toISOString();
  let key: Buffer | null = null;

  // Approval requests and decisions, and concerns raised and answered, are notices to people, not
  // announcements: they reach the webhooks that chose them as they are queued, in the same transaction.
  outbox.onNotify(async (repos, input) => {
    const event = NOTICE_KIND_EVENTS[input.kind];
    if (!event) return;
    const urgent = await convenesEcab(repos, input);
    await service.emit(repos, event, { ...(input.changeId ? { changeId: input.changeId } : {}), title: input.title, body: input.body, ...(urgent ? { urgent } : {}) });
  });

  /** The key that seals secrets: made on first use and kept in server_secrets, as the unsubscribe key is. */
  async function sealingKey(): Promise<Buffer> {
    if (key) return key;
    let stored = await store.repos.mail.findSecret(WEBHOOK_KEY);
    if (!stored) {
      // Two processes may make one at once: the first insert wins and both read it back.
      stored = await store.transaction(async (repos) => {
        await repos.mail.insertSecretIfMissing(WEBHOOK_KEY, randomBytes(32).toString('base64url'), nowIso());
        return (await repos.mail.findSecret(WEBHOOK_KEY))!;
      });
    }
    key = Buffer.from(stored, 'base64url');
    return key;
  }

  async function targetPolicy(): Promise<TargetPolicy> {
    return { allowPrivate: settings.allowPrivate, allowList: settings.allowPrivate ? [] : await store.repos.webhooks.allowList() };
  }

  /** The problem of a URL's target (private, or not resolving), as an issue at `path`. */
  async function targetIssues(url: string | undefined, path = 'url'): Promise<Issue[]> {
    if (url === undefined) return [];
    const problem = await targetProblem(url, await targetPolicy(), settings.resolve);
    return problem ? [{ path, message: problem }] : [];
  }

  const present = (w: WebhookRecord): Webhook => ({
    id: w.id,
    url: w.url,
    format: w.format as WebhookFormat,
    events: w.events as WebhookEvent[],
    enabled: w.enabled,
    secretHint: w.secretHint,
    createdAt: w.createdAt,
    createdBy: w.createdBy,
    updatedAt: w.updatedAt,
  });

  async function found(repos: Repositories, id: string): Promise<WebhookRecord> {
    const w = await repos.webhooks.find(id);
    if (!w) throw new NotFoundError('Webhook', id);
    return w;
  }

  /**
   * Signs and POSTs one message. NOTE (security): whatever the receiver or the network said is cleared of the
   * secret (should a receiver echo it) and of credentials before anyone sees it.
   */
  async function post(
    url: string,
    format: WebhookFormat,
    secret: string,
    message: WebhookMessage,
    deliveryId: string,
  ): Promise<WebhookAnswer> {
    const body = writeWebhookBody(format, message);
    const answer = await postWebhook({
      url,
      body,
      headers: {
        'x-cabinet-event': message.event,
        'x-cabinet-delivery': deliveryId,
        'x-cabinet-signature': signatureHeader(secret, body, deps.now()),
      },
      policy: await targetPolicy(),
      timeoutMs: settings.timeoutMs,
    });
    return answer.error ? { ...answer, error: redactError(answer.error.split(secret).join('***')) } : answer;
  }

  /** The message of a queued event, from the change and freeze as they are now. */
  async function messageOf(repos: Repositories, item: OutboxRecord, p: WebhookPayload): Promise<WebhookMessage> {
    const message: WebhookMessage = {
      id: item.id,
      event: p.event,
      occurredAt: p.occurredAt,
      text: { title: `${p.urgent ? 'Emergency: ' : ''}${renderTimes(p.title, null)}`, body: renderTimes(p.body, null) },
      ...(p.urgent ? { urgent: true as const } : {}),
    };
    const change = p.changeId ? await repos.changes.findById(p.changeId) : null;
    if (change) {
      const cis = await repos.cmdb.findCisByIds(change.ciIds);
      const serviceIds = [...new Set(cis.map((c) => c.serviceId).filter((id): id is string => id !== null))];
      const services = await repos.cmdb.findServicesByIds(serviceIds);
      message.change = {
        id: change.id,
        number: change.number,
        title: change.title,
        type: change.type,
        state: change.state,
        risk: change.risk?.level ?? null,
        plannedStart: change.plannedStart,
        plannedEnd: change.plannedEnd,
        url: `${settings.origin}${changeLink(change.number)}`,
        services: services.map((s) => s.name).sort(),
        cis: cis.map((c) => c.name).sort(),
      };
    }
    const freeze = p.freezeId ? await repos.windows.findWindow(p.freezeId) : null;
    if (freeze) {
      message.freeze = {
        id: freeze.id,
        name: freeze.name,
        start: freeze.start,
        timeZone: freeze.timeZone,
        durationMinutes: freeze.durationMinutes,
        recurring: freeze.rrule !== null,
        url: `${settings.origin}/schedule/windows`,
      };
    }
    if (p.actor) message.actor = p.actor;
    return message;
  }

  /**
   * Delivers a queued event to each enabled webhook that wants it and has not had it yet, recording each
   * outcome as it is known; throws after the loop when one failed, so that the outbox retries the item and
   * the retry goes to the failed webhooks alone (the others are in the log). The failure of the item's last
   * attempt is logged as `dead` for its webhook.
   *
   * NOTE: each webhook is looked up in the log again just before its message goes, so a worker that took the
   * item over when this one's lease ran out skips what this one sent meanwhile. A process that dies after the
   * receiver accepted a message and before the log has it sends that one again on the retry, with the same
   * X-Cabinet-Delivery, by which a receiver recognises it.
   */
  async function send(item: OutboxRecord, log: RecipientLog): Promise<void> {
    const payload = item.payload as unknown as WebhookPayload;
    const repos = store.repos;
    const hooks = await repos.webhooks.enabledFor(payload.event);
    const pending = await log.outstanding(
      'webhook',
      hooks.map((w) => w.id),
    );
    if (pending.length === 0) return;
    const message = await messageOf(repos, item, payload);
    const sealing = await sealingKey();
    const last = isLastAttempt(item.attempts, outbox.maxAttempts);
    const failures: string[] = [];
    for (const hook of hooks.filter((w) => pending.includes(w.id))) {
      if ((await log.outstanding('webhook', [hook.id])).length === 0) continue;
      const answer = await post(
        hook.url,
        hook.format as WebhookFormat,
        openSecret(sealing, hook.secretSealed, hook.id),
        message,
        `${item.id}.${hook.id}`,
      );
      if (answer.ok) {
        await log.delivered('webhook', hook.id, null);
        continue;
      }
      const error = answer.error ?? `HTTP ${answer.status}`;
      failures.push(error);
      if (last) {
        await store.transaction((r) =>
          r.deliveries.recordFailed([
            {
              id: deps.newId(),
              outboxId: item.id,
              changeId: payload.changeId ?? null,
              channel: 'webhook',
              recipient: hook.id,
              userId: null,
              attempt: item.attempts,
              attemptedAt: nowIso(),
              result: 'dead',
              error: redactError(error),
            },
          ]),
        );
      } else {
        await log.failed('webhook', hook.id, null, error);
      }
    }
    if (failures.length > 0) throw new Error(`${failures.length} webhook(s) failed; they are tried again: ${failures[0]}`);
  }

  outbox.handle(WEBHOOK_TOPIC, {
    // NOTE: no `channel`: each webhook's failure is logged by `send` itself, not the item's as a whole.
    send,
    deliver: async () => {},
  });

  /** A message that says it is a test, sent at once. */
  async function ping(url: string, format: WebhookFormat, secret: string, label: string): Promise<WebhookTestResult> {
    const id = deps.newId();
    const message: WebhookMessage = {
      id,
      event: 'ping',
      occurredAt: nowIso(),
      text: { title: 'Test message from Cabinet', body: `${label} Cabinet will send the events you chose to this address.` },
    };
    const answer = await post(url, format, secret, message, `${id}.test`);
    return { ok: answer.ok, status: answer.status, durationMs: answer.durationMs, ...(answer.ok ? {} : { error: answer.error }) };
  }

  const service = {
    /** The problems of a webhook body's target, for a body refused for its shape (http/validation.ts). */
    async referenceIssues(actor: Actor, fields: { url?: string }): Promise<Issue[]> {
      assertPermission(actor, 'webhook.manage');
      return targetIssues(fields.url);
    },

    async list(actor: Actor): Promise<Webhook[]> {
      assertPermission(actor, 'webhook.manage');
      return (await store.repos.webhooks.list()).map(present);
    },

    async get(actor: Actor, id: string): Promise<Webhook> {
      assertPermission(actor, 'webhook.manage');
      return present(await found(store.repos, id));
    },

    /** Registers a webhook (audited, without its secret); 400 listing every problem, a private target among them. */
    async create(actor: Actor, input: z.output<typeof CreateWebhookInput>): Promise<Webhook> {
      assertPermission(actor, 'webhook.manage');
      throwIfIssues(await targetIssues(input.url), 'The webhook has invalid values.');
      const id = deps.newId();
      const at = nowIso();
      const record: WebhookRecord = {
        id,
        url: input.url,
        format: input.format,
        events: [...new Set(input.events)],
        enabled: input.enabled,
        secretSealed: sealSecret(await sealingKey(), input.secret, id),
        secretHint: hintOf(input.secret),
        createdBy: actor.userId,
        createdAt: at,
        updatedAt: at,
      };
      await store.transaction(async (repos) => {
        await repos.webhooks.insert(record);
        await audit(repos, actor, at, 'webhook.created', 'webhook', id, {
          url: auditedUrl(record.url),
          format: record.format,
          events: record.events,
          enabled: record.enabled,
        });
      });
      return present(record);
    },

    /** Changes a webhook's URL, secret, format, events or whether it is enabled (audited: what changed, a new secret only as "changed"). */
    async update(actor: Actor, id: string, input: z.output<typeof UpdateWebhookInput>): Promise<Webhook> {
      assertPermission(actor, 'webhook.manage');
      throwIfIssues(await targetIssues(input.url), 'The webhook has invalid values.');
      const sealing = await sealingKey();
      return store.transaction(async (repos) => {
        const w = await found(repos, id);
        const next = {
          url: input.url ?? w.url,
          format: input.format ?? w.format,
          events: input.events ? [...new Set(input.events)] : w.events,
          enabled: input.enabled ?? w.enabled,
          secretSealed: input.secret !== undefined ? sealSecret(sealing, input.secret, id) : w.secretSealed,
          secretHint: input.secret !== undefined ? hintOf(input.secret) : w.secretHint,
          updatedAt: nowIso(),
        };
        const changes: Record<string, unknown> = {};
        if (next.url !== w.url) changes.url = { from: auditedUrl(w.url), to: auditedUrl(next.url) };
        for (const k of ['format', 'events', 'enabled'] as const)
          if (JSON.stringify(next[k]) !== JSON.stringify(w[k])) changes[k] = { from: w[k], to: next[k] };
        if (input.secret !== undefined) changes.secret = 'changed';
        if (Object.keys(changes).length === 0) return present(w);
        await repos.webhooks.update(id, next);
        await audit(repos, actor, next.updatedAt, 'webhook.updated', 'webhook', id, { changes });
        return present({ ...w, ...next });
      });
    },

    /** Deletes a webhook (audited); its delivery log stays, as evidence. */
    async remove(actor: Actor, id: string): Promise<void> {
      assertPermission(actor, 'webhook.manage');
      await store.transaction(async (repos) => {
        const w = await found(repos, id);
        await repos.webhooks.delete(id);
        await audit(repos, actor, nowIso(), 'webhook.deleted', 'webhook', id, { url: auditedUrl(w.url), format: w.format });
      });
    },

    /** A webhook's delivery log, newest first: each attempt to deliver an event to it, with what came back. */
    async deliveries(actor: Actor, id: string, query: WebhookDeliveryQuery): Promise<WebhookDeliveryList> {
      assertPermission(actor, 'webhook.manage');
      const repos = store.repos;
      await found(repos, id);
      const rows = await repos.deliveries.forRecipient('webhook', id, {
        before: decodeInstantCursor(query.cursor),
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const items = new Map((await repos.outbox.findMany([...new Set(page.map((d) => d.outboxId))])).map((i) => [i.id, i]));
      const changeIds = [...new Set(page.map((d) => d.changeId).filter((c): c is string => c !== null))];
      const numbers = new Map(changeIds.length ? (await repos.changes.findManyByIds(changeIds)).map((c) => [c.id, c.number]) : []);
      const last = page[page.length - 1];
      return {
        items: page.map((d) => {
          const p = items.get(d.outboxId)?.payload as Partial<WebhookPayload> | undefined;
          return {
            id: d.id,
            outboxId: d.outboxId,
            event: typeof p?.event === 'string' ? p.event : null,
            title: typeof p?.title === 'string' ? renderTimes(p.title, null) : null,
            changeId: d.changeId,
            changeNumber: d.changeId ? (numbers.get(d.changeId) ?? null) : null,
            attempt: d.attempt,
            attemptedAt: d.attemptedAt,
            result: d.result,
            error: d.error,
          };
        }),
        nextCursor: rows.length > query.limit && last ? encodeInstantCursor(last.attemptedAt, last.id) : null,
      };
    },

    /** Sends a test message to a URL not saved yet and answers what came back (a refused target is a 400). */
    async test(actor: Actor, input: z.output<typeof TestWebhookInput>): Promise<WebhookTestResult> {
      assertPermission(actor, 'webhook.manage');
      throwIfIssues(await targetIssues(input.url), 'The webhook cannot be tested.');
      return ping(input.url, input.format, input.secret, 'Someone is setting up a webhook in Cabinet.');
    },

    /** Sends a test message to a saved webhook, enabled or not. */
    async testSaved(actor: Actor, id: string): Promise<WebhookTestResult> {
      assertPermission(actor, 'webhook.manage');
      const w = await found(store.repos, id);
      throwIfIssues(await targetIssues(w.url), 'The webhook cannot be tested.');
      return ping(
        w.url,
        w.format as WebhookFormat,
        openSecret(await sealingKey(), w.secretSealed, w.id),
        'This webhook is saved in Cabinet.',
      );
    },

    async allowList(actor: Actor): Promise<WebhookAllowList> {
      assertPermission(actor, 'webhook.manage');
      return { entries: await store.repos.webhooks.allowList(), allowPrivate: settings.allowPrivate };
    },

    /** Replaces the allow-list of private targets (audited); 400 listing every entry that is not a host, address or range. */
    async setAllowList(actor: Actor, input: z.output<typeof UpdateWebhookAllowListInput>): Promise<WebhookAllowList> {
      assertPermission(actor, 'webhook.manage');
      const issues: Issue[] = [];
      input.entries.forEach((e, i) => {
        const problem = allowListEntryProblem(e);
        if (problem) issues.push({ path: `entries.${i}`, message: problem });
      });
      throwIfIssues(issues, 'The allow-list has invalid entries.');
      const entries = [...new Set(input.entries.map((e) => e.trim().toLowerCase()))].sort();
      await store.transaction(async (repos) => {
        const before = await repos.webhooks.allowList();
        if (JSON.stringify(before) === JSON.stringify(entries)) return;
        const at = nowIso();
        await repos.webhooks.replaceAllowList(entries, actor.userId, at);
        await audit(repos, actor, at, 'webhook.allow_list_updated', 'webhook', 'allow-list', { from: before, to: entries });
      });
      return { entries, allowPrivate: settings.allowPrivate };
    },

    /**
     * Queues an event for the webhooks that want it, inside the caller's transaction: one outbox item, written
     * only when an enabled webhook wants the event (a Cabinet without webhooks writes nothing). Which webhooks
     * get it, and the change or freeze it carries, are read when it is delivered.
     */
    async emit(repos: Repositories, event: WebhookEvent, data: WebhookEventData): Promise<void> {
      if ((await repos.webhooks.enabledFor(event)).length === 0) return;
      const payload: WebhookPayload = { ...data, event, occurredAt: nowIso() };
      await outbox.enqueue(repos, WEBHOOK_TOPIC, { ...payload });
    },
  };
  return service;
}
export type WebhookService = ReturnType<typeof createWebhookService>;
