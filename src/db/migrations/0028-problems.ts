import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Problems and known errors (issue 13).
 *
 * - `problems`: the cause behind one or more incidents. `number` is `PRB` and seven digits, unique; `state` runs
 *   new → assess → root_cause_analysis → fix_in_progress → resolved → closed; `owner_id` a person, `team_id` a team,
 *   `root_cause` the text found. `resolved_by_change_id` the fix change whose successful close resolved it.
 * - `problem_cis`: the CIs a problem is on. `problem_incidents`: the incidents it explains. `problem_changes`: the
 *   changes that caused it (`role` `caused`) and those that fix it (`fix`). The change index serves "which problems
 *   does this closing change fix".
 * - `known_errors` with `known_error_cis`: a known cause and its workaround (Markdown), `KE` and seven digits,
 *   draft → published → retired, optionally tied to a problem. `(ci_id, known_error_id)` serves "known errors on
 *   these CIs" when a change is filed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);
  await db.schema
    .createTable('problems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('set null'))
    .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
    .addColumn('root_cause', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('resolved_at', ts)
    .addColumn('resolved_by_change_id', 'text', (c) => c.references('changes.id').onDelete('set null'))
    .addColumn('closed_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('problems_created_idx').on('problems').column('created_at').execute();

  await db.schema
    .createTable('problem_cis')
    .addColumn('problem_id', 'text', (c) => c.notNull().references('problems.id').onDelete('cascade'))
    .addColumn('ci_id', 'text', (c) => c.notNull().references('cis.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('problem_cis_pk', ['problem_id', 'ci_id'])
    .execute();
  await db.schema.createIndex('problem_cis_ci_idx').on('problem_cis').columns(['ci_id', 'problem_id']).execute();

  await db.schema
    .createTable('problem_incidents')
    .addColumn('problem_id', 'text', (c) => c.notNull().references('problems.id').onDelete('cascade'))
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('problem_incidents_pk', ['problem_id', 'incident_id'])
    .execute();
  await db.schema.createIndex('problem_incidents_incident_idx').on('problem_incidents').columns(['incident_id', 'problem_id']).execute();

  await db.schema
    .createTable('problem_changes')
    .addColumn('problem_id', 'text', (c) => c.notNull().references('problems.id').onDelete('cascade'))
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('problem_changes_pk', ['problem_id', 'change_id', 'role'])
    .execute();
  await db.schema.createIndex('problem_changes_change_idx').on('problem_changes').columns(['change_id', 'role']).execute();

  await db.schema
    .createTable('known_errors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('workaround', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('problem_id', 'text', (c) => c.references('problems.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('published_at', ts)
    .addColumn('retired_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('known_errors_problem_idx').on('known_errors').column('problem_id').execute();

  await db.schema
    .createTable('known_error_cis')
    .addColumn('known_error_id', 'text', (c) => c.notNull().references('known_errors.id').onDelete('cascade'))
    .addColumn('ci_id', 'text', (c) => c.notNull().references('cis.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('known_error_cis_pk', ['known_error_id', 'ci_id'])
    .execute();
  await db.schema.createIndex('known_error_cis_ci_idx').on('known_error_cis').columns(['ci_id', 'known_error_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('known_error_cis').execute();
  await db.schema.dropTable('known_errors').execute();
  await db.schema.dropTable('problem_changes').execute();
  await db.schema.dropTable('problem_incidents').execute();
  await db.schema.dropTable('problem_cis').execute();
  await db.schema.dropTable('problems').execute();
}
