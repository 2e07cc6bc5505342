import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Stakeholder communication (issue 12).
 *
 * - `subscriptions`: a person (`user_id`) or a team (`team_id`; exactly one of the two) follows a service, a CI or
 *   a team (`target_kind`, `target_id`). `include_dependencies` also follows what the target depends on through
 *   the CMDB graph; `events` is a JSON array of event names, or null for every event; `channels` a JSON array
 *   (`in_app`, `email`). The target index serves "who follows these services/CIs/teams" when a notice goes out.
 * - `concerns`: a concern someone raised about a change, and the answer its owner or a change manager gave
 *   (`answer_text`, `answered_by`, `answered_at`, null while open). The change index serves the counts on the
 *   change page and the check before `implement`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('cascade'))
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('include_dependencies', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('events', json)
    .addColumn('channels', json, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subscriptions_target_idx').on('subscriptions').columns(['target_kind', 'target_id']).execute();
  await db.schema.createIndex('subscriptions_user_idx').on('subscriptions').column('user_id').execute();
  await db.schema.createIndex('subscriptions_team_idx').on('subscriptions').column('team_id').execute();

  await db.schema
    .createTable('concerns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('answer_text', 'text')
    .addColumn('answered_by', 'text')
    .addColumn('answered_at', ts)
    .execute();
  await db.schema.createIndex('concerns_change_idx').on('concerns').columns(['change_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('concerns').execute();
  await db.schema.dropTable('subscriptions').execute();
}
