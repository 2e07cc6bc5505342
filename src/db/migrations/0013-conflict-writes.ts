import { sql, type Kysely } from 'kysely';

/**
 * Filing a change on a CI where hundreds of others are planned at the same time writes a conflict row for
 * each of them on both sides (issue 10; bench/README.md, "Filing on a hot CI"), so every index of
 * `change_conflicts` costs an entry per row, and an index whose entries scatter costs a page per row:
 * - the index by other change put each of the filed change's own rows on a page of its own, one page per
 *   other change, half the pages such a commit wrote. Nothing needs it: the rows of other changes that name a
 *   change are the mirrors of its own pair rows, found through the (change_id, key) unique index
 *   (schedule.repository.ts, `conflictsNaming`), and changes are never deleted, so the foreign key's cascade
 *   never searches by it.
 * - the index by window held an entry for every pair row, all of them null: it now holds the freeze rows only,
 *   which is all a window's deletion (the cascade) looks for.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('change_conflicts_other_idx').execute();
  await db.schema.dropIndex('change_conflicts_window_idx').execute();
  await db.schema.createIndex('change_conflicts_window_idx').on('change_conflicts').column('window_id').where(sql.ref('window_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('change_conflicts_window_idx').execute();
  await db.schema.createIndex('change_conflicts_window_idx').on('change_conflicts').column('window_id').execute();
  await db.schema.createIndex('change_conflicts_other_idx').on('change_conflicts').column('other_change_id').execute();
}
