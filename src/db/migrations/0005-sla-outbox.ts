import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * SLA clocks (one per approval asked, one per change for time to schedule), the outbox of side effects
 * written in the same transaction as their cause, the in-app notifications the worker delivers from it,
 * and when an approval was escalated.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);

  await db.schema
    .createTable('sla_clocks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('approval_id', 'text', (c) => c.references('approvals.id').onDelete('cascade'))
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('clock', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('due_at', ts, (c) => c.notNull())
    .addColumn('remind_at', ts)
    .addColumn('stopped_at', ts)
    .addColumn('reminded_at', ts)
    .addColumn('breached_at', ts)
    .addColumn('escalated_at', ts)
    .execute();
  await db.schema.createIndex('sla_clocks_change_idx').on('sla_clocks').column('change_id').execute();
  await db.schema.createIndex('sla_clocks_approval_idx').on('sla_clocks').column('approval_id').execute();
  // The worker scans running clocks by reminder time and by due time; the report scans breaches by time.
  await db.schema.createIndex('sla_clocks_remind_idx').on('sla_clocks').columns(['stopped_at', 'reminded_at', 'remind_at']).execute();
  await db.schema.createIndex('sla_clocks_due_idx').on('sla_clocks').columns(['stopped_at', 'breached_at', 'due_at']).execute();
  await db.schema.createIndex('sla_clocks_breached_idx').on('sla_clocks').columns(['breached_at', 'id']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', json, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('available_at', ts, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', ts)
    .addColumn('delivered_at', ts)
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('outbox_pending_idx').on('outbox').columns(['delivered_at', 'available_at']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('change_id', 'text')
    .addColumn('approval_id', 'text')
    .addColumn('outbox_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('read_at', ts)
    // A redelivered outbox item cannot notify the same person twice.
    .addUniqueConstraint('notifications_outbox_user_unique', ['outbox_id', 'user_id'])
    .execute();
  await db.schema.createIndex('notifications_user_idx').on('notifications').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('notifications_unread_idx').on('notifications').columns(['user_id', 'read_at']).execute();

  await db.schema.alterTable('approvals').addColumn('escalated_at', ts).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('approvals').dropColumn('escalated_at').execute();
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropTable('outbox').execute();
  await db.schema.dropTable('sla_clocks').execute();
}
