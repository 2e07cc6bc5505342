import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * The schedule's conflicts, kept current: one row per change and conflict (a pair conflict such as two
 * changes on one CI has a row on each side), with its acknowledgement. Also the CIs a person excluded from a
 * change's impact, freeze exceptions, services that require a maintenance window, and lockdown holds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('change_conflicts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    // Identifies the conflict within the change (kind and what it is with), so a recomputation keeps its
    // acknowledgement: e.g. "ci_overlap:<other change id>", "freeze:<window id>:<occurrence start>".
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('other_change_id', 'text', (c) => c.references('changes.id').onDelete('cascade'))
    .addColumn('window_id', 'text', (c) => c.references('windows.id').onDelete('cascade'))
    .addColumn('service_id', 'text')
    .addColumn('starts_at', ts, (c) => c.notNull())
    .addColumn('ends_at', ts, (c) => c.notNull())
    .addColumn('detail', json, (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', ts)
    .addColumn('acknowledged_reason', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('change_conflicts_key_unique', ['change_id', 'key'])
    .execute();
  await db.schema.createIndex('change_conflicts_other_idx').on('change_conflicts').column('other_change_id').execute();
  await db.schema.createIndex('change_conflicts_window_idx').on('change_conflicts').column('window_id').execute();

  await db.schema
    .createTable('change_impact_exclusions')
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('ci_id', 'text', (c) => c.notNull().references('cis.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('change_impact_exclusions_pk', ['change_id', 'ci_id'])
    .execute();

  await db.schema
    .createTable('freeze_exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('window_ids', json, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('risk', 'text', (c) => c.notNull())
    .addColumn('mitigation', 'text', (c) => c.notNull())
    .addColumn('accepted_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('decided_at', ts)
    .execute();
  await db.schema.createIndex('freeze_exceptions_change_idx').on('freeze_exceptions').column('change_id').execute();

  await db.schema.alterTable('services').addColumn('requires_maintenance_window', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.schema.alterTable('changes').addColumn('hold_window_id', 'text').execute();
  await db.schema.alterTable('changes').addColumn('hold_until', ts).execute();
  await db.schema.createIndex('changes_implementer_idx').on('changes').columns(['implementer_id', 'planned_start']).execute();
  await db.schema.createIndex('ci_relations_from_idx').on('ci_relations').column('from_ci_id').execute();
  await db.schema.createIndex('change_cis_ci_change_idx').on('change_cis').columns(['ci_id', 'change_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('change_cis_ci_change_idx').execute();
  await db.schema.dropIndex('ci_relations_from_idx').execute();
  await db.schema.dropIndex('changes_implementer_idx').execute();
  await db.schema.alterTable('changes').dropColumn('hold_until').execute();
  await db.schema.alterTable('changes').dropColumn('hold_window_id').execute();
  await db.schema.alterTable('services').dropColumn('requires_maintenance_window').execute();
  await db.schema.dropTable('freeze_exceptions').execute();
  await db.schema.dropTable('change_impact_exclusions').execute();
  await db.schema.dropTable('change_conflicts').execute();
}
