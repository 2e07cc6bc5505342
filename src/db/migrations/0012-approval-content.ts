import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Approvals are for a content. Each approval remembers the fingerprint of the change's material content it
 * was requested for, each vote the fingerprint it was cast on; a vote stops counting when the content moves
 * on (superseded) or its voter becomes a party to the change (voided), and says why. An approval that no
 * longer applies is `withdrawn` (formerly `cancelled`), with the reason.
 *
 * A voter whose vote was voided or superseded may vote again on the same approval once eligible, so the
 * one-vote-per-person rule becomes a partial unique index over the votes that count. SQLite cannot drop the
 * table constraint, so there the table is rebuilt (nothing references it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, name } = helpersFor(db);

  await db.schema.alterTable('approvals').addColumn('content_hash', 'text').execute();
  await db.schema.alterTable('approvals').addColumn('closed_reason', 'text').execute();
  await db.updateTable('approvals').set({ state: 'withdrawn' }).where('state', '=', 'cancelled').execute();

  if (name === 'sqlite') {
    await sql`CREATE TABLE approval_votes_new (
      id text PRIMARY KEY,
      approval_id text NOT NULL REFERENCES approvals(id) ON DELETE CASCADE,
      user_id text NOT NULL REFERENCES users(id),
      decision text NOT NULL,
      comment text NOT NULL,
      created_at text NOT NULL,
      on_behalf_of text REFERENCES users(id),
      content_hash text,
      superseded_at text,
      voided_at text,
      ended_reason text
    )`.execute(db);
    await sql`INSERT INTO approval_votes_new (id, approval_id, user_id, decision, comment, created_at, on_behalf_of)
      SELECT id, approval_id, user_id, decision, comment, created_at, on_behalf_of FROM approval_votes`.execute(db);
    await sql`DROP TABLE approval_votes`.execute(db);
    await sql`ALTER TABLE approval_votes_new RENAME TO approval_votes`.execute(db);
  } else {
    await sql`ALTER TABLE approval_votes DROP CONSTRAINT approval_votes_unique`.execute(db);
    await db.schema.alterTable('approval_votes').addColumn('content_hash', 'text').execute();
    await db.schema.alterTable('approval_votes').addColumn('superseded_at', ts).execute();
    await db.schema.alterTable('approval_votes').addColumn('voided_at', ts).execute();
    await db.schema.alterTable('approval_votes').addColumn('ended_reason', 'text').execute();
  }
  await db.schema
    .createIndex('approval_votes_counting_unique')
    .on('approval_votes')
    .columns(['approval_id', 'user_id'])
    .unique()
    .where(sql.ref('superseded_at'), 'is', null)
    .where(sql.ref('voided_at'), 'is', null)
    .execute();
  await db.schema.createIndex('approval_votes_approval_idx').on('approval_votes').column('approval_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('approval_votes_approval_idx').execute();
  await db.schema.dropIndex('approval_votes_counting_unique').execute();
  await db.updateTable('approvals').set({ state: 'cancelled' }).where('state', '=', 'withdrawn').execute();
  for (const column of ['ended_reason', 'voided_at', 'superseded_at', 'content_hash']) await db.schema.alterTable('approval_votes').dropColumn(column).execute();
  for (const column of ['closed_reason', 'content_hash']) await db.schema.alterTable('approvals').dropColumn(column).execute();
}
