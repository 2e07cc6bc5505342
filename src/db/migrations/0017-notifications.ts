import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Notifications that stay true (issue 11): a notice asking for an action is resolved once the action no
 * longer waits for the reader (the approval was decided by someone, withdrawn or requested again). The
 * resolution keeps its time and its reason ("Decided by Ada Lovelace: approved."); resolved notices no longer
 * count as unread. The approval index serves the resolving UPDATE, which finds every notice of one approval.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);
  await db.schema.alterTable('notifications').addColumn('resolved_at', ts).execute();
  await db.schema.alterTable('notifications').addColumn('resolution', 'text').execute();
  await db.schema.createIndex('notifications_approval_idx').on('notifications').column('approval_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('notifications_approval_idx').execute();
  await db.schema.alterTable('notifications').dropColumn('resolution').execute();
  await db.schema.alterTable('notifications').dropColumn('resolved_at').execute();
}
