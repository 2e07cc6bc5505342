import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { OutboxState } from '../../domain/outbox/delivery';
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
  state: OutboxState;
  deadAt: string | null;
  discardedAt: string | null;
  discardedBy: string | null;
  discardReason: string | null;
}

/**
 * The durable outbox. Items are written in the transaction of their cause; a worker claims one with a
 * conditional UPDATE (a lease that runs out if the worker dies), delivers it, and marks it delivered (or,
 * after its last attempt, dead) only while it still holds the claim.
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
    state: r.state as OutboxState,
    deadAt: h.readInstant(r.dead_at),
    discardedAt: h.readInstant(r.discarded_at),
    discardedBy: r.discarded_by,
    discardReason: r.discard_reason,
  });

  return {
    async enqueue(item: { id: string; topic: string; payload: Record<string, unknown>; createdAt: string; availableAt: string }): Promise<void> {
      await db
        .insertInto('outbox')
        .values({ id: item.id, topic: item.topic, payload: h.writeJson(item.payload), created_at: item.createdAt, available_at: item.availableAt, attempts: 0, state: 'pending' })
        .execute();
    },
    async find(id: string): Promise<OutboxRecord | null> {
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** The items with these ids (in no particular order). */
    async findMany(ids: string[]): Promise<OutboxRecord[]> {
      const found: OutboxRecord[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        found.push(...(await db.selectFrom('outbox').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()).map(toRecord));
      }
      return found;
    },
    /** Ids of pending items that are available and not claimed by a live lease, oldest first. */
    async claimable(now: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('outbox')
        .select('id')
        .where('state', '=', 'pending')
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
        .where('state', '=', 'pending')
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
        .set({ delivered_at: at, state: 'delivered', claimed_by: null, claimed_until: null, last_error: null })
        .where('id', '=', id)
        .where('claimed_by', '=', worker)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Gives a claimed item back after a failure, to be retried at `retryAt`; false when the worker no longer holds its claim. */
    async release(id: string, worker: string, error: string, retryAt: string): Promise<boolean> {
      const res = await db
        .updateTable('outbox')
        .set({ claimed_by: null, claimed_until: null, last_error: error.slice(0, 2000), available_at: retryAt })
        .where('id', '=', id)
        .where('claimed_by', '=', worker)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /**
     * Gives a claimed item back, due at `until`, without counting the attempt its claim counted (a deferral
     * is not a failure: it neither brings the item closer to being a dead letter nor records an error).
     * False when the worker no longer holds its claim.
     */
    async defer(id: string, worker: string, until: string): Promise<boolean> {
      const res = await db
        .updateTable('outbox')
        .set((eb) => ({ claimed_by: null, claimed_until: null, available_at: until, attempts: eb('attempts', '-', 1) }))
        .where('id', '=', id)
        .where('claimed_by', '=', worker)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /**
     * Gives up on a claimed item after its last attempt: it becomes a dead letter, never claimed again until an
     * admin retries it. False when the worker no longer holds its claim.
     */
    async markDead(id: string, worker: string, error: string, at: string): Promise<boolean> {
      const res = await db
        .updateTable('outbox')
        .set({ state: 'dead', dead_at: at, claimed_by: null, claimed_until: null, last_error: error.slice(0, 2000) })
        .where('id', '=', id)
        .where('claimed_by', '=', worker)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** A page of dead letters, the most recent first (keyset on dead_at, id). */
    async deadLetters(f: { before?: { at: string; id: string }; limit: number }): Promise<OutboxRecord[]> {
      let q = db.selectFrom('outbox').selectAll().where('state', '=', 'dead');
      const before = f.before;
      if (before) q = q.where((eb) => eb.or([eb('dead_at', '<', before.at), eb.and([eb('dead_at', '=', before.at), eb('id', '<', before.id)])]));
      return (await q.orderBy('dead_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()).map(toRecord);
    },
    /**
     * Puts a dead letter back in the queue with its attempts reset, due at `at`. NOTE: conditional on the
     * state, so of an admin retrying and another discarding the same item, one wins and the other is told.
     */
    async revive(id: string, at: string): Promise<boolean> {
      const res = await db
        .updateTable('outbox')
        .set({ state: 'pending', attempts: 0, available_at: at, dead_at: null, claimed_by: null, claimed_until: null })
        .where('id', '=', id)
        .where('state', '=', 'dead')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Gives up on a dead letter for good, saying who did and why; false when it is no longer a dead letter. */
    async discard(id: string, by: string, reason: string, at: string): Promise<boolean> {
      const res = await db
        .updateTable('outbox')
        .set({ state: 'discarded', discarded_at: at, discarded_by: by, discard_reason: reason })
        .where('id', '=', id)
        .where('state', '=', 'dead')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** How many items wait for delivery. */
    async pendingCount(): Promise<number> {
      const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** How many items are dead letters. */
    async deadCount(): Promise<number> {
      const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'dead').executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
