import { sql, type Kysely } from 'kysely';
import type { BoardKind, BoardRecurrence, ChairRule } from '../../contracts/boards';
import type { DialectHelpers } from '../dialect';
import type { BoardMembersTable, BoardsTable, DB } from '../schema';

/** A member of a board as stored: a person or a team, in member order. */
export interface BoardMemberRecord {
  kind: 'user' | 'team';
  id: string;
  domains: string[];
  delegate: boolean;
}

/** A board as stored, with its members in member order. */
export interface BoardRecord {
  id: string;
  name: string;
  kind: BoardKind;
  description: string;
  scope: string | null;
  quorumMinMembers: number;
  quorumRequiredDomains: string[];
  chairRule: ChairRule;
  responseMinutes: number | null;
  recurrence: BoardRecurrence | null;
  active: boolean;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  members: BoardMemberRecord[];
}

/** Which boards a list wants, and where its page starts (after the last name and id of the page before). */
export interface BoardFilter {
  kind?: BoardKind;
  active?: boolean;
  after?: [string, string];
  limit: number;
}

/** Change advisory boards and their members (migration 0036). */
export function createBoardRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: BoardsTable, members: BoardMembersTable[]): BoardRecord => ({
    id: r.id,
    name: r.name,
    kind: r.kind as BoardKind,
    description: r.description,
    scope: r.scope,
    quorumMinMembers: Number(r.quorum_min_members),
    quorumRequiredDomains: h.readJson<string[]>(r.quorum_required_domains),
    chairRule: r.chair_rule as ChairRule,
    responseMinutes: r.response_minutes === null ? null : Number(r.response_minutes),
    recurrence: r.recurrence === null || r.recurrence === undefined ? null : h.readJson<BoardRecurrence>(r.recurrence),
    active: h.readBool(r.active),
    version: Number(r.version),
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
    updatedBy: r.updated_by,
    updatedAt: h.readInstant(r.updated_at)!,
    members: members
      .sort((a, b) => Number(a.position) - Number(b.position))
      .map((m) => ({
        kind: m.member_kind as 'user' | 'team',
        id: m.member_id,
        domains: h.readJson<string[]>(m.domains),
        delegate: h.readBool(m.is_delegate),
      })),
  });

  /** The boards of `rows` with their members, read in one more query. */
  async function withMembers(rows: BoardsTable[]): Promise<BoardRecord[]> {
    if (rows.length === 0) return [];
    const members = await db
      .selectFrom('board_members')
      .selectAll()
      .where(
        'board_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    const byBoard = new Map<string, BoardMembersTable[]>();
    for (const m of members) byBoard.set(m.board_id, [...(byBoard.get(m.board_id) ?? []), m]);
    return rows.map((r) => toRecord(r, byBoard.get(r.id) ?? []));
  }

  async function writeMembers(boardId: string, members: readonly BoardMemberRecord[]): Promise<void> {
    await db.deleteFrom('board_members').where('board_id', '=', boardId).execute();
    if (members.length === 0) return;
    await db
      .insertInto('board_members')
      .values(
        members.map((m, position) => ({
          board_id: boardId,
          member_kind: m.kind,
          member_id: m.id,
          domains: h.writeJson(m.domains),
          is_delegate: h.writeBool(m.delegate),
          position,
        })),
      )
      .execute();
  }

  const columnsOf = (b: BoardRecord) => ({
    name: b.name,
    kind: b.kind,
    description: b.description,
    scope: b.scope,
    quorum_min_members: b.quorumMinMembers,
    quorum_required_domains: h.writeJson(b.quorumRequiredDomains),
    chair_rule: b.chairRule,
    response_minutes: b.responseMinutes,
    recurrence: b.recurrence === null ? null : h.writeJson(b.recurrence),
    active: h.writeBool(b.active),
    version: b.version,
    updated_by: b.updatedBy,
    updated_at: b.updatedAt,
  });

  return {
    async insert(b: BoardRecord): Promise<void> {
      await db
        .insertInto('boards')
        .values({ id: b.id, ...columnsOf(b), created_by: b.createdBy, created_at: b.createdAt })
        .execute();
      await writeMembers(b.id, b.members);
    },
    /**
     * Stores `b` (members included) if the stored version is still `expectedVersion`; false when someone saved
     * since, and then nothing is written.
     */
    async update(b: BoardRecord, expectedVersion: number): Promise<boolean> {
      const result = await db
        .updateTable('boards')
        .set(columnsOf(b))
        .where('id', '=', b.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await writeMembers(b.id, b.members);
      return true;
    },
    /** A board by id, or by name without regard to case. */
    async find(idOrName: string): Promise<BoardRecord | null> {
      const row = await db
        .selectFrom('boards')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrName), eb(sql`lower(name)`, '=', idOrName.toLowerCase())]))
        .orderBy(sql`case when id = ${idOrName} then 0 else 1 end`)
        .executeTakeFirst();
      return row ? ((await withMembers([row]))[0] ?? null) : null;
    },
    /** The id of the board named `name` (without regard to case), if there is one. */
    async idByName(name: string): Promise<string | null> {
      const row = await db
        .selectFrom('boards')
        .select('id')
        .where(sql`lower(name)`, '=', name.toLowerCase())
        .executeTakeFirst();
      return row?.id ?? null;
    },
    /** Boards by name, then id. */
    async list(f: BoardFilter): Promise<BoardRecord[]> {
      let q = db.selectFrom('boards').selectAll().orderBy('name').orderBy('id').limit(f.limit);
      if (f.kind) q = q.where('kind', '=', f.kind);
      if (f.active !== undefined) q = q.where('active', '=', h.writeBool(f.active));
      const after = f.after;
      if (after) q = q.where((eb) => eb.or([eb('name', '>', after[0]), eb.and([eb('name', '=', after[0]), eb('id', '>', after[1])])]));
      return withMembers(await q.execute());
    },
    /**
     * Who sits on each of the boards: every enabled person, directly or through a team, with the domains they
     * represent there (a person on the board twice, say directly and through a team, has both members' domains).
     */
    async seatsOf(boardIds: readonly string[]): Promise<Map<string, Map<string, string[]>>> {
      const out = new Map<string, Map<string, string[]>>(boardIds.map((id) => [id, new Map()]));
      if (boardIds.length === 0) return out;
      const direct = db
        .selectFrom('board_members as m')
        .innerJoin('users as u', 'u.id', 'm.member_id')
        .select(['m.board_id', 'u.id as user_id', 'm.domains'])
        .where('m.member_kind', '=', 'user')
        .where('m.board_id', 'in', [...boardIds])
        .where('u.disabled', '=', h.writeBool(false));
      const viaTeams = db
        .selectFrom('board_members as m')
        .innerJoin('team_members as t', 't.team_id', 'm.member_id')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .select(['m.board_id', 'u.id as user_id', 'm.domains'])
        .where('m.member_kind', '=', 'team')
        .where('m.board_id', 'in', [...boardIds])
        .where('u.disabled', '=', h.writeBool(false));
      for (const r of await direct.unionAll(viaTeams).execute()) {
        const seats = out.get(r.board_id)!;
        seats.set(r.user_id, [...new Set([...(seats.get(r.user_id) ?? []), ...h.readJson<string[]>(r.domains)])]);
      }
      return out;
    },
    /** The active boards a person sits on, directly or through one of the teams. */
    async boardIdsOf(userId: string, teamIds: readonly string[]): Promise<string[]> {
      const rows = await db
        .selectFrom('board_members as m')
        .innerJoin('boards as b', 'b.id', 'm.board_id')
        .select('m.board_id')
        .distinct()
        .where('b.active', '=', h.writeBool(true))
        .where((eb) =>
          eb.or([
            eb.and([eb('m.member_kind', '=', 'user'), eb('m.member_id', '=', userId)]),
            ...(teamIds.length ? [eb.and([eb('m.member_kind', '=', 'team'), eb('m.member_id', 'in', [...teamIds])])] : []),
          ]),
        )
        .execute();
      return rows.map((r) => r.board_id);
    },
  };
}
export type BoardRepository = ReturnType<typeof createBoardRepository>;
