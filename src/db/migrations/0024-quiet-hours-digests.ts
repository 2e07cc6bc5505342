import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Quiet hours, digests and external addresses (issue 12).
 *
 * - `users.quiet_start`, `users.quiet_end`: "HH:MM" in the person's zone (UTC when they chose none), both
 *   null for no quiet hours; an email of a notice that falls in them waits until they end.
 * - `users.digest`: `off`, `daily` or `weekly`: a digest of the changes planned on what the person follows.
 * - `digests`: one row per person and period (`daily:2026-12-07`, `weekly:2026-12-07`), written with the
 *   outbox item that sends it. NOTE: the primary key is what makes a digest go out once per period, whatever
 *   the number of workers and restarts: the insert that wins queues the item, the others find the row.
 * - `subscriptions.address`: an external address (a distribution list) that follows instead of a person or
 *   a team; `subscriptions.state` is `pending` until someone at that address confirms (double opt-in), then
 *   `active`; `confirm_sent_at` is when the last confirmation was sent.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);
  await db.schema.alterTable('users').addColumn('quiet_start', 'text').execute();
  await db.schema.alterTable('users').addColumn('quiet_end', 'text').execute();
  await db.schema.alterTable('users').addColumn('digest', 'text', (c) => c.notNull().defaultTo('off')).execute();

  await db.schema
    .createTable('digests')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('change_count', 'integer', (c) => c.notNull())
    .addColumn('outbox_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('digests_pkey', ['user_id', 'period'])
    .execute();

  await db.schema.alterTable('subscriptions').addColumn('address', 'text').execute();
  await db.schema.alterTable('subscriptions').addColumn('state', 'text', (c) => c.notNull().defaultTo('active')).execute();
  await db.schema.alterTable('subscriptions').addColumn('confirm_sent_at', ts).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['confirm_sent_at', 'state', 'address']) await db.schema.alterTable('subscriptions').dropColumn(column).execute();
  await db.schema.dropTable('digests').execute();
  for (const column of ['digest', 'quiet_end', 'quiet_start']) await db.schema.alterTable('users').dropColumn(column).execute();
}
