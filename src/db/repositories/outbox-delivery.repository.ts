import { sql, type Kysely } from 'kysely';
import type { DeliveryChannel, DeliveryResult } from '../../domain/outbox/delivery';
import type { DialectHelpers } from '../dialect';
import type { DB, OutboxDeliveriesTable } from '../schema';

/** One delivery attempt of an outbox item to one recipient on one channel (or of the item as a whole). */
export interface DeliveryRecord {
  id: string;
  outboxId: string;
  changeId: string | null;
  channel: DeliveryChannel;
  /** A user id (in-app), an address or a target; null when the attempt failed before its recipients were known. */
  recipient: string | null;
  /** The person the recipient stands for, when it is one. */
  userId: string | null;
  /** Which attempt of the item this was (1-based). */
  attempt: number;
  attemptedAt: string;
  result: DeliveryResult;
  error: string | null;
}

/**
 * The delivery log: every attempt to deliver a notice, per recipient and channel, kept as evidence. NOTE: a
 * `delivered` row is unique per (item, channel, recipient), so recording a delivery is also what makes it
 * happen once: `recordDelivered` answers false when the recipient had it already.
 */
export function createOutboxDeliveryRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: OutboxDeliveriesTable): DeliveryRecord => ({
    id: r.id,
    outboxId: r.outbox_id,
    changeId: r.change_id,
    channel: r.channel as DeliveryChannel,
    recipient: r.recipient,
    userId: r.user_id,
    attempt: Number(r.attempt),
    attemptedAt: h.readInstant(r.attempted_at)!,
    result: r.result as DeliveryResult,
    error: r.error,
  });
  const toRow = (d: DeliveryRecord): OutboxDeliveriesTable => ({
    id: d.id,
    outbox_id: d.outboxId,
    change_id: d.changeId,
    channel: d.channel,
    recipient: d.recipient,
    user_id: d.userId,
    attempt: d.attempt,
    attempted_at: d.attemptedAt,
    result: d.result,
    error: d.error,
  });

  return {
    /**
     * Records successful deliveries; those whose recipient had the item on the channel already are skipped.
     * Returns the recipients that were new.
     */
    async recordDelivered(rows: Omit<DeliveryRecord, 'result' | 'error'>[]): Promise<string[]> {
      const fresh: string[] = [];
      // NOTE: the conflict target is the partial unique index, named by its columns and predicate as both
      // engines require (SQLite: the predicate written out as in the index; a bound parameter does not match
      // it). RETURNING answers only the rows inserted, so the skipped recipients are left out.
      for (let i = 0; i < rows.length; i += 500) {
        const inserted = await db
          .insertInto('outbox_deliveries')
          .values(rows.slice(i, i + 500).map((row) => toRow({ ...row, result: 'delivered', error: null })))
          .onConflict((oc) => oc.columns(['outbox_id', 'channel', 'recipient']).where(sql.ref('result'), '=', sql.lit('delivered')).doNothing())
          .returning('recipient')
          .execute();
        for (const r of inserted) if (r.recipient !== null) fresh.push(r.recipient);
      }
      return fresh;
    },
    /** Records failed attempts (`failed`, or `dead` for the last one). */
    async recordFailed(rows: (Omit<DeliveryRecord, 'result'> & { result: 'failed' | 'dead' })[]): Promise<void> {
      if (rows.length === 0) return;
      await db.insertInto('outbox_deliveries').values(rows.map(toRow)).execute();
    },
    /** The recipients that have had the item on the channel: a redelivery leaves them out. */
    async deliveredRecipients(outboxId: string, channel: DeliveryChannel): Promise<Set<string>> {
      const rows = await db
        .selectFrom('outbox_deliveries')
        .select('recipient')
        .where('outbox_id', '=', outboxId)
        .where('channel', '=', channel)
        .where('result', '=', 'delivered')
        .execute();
      return new Set(rows.map((r) => r.recipient).filter((r): r is string => r !== null));
    },
    /** The attempts of one item, oldest first. */
    async forItem(outboxId: string): Promise<DeliveryRecord[]> {
      const rows = await db.selectFrom('outbox_deliveries').selectAll().where('outbox_id', '=', outboxId).orderBy('attempted_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
    /** A page of the attempts to deliver the notices about a change, newest first (keyset on attempted_at, id). */
    async forChange(changeId: string, f: { before?: { at: string; id: string }; limit: number }): Promise<DeliveryRecord[]> {
      let q = db.selectFrom('outbox_deliveries').selectAll().where('change_id', '=', changeId);
      const before = f.before;
      if (before) q = q.where((eb) => eb.or([eb('attempted_at', '<', before.at), eb.and([eb('attempted_at', '=', before.at), eb('id', '<', before.id)])]));
      return (await q.orderBy('attempted_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()).map(toRecord);
    },
    /** A page of the attempts to one recipient on one channel (a webhook's log), newest first (keyset on attempted_at, id). */
    async forRecipient(channel: DeliveryChannel, recipient: string, f: { before?: { at: string; id: string }; limit: number }): Promise<DeliveryRecord[]> {
      let q = db.selectFrom('outbox_deliveries').selectAll().where('channel', '=', channel).where('recipient', '=', recipient);
      const before = f.before;
      if (before) q = q.where((eb) => eb.or([eb('attempted_at', '<', before.at), eb.and([eb('attempted_at', '=', before.at), eb('id', '<', before.id)])]));
      return (await q.orderBy('attempted_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()).map(toRecord);
    },
  };
}
export type OutboxDeliveryRepository = ReturnType<typeof createOutboxDeliveryRepository>;
