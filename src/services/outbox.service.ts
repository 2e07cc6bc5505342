import { ACTION_NOTIFICATION_KINDS, NOTIFICATION_KIND_NAMES } from '../contracts/notification';
import type { OutboxRecord, Repositories } from '../db/repositories';
import { counts } from '../domain/approval/quorum';
import { renderTimes } from '../domain/notification/texts';
import { DEFAULT_MAX_ATTEMPTS, isLastAttempt, redactError, retryDelayMs, type DeliveryChannel } from '../domain/outbox/delivery';
import type { ServiceDeps } from './context';

/** What an in-app notification is about. */
export const NOTIFICATION_KINDS = NOTIFICATION_KIND_NAMES;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Who is notified: the members of a team, the holders of a role, one user, or a board's people (resolved at delivery). */
export interface NotificationRecipient {
  kind: 'team' | 'user' | 'role' | 'board';
  /** Team id, role name or user id. */
  ref: string;
}

export interface NotifyInput {
  recipients: NotificationRecipient[];
  kind: NotificationKind;
  /** Plain sentences; times as `timeToken`/`rangeToken` (domain/notification/texts), written out per reader. */
  title: string;
  body: string;
  changeId?: string;
  approvalId?: string;
  /** People left out even when a recipient group holds them (the requester of the change they are asked to approve). */
  excludeUserIds?: string[];
  /**
   * An emergency (the ECAB convened by a policy rule that routes to it, even through its `otherwise`): email and
   * webhooks carry it at once, whatever the readers' preferences and quiet hours (notice-mail.service.ts).
   */
  urgent?: boolean;
}

/** The outbox topic of in-app notifications. Email and webhooks will read the same items later. */
export const NOTIFICATION_TOPIC = 'notification';

/**
 * What a channel that reaches outside Cabinet (email, webhooks) uses to deliver an item to each recipient
 * once. Each outcome is recorded in its own transaction the moment it is known, so that it survives a later
 * failure of the same attempt: a retried item then goes only to the recipients that did not have it.
 */
export interface RecipientLog {
  /** The recipients (of `candidates`) that have not had the item on the channel yet. */
  outstanding(channel: DeliveryChannel, candidates: string[]): Promise<string[]>;
  /**
   * Records that the recipient has it; false when that was recorded already (by a worker whose lease ran out
   * while this one worked), which the unique key of the log decides.
   */
  delivered(channel: DeliveryChannel, recipient: string, userId: string | null): Promise<boolean>;
  /** Records a failed attempt for one recipient; the error is redacted before it is stored. */
  failed(channel: DeliveryChannel, recipient: string, userId: string | null, error: string): Promise<void>;
}

/**
 * Delivers the items of one topic. `prepare` runs before the item's transaction opens, for reads that cannot
 * happen inside it (the active policy); `send`, also before it, for a channel that reaches outside Cabinet
 * and records each recipient's outcome in the delivery log as it goes; `deliver` runs inside it, with what
 * `prepare` returned. A handler with a `channel` has its failed attempts logged on that channel. `send` may
 * throw `DeferDelivery` to give the rest of the item back for later without it counting as an attempt.
 */
export interface OutboxHandler<C = unknown> {
  channel?: DeliveryChannel;
  prepare?: () => Promise<C>;
  send?: (item: OutboxRecord, log: RecipientLog) => Promise<void>;
  deliver(repos: Repositories, payload: Record<string, unknown>, context: C): Promise<void>;
}

/**
 * Rounds of claiming in one `deliverDue`: an item's delivery may queue more items (other changes' follow-up
 * queues their notices), and those are delivered in the same pass, up to this many rounds.
 */
const MAX_ROUNDS = 5;

class LeaseLostError extends Error {}

