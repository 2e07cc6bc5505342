import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Change templates and incidents, the two remaining sources of a change's history in the policy context.
 *
 * - `change_templates`: a named starting point for a change (its type, text, plans, CIs, team). `fields` holds
 *   the prefilled text fields as JSON; `ci_ids` the CIs. A template is retired (`active` false), never
 *   deleted: changes made from it keep pointing at it, and its failure rate is read through them.
 * - `changes.template_id`: the template a change was made from; indexed with `actual_end` for the 90-day
 *   history by template.
 * - `incidents` with `incident_cis`: what broke, on which CIs, since when, and the change that caused it
 *   when someone knows. `number` is `INC` and seven digits, unique; imported incidents keep theirs.
 *   `(ci_id, incident_id)` and `opened_at` serve "incidents on these CIs in the last 30 days".
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('change_templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('fields', json, (c) => c.notNull())
    .addColumn('ci_ids', json, (c) => c.notNull())
    .addColumn('assignment_team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema.alterTable('changes').addColumn('template_id', 'text', (c) => c.references('change_templates.id')).execute();
  await db.schema.createIndex('changes_template_end_idx').on('changes').columns(['template_id', 'actual_end']).execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('opened_at', ts, (c) => c.notNull())
    .addColumn('resolved_at', ts)
    .addColumn('closed_at', ts)
    .addColumn('caused_by_change_id', 'text', (c) => c.references('changes.id').onDelete('set null'))
    .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('set null'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external', json, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_opened_idx').on('incidents').column('opened_at').execute();
  await db.schema.createIndex('incidents_caused_by_idx').on('incidents').column('caused_by_change_id').execute();

  await db.schema
    .createTable('incident_cis')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('ci_id', 'text', (c) => c.notNull().references('cis.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('incident_cis_pk', ['incident_id', 'ci_id'])
    .execute();
  await db.schema.createIndex('incident_cis_ci_idx').on('incident_cis').columns(['ci_id', 'incident_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('incident_cis').execute();
  await db.schema.dropTable('incidents').execute();
  await db.schema.dropIndex('changes_template_end_idx').execute();
  await db.schema.alterTable('changes').dropColumn('template_id').execute();
  await db.schema.dropTable('change_templates').execute();
}
