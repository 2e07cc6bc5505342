import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * A catalogue that learns (issue 13, points 5 to 7).
 *
 * - `change_templates.review_cadence_days`: the entry's own review cadence in days (null: the policy's
 *   `catalogue.review.cadenceDays`); `next_review_at`: when its next periodic review is due (null: its
 *   activation plus the cadence, worked out by the worker); `source_change_id`: the change an entry was
 *   proposed from (promotion), null for entries written by hand.
 * - `catalogue_reviews`: one periodic review of an entry, opened by the worker when it falls due, with the
 *   entry's history at that moment (`history`, JSON) and the owner's decision (keep, revise or retire).
 *   NOTE: unique per (entry, due date), so several workers open each review once; `suspended_at` marks the
 *   one suspension an overdue review causes, claimed by a conditional update.
 * - `reclassifications`: a change manager's judgement that a change was of another type than it was filed as,
 *   with the change's team and services at that moment (JSON ids), for the misclassification counts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema.alterTable('change_templates').addColumn('review_cadence_days', 'integer').execute();
  await db.schema.alterTable('change_templates').addColumn('next_review_at', ts).execute();
  await db.schema.alterTable('change_templates').addColumn('source_change_id', 'text').execute();

  await db.schema
    .createTable('catalogue_reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('template_id', 'text', (c) => c.notNull().references('change_templates.id').onDelete('cascade'))
    .addColumn('template_version', 'integer', (c) => c.notNull())
    .addColumn('due_at', ts, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('history', json, (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', ts)
    .addColumn('suspended_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('catalogue_reviews_template_due_key', ['template_id', 'due_at'])
    .execute();
  await db.schema.createIndex('catalogue_reviews_state_idx').on('catalogue_reviews').columns(['state', 'due_at']).execute();

  await db.schema
    .createTable('reclassifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('from_type', 'text', (c) => c.notNull())
    .addColumn('to_type', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('service_ids', json, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reclassifications_change_idx').on('reclassifications').columns(['change_id', 'created_at']).execute();
  await db.schema.createIndex('reclassifications_created_idx').on('reclassifications').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reclassifications').execute();
  await db.schema.dropTable('catalogue_reviews').execute();
  await db.schema.alterTable('change_templates').dropColumn('source_change_id').execute();
  await db.schema.alterTable('change_templates').dropColumn('next_review_at').execute();
  await db.schema.alterTable('change_templates').dropColumn('review_cadence_days').execute();
}
