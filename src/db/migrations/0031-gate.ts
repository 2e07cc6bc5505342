import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/** The tables a gate decision reads (db/invalidation.ts, GATE_TABLES): a write to one makes remembered decisions stale. */
const TABLES = ['changes', 'change_cis', 'approvals', 'windows', 'freeze_exceptions', 'change_templates', 'change_conflicts', 'conflict_acknowledgements', 'cis', 'gate_checks', 'policy_versions'];

/**
 * The deployment gate (issue 14, docs/pipelines.md).
 *
 * - `gate_checks`: one row per question a pipeline asked, unique on (source, repository, run_id, attempt,
 *   environment) so a repeated or concurrent question answers the same check and a new attempt is a new one.
 *   `reasons` is JSON `[{code, message, ref}]`; `ci_ids` the target's CI ids (JSON). `claimed_at` marks the
 *   process deciding a new check (its first decision may open a change), so concurrent askers wait for that
 *   decision instead of opening a second change. `deadline` is when a pending check is denied.
 * - On PostgreSQL, every statement that writes a table a decision reads sends `NOTIFY cabinet_gate` from a
 *   trigger, so every server forgets the decisions it remembered exactly when the write commits (as migration
 *   0026 does for security data). SQLite needs nothing: other processes see `PRAGMA data_version` move.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const h = helpersFor(db);
  const { timestampType: ts, jsonType: json } = h;
  await db.schema
    .createTable('gate_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('pipeline_id', 'text', (c) => c.notNull())
    .addColumn('pipeline_url', 'text')
    .addColumn('service_id', 'text')
    .addColumn('ci_ids', json, (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('change_number', 'text')
    .addColumn('template_id', 'text')
    .addColumn('change_id', 'text', (c) => c.references('changes.id').onDelete('set null'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reasons', json, (c) => c.notNull())
    .addColumn('claimed_at', ts)
    .addColumn('deadline', ts)
    .addColumn('decided_at', ts, (c) => c.notNull())
    .addColumn('evaluated_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('gate_checks_run_key', ['source', 'repository', 'run_id', 'attempt', 'environment'])
    .execute();
  await db.schema.createIndex('gate_checks_created_idx').on('gate_checks').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('gate_checks_change_idx').on('gate_checks').columns(['change_id', 'created_at']).execute();
  await db.schema.createIndex('gate_checks_decision_idx').on('gate_checks').columns(['decision', 'deadline']).execute();
  await db.schema.createIndex('gate_checks_service_idx').on('gate_checks').columns(['service_id', 'created_at']).execute();
  await db.schema.createIndex('gate_checks_sha_idx').on('gate_checks').columns(['source', 'repository', 'sha']).execute();

  if (h.name !== 'postgres') return;
  await sql`create or replace function cabinet_gate_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('cabinet_gate', '');
  return null;
end
$$`.execute(db);
  for (const table of TABLES) {
    await sql`create trigger ${sql.raw(`${table}_gate_notify`)} after insert or update or delete or truncate on ${sql.table(table)} for each statement execute function cabinet_gate_notify()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (helpersFor(db).name === 'postgres') {
    for (const table of TABLES) await sql`drop trigger if exists ${sql.raw(`${table}_gate_notify`)} on ${sql.table(table)}`.execute(db);
    await sql`drop function if exists cabinet_gate_notify()`.execute(db);
  }
  await db.schema.dropTable('gate_checks').execute();
}
