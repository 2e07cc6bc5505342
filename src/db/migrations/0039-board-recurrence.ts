import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Recurring board meetings (issue 15, point 2; docs/cab.md#recurring-meetings):
 *
 * - `boards.recurrence`: JSON `{ start, timeZone, durationMinutes, rrule, daysAhead, holidays }` (the window
 *   rule of domain/schedule/windows.ts, how many days ahead meetings are made, and local dates skipped), or null.
 * - `board_meetings.occurrence`: the start of the recurrence occurrence a meeting was made for (null for ad
 *   hoc meetings); unique per board, so two workers making the same meeting at once make it once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { jsonType: json } = helpersFor(db);
  await db.schema.alterTable('boards').addColumn('recurrence', json).execute();
  await db.schema.alterTable('board_meetings').addColumn('occurrence', 'text').execute();
  await db.schema
    .createIndex('board_meetings_occurrence_idx')
    .on('board_meetings')
    .columns(['board_id', 'occurrence'])
    .unique()
    .where(sql.ref('occurrence'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('board_meetings_occurrence_idx').execute();
  await db.schema.alterTable('board_meetings').dropColumn('occurrence').execute();
  await db.schema.alterTable('boards').dropColumn('recurrence').execute();
}
