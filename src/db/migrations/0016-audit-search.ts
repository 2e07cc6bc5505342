import type { Kysely } from 'kysely';

/**
 * The auditor's search (GET /api/v1/audit/events) filters by record, person, action and time and reads the
 * newest events first. An index per filter, each ending with `seq`, lets the database walk it backwards and
 * stop after one page instead of sorting every match; `at` alone serves the time range and the export's
 * range. The first index of 0001 leads with `entity_type`, which a search by id alone cannot use.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_events_entity_id_seq_idx').on('audit_events').columns(['entity_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_actor_seq_idx').on('audit_events').columns(['actor_id', 'seq']).execute();
  await db.schema.createIndex('audit_events_action_seq_idx').on('audit_events').columns(['action', 'seq']).execute();
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_events_at_idx').execute();
  await db.schema.dropIndex('audit_events_action_seq_idx').execute();
  await db.schema.dropIndex('audit_events_actor_seq_idx').execute();
  await db.schema.dropIndex('audit_events_entity_id_seq_idx').execute();
}
