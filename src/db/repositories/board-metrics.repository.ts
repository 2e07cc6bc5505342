import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB } from '../schema';
import { FAILED_CLOSE_CODES } from './change.repository';

/** A board approval that was answered (approved or rejected), and whether a meeting decision settled it. */
export interface AnsweredApproval {
  approvalId: string;
  changeId: string;
  state: 'approved' | 'rejected';
  createdAt: string;
  decidedAt: string;
  atMeeting: boolean;
}

/** What the figures need of a change: its risk in force, how it ended, and the incidents it caused. */
export interface ChangeOutcome {
  id: string;
  number: string;
  title: string;
  riskLevel: string | null;
  closeCode: string | null;
  /** Closed unsuccessful or rolled back. */
  failed: boolean;
  incidentsCaused: number;
}

/** NOTE: both engines take thousands of bound values, but not unbounded lists; reads of many ids go in slices. */
const SLICE = 500;
async function inSlices<T>(ids: readonly string[], read: (slice: string[]) => Promise<T[]>): Promise<T[]> {
  const unique = [...new Set(ids)];
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += SLICE) out.push(...(await read(unique.slice(i, i + SLICE))));
  return out;
}

/** The reads behind a board's figures (docs/cab.md#the-boards-figures); the decisions and meetings come from the meeting repository. */
export function createBoardMetricsRepository(db: Kysely<DB>, h: DialectHelpers) {
  return {
    /** The board's approvals answered in [from, to), each marked when a decision at a meeting settled it. */
    async answeredApprovals(boardId: string, from: string, to: string): Promise<AnsweredApproval[]> {
      const rows = await db
        .selectFrom('approvals as a')
        .select((eb) => [
          'a.id',
          'a.change_id',
          'a.state',
          'a.created_at',
          'a.decided_at',
          // NOTE: through the change (indexed), then the approval: board_decisions has no index on approval_id.
          eb.exists(eb.selectFrom('board_decisions as d').select('d.id').whereRef('d.change_id', '=', 'a.change_id').whereRef('d.approval_id', '=', 'a.id')).as('at_meeting'),
        ])
        .where('a.approver_kind', '=', 'board')
        .where('a.approver_ref', '=', boardId)
        .where('a.state', 'in', ['approved', 'rejected'])
        .where('a.decided_at', '>=', from)
        .where('a.decided_at', '<', to)
        .orderBy('a.decided_at')
        .orderBy('a.id')
        .execute();
      return rows.map((r) => ({
        approvalId: r.id,
        changeId: r.change_id,
        state: r.state as AnsweredApproval['state'],
        createdAt: h.readInstant(r.created_at)!,
        decidedAt: h.readInstant(r.decided_at)!,
        // NOTE: SQLite answers EXISTS with 0/1, PostgreSQL with a boolean; Number reads both.
        atMeeting: Number(r.at_meeting) === 1,
      }));
    },
    /** The board's meetings held (ended) that started in [from, to): when they were held, not when they were planned. */
    async heldMeetings(boardId: string, from: string, to: string): Promise<{ id: string; title: string; startedAt: string }[]> {
      const rows = await db
        .selectFrom('board_meetings')
        .select(['id', 'title', 'started_at'])
        .where('board_id', '=', boardId)
        .where('state', '=', 'ended')
        .where('started_at', '>=', from)
        .where('started_at', '<', to)
        .orderBy('started_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, title: r.title, startedAt: h.readInstant(r.started_at)! }));
    },
    /** The board's approvals of these changes, whatever their state: when each change was submitted to the board. */
    async approvalsOf(boardId: string, changeIds: readonly string[]): Promise<{ id: string; changeId: string; createdAt: string }[]> {
      return inSlices(changeIds, async (slice) => {
        const rows = await db
          .selectFrom('approvals')
          .select(['id', 'change_id', 'created_at'])
          .where('approver_kind', '=', 'board')
          .where('approver_ref', '=', boardId)
          .where('change_id', 'in', slice)
          .execute();
        return rows.map((r) => ({ id: r.id, changeId: r.change_id, createdAt: h.readInstant(r.created_at)! }));
      });
    },
    /** Pending approvals of the board submitted in [from, before): asked, unanswered, and older than `before`. */
    async openSince(boardId: string, from: string, before: string): Promise<number> {
      const row = await db
        .selectFrom('approvals')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('approver_kind', '=', 'board')
        .where('approver_ref', '=', boardId)
        .where('state', '=', 'pending')
        .where('created_at', '>=', from)
        .where('created_at', '<', before)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    /** Every deferral the board decided on these changes, ever: how often each went round. */
    async deferralsOf(boardId: string, changeIds: readonly string[]): Promise<{ changeId: string; decidedAt: string }[]> {
      return inSlices(changeIds, async (slice) => {
        const rows = await db
          .selectFrom('board_decisions')
          .select(['change_id', 'decided_at'])
          .where('board_id', '=', boardId)
          .where('decision', '=', 'defer')
          .where('change_id', 'in', slice)
          .execute();
        return rows.map((r) => ({ changeId: r.change_id, decidedAt: h.readInstant(r.decided_at)! }));
      });
    },
    /** How the changes went: risk in force (a change manager's override, else the assessed level), close code, incidents caused. */
    async outcomesOf(changeIds: readonly string[]): Promise<ChangeOutcome[]> {
      return inSlices(changeIds, async (slice) => {
        const rows = await db
          .selectFrom('changes as c')
          .select((eb) => [
            'c.id',
            'c.number',
            'c.title',
            'c.risk_level',
            'c.risk_override_level',
            'c.close_code',
            eb
              .selectFrom('incidents as i')
              .select((ib) => ib.fn.countAll<number | string>().as('n'))
              .whereRef('i.caused_by_change_id', '=', 'c.id')
              .as('incidents'),
          ])
          .where('c.id', 'in', slice)
          .execute();
        return rows.map((r) => ({
          id: r.id,
          number: r.number,
          title: r.title,
          riskLevel: r.risk_override_level ?? r.risk_level,
          closeCode: r.close_code,
          failed: r.close_code !== null && FAILED_CLOSE_CODES.includes(r.close_code),
          incidentsCaused: Number(r.incidents ?? 0),
        }));
      });
    },
  };
}
export type BoardMetricsRepository = ReturnType<typeof createBoardMetricsRepository>;
