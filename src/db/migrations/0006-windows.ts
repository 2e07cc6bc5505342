import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Maintenance windows and freezes: a rule (local start in an IANA zone, a duration, an optional RRULE) and a
 * scope. Occurrences are expanded on read, never stored, so editing a rule cannot leave stale rows behind.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('start_local', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('rrule', 'text')
    .addColumn('scope', json, (c) => c.notNull())
    .addColumn('urgent', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('windows_kind_idx').on('windows').column('kind').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('windows').execute();
}
