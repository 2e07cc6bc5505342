import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Board meetings and what they decide (issue 15, points 2–7; docs/cab.md#meetings):
 *
 * - `board_meetings`: a meeting of a board: `state` planned → live → ended (or cancelled); `started_at` is
 *   when its agenda froze; `current_change_id`/`current_since` the item under discussion (the per-item timer).
 *   `version` guards edits; `minutes_hash` is set once, with the minutes.
 * - `meeting_agenda_edits`: a change manager's additions, removals and moves, each with its reason, in order.
 * - `meeting_attendance`: who was there (or sent apologies), per meeting and person; `recorded_by` who said so,
 *   and `attested` whether that counts towards a quorum (the person themself, or a change manager).
 * - `meeting_item_times`: seconds spent on each item (added to each time the current item moves on).
 * - `board_decisions`: the board's decision on a change: at a meeting (`meeting_id`), or by members' votes
 *   without one (null); `approval_id` the board approval it settled; `deferred_to` the meeting an item went
 *   to; `votes`/`quorum` a JSON snapshot of the votes and the quorum at the time.
 * - `change_conditions`: conditions of an approval with conditions: the change cannot enter `implement` until
 *   each is met. `verifier_kind` person (a user id in `verifier_ref`), check (CEL in `verifier_ref`) or
 *   change_manager.
 * - `meeting_minutes`: the minutes as generated when the meeting ended: never updated (the service refuses
 *   with 409); their SHA-256 enters the audit chain.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  await db.schema
    .createTable('board_meetings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('board_id', 'text', (c) => c.notNull().references('boards.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('start_at', ts, (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('chair_id', 'text', (c) => c.references('users.id'))
    .addColumn('started_at', ts)
    .addColumn('ended_at', ts)
    .addColumn('cancelled_reason', 'text')
    .addColumn('current_change_id', 'text')
    .addColumn('current_since', ts)
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('minutes_hash', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  // A board's meetings in time order (its next meeting, the meeting after next, the calendar).
  await db.schema.createIndex('board_meetings_board_start_idx').on('board_meetings').columns(['board_id', 'start_at']).execute();
  await db.schema.createIndex('board_meetings_start_idx').on('board_meetings').column('start_at').execute();

  await db.schema
    .createTable('meeting_agenda_edits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('meeting_id', 'text', (c) => c.notNull().references('board_meetings.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id'))
    .addColumn('position', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('meeting_agenda_edits_meeting_idx').on('meeting_agenda_edits').column('meeting_id').execute();

  await db.schema
    .createTable('meeting_attendance')
    .addColumn('meeting_id', 'text', (c) => c.notNull().references('board_meetings.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('present', 'boolean', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('attested', 'boolean', (c) => c.notNull())
    .addColumn('recorded_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_attendance_pk', ['meeting_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('meeting_item_times')
    .addColumn('meeting_id', 'text', (c) => c.notNull().references('board_meetings.id').onDelete('cascade'))
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('seconds', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_item_times_pk', ['meeting_id', 'change_id'])
    .execute();

  await db.schema
    .createTable('board_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('board_id', 'text', (c) => c.notNull().references('boards.id'))
    .addColumn('meeting_id', 'text', (c) => c.references('board_meetings.id'))
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('approval_id', 'text', (c) => c.references('approvals.id').onDelete('set null'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('deferred_to', 'text', (c) => c.references('board_meetings.id'))
    .addColumn('votes', json, (c) => c.notNull())
    .addColumn('quorum', json, (c) => c.notNull())
    .addColumn('minutes_spent', 'real')
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('board_decisions_change_idx').on('board_decisions').column('change_id').execute();
  await db.schema.createIndex('board_decisions_meeting_idx').on('board_decisions').column('meeting_id').execute();
  await db.schema.createIndex('board_decisions_board_idx').on('board_decisions').columns(['board_id', 'decided_at']).execute();

  await db.schema
    .createTable('change_conditions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull().references('changes.id').onDelete('cascade'))
    .addColumn('decision_id', 'text', (c) => c.notNull().references('board_decisions.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('due_at', ts)
    .addColumn('verifier_kind', 'text', (c) => c.notNull())
    .addColumn('verifier_ref', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('met_by', 'text')
    .addColumn('met_at', ts)
    .addColumn('note', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('change_conditions_change_idx').on('change_conditions').columns(['change_id', 'state']).execute();

  await db.schema
    .createTable('meeting_minutes')
    .addColumn('meeting_id', 'text', (c) => c.primaryKey().references('board_meetings.id'))
    .addColumn('markdown', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['meeting_minutes', 'change_conditions', 'board_decisions', 'meeting_item_times', 'meeting_attendance', 'meeting_agenda_edits', 'board_meetings']) {
    await db.schema.dropTable(t).execute();
  }
}
