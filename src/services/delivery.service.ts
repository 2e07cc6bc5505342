import type { DeadLetter, DeadLetterList, DeadLetterOutcome, DeadLetterQuery, DeliveryList, DeliveryQuery, DiscardDeadLetterInput } from '../contracts/delivery';
import type { OutboxRecord, Repositories } from '../db/repositories';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { ConflictError, NotFoundError, PolicyError } from '../domain/errors';
import { renderTimes } from '../domain/notification/texts';
import type { ChangeService } from './change.service';
import { audit, decodeInstantCursor, encodeInstantCursor, type ServiceDeps } from './context';

export interface DeliveryServiceDeps extends ServiceDeps {
  /** Whoever may read a change may read its delivery log: the change service decides who that is. */
  changes: Pick<ChangeService, 'get'>;
}

/** What an item was about, in words: a notice's title (its times in UTC, said so), or its topic. */
function summaryOf(item: OutboxRecord): string {
  // Notices and webhook events carry their words; an announcement names its event ("change.announced: scheduled").
  if (typeof item.payload.title === 'string') return renderTimes(item.payload.title, null);
  if (typeof item.payload.event === 'string') return `${item.topic}: ${item.payload.event}`;
  return item.topic;
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return 'an unreadable address';
  }
};

const changeIdOf = (item: OutboxRecord): string | null => (typeof item.payload.changeId === 'string' ? item.payload.changeId : null);

/**
 * Delivery you can prove: the dead letters (items the worker gave up on after their last attempt) that an
 * admin retries or discards, audited; and the delivery log of the notices about a change, as evidence of who
 * was told what, on which channel, and when.
 */
export function createDeliveryService(deps: DeliveryServiceDeps) {
  const { store } = deps;

  async function changeNumbers(repos: Repositories, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    return new Map((await repos.changes.findManyByIds(unique)).map((c) => [c.id, c.number]));
  }

  function toDeadLetter(item: OutboxRecord, numbers: Map<string, string>): DeadLetter {
    const changeId = changeIdOf(item);
    return {
      id: item.id,
      topic: item.topic,
      summary: summaryOf(item),
      changeId,
      changeNumber: changeId ? (numbers.get(changeId) ?? null) : null,
      attempts: item.attempts,
      lastError: item.lastError,
      createdAt: item.createdAt,
      deadAt: item.deadAt ?? item.createdAt,
    };
  }

  /** The item, which must be a dead letter: 404 when there is no such item, 409 `not_dead_letter` otherwise. */
  async function deadLetter(repos: Repositories, id: string): Promise<OutboxRecord> {
    const item = await repos.outbox.find(id);
    if (!item) throw new NotFoundError('Outbox item', id);
    if (item.state !== 'dead') throw new ConflictError('not_dead_letter', `Outbox item ${id} is not a dead letter (it is ${item.state}).`, { id, state: item.state });
    return item;
  }

  return {
    /** A page of dead letters, the most recent first (`outbox.manage`). */
    async listDeadLetters(actor: Actor, query: DeadLetterQuery): Promise<DeadLetterList> {
      assertPermission(actor, 'outbox.manage');
      const rows = await store.repos.outbox.deadLetters({ before: decodeInstantCursor(query.cursor), limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const numbers = await changeNumbers(store.repos, page.map(changeIdOf).filter((id): id is string => id !== null));
      const last = page[page.length - 1];
      return { items: page.map((item) => toDeadLetter(item, numbers)), nextCursor: rows.length > query.limit && last ? encodeInstantCursor(last.deadAt ?? last.createdAt, last.id) : null };
    },

    /** How many dead letters wait (`outbox.manage`). */
    async deadLetterCount(actor: Actor): Promise<number> {
      assertPermission(actor, 'outbox.manage');
      return store.repos.outbox.deadCount();
    },

    /** Queues a dead letter again, due now, with its attempts reset (`outbox.manage`; audited). */
    async retry(actor: Actor, id: string): Promise<DeadLetterOutcome> {
      assertPermission(actor, 'outbox.manage');
      return store.transaction(async (repos) => {
        const item = await deadLetter(repos, id);
        const at = deps.now().toISOString();
        if (!(await repos.outbox.revive(id, at))) throw new ConflictError('not_dead_letter', `Outbox item ${id} is no longer a dead letter.`, { id });
        await audit(repos, actor, at, 'outbox.retried', 'outbox', id, { topic: item.topic, attempts: item.attempts, lastError: item.lastError, changeId: changeIdOf(item) });
        return { id, state: 'pending' as const };
      });
    },

    /**
     * Gives a dead letter up for good, with a reason (`outbox.manage`; audited); 422 `reason_required`
     * listing the missing reason. The item is kept, as evidence of what was never delivered.
     */
    async discard(actor: Actor, id: string, input: DiscardDeadLetterInput): Promise<DeadLetterOutcome> {
      assertPermission(actor, 'outbox.manage');
      const reason = input.reason?.trim() ?? '';
      if (!reason) throw new PolicyError('reason_required', 'Say why the dead letter is discarded: it is kept with the item and in the audit trail.', { issues: [{ path: 'reason', message: 'a discarded dead letter needs a reason' }] });
      return store.transaction(async (repos) => {
        const item = await deadLetter(repos, id);
        const at = deps.now().toISOString();
        if (!(await repos.outbox.discard(id, actor.userId, reason, at))) throw new ConflictError('not_dead_letter', `Outbox item ${id} is no longer a dead letter.`, { id });
        await audit(repos, actor, at, 'outbox.discarded', 'outbox', id, { topic: item.topic, attempts: item.attempts, lastError: item.lastError, changeId: changeIdOf(item), reason });
        return { id, state: 'discarded' as const };
      });
    },

    /**
     * The delivery log of the notices about a change, newest first: each attempt per recipient and channel
     * with its result. Whoever may read the change may read it (404 for a change they may not see).
     */
    async forChange(actor: Actor, changeRef: string, query: DeliveryQuery): Promise<DeliveryList> {
      const change = await deps.changes.get(actor, changeRef);
      const repos = store.repos;
      const rows = await repos.deliveries.forChange(change.id, { before: decodeInstantCursor(query.cursor), limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const names = await repos.accounts.userNames([...new Set(page.map((d) => d.userId).filter((id): id is string => id !== null))]);
      // A webhook's row names the webhook by the host it posts to (its URL may hold a credential in its path).
      for (const id of new Set(page.filter((d) => d.channel === 'webhook' && d.recipient).map((d) => d.recipient!))) {
        const hook = await repos.webhooks.find(id);
        if (hook) names.set(`webhook:${id}`, `Webhook to ${hostOf(hook.url)}`);
      }
      const items = new Map((await repos.outbox.findMany([...new Set(page.map((d) => d.outboxId))])).map((i) => [i.id, i]));
      const last = page[page.length - 1];
      return {
        items: page.map((d) => {
          const item = items.get(d.outboxId);
          return {
            id: d.id,
            outboxId: d.outboxId,
            channel: d.channel,
            recipient: d.recipient,
            userId: d.userId,
            recipientName: d.userId ? (names.get(d.userId) ?? null) : d.channel === 'webhook' && d.recipient ? (names.get(`webhook:${d.recipient}`) ?? null) : null,
            attempt: d.attempt,
            attemptedAt: d.attemptedAt,
            result: d.result,
            error: d.error,
            summary: item ? summaryOf(item) : null,
          };
        }),
        nextCursor: rows.length > query.limit && last ? encodeInstantCursor(last.attemptedAt, last.id) : null,
      };
    },
  };
}
export type DeliveryService = ReturnType<typeof createDeliveryService>;
