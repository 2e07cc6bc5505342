import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Change advisory boards (issue 15, point 1; docs/cab.md): the CABs, the ECAB and the technical boards, with
 * their members.
 *
 * - `boards`: one per board; its name unique without regard to case (`boards_name_idx` on `lower(name)`, so a
 *   race that slips past the service's check still reads as `already_exists` on `name`). `scope` is the CEL
 *   source deciding which changes need the board (null: every change routed to it); `quorum_required_domains`
 *   a JSON array of domain names; `response_minutes` the board's response time (null: none; ECAB 60 by
 *   default). `active` 0/1 on SQLite. `version` guards edits.
 * - `board_members`: a board's people and teams in member order (`position`, the order the chair rotates
 *   in), each with the domains it represents (JSON array) and whether it sits as a delegate. NOTE: `member_id`
 *   names a user or a team by `member_kind`, so it has no foreign key; users are disabled, never deleted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('boards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('scope', 'text')
    .addColumn('quorum_min_members', 'integer', (c) => c.notNull())
    .addColumn('quorum_required_domains', json, (c) => c.notNull())
    .addColumn('chair_rule', 'text', (c) => c.notNull())
    .addColumn('response_minutes', 'integer')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('boards_name_idx')
    .on('boards')
    .unique()
    .expression(sql`lower(name)`)
    .execute();

  await db.schema
    .createTable('board_members')
    .addColumn('board_id', 'text', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('member_kind', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('domains', json, (c) => c.notNull())
    .addColumn('is_delegate', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('board_members_pk', ['board_id', 'member_kind', 'member_id'])
    .execute();
  // The boards a person or team sits on (a member's pending votes, a team's boards).
  await db.schema.createIndex('board_members_member_idx').on('board_members').columns(['member_kind', 'member_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('board_members').execute();
  await db.schema.dropTable('boards').execute();
}
