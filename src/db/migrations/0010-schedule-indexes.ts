import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * What the conflict search needs to stay fast on a year of schedule (bench/README.md, "Conflict check and
 * next-slot search"):
 * - `changes.planned_minutes`, the planned duration in whole minutes, computed by the database from
 *   planned_start and planned_end (null while either is), and an index of the changes planned longer than
 *   10 hours by their end. A change planned no longer than that which overlaps [start, end) starts after
 *   start − 10 hours, so the planned-start index finds it in a narrow range; the few long ones come from the
 *   partial index. Without it, overlaps can only be found CI by CI, one lookup per change on every CI.
 * - covering indexes of the columns that search reads (planned interval, state, id, implementer), by start
 *   and by id, so neither the search by time nor the search CI by CI reads table rows;
 * - a covering index of relations by their `to` side, which impact (dependents) walks.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { name } = helpersFor(db);
  // NOTE: SQLite can only add a VIRTUAL generated column to an existing table, PostgreSQL 15 only a STORED one;
  // both index it. julianday() and timestamptz subtraction are deterministic, as a generated column requires.
  await db.schema
    .alterTable('changes')
    .addColumn('planned_minutes', 'integer', (c) =>
      name === 'sqlite'
        ? c.generatedAlwaysAs(sql`cast(round((julianday(planned_end) - julianday(planned_start)) * 1440) as integer)`)
        : c.generatedAlwaysAs(sql`cast(round(extract(epoch from (planned_end - planned_start)) / 60) as integer)`).stored(),
    )
    .execute();
  // NOTE: the predicate is a literal: SQLite uses a partial index only when the query repeats it verbatim.
  await db.schema.createIndex('changes_long_planned_idx').on('changes').column('planned_end').where(sql.ref('planned_minutes'), '>', sql.lit(600)).execute();
  await db.schema.createIndex('changes_planned_cover_idx').on('changes').columns(['planned_start', 'planned_end', 'state', 'id', 'implementer_id']).execute();
  await db.schema.createIndex('changes_id_planned_idx').on('changes').columns(['id', 'planned_start', 'planned_end', 'state', 'implementer_id']).execute();
  await db.schema.createIndex('ci_relations_to_type_idx').on('ci_relations').columns(['to_ci_id', 'type', 'from_ci_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ci_relations_to_type_idx').execute();
  await db.schema.dropIndex('changes_id_planned_idx').execute();
  await db.schema.dropIndex('changes_planned_cover_idx').execute();
  await db.schema.dropIndex('changes_long_planned_idx').execute();
  await db.schema.alterTable('changes').dropColumn('planned_minutes').execute();
}
