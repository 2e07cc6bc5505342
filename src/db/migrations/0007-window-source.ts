import type { Kysely } from 'kysely';

/**
 * Where a window came from: the UID of the iCalendar event it was imported from (null for windows made by
 * hand). Unique per kind, so re-importing a file updates its windows instead of duplicating them, while the
 * same calendar may still be imported once as freezes and once as maintenance windows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('windows').addColumn('source_uid', 'text').execute();
  // NOTE: both SQLite and PostgreSQL treat NULLs as distinct in a unique index, so hand-made windows (null
  // source_uid) never collide.
  await db.schema.createIndex('windows_kind_source_uid_idx').on('windows').columns(['kind', 'source_uid']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('windows_kind_source_uid_idx').execute();
  await db.schema.alterTable('windows').dropColumn('source_uid').execute();
}
