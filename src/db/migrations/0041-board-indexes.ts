import type { Kysely } from 'kysely';

/**
 * Indexes for the CAB's reads (issue 15): a board's approvals (its agenda, its queue, its figures and the
 * ECAB's retrospective review read them by `approver_kind`, `approver_ref` and `state`, which otherwise
 * meant reading every approval), and the decisions recorded for approvals.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('approvals_approver_idx').on('approvals').columns(['approver_kind', 'approver_ref', 'state']).execute();
  await db.schema.createIndex('board_decisions_approval_idx').on('board_decisions').column('approval_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('board_decisions_approval_idx').execute();
  await db.schema.dropIndex('approvals_approver_idx').execute();
}
