import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Post-implementation reviews (issue 13, docs/learning.md "Post-implementation reviews").
 *
 * - `change_reviews`: at most one per change (`change_id` unique, so two transitions at once cannot create two).
 *   `reasons` holds the policy rules that asked for it (JSON `[{name, reason}]`); `factors` the contributing
 *   factors and `reviewer_ids` the people who took part (JSON string arrays). `overdue_notified_at` records the
 *   one notice of an overdue review. Indexed by state and due date for the queue.
 * - `review_actions`: what the review decided to do, each with an owner and a due date, linked to a problem or
 *   a follow-up change, tracked to done. Open actions on a change's CIs, team and template enter the risk of the
 *   next change there (risk.service.ts), read through `review_actions_state_idx`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('change_reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().unique().references('changes.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reasons', json, (c) => c.notNull())
    .addColumn('due_at', ts, (c) => c.notNull())
    .addColumn('went_well', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('went_badly', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('factors', json, (c) => c.notNull())
    .addColumn('reviewer_ids', json, (c) => c.notNull())
    .addColumn('completed_by', 'text')
    .addColumn('completed_at', ts)
    .addColumn('overdue_notified_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('change_reviews_state_due_idx').on('change_reviews').columns(['state', 'due_at']).execute();

  await db.schema
    .createTable('review_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('review_id', 'text', (c) => c.notNull().references('change_reviews.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('due_at', ts)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('link_kind', 'text')
    .addColumn('link_id', 'text')
    .addColumn('done_at', ts)
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_actions_review_idx').on('review_actions').column('review_id').execute();
  await db.schema.createIndex('review_actions_state_idx').on('review_actions').columns(['state', 'review_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('review_actions').execute();
  await db.schema.dropTable('change_reviews').execute();
}
