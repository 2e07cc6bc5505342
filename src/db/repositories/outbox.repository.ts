import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB, OutboxTable } from '../schema';

/** One side effect waiting for the worker: a topic and its JSON payload. */
export interface OutboxRecord {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  createdAt: string;
  availableAt: string;
  attempts: number;
  claimedBy: string | null;
  claimedUntil: string | null;
  deliveredAt: string | null;
  lastError: string | null;
}

/**
 * The durable outbox. Items are written in the transaction of their cause; a worker claims one with a
 * conditional UPDATE (a lease that runs out if the worker dies), delivers it, and marks it delivered only
 * while it still holds the claim.
 */
export function createOutboxRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: OutboxTable): OutboxRecord => ({
    id: r.id,
    topic: r.topic,
    payload: h.readJson<Record<string, unknown>>(r.payload),
    createdAt: h.readInstant(r.created_at)!,
    availableAt: h.readInstant(r.available_at)!,
    attempts: Number(r.attempts),
    claimedBy: r.claimed_by,
    claimedUntil: h.readInstant(r.claimed_until),
    deliveredAt: h.readInstant(r.delivered_at),
    lastError: r.last_error,
  });

  return {
    async enqueue(item: { id: string; topic: string; payload: Record<string, unknown>; createdAt: string; availableAt: string }): Promise<void> {
      await db
        .insertInto('outbox')
        .values({ id: item.id, topic: item.topic, payload: h.writeJson(item.payload), created_at: item.createdAt, available_at: item.availableAt, attempts: 0 })
        .execute();
    },
    async find(id: string): Promise<OutboxRecord | null> {
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** Ids of undelivered items that are available and not claimed by a live lease, oldest first. */
    async claimable(now: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('outbox')
        .select('id')
        .where('delivered_at', 'is', null)
        .where('available_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .orderBy('available_at')
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
    /**
     * Claims an item for `worker` until `until`. NOTE: the conditional UPDATE is the lock: of two workers
     * racing for the same item exactly one updates a row; the other gets null.
     */
    async claim(id: string, worker: string, now: string, until: string): Promise<OutboxRecord | null> {
      const res = await db
        .updateTable('outbox')
        .set((eb) => ({ claimed_by: worker, claimed_until: until, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('delivered_at', 'is', null)
        .where('available_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return null;
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).where('claimed_by', '=', worker).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** Marks a claimed item delivered; false when the worker no longer holds its claim. */
    async markDelivered(id: string, worker: string, at: string): Promise<boolean> {
      const res = await db
        .updateTable('outbox')
        .set({ delivered_at: at, claimed_by: null, claimed_until: null, last_error: null })
        .where('id', '=', id)
        .where('claimed_by', '=', worker)
        .where('delivered_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Gives a claimed item back after a failure, to be retried at `retryAt`. */
    async release(id: string, worker: string, error: string, retryAt: string): Promise<void> {
      await db
        .updateTable('outbox')
        .set({ claimed_by: null, claimed_until: null, last_error: error.slice(0, 2000), available_at: retryAt })
        .where('id', '=', id)
        .where('claimed_by', '=', worker)
        .execute();
    },
    /** How many items wait for delivery. */
    async pendingCount(): Promise<number> {
      const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('delivered_at', 'is', null).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
