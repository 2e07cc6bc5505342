import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Change, ChangeSortColumn } from '../../contracts/change';
import type { DialectHelpers } from '../dialect';
import type { ChangesTable, DB } from '../schema';
import { keysetValueOf, orderByKeyset } from './keyset';
import { heldScheduleLock, holdScheduleLock } from './schedule-lock';

/** A change as stored, without the derived service ids. */
export type ChangeRecord = Omit<Change, 'serviceIds'>;

/** Close codes that count as a failed change in every history (team, CI, template). */
export const FAILED_CLOSE_CODES = ['unsuccessful', 'rolled_back'];

type RiskColumns = 'risk_score' | 'risk_level' | 'risk_factors' | 'risk_policy_version' | 'risk_override_level' | 'risk_override_reason' | 'risk_override_by' | 'risk_override_at';

/** The stored assessment of a change and its override, as the risk service reads them. */
export interface StoredRisk {
  score: number;
  level: string;
  factors: { name: string; label: string; contribution: number; reason: string }[];
  policyVersion: number;
  override: { level: string; justification: string; by: string; at: string } | null;
}

/** A column the list sorts by, its direction, and the keyset position after which a page starts. */
export interface ChangeSort {
  column: ChangeSortColumn;
  descending: boolean;
  /** The sort value and seq of the last row of the previous page. */
  after?: { value: string | number | null; seq: number };
}

/** The stored column behind each sortable field (a change's number is its seq, zero-padded). */
const SORT_COLUMNS = {
  number: 'seq',
  title: 'title',
  type: 'type',
  state: 'state',
  risk: 'risk_score',
  plannedStart: 'planned_start',
  plannedEnd: 'planned_end',
  updatedAt: 'updated_at',
  createdAt: 'created_at',
} as const satisfies Record<ChangeSortColumn, keyof ChangesTable>;

export interface ChangeFilter {
  q?: string;
  /** One type or several, comma-separated. */
  type?: string;
  state?: string;
  /** Each of these narrows to changes matching any of its ids (the list's comma-separated filters, resolved). */
  requesterId?: readonly string[];
  assignmentTeamId?: readonly string[];
  ciId?: readonly string[];
  serviceId?: readonly string[];
  templateId?: readonly string[];
  plannedFrom?: string;
  plannedTo?: string;
  /** Changes this person requested, owns, implements or manages, or that are assigned to one of `teamIds`. */
  involving?: { userId: string; teamIds: string[] };
  /**
   * Changes matching any of these (the list's `mine=`): requested by, owned by or implemented by the person,
   * assigned to one of the teams, or one of the ids. With none given, nothing matches.
   */
  anyOf?: { requesterId?: string; ownerId?: string; implementerId?: string; teamIds?: string[]; ids?: string[] };
  beforeSeq?: number;
  /** Absent: newest first, paged by `beforeSeq`. */
  sort?: ChangeSort;
  limit: number;
}

/**
 * The ids of a filter as `in (…)` takes them. NOTE: an empty list (a filter that resolved to nothing) stands
 * for an id no record has, so it matches nothing on both engines instead of building `in ()`.
 */
const idsIn = (ids: readonly string[]): string[] => (ids.length > 0 ? [...ids] : ['']);

/** What a list row carries besides the change: its seq and the value it was sorted by, for the next cursor. */
export type ListedChange = ChangeRecord & { seq: number; sortValue: string | number | null };

export interface CommentRecord {
  id: string;
  changeId: string;
  authorId: string;
  authorName: string;
  kind: 'comment' | 'work_note';
  body: string;
  createdAt: string;
}

/** Changes, their CIs and comments, and the counter behind change numbers. */
/** A closed-count scope: the changes of one assignment team. */
export const teamScope = (teamId: string): RawBuilder<SqlBool> => sql<SqlBool>`assignment_team_id = ${teamId}`;

/**
 * A closed-count scope: the changes on any of the CIs. NOTE: `exists`, not `id in (select change_id …)`: the closed
 * changes of the window come from changes_closed_end_idx (migration 0014) and each is checked for the CIs,
 * instead of every change ever filed on the CIs being read.
 */
