import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Outbound webhooks (issue 12).
 *
 * - `webhooks`: an endpoint an admin registered: its URL, its format (generic, slack, teams, mattermost), the
 *   events it wants (a JSON array) and whether it is enabled. `secret_sealed` is its signing secret encrypted
 *   under the server's `webhook` key in `server_secrets` (AES-256-GCM, integrations/webhook/secret-box.ts),
 *   since signing needs the clear value; `secret_hint` its last 4 characters, to recognise it by.
 * - `webhook_allow_list`: the host names, addresses and CIDR ranges webhooks may reach although they are
 *   private (the SSRF guard, integrations/webhook/address-guard.ts).
 * - An index on the delivery log by channel and recipient, newest first: a webhook's own log (its recipient is
 *   the webhook's id).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('events', json, (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('secret_hint', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_allow_list')
    .addColumn('entry', 'text', (c) => c.primaryKey())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createIndex('outbox_deliveries_recipient_idx')
    .on('outbox_deliveries')
    .columns(['channel', 'recipient', 'attempted_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_deliveries_recipient_idx').execute();
  await db.schema.dropTable('webhook_allow_list').execute();
  await db.schema.dropTable('webhooks').execute();
}
