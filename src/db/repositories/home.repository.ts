import { sql, type Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB } from '../schema';

/** A running SLA clock due soon, with its approval's approver when it times one. */
export interface DueClockRow {
  id: string;
  changeId: string;
  metric: 'approval_response' | 'time_to_schedule';
  target: string;
  dueAt: string;
  approverLabel: string | null;
}

/** An unacknowledged conflict row of an open change (freeze rows carry `excepted` from their detail). */
/** The latest comment on a change, to tell whether its people owe a reply. */
export interface LastCommentRow {
  changeId: string;
  authorId: string;
  authorName: string;
  createdAt: string;
}

/**
 * The reads behind the home page (GET /api/v1/home): each section's whole count and its first items, in a
 * few narrow queries instead of listing every change. Nothing here writes.
 */
export function createHomeRepository(db: Kysely<DB>, h: DialectHelpers) {
  const count = (row: { n: number | string | bigint } | undefined) => Number(row?.n ?? 0);
  const notFinal = (finalStates: string[]) => (finalStates.length ? finalStates : ['\u0000']);

  return {
    /** Open changes (not in `finalStates`) the person requested or owns, newest edit first. */
    async openChangeIdsOf(userId: string, finalStates: string[], limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('changes')
        .select('id')
        .where((eb) => eb.or([eb('requester_id', '=', userId), eb('owner_id', '=', userId)]))
        .where('state', 'not in', notFinal(finalStates))
        .orderBy('updated_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /** Changes the person requested or owns that entered one of `states` at or after `since` (rejected ones, say). */
    async recentInStatesOf(userId: string, states: string[], since: string, limit: number): Promise<string[]> {
      if (states.length === 0) return [];
      const rows = await db
        .selectFrom('changes')
        .select('id')
        .where((eb) => eb.or([eb('requester_id', '=', userId), eb('owner_id', '=', userId)]))
        .where('state', 'in', states)
        .where('updated_at', '>=', since)
        .orderBy('updated_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /** Of these changes, those with a rejected approval still on record (not withdrawn by a new request). */
    async withRejectedApprovals(changeIds: string[]): Promise<Set<string>> {
      if (changeIds.length === 0) return new Set();
      const rows = await db.selectFrom('approvals').select('change_id').distinct().where('change_id', 'in', changeIds).where('state', '=', 'rejected').execute();
      return new Set(rows.map((r) => r.change_id));
    },

    /** The latest comment (not work note) on each of these changes that has one. */
    async lastComments(changeIds: string[]): Promise<Map<string, LastCommentRow>> {
      if (changeIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('change_comments as c')
        .innerJoin('users as u', 'u.id', 'c.author_id')
        .select(['c.change_id', 'c.author_id', 'u.name', 'c.created_at', 'c.id'])
        .where('c.change_id', 'in', changeIds)
        .where('c.kind', '=', 'comment')
        .orderBy('c.created_at')
        .orderBy('c.id')
        .execute();
      const last = new Map<string, LastCommentRow>();
      for (const r of rows) last.set(r.change_id, { changeId: r.change_id, authorId: r.author_id, authorName: r.name, createdAt: h.readInstant(r.created_at)! });
      return last;
    },

    /** Open changes the person implements whose planned window overlaps [from, to), by planned start. */
    async implementing(userId: string, from: string, to: string, finalStates: string[], limit: number): Promise<{ count: number; ids: string[] }> {
      const base = db
        .selectFrom('changes')
        .where('implementer_id', '=', userId)
        .where('state', 'not in', notFinal(finalStates))
        .where('planned_start', '<', to)
        .where('planned_end', '>', from);
      const [n, rows] = await Promise.all([
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
        base.select('id').orderBy('planned_start').orderBy('id').limit(limit).execute(),
      ]);
      return { count: count(n), ids: rows.map((r) => r.id) };
    },

    /**
     * Changes in one of the states, those managed by `userId` first, then the longest waiting. NOTE: "since"
     * is the last edit: a change's entry into its state is an audit event, and the edit is close enough to
     * order a queue.
     */
    async inStates(states: string[], userId: string, limit: number): Promise<{ count: number; ids: string[] }> {
      if (states.length === 0) return { count: 0, ids: [] };
      const base = db.selectFrom('changes').where('state', 'in', states);
      const [n, rows] = await Promise.all([
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
        base
          .select('id')
          .orderBy(sql`case when change_manager_id = ${userId} then 0 else 1 end`)
          .orderBy('updated_at')
          .orderBy('id')
          .limit(limit)
          .execute(),
      ]);
      return { count: count(n), ids: rows.map((r) => r.id) };
    },

    /** Running clocks not yet recorded as breached and due before `until`, soonest first. */
    async clocksDueBefore(until: string, limit: number): Promise<{ count: number; items: DueClockRow[] }> {
      const base = db
        .selectFrom('sla_clocks as s')
        .where('s.stopped_at', 'is', null)
        .where('s.breached_at', 'is', null)
        .where('s.due_at', '<', until);
      const [n, rows] = await Promise.all([
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
        base
          .leftJoin('approvals as a', 'a.id', 's.approval_id')
          .select(['s.id', 's.change_id', 's.metric', 's.target', 's.due_at', 'a.approver_label'])
          .orderBy('s.due_at')
          .orderBy('s.id')
          .limit(limit)
          .execute(),
      ]);
      return {
        count: count(n),
        items: rows.map((r) => ({ id: r.id, changeId: r.change_id, metric: r.metric as DueClockRow['metric'], target: r.target, dueAt: h.readInstant(r.due_at)!, approverLabel: r.approver_label })),
      };
    },

    /** SLA breaches recorded at or after `since`. */
    async breachesSince(since: string): Promise<number> {
      return count(await db.selectFrom('sla_clocks').select((eb) => eb.fn.countAll<number>().as('n')).where('breached_at', '>=', since).executeTakeFirst());
    },

    /** Changes whose break-glass still waits for its review. */
    async breakGlassToReview(): Promise<number> {
      return count(await db.selectFrom('changes').select((eb) => eb.fn.countAll<number>().as('n')).where('review_required', '=', h.writeBool(true) as boolean).executeTakeFirst());
    },
  };
}
export type HomeRepository = ReturnType<typeof createHomeRepository>;