export const ciScope = (ciIds: readonly string[]): RawBuilder<SqlBool> =>
  sql<SqlBool>`exists (select 1 from change_cis where change_cis.change_id = changes.id and change_cis.ci_id in (${sql.join([...ciIds])}))`;

/**
 * How many changes with a close code ended since `since`, among those `scope` (a condition on `changes`)
 * selects, and how many failed: one row (`n`, `failed`). NOTE (speed): a `sql` template, not the query builder:
 * every filing asks this twice (team and CIs), and building the query cost more than SQLite took to answer it.
 */
export function closedCountStatement(since: string, excludeId: string, scope: RawBuilder<SqlBool>): RawBuilder<{ n: number | string; failed: number | string | null }> {
  return sql`select count(*) as n, sum(case when close_code in (${sql.join(FAILED_CLOSE_CODES)}) then 1 else 0 end) as failed
      from changes where actual_end >= ${since} and close_code is not null and id != ${excludeId} and ${scope}`;
}

/** The counts of a closedCountStatement row. */
export const closedCountOf = (row: { n: number | string; failed: number | string | null } | undefined): { changes: number; failed: number } => ({
  changes: Number(row?.n ?? 0),
  failed: Number(row?.failed ?? 0),
});

export function createChangeRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: ChangesTable, ciIds: string[]): ChangeRecord => ({
    id: r.id,
    number: r.number,
    type: r.type as Change['type'],
    state: r.state,
    title: r.title,
    description: r.description,
    justification: r.justification,
    requesterId: r.requester_id,
    ownerId: r.owner_id,
    assignmentTeamId: r.assignment_team_id,
    changeManagerId: r.change_manager_id,
    implementerId: r.implementer_id,
    ciIds,
    plannedStart: h.readInstant(r.planned_start),
    plannedEnd: h.readInstant(r.planned_end),
    actualStart: h.readInstant(r.actual_start),
    actualEnd: h.readInstant(r.actual_end),
    implementationPlan: r.implementation_plan,
    testPlan: r.test_plan,
    backoutPlan: r.backout_plan,
    impact: r.impact as Change['impact'],
    urgency: r.urgency as Change['urgency'],
    priority: r.priority,
    closeCode: r.close_code as Change['closeCode'],
    closeNotes: r.close_notes,
    links: h.readJson<Change['links']>(r.links),
    policyVersion: r.policy_version,
    backoutTested: h.readBool(r.backout_tested),
    risk:
      r.risk_score === null || r.risk_level === null
        ? null
        : {
            score: r.risk_score,
            level: (r.risk_override_level ?? r.risk_level) as NonNullable<Change['risk']>['level'],
            computedLevel: r.risk_level as NonNullable<Change['risk']>['level'],
            overridden: r.risk_override_level !== null,
            policyVersion: r.risk_policy_version ?? r.policy_version,
          },
    routing: r.routing === null ? null : h.readJson<Change['routing']>(r.routing),
    reviewRequired: h.readBool(r.review_required),
    hold: r.hold_window_id && r.hold_until ? { windowId: r.hold_window_id, until: h.readInstant(r.hold_until)! } : null,
    templateId: r.template_id,
    version: r.version,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });

  const toRow = (c: ChangeRecord, seq: number): Omit<ChangesTable, RiskColumns> => ({
    id: c.id,
    number: c.number,
    seq,
    type: c.type,
    state: c.state,
    title: c.title,
    description: c.description,
    justification: c.justification,
    requester_id: c.requesterId,
    owner_id: c.ownerId,
    assignment_team_id: c.assignmentTeamId,
    change_manager_id: c.changeManagerId,
    implementer_id: c.implementerId,
    planned_start: c.plannedStart,
    planned_end: c.plannedEnd,
    actual_start: c.actualStart,
    actual_end: c.actualEnd,
    implementation_plan: c.implementationPlan,
    test_plan: c.testPlan,
    backout_plan: c.backoutPlan,
    impact: c.impact,
    urgency: c.urgency,
    priority: c.priority,
    close_code: c.closeCode,
    close_notes: c.closeNotes,
    links: h.writeJson(c.links),
    backout_tested: h.writeBool(c.backoutTested),
    policy_version: c.policyVersion,
    routing: c.routing === null ? null : h.writeJson(c.routing),
    review_required: h.writeBool(c.reviewRequired),
    hold_window_id: c.hold?.windowId ?? null,
    hold_until: c.hold?.until ?? null,
    template_id: c.templateId,
    version: c.version,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  });

  async function ciIdsOf(changeIds: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (changeIds.length === 0) return map;
    const rows = await db.selectFrom('change_cis').selectAll().where('change_id', 'in', changeIds).orderBy('change_id').orderBy('ci_id').execute();
    for (const r of rows) map.set(r.change_id, [...(map.get(r.change_id) ?? []), r.ci_id]);
    return map;
  }

  async function setCis(changeId: string, ciIds: string[]): Promise<void> {
    await db.deleteFrom('change_cis').where('change_id', '=', changeId).execute();
    if (ciIds.length) await db.insertInto('change_cis').values([...new Set(ciIds)].map((ci) => ({ change_id: changeId, ci_id: ci }))).execute();
  }

  async function serviceOfCis(ciIds: string[]): Promise<Map<string, string>> {
    if (ciIds.length === 0) return new Map();
    const rows = await db.selectFrom('cis').select(['id', 'service_id']).where('id', 'in', [...new Set(ciIds)]).where('service_id', 'is not', null).execute();
    return new Map(rows.map((r) => [r.id, r.service_id!]));
  }

  /** See closedCountStatement. */
  async function closedCount(since: string, excludeId: string, scope: RawBuilder<SqlBool>): Promise<{ changes: number; failed: number }> {
    const { rows } = await closedCountStatement(since, excludeId, scope).execute(db);
    return closedCountOf(rows[0]);
  }

  return {
    setCis,
    /**
     * Takes the next change sequence number, inside the caller's transaction (see DialectHelpers.nextChangeSeq);
     * `lockSchedule`: and the schedule's lock, shared, in the same round trip unless the transaction holds it.
     */
    async nextSeq(opts: { lockSchedule?: boolean } = {}): Promise<number> {
      if (!opts.lockSchedule || !db.isTransaction || heldScheduleLock(db) !== null) return h.nextChangeSeq(db);
      const seq = await h.nextChangeSeqLockingSchedule(db);
      holdScheduleLock(db, 'shared');
      return seq;
    },
    /** A named counter's value, or null when it was never set. */
    async counter(name: string): Promise<number | null> {
      const row = await db.selectFrom('counters').select('value').where('name', '=', name).executeTakeFirst();
      return row ? Number(row.value) : null;
    },
    async setCounter(name: string, value: number): Promise<void> {
      await db.insertInto('counters').values({ name, value }).onConflict((oc) => oc.column('name').doUpdateSet({ value })).execute();
    },
    /** Changes with a close code whose actual end is in [from, to): their CIs, team and template. */
    async finishedBetween(from: string, to: string): Promise<{ id: string; ciIds: string[]; teamId: string | null; templateId: string | null }[]> {
      const rows = await db.selectFrom('changes').select(['id', 'assignment_team_id', 'template_id']).where('close_code', 'is not', null).where('actual_end', '>=', from).where('actual_end', '<', to).execute();
      const cis = await ciIdsOf(rows.map((r) => r.id));
      return rows.map((r) => ({ id: r.id, ciIds: cis.get(r.id) ?? [], teamId: r.assignment_team_id, templateId: r.template_id }));
    },
    /** Files a change, with its first risk assessment when the caller made one. */
    async insert(c: ChangeRecord, seq: number, risk?: { score: number; level: string; factors: StoredRisk['factors']; policyVersion: number }): Promise<void> {
      const assessed = risk ? { risk_score: risk.score, risk_level: risk.level, risk_factors: h.writeJson(risk.factors), risk_policy_version: risk.policyVersion } : {};
      const row = { ...toRow(c, seq), ...assessed };
      const links = [...new Set(c.ciIds)].map((ci) => ({ change_id: c.id, ci_id: ci }));
      if (links.length && h.writesInCte) {
        // One round trip: the change's row and its CI links (the links' foreign keys are checked at the end of the statement).
        await db
          .with('filed', (q) => q.insertInto('changes').values(row))
          .insertInto('change_cis')
          .values(links)
          .execute();
        return;
      }
      await db.insertInto('changes').values(row).execute();
      if (links.length) await db.insertInto('change_cis').values(links).execute();
    },
    /** Writes `c` (whose version is already bumped) if the stored version is still `expectedVersion`. */
    async update(c: ChangeRecord, expectedVersion: number): Promise<boolean> {
      // The number, sequence, requester and creation time never change after filing.
      const { id, seq: _seq, number: _number, created_at: _created, requester_id: _requester, ...rest } = toRow(c, 0);
      const res = await db.updateTable('changes').set(rest).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /**
     * The change by id or number. `lock` (inside a transaction) holds its row until commit, so writers of one
     * change (edits, moves, votes) take turns and each reads what the one before it wrote. NOTE: PostgreSQL
     * only; SQLite's one writer already runs transactions one after the other.
     */
    async findById(idOrNumber: string, opts: { lock?: boolean } = {}): Promise<ChangeRecord | null> {
      let q = db
        .selectFrom('changes')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrNumber), eb('number', '=', idOrNumber.toUpperCase())]));
      if (opts.lock && h.name === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) return null;
      return toRecord(row, (await ciIdsOf([row.id])).get(row.id) ?? []);
    },
    /** The changes with these ids (in no particular order); unknown ids are left out. */
    async findManyByIds(ids: string[]): Promise<ChangeRecord[]> {
      const found: ChangeRecord[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db.selectFrom('changes').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute();
        const cis = await ciIdsOf(rows.map((r) => r.id));
        found.push(...rows.map((r) => toRecord(r, cis.get(r.id) ?? [])));
      }
      return found;
    },
    /** Stores a fresh assessment; returns whether the level or score moved. */
    async setRisk(id: string, risk: { score: number; level: string; factors: StoredRisk['factors']; policyVersion: number }): Promise<void> {
      await db
        .updateTable('changes')
        .set({ risk_score: risk.score, risk_level: risk.level, risk_factors: h.writeJson(risk.factors), risk_policy_version: risk.policyVersion })
        .where('id', '=', id)
        .execute();
    },
    async setRiskOverride(id: string, override: StoredRisk['override']): Promise<void> {
      await db
        .updateTable('changes')
        .set({
          risk_override_level: override?.level ?? null,
          risk_override_reason: override?.justification ?? null,
          risk_override_by: override?.by ?? null,
          risk_override_at: override?.at ?? null,
        })
        .where('id', '=', id)
        .execute();
    },
    async risk(id: string): Promise<StoredRisk | null> {
      const r = await db
        .selectFrom('changes')
        .select(['risk_score', 'risk_level', 'risk_factors', 'risk_policy_version', 'policy_version', 'risk_override_level', 'risk_override_reason', 'risk_override_by', 'risk_override_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!r || r.risk_score === null || r.risk_level === null) return null;
      return {
        score: r.risk_score,
        level: r.risk_level,
        factors: h.readJson<StoredRisk['factors']>(r.risk_factors),
        policyVersion: r.risk_policy_version ?? r.policy_version,
        override: r.risk_override_level
          ? { level: r.risk_override_level, justification: r.risk_override_reason ?? '', by: r.risk_override_by ?? '', at: h.readInstant(r.risk_override_at)! }
          : null,
      };
    },
    /** Open changes (not in `finalStates`) that touch any of the CIs, for recomputing their risk. */
    async openChangeIdsTouching(ciIds: string[], finalStates: string[]): Promise<string[]> {
      if (ciIds.length === 0) return [];
      let q = db.selectFrom('changes').select('id').where('id', 'in', db.selectFrom('change_cis').select('change_id').where('ci_id', 'in', ciIds));
      if (finalStates.length) q = q.where('state', 'not in', finalStates);
      return (await q.execute()).map((r) => r.id);
    },
    /** Open changes (not in `finalStates`) of the assignment team or made from the template. */
    async openChangeIdsSharing(opts: { teamId: string | null; templateId: string | null }, finalStates: string[]): Promise<string[]> {
      if (!opts.teamId && !opts.templateId) return [];
      let q = db.selectFrom('changes').select('id').where((eb) => eb.or([...(opts.teamId ? [eb('assignment_team_id', '=', opts.teamId)] : []), ...(opts.templateId ? [eb('template_id', '=', opts.templateId)] : [])]));
      if (finalStates.length) q = q.where('state', 'not in', finalStates);
      return (await q.execute()).map((r) => r.id);
    },
    /** Open changes (not in `finalStates`) with a planned start: those a freeze can bear on. */
    async openPlannedChangeIds(finalStates: string[]): Promise<string[]> {
      let q = db.selectFrom('changes').select('id').where('planned_start', 'is not', null);
      if (finalStates.length) q = q.where('state', 'not in', finalStates);
      return (await q.execute()).map((r) => r.id);
    },
    /** How many open changes (not in `finalStates`) each user manages; users with none are absent. */
    async openCountsByManager(userIds: string[], finalStates: string[]): Promise<Map<string, number>> {
      if (userIds.length === 0) return new Map();
      let q = db.selectFrom('changes').select((eb) => ['change_manager_id', eb.fn.countAll<number>().as('n')]).where('change_manager_id', 'in', userIds);
      if (finalStates.length) q = q.where('state', 'not in', finalStates);
      const rows = await q.groupBy('change_manager_id').execute();
      return new Map(rows.map((r) => [r.change_manager_id!, Number(r.n)]));
    },
    /**
     * Finished changes of a team, and of any of the CIs, whose actual end is after `since`: how many, and how
     * many failed (closed unsuccessful or rolled back). The change itself is left out.
     */
    /** Changes closed since `since` (not `excludeId`) by the team, and how many of them failed. */
    async teamHistory(teamId: string, since: string, excludeId: string): Promise<{ changes: number; failed: number }> {
      return closedCount(since, excludeId, teamScope(teamId));
    },
    /** Changes closed since `since` (not `excludeId`) on any of the CIs, and how many of them failed. */
    async ciHistory(ciIds: string[], since: string, excludeId: string): Promise<{ changes: number; failed: number }> {
      if (ciIds.length === 0) return { changes: 0, failed: 0 };
      return closedCount(since, excludeId, ciScope(ciIds));
    },
    /**
     * A page of changes: newest first paged by sequence number, or in `f.sort`'s order paged by (sort value,
     * seq). NOTE: rows without a sort value come last in both directions, and ties are broken by seq, newest
     * first, so a keyset of (value, seq) names one position on both engines (SQLite sorts nulls first and
     * PostgreSQL last unless told, hence the explicit `case`).
     */
    async list(f: ChangeFilter): Promise<ListedChange[]> {
      let q = db.selectFrom('changes').selectAll().limit(f.limit);
      const sort = f.sort;
      if (sort) {
        const after = sort.after ? { value: sort.after.value, tie: sort.after.seq } : undefined;
        q = orderByKeyset(q, sql.ref(`changes.${SORT_COLUMNS[sort.column]}`), sql.ref('changes.seq'), { descending: sort.descending, after }, true);
      } else {
        q = q.orderBy('seq', 'desc');
        if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
      }
      if (f.type) q = q.where('type', 'in', f.type.split(','));
      if (f.state) q = q.where('state', 'in', f.state.split(','));
      if (f.requesterId) q = q.where('requester_id', 'in', idsIn(f.requesterId));
      if (f.assignmentTeamId) q = q.where('assignment_team_id', 'in', idsIn(f.assignmentTeamId));
      if (f.plannedFrom) q = q.where('planned_end', '>', f.plannedFrom);
      if (f.plannedTo) q = q.where('planned_start', '<', f.plannedTo);
      if (f.involving) {
        const { userId, teamIds } = f.involving;
        q = q.where((eb) =>
          eb.or([
            eb('requester_id', '=', userId),
            eb('owner_id', '=', userId),
            eb('implementer_id', '=', userId),
            eb('change_manager_id', '=', userId),
            ...(teamIds.length > 0 ? [eb('assignment_team_id', 'in', teamIds)] : []),
          ]),
        );
      }
      if (f.anyOf) {
        const a = f.anyOf;
        q = q.where((eb) => {
          const any: Expression<SqlBool>[] = [];
          if (a.requesterId) any.push(eb('requester_id', '=', a.requesterId));
          if (a.ownerId) any.push(eb('owner_id', '=', a.ownerId));
          if (a.implementerId) any.push(eb('implementer_id', '=', a.implementerId));
          if (a.teamIds?.length) any.push(eb('assignment_team_id', 'in', a.teamIds));
          if (a.ids?.length) any.push(eb('id', 'in', a.ids));
          return any.length > 0 ? eb.or(any) : sql<SqlBool>`1 = 0`;
        });
      }
      if (f.ciId) q = q.where('id', 'in', db.selectFrom('change_cis').select('change_id').where('ci_id', 'in', idsIn(f.ciId)));
      if (f.templateId) q = q.where('template_id', 'in', idsIn(f.templateId));
      if (f.serviceId) {
        const services = idsIn(f.serviceId);
        q = q.where('id', 'in', db.selectFrom('change_cis').innerJoin('cis', 'cis.id', 'change_cis.ci_id').select('change_cis.change_id').where('cis.service_id', 'in', services));
      }
      if (f.q) {
        const needle = f.q;
        q = q.where((eb) => eb.or([eb('number', '=', needle.toUpperCase()), h.containsInsensitive('title', needle), h.containsInsensitive('description', needle)]));
      }
      const rows = await q.execute();
      const cis = await ciIdsOf(rows.map((r) => r.id));
      return rows.map((r) => {
        const sortValue = keysetValueOf(sort ? r[SORT_COLUMNS[sort.column]] : r.seq);
        return { ...toRecord(r, cis.get(r.id) ?? []), seq: r.seq, sortValue };
      });
    },
    /**
     * The SLA marker of each change with a running clock past its reminder time: `breached` when a running
     * clock is past due (or the worker already marked it), else `at_risk`. Changes with neither are absent.
     * NOTE: stopped clocks are history (the SLA report keeps them); the list marks what still needs doing.
     */
    async slaMarkers(changeIds: string[], now: string): Promise<Map<string, 'at_risk' | 'breached'>> {
      if (changeIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('sla_clocks')
        .select(['change_id', 'due_at', 'remind_at', 'breached_at'])
        .where('change_id', 'in', changeIds)
        .where('stopped_at', 'is', null)
        .where((eb) => eb.or([eb('due_at', '<=', now), eb('remind_at', '<=', now), eb('breached_at', 'is not', null)]))
        .execute();
      const out = new Map<string, 'at_risk' | 'breached'>();
      for (const r of rows) {
        const breached = r.breached_at !== null || h.readInstant(r.due_at)! <= now;
        if (breached) out.set(r.change_id, 'breached');
        else if (!out.has(r.change_id)) out.set(r.change_id, 'at_risk');
      }
      return out;
    },
    /** The service of each CI that has one, in one query (for whole pages of changes). */
    serviceOfCis,
    async count(): Promise<number> {
      const row = await db.selectFrom('changes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async insertComment(c: Omit<CommentRecord, 'authorName'>): Promise<void> {
      await db.insertInto('change_comments').values({ id: c.id, change_id: c.changeId, author_id: c.authorId, kind: c.kind, body: c.body, created_at: c.createdAt }).execute();
    },
    async comments(changeId: string): Promise<CommentRecord[]> {
      const rows = await db
        .selectFrom('change_comments as c')
        .innerJoin('users as u', 'u.id', 'c.author_id')
        .select(['c.id', 'c.change_id', 'c.author_id', 'u.name', 'c.kind', 'c.body', 'c.created_at'])
        .where('c.change_id', '=', changeId)
        .orderBy('c.created_at')
        .orderBy('c.id')
        .execute();
      return rows.map((r) => ({ id: r.id, changeId: r.change_id, authorId: r.author_id, authorName: r.name, kind: r.kind as CommentRecord['kind'], body: r.body, createdAt: h.readInstant(r.created_at)! }));
    },
  };
}
export type ChangeRepository = ReturnType<typeof createChangeRepository>;
