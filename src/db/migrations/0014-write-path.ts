import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * The write path of filing a change (issue 10, bench/README.md):
 * - Risk reads the history of the changes closed on a CI in the last 90 days. Through `change_cis` that read
 *   grew with every change ever filed on the CI; an index of the closed changes by actual end (partial: open
 *   changes, most of the table, are not in it) lets it read only the changes closed in the window.
 * - PostgreSQL takes change numbers from a sequence (DialectHelpers.nextChangeSeq), starting after the
 *   highest number given so far. SQLite keeps the `change` counter row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // NOTE: the predicate is written as the history query writes it: SQLite uses a partial index only then.
  await db.schema.createIndex('changes_closed_end_idx').on('changes').column('actual_end').where(sql.ref('close_code'), 'is not', null).execute();
  if (helpersFor(db).name === 'postgres') {
    await sql`create sequence change_seq as bigint minvalue 1`.execute(db);
    await sql`select setval('change_seq', greatest((select coalesce(max(seq), 0) from changes), (select coalesce(max(value), 0) from counters where name = 'change'), 1), (select count(*) > 0 from changes) or exists (select 1 from counters where name = 'change' and value > 0))`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (helpersFor(db).name === 'postgres') {
    await sql`update counters set value = greatest(value, (select last_value from change_seq)) where name = 'change'`.execute(db);
    await sql`drop sequence change_seq`.execute(db);
  }
  await db.schema.dropIndex('changes_closed_end_idx').execute();
}