/**
 * What a handler's `send` throws to say "the rest of this item is due at `until`" (a reader's quiet hours):
 * the item goes back to the queue with `availableAt = until`, and the attempt does not count: no step towards
 * a dead letter, nothing in the failure log. What `send` recorded as delivered before throwing stays
 * delivered (the delivery log), so the item's next run goes to the others only.
 */
export class DeferDelivery extends Error {
  constructor(readonly until: string) {
    super(`Deferred until ${until}.`);
  }
}

export interface DeliveryReport {
  delivered: number;
  /** Failed attempts, those that made their item a dead letter included. */
  failed: number;
  /** Items that failed their last attempt and became dead letters. */
  dead: number;
  /** Items another worker took over because this worker's lease ran out. */
  lost: number;
}

/**
 * The durable outbox: `notify` (or `enqueue`, for a registered topic) writes one item inside the caller's
 * transaction, so a notice or a follow-up exists exactly when its cause was committed; `deliverDue` (the
 * worker) claims items and delivers each: a notification's recipients are resolved to the enabled users of
 * that moment and get it in their inbox, its times written in each reader's zone; other topics run the handler their service registered (`handle`),
 * such as the follow-up a write leaves for the other changes it touched.
 */
export function createOutboxService(deps: ServiceDeps & { random?: () => number }, opts: { maxAttempts?: number } = {}) {
  const { store } = deps;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const random = deps.random ?? Math.random;

  /** Resolves the recipients to enabled users now (a team's members today, not when it was queued). */
  async function recipientsOf(repos: Repositories, input: NotifyInput): Promise<string[]> {
    const ids = new Set<string>();
    for (const r of input.recipients) for (const id of await repos.accounts.eligibleUserIds(r.kind, r.ref)) ids.add(id);
    for (const id of input.excludeUserIds ?? []) ids.delete(id);
    return [...ids].sort();
  }

  /**
   * Who of `users` is still asked: a request about an approval that is no longer pending asks nobody (it was
   * decided, withdrawn or requested again before the worker came), and nobody who already voted on it, for
   * themself or through a delegate, is asked again.
   */
  async function stillAsked(repos: Repositories, input: NotifyInput, users: string[]): Promise<string[]> {
    if (!input.approvalId || !(ACTION_NOTIFICATION_KINDS as readonly string[]).includes(input.kind)) return users;
    const approval = await repos.approvals.find(input.approvalId);
    if (!approval || approval.state !== 'pending') return [];
    const voted = new Set((await repos.approvals.votesFor([approval.id])).filter(counts).flatMap((v) => [v.userId, v.onBehalfOf]));
    return users.filter((id) => !voted.has(id));
  }

  async function deliverNotification(repos: Repositories, item: OutboxRecord, at: string): Promise<void> {
    const input = item.payload as unknown as NotifyInput;
    const users = await stillAsked(repos, input, await recipientsOf(repos, input));
    // Each reader gets the times in their own zone (UTC, said so, for those who chose none).
    const zones = await repos.notifications.timeZonesOf(users);
    await repos.notifications.insertMany(
      users.map((userId) => ({
        id: deps.newId(),
        userId,
        kind: input.kind,
        title: renderTimes(input.title, zones.get(userId) ?? null),
        body: renderTimes(input.body, zones.get(userId) ?? null),
        changeId: input.changeId ?? null,
        approvalId: input.approvalId ?? null,
        outboxId: item.id,
        createdAt: at,
      })),
    );
    // The evidence: one row per reader, in the transaction that fills their inbox (a redelivery adds none).
    await repos.deliveries.recordDelivered(
      users.map((userId) => ({ id: deps.newId(), outboxId: item.id, changeId: input.changeId ?? null, channel: 'in_app', recipient: userId, userId, attempt: item.attempts, attemptedAt: at })),
    );
    for (const listener of deliveredListeners) await listener(repos, item, input, users);
  }

  /** The channel an item's attempts are logged on: in-app for notifications, the handler's own, or none. */
  function channelOf(item: OutboxRecord): DeliveryChannel | null {
    if (item.topic === NOTIFICATION_TOPIC) return 'in_app';
    return handlers.get(item.topic)?.channel ?? null;
  }

  const changeIdOf = (item: OutboxRecord): string | null => (typeof item.payload.changeId === 'string' ? item.payload.changeId : null);

  function recipientLog(item: OutboxRecord): RecipientLog {
    const row = (channel: DeliveryChannel, recipient: string, userId: string | null) => ({
      id: deps.newId(),
      outboxId: item.id,
      changeId: changeIdOf(item),
      channel,
      recipient,
      userId,
      attempt: item.attempts,
      attemptedAt: deps.now().toISOString(),
    });
    return {
      async outstanding(channel, candidates) {
        const had = await store.repos.deliveries.deliveredRecipients(item.id, channel);
        return candidates.filter((c) => !had.has(c));
      },
      async delivered(channel, recipient, userId) {
        const fresh = await store.transaction((repos) => repos.deliveries.recordDelivered([row(channel, recipient, userId)]));
        return fresh.length === 1;
      },
      async failed(channel, recipient, userId, error) {
        await store.transaction((repos) => repos.deliveries.recordFailed([{ ...row(channel, recipient, userId), result: 'failed', error: redactError(error) }]));
      },
    };
  }

  /**
   * Gives a failed item back with a jittered, growing delay, or, after its last attempt, makes it a dead
   * letter; either way the attempt is logged (for the item as a whole) when the item is a notice. `lost`
   * when the worker no longer held the item.
   */
  async function fail(item: OutboxRecord, workerId: string, err: unknown): Promise<'failed' | 'dead' | 'lost'> {
    const error = redactError(err instanceof Error ? err.message : String(err));
    const now = deps.now();
    const dead = isLastAttempt(item.attempts, maxAttempts);
    const channel = channelOf(item);
    return store.transaction(async (repos) => {
      const held = dead
        ? await repos.outbox.markDead(item.id, workerId, error, now.toISOString())
        : await repos.outbox.release(item.id, workerId, error, new Date(now.getTime() + retryDelayMs(item.attempts, random)).toISOString());
      if (!held) return 'lost';
      if (channel) {
        await repos.deliveries.recordFailed([
          { id: deps.newId(), outboxId: item.id, changeId: changeIdOf(item), channel, recipient: null, userId: null, attempt: item.attempts, attemptedAt: now.toISOString(), result: dead ? 'dead' : 'failed', error },
        ]);
      }
      return dead ? 'dead' : 'failed';
    });
  }

  const notifyListeners: ((repos: Repositories, input: NotifyInput) => Promise<void>)[] = [];
  const deliveredListeners: ((repos: Repositories, item: OutboxRecord, input: NotifyInput, userIds: string[]) => Promise<void>)[] = [];

  /** Handlers of the topics other than notifications, registered by the services whose follow-up they run. */
  const handlers = new Map<string, OutboxHandler>();

  /** Delivers one claimed item in its own transaction; LeaseLostError when another worker took it meanwhile. */
  async function deliverOne(item: OutboxRecord, workerId: string): Promise<void> {
    const handler = handlers.get(item.topic);
    if (item.topic !== NOTIFICATION_TOPIC && !handler) throw new Error(`No handler for outbox topic "${item.topic}".`);
    const context = handler?.prepare ? await handler.prepare() : undefined;
    if (handler?.send) await handler.send(item, recipientLog(item));
    await store.transaction(async (repos) => {
      const at = deps.now().toISOString();
      if (handler) await handler.deliver(repos, item.payload, context);
      else await deliverNotification(repos, item, at);
      if (!(await repos.outbox.markDelivered(item.id, workerId, at))) throw new LeaseLostError();
    });
  }

  const service = {
    /** Queues an in-app notification inside the caller's transaction; returns the outbox item's id. */
    async notify(repos: Repositories, input: NotifyInput): Promise<string> {
      const id = await service.enqueue(repos, NOTIFICATION_TOPIC, { ...input });
      for (const listener of notifyListeners) await listener(repos, input);
      return id;
    },

    /**
     * Runs `listener` in the transaction of every notice queued from now on: how other channels (webhooks)
     * hear of the notices that are not announcements, such as approval requests and concerns.
     */
    onNotify(listener: (repos: Repositories, input: NotifyInput) => Promise<void>): void {
      notifyListeners.push(listener);
    },

    /**
     * Runs `listener` in the transaction that fills the inboxes of a notice, with the people it reached (the
     * enabled members of its recipients then, less those no longer asked): how email follows the approval
     * requests to exactly those who got them in Cabinet.
     */
    onDelivered(listener: (repos: Repositories, item: OutboxRecord, input: NotifyInput, userIds: string[]) => Promise<void>): void {
      deliveredListeners.push(listener);
    },

    /** Queues an item of a registered topic inside the caller's transaction; returns its id. */
    async enqueue(repos: Repositories, topic: string, payload: Record<string, unknown>): Promise<string> {
      const id = deps.newId();
      const at = deps.now().toISOString();
      await repos.outbox.enqueue({ id, topic, payload, createdAt: at, availableAt: at });
      return id;
    },

    /** Registers the handler of a topic; a topic has one handler. */
    handle<C>(topic: string, handler: OutboxHandler<C>): void {
      if (topic === NOTIFICATION_TOPIC || handlers.has(topic)) throw new Error(`The outbox topic "${topic}" already has a handler.`);
      handlers.set(topic, handler as OutboxHandler);
    },

    /** Whether the topic has a handler (notifications always have). */
    handles(topic: string): boolean {
      return topic === NOTIFICATION_TOPIC || handlers.has(topic);
    },

    /** The attempts an item gets before it becomes a dead letter. */
    maxAttempts,

    /**
     * Delivers the items that are due, each in its own transaction. An item is claimed with a lease by a
     * conditional UPDATE, so several workers share the work without taking the same item; it is marked
     * delivered in the transaction that delivers it, and only while the lease is held. A failure gives the
     * item back with a growing, jittered delay (domain/outbox/delivery.ts), until its last attempt makes it a
     * dead letter. Items queued by a delivery are delivered in a further round of the same call (at most
     * MAX_ROUNDS rounds of `limit` items).
     */
    async deliverDue(workerId: string, opts: { limit?: number; leaseMs?: number } = {}): Promise<DeliveryReport> {
      const report: DeliveryReport = { delivered: 0, failed: 0, dead: 0, lost: 0 };
      for (let round = 0; round < MAX_ROUNDS; round++) {
        // The clock is read each round: items queued by the round before are due from when they were queued.
        const now = deps.now();
        const nowIso = now.toISOString();
        const until = new Date(now.getTime() + (opts.leaseMs ?? 60_000)).toISOString();
        let delivered = 0;
        for (const id of await store.repos.outbox.claimable(nowIso, opts.limit ?? 100)) {
          const item = await store.repos.outbox.claim(id, workerId, nowIso, until);
          if (!item) continue;
          try {
            await deliverOne(item, workerId);
            delivered++;
          } catch (err) {
            if (err instanceof LeaseLostError) {
              report.lost++;
              continue;
            }
            if (err instanceof DeferDelivery) {
              if (!(await store.repos.outbox.defer(item.id, workerId, err.until))) report.lost++;
              continue;
            }
            const outcome = await fail(item, workerId, err);
            if (outcome === 'lost') report.lost++;
            else report.failed++;
            if (outcome === 'dead') report.dead++;
          }
        }
        report.delivered += delivered;
        if (delivered === 0) break;
      }
      return report;
    },
  };
  return service;
}
export type OutboxService = ReturnType<typeof createOutboxService>;
