import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Routing (the change manager and what routing decided), evidence attached to changes, delegations of
 * approval while away, break-glass bypasses and the mandatory review they flag, and votes cast for someone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  // NOTE: SQLite adds one column per ALTER TABLE statement, so each column is its own statement.
  await db.schema.alterTable('changes').addColumn('change_manager_id', 'text', (c) => c.references('users.id')).execute();
  await db.schema.alterTable('changes').addColumn('routing', json).execute();
  await db.schema.alterTable('changes').addColumn('review_required', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.schema.createIndex('changes_manager_idx').on('changes').column('change_manager_id').execute();

  await db.schema
    .createTable('change_evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('change_evidence_change_idx').on('change_evidence').column('change_id').execute();

  await db.schema
    .createTable('delegations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('delegate_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('starts_at', ts, (c) => c.notNull())
    .addColumn('ends_at', ts, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('revoked_at', ts)
    .execute();
  await db.schema.createIndex('delegations_delegate_idx').on('delegations').columns(['delegate_id', 'ends_at']).execute();
  await db.schema.createIndex('delegations_user_idx').on('delegations').column('user_id').execute();

  await db.schema
    .createTable('break_glass')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('skipped', json, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .addColumn('reviewed_by', 'text', (c) => c.references('users.id'))
    .addColumn('reviewed_at', ts)
    .addColumn('review_notes', 'text')
    .execute();
  await db.schema.createIndex('break_glass_change_idx').on('break_glass').column('change_id').execute();

  await db.schema.alterTable('approval_votes').addColumn('on_behalf_of', 'text', (c) => c.references('users.id')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('approval_votes').dropColumn('on_behalf_of').execute();
  await db.schema.dropTable('break_glass').execute();
  await db.schema.dropTable('delegations').execute();
  await db.schema.dropTable('change_evidence').execute();
  await db.schema.dropIndex('changes_manager_idx').execute();
  for (const name of ['review_required', 'routing', 'change_manager_id']) await db.schema.alterTable('changes').dropColumn(name).execute();
}
