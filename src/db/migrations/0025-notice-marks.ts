import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Approval requests by email (issue 12): `users.approval_emails` (1: email me the approvals I am asked for,
 * their reminders and escalations, the default; 0: in Cabinet only).
 *
 * Notices that go out once per occasion (issue 12): `notice_marks` records that the `upcoming` notice of a
 * change's planned start was queued, keyed by the change and the occasion (`upcoming:<offset>:<planned
 * start>`), so several workers, and a worker that restarts, queue it once; a change moved to another start
 * is a new occasion.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);
  await db.schema
    .createTable('notice_marks')
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('mark', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('notice_marks_pk', ['change_id', 'mark'])
    .execute();
  await db.schema.alterTable('users').addColumn('approval_emails', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('approval_emails').execute();
  await db.schema.dropTable('notice_marks').execute();
}
