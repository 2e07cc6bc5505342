import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Email (issue 12): `server_secrets` holds keys the server makes for itself on first use, by name. The first
 * is `unsubscribe`, the HMAC key that signs the one-click unsubscribe links of Cabinet's email; the links
 * themselves are not stored, so there is no table of them to leak.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('server_secrets').execute();
}
