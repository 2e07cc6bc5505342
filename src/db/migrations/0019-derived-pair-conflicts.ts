import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Conflicts between two changes are no longer stored (issue 10, the hot CI). A change filed on a CI where
 * hundreds of others overlap used to write a row for each of them and a mirror row on each of theirs, a page
 * of the index per other change: filing there cost five to seven times filing on a free CI. The pairs are now
 * derived when they are read, from the changes' planned intervals, CIs and implementers (always current by
 * construction); what people decided about a pair is kept here: an acknowledgement, by change and pair key,
 * with the overlap it accepted. Window conflicts (freezes, maintenance windows) stay in change_conflicts.
 * Acknowledgements of pair rows are carried over, then the pair rows are deleted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);
  await db.schema
    .createTable('conflict_acknowledgements')
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    // "<kind>:<other change id>", as the derived conflict's key.
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('other_change_id', 'text', (c) => c.notNull())
    // The overlap that was accepted: a pair that moves outside it needs a new look.
    .addColumn('starts_at', ts, (c) => c.notNull())
    .addColumn('ends_at', ts, (c) => c.notNull())
    .addColumn('acknowledged_by', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', ts, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conflict_acknowledgements_pk', ['change_id', 'key'])
    .execute();
  await sql`
    insert into conflict_acknowledgements (change_id, key, other_change_id, starts_at, ends_at, acknowledged_by, acknowledged_at, reason)
    select change_id, key, other_change_id, starts_at, ends_at, acknowledged_by, acknowledged_at, coalesce(acknowledged_reason, '')
    from change_conflicts
    where other_change_id is not null and acknowledged_at is not null and acknowledged_by is not null`.execute(db);
  await db.deleteFrom('change_conflicts').where('other_change_id', 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // The pair rows come back at the next recomputation of each change; their acknowledgements are lost.
  await db.schema.dropTable('conflict_acknowledgements').execute();
}
