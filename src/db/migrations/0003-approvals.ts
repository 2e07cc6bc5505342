import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/** Approvals a change needs (one row per approver group and rule) and the votes cast on them. */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);

  await db.schema
    .createTable('approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('stage_order', 'integer', (c) => c.notNull())
    .addColumn('stage_label', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('approver_kind', 'text', (c) => c.notNull())
    .addColumn('approver_ref', 'text', (c) => c.notNull())
    .addColumn('approver_label', 'text', (c) => c.notNull())
    .addColumn('quorum_kind', 'text', (c) => c.notNull())
    .addColumn('quorum_value', 'integer')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('due_at', ts)
    .addColumn('escalate_kind', 'text')
    .addColumn('escalate_ref', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('decided_at', ts)
    .execute();
  await db.schema.createIndex('approvals_change_idx').on('approvals').column('change_id').execute();
  // Finding overdue approvals (reminders, escalation) scans open approvals by due time.
  await db.schema.createIndex('approvals_state_due_idx').on('approvals').columns(['state', 'due_at']).execute();

  await db.schema
    .createTable('approval_votes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('approval_id', 'text', (c) => c.notNull().references('approvals.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('approval_votes_unique', ['approval_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('approval_votes').execute();
  await db.schema.dropTable('approvals').execute();
}
