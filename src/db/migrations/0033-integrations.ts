import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Integrations with GitHub, GitLab and Argo CD (issue 14, points 4 to 6).
 *
 * - `integration_settings`: one row per kind (`github`, `gitlab`, `argocd`): its plain settings (JSON) and its
 *   secrets, each sealed with the server's `webhook` key (integrations/webhook/secret-box.ts, the kind and the
 *   secret's name as associated data) with the last four characters kept as a hint. `version` guards edits.
 * - `integration_deliveries`: the delivery ids already handled per source (GitHub's X-GitHub-Delivery,
 *   GitLab's X-Gitlab-Event-UUID), so a replayed or redelivered webhook is acknowledged and not acted on twice.
 * - `integration_gate_requests`: a forge waiting on a gate check: a GitHub deployment protection rule (its
 *   installation, callback URL and run) or a GitLab deployment blocked for approval (its project and
 *   deployment), with the state of the answer Cabinet gave and the deadline past which it rejects.
 *   NOTE: unique per (kind, check), so a redelivered request finds the one already waiting.
 * - `argocd_holds`: Argo CD applications whose sync was held by a Cabinet freeze, until a later sync succeeds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('integration_settings')
    .addColumn('kind', 'text', (c) => c.primaryKey())
    .addColumn('config', json, (c) => c.notNull())
    .addColumn('secrets', json, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('integration_deliveries')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('received_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('integration_deliveries_pkey', ['source', 'delivery_id'])
    .execute();
  await db.schema.createIndex('integration_deliveries_received_idx').on('integration_deliveries').column('received_at').execute();

  await db.schema
    .createTable('integration_gate_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('check_id', 'text', (c) => c.notNull())
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('installation_id', 'text')
    .addColumn('callback_url', 'text')
    .addColumn('run_id', 'text')
    .addColumn('project_id', 'text')
    .addColumn('deployment_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reports', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_decision', 'text')
    .addColumn('deadline', ts, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('decided_at', ts)
    .addUniqueConstraint('integration_gate_requests_check_key', ['kind', 'check_id'])
    .execute();
  await db.schema.createIndex('integration_gate_requests_state_idx').on('integration_gate_requests').columns(['state', 'deadline']).execute();

  await db.schema
    .createTable('argocd_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application', 'text', (c) => c.notNull())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('revision', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text')
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('freeze_id', 'text')
    .addColumn('freeze_ends_at', ts)
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('held_at', ts, (c) => c.notNull())
    .addColumn('released_at', ts)
    .execute();
  await db.schema.createIndex('argocd_holds_application_idx').on('argocd_holds').columns(['application', 'released_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('argocd_holds').execute();
  await db.schema.dropTable('integration_gate_requests').execute();
  await db.schema.dropTable('integration_deliveries').execute();
  await db.schema.dropTable('integration_settings').execute();
}
