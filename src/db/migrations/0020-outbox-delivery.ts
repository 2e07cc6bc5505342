import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Delivery you can prove (issue 12): an outbox item now has a state, so that one that keeps failing stops
 * being retried after CABINET_OUTBOX_MAX_ATTEMPTS attempts and waits, as a dead letter, for an admin to retry
 * or discard it; and every attempt is logged per recipient and channel, as evidence of who was told what and
 * when. The log's partial unique key makes a delivery to one recipient on one channel happen once per item,
 * whatever the retries, races or restarts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);

  await db.schema.alterTable('outbox').addColumn('state', 'text', (c) => c.notNull().defaultTo('pending')).execute();
  await db.schema.alterTable('outbox').addColumn('dead_at', ts).execute();
  await db.schema.alterTable('outbox').addColumn('discarded_at', ts).execute();
  await db.schema.alterTable('outbox').addColumn('discarded_by', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('discard_reason', 'text').execute();
  await db.updateTable('outbox').set({ state: 'delivered' }).where('delivered_at', 'is not', null).execute();
  // The worker looks for pending items by time; the admin page lists dead letters newest first.
  await db.schema.dropIndex('outbox_pending_idx').execute();
  await db.schema.createIndex('outbox_state_idx').on('outbox').columns(['state', 'available_at']).execute();
  await db.schema.createIndex('outbox_dead_idx').on('outbox').columns(['state', 'dead_at', 'id']).execute();

  await db.schema
    .createTable('outbox_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('outbox_id', 'text', (c) => c.notNull().references('outbox.id').onDelete('cascade'))
    // The change the notice is about (read from the item when it is delivered), for the change's log.
    .addColumn('change_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    // Who it went to: a user id (in-app), an address or a target; null when the attempt failed before its
    // recipients were known (the item as a whole).
    .addColumn('recipient', 'text')
    .addColumn('user_id', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('attempted_at', ts, (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('outbox_deliveries_change_idx').on('outbox_deliveries').columns(['change_id', 'attempted_at']).execute();
  await db.schema.createIndex('outbox_deliveries_item_idx').on('outbox_deliveries').columns(['outbox_id', 'attempted_at']).execute();
  // NOTE: the idempotency key. One item is delivered to one recipient on one channel at most once: a
  // redelivery (a retry after a partial failure, a worker whose lease ran out) finds the row and skips them.
  // Failed attempts are not limited, hence the partial index (both engines have them).
  await db.schema
    .createIndex('outbox_deliveries_once_idx')
    .unique()
    .on('outbox_deliveries')
    .columns(['outbox_id', 'channel', 'recipient'])
    .where(sql.ref('result'), '=', sql.lit('delivered'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox_deliveries').execute();
  await db.schema.dropIndex('outbox_dead_idx').execute();
  await db.schema.dropIndex('outbox_state_idx').execute();
  await db.schema.createIndex('outbox_pending_idx').on('outbox').columns(['delivered_at', 'available_at']).execute();
  for (const column of ['discard_reason', 'discarded_by', 'discarded_at', 'dead_at', 'state']) await db.schema.alterTable('outbox').dropColumn(column).execute();
}
