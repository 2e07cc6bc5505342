import { NOTIFICATION_KIND_NAMES } from '../contracts/notification';
import type { OutboxRecord, Repositories } from '../db/repositories';
import type { ServiceDeps } from './context';

/** What an in-app notification is about. */
export const NOTIFICATION_KINDS = NOTIFICATION_KIND_NAMES;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Who is notified: the members of a team, the holders of a role, or one user (resolved at delivery). */
export interface NotificationRecipient {
  kind: 'team' | 'user' | 'role';
  /** Team id, role name or user id. */
  ref: string;
}

export interface NotifyInput {
  recipients: NotificationRecipient[];
  kind: NotificationKind;
  title: string;
  body: string;
  changeId?: string;
  approvalId?: string;
  /** People left out even when a recipient group holds them (the requester of the change they are asked to approve). */
  excludeUserIds?: string[];
}

/** The outbox topic of in-app notifications. Email and webhooks will read the same items later. */
export const NOTIFICATION_TOPIC = 'notification';

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 3_600_000;

/** Wait before retry `attempts` (1-based): 30 s, 1 min, 2 min … at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(attempts - 1, 0), BACKOFF_MAX_MS);
}

class LeaseLostError extends Error {}

export interface DeliveryReport {
  delivered: number;
  failed: number;
  /** Items another worker took over because this worker's lease ran out. */
  lost: number;
}

/**
 * The durable outbox: `notify` writes one item inside the caller's transaction, so a notice exists exactly
 * when its cause was committed; `deliverDue` (the worker) claims items, resolves their recipients to the
 * enabled users of that moment and writes their notifications.
 */
export function createOutboxService(deps: ServiceDeps) {
  const { store } = deps;

  /** Resolves the recipients to enabled users now (a team's members today, not when it was queued). */
  async function recipientsOf(repos: Repositories, input: NotifyInput): Promise<string[]> {
    const ids = new Set<string>();
    for (const r of input.recipients) for (const id of await repos.approvals.eligibleUserIds(r.kind, r.ref)) ids.add(id);
    for (const id of input.excludeUserIds ?? []) ids.delete(id);
    return [...ids].sort();
  }

  async function deliver(repos: Repositories, item: OutboxRecord, at: string): Promise<void> {
    if (item.topic !== NOTIFICATION_TOPIC) throw new Error(`No handler for outbox topic "${item.topic}".`);
    const input = item.payload as unknown as NotifyInput;
    const users = await recipientsOf(repos, input);
    await repos.notifications.insertMany(
      users.map((userId) => ({
        id: deps.newId(),
        userId,
        kind: input.kind,
        title: input.title,
        body: input.body,
        changeId: input.changeId ?? null,
        approvalId: input.approvalId ?? null,
        outboxId: item.id,
        createdAt: at,
      })),
    );
  }

  return {
    /** Queues an in-app notification inside the caller's transaction; returns the outbox item's id. */
    async notify(repos: Repositories, input: NotifyInput): Promise<string> {
      const id = deps.newId();
      const at = deps.now().toISOString();
      await repos.outbox.enqueue({ id, topic: NOTIFICATION_TOPIC, payload: { ...input }, createdAt: at, availableAt: at });
      return id;
    },

    /**
     * Delivers the items that are due, each in its own transaction. An item is claimed with a lease by a
     * conditional UPDATE, so several workers share the work without taking the same item; it is marked
     * delivered in the transaction that writes its notifications, and only while the lease is held. A
     * failure gives the item back with a growing delay.
     */
    async deliverDue(workerId: string, opts: { limit?: number; leaseMs?: number } = {}): Promise<DeliveryReport> {
      const report: DeliveryReport = { delivered: 0, failed: 0, lost: 0 };
      const now = deps.now();
      const nowIso = now.toISOString();
      const until = new Date(now.getTime() + (opts.leaseMs ?? 60_000)).toISOString();
      for (const id of await store.repos.outbox.claimable(nowIso, opts.limit ?? 100)) {
        const item = await store.repos.outbox.claim(id, workerId, nowIso, until);
        if (!item) continue;
        try {
          await store.transaction(async (repos) => {
            const at = deps.now().toISOString();
            await deliver(repos, item, at);
            if (!(await repos.outbox.markDelivered(item.id, workerId, at))) throw new LeaseLostError();
          });
          report.delivered++;
        } catch (err) {
          if (err instanceof LeaseLostError) {
            report.lost++;
            continue;
          }
          report.failed++;
          const retryAt = new Date(deps.now().getTime() + retryDelayMs(item.attempts)).toISOString();
          await store.repos.outbox.release(item.id, workerId, err instanceof Error ? err.message : String(err), retryAt);
        }
      }
      return report;
    },
  };
}
export type OutboxService = ReturnType<typeof createOutboxService>;
