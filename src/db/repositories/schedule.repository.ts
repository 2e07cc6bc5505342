import type { Kysely } from 'kysely';
import type { Edge } from '../../domain/schedule/impact';
import type { DialectHelpers } from '../dialect';
import type { ChangeConflictsTable, DB, FreezeExceptionsTable } from '../schema';

import type { ConflictKind } from '../../domain/schedule/conflicts';

export type { ConflictKind };

/** What a conflict row says beyond its columns. */
export interface ConflictDetail {
  /** The CIs where two changes meet. */
  ciIds?: string[];
  /** A freeze or maintenance window's name, and for a freeze whether an approved exception covers it. */
  windowName?: string;
  excepted?: boolean;
  /** The user booked twice (assignee_busy). */
  userId?: string;
  /** A conflict-free slot Cabinet proposes instead, when a window change caused the conflict. */
  proposedSlot?: { start: string; end: string } | null;
}

export interface ConflictRecord {
  id: string;
  changeId: string;
  key: string;
  kind: ConflictKind;
  otherChangeId: string | null;
  windowId: string | null;
  serviceId: string | null;
  startsAt: string;
  endsAt: string;
  detail: ConflictDetail;
  acknowledgement: { by: string; at: string; reason: string } | null;
  createdAt: string;
}

export interface ImpactExclusionRecord {
  changeId: string;
  ciId: string;
  reason: string;
  createdBy: string;
  createdAt: string;
}

export type FreezeExceptionState = 'requested' | 'approved' | 'rejected' | 'withdrawn';
export interface FreezeExceptionRecord {
  id: string;
  changeId: string;
  windowIds: string[];
  reason: string;
  risk: string;
  mitigation: string;
  acceptedBy: string;
  state: FreezeExceptionState;
  createdBy: string;
  createdAt: string;
  decidedAt: string | null;
}

/** One planned interval of an open change, as the conflict search reads it. */
export interface PlannedRow {
  changeId: string;
  ciId: string;
}

const CHUNK = 500;

/** Conflicts, impact exclusions, freeze exceptions and the reads the conflict search needs. */
export function createScheduleRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toConflict = (r: ChangeConflictsTable): ConflictRecord => ({
    id: r.id,
    changeId: r.change_id,
    key: r.key,
    kind: r.kind as ConflictKind,
    otherChangeId: r.other_change_id,
    windowId: r.window_id,
    serviceId: r.service_id,
    startsAt: h.readInstant(r.starts_at)!,
    endsAt: h.readInstant(r.ends_at)!,
    detail: h.readJson<ConflictDetail>(r.detail),
    acknowledgement: r.acknowledged_at ? { by: r.acknowledged_by ?? '', at: h.readInstant(r.acknowledged_at)!, reason: r.acknowledged_reason ?? '' } : null,
    createdAt: h.readInstant(r.created_at)!,
  });
  const toException = (r: FreezeExceptionsTable): FreezeExceptionRecord => ({
    id: r.id,
    changeId: r.change_id,
    windowIds: h.readJson<string[]>(r.window_ids),
    reason: r.reason,
    risk: r.risk,
    mitigation: r.mitigation,
    acceptedBy: r.accepted_by,
    state: r.state as FreezeExceptionState,
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
    decidedAt: h.readInstant(r.decided_at),
  });

  return {
    /** Relations touching the CIs, of the given types: `incoming` where they are the `to` side, `outgoing` the `from`. */
    async edges(ciIds: string[], direction: 'incoming' | 'outgoing', types: string[]): Promise<Edge[]> {
      const out: Edge[] = [];
      const column = direction === 'incoming' ? 'to_ci_id' : 'from_ci_id';
      for (let i = 0; i < ciIds.length; i += CHUNK) {
        const rows = await db
          .selectFrom('ci_relations')
          .select(['from_ci_id', 'to_ci_id', 'type'])
          .where(column, 'in', ciIds.slice(i, i + CHUNK))
          .where('type', 'in', types)
          .execute();
        for (const r of rows) out.push({ fromCiId: r.from_ci_id, toCiId: r.to_ci_id, type: r.type });
      }
      return out;
    },

    /**
     * Open changes (not in `finalStates`, not `excludeId`) on any of the CIs whose planned interval overlaps
     * [start, end): intervals that only touch do not overlap. One row per change and CI.
     */
    async plannedOnCis(ciIds: string[], start: string, end: string, excludeId: string | null, finalStates: string[]): Promise<PlannedRow[]> {
      const out: PlannedRow[] = [];
      for (let i = 0; i < ciIds.length; i += CHUNK) {
        let q = db
          .selectFrom('change_cis')
          .innerJoin('changes', 'changes.id', 'change_cis.change_id')
          .select(['change_cis.change_id', 'change_cis.ci_id'])
          .where('change_cis.ci_id', 'in', ciIds.slice(i, i + CHUNK))
          .where('changes.planned_start', '<', end)
          .where('changes.planned_end', '>', start);
        if (excludeId) q = q.where('changes.id', '!=', excludeId);
        if (finalStates.length) q = q.where('changes.state', 'not in', finalStates);
        for (const r of await q.execute()) out.push({ changeId: r.change_id, ciId: r.ci_id });
      }
      return out;
    },

    /** Open changes the user implements whose planned interval overlaps [start, end). */
    async plannedForImplementer(userId: string, start: string, end: string, excludeId: string | null, finalStates: string[]): Promise<string[]> {
      let q = db.selectFrom('changes').select('id').where('implementer_id', '=', userId).where('planned_start', '<', end).where('planned_end', '>', start);
      if (excludeId) q = q.where('id', '!=', excludeId);
      if (finalStates.length) q = q.where('state', 'not in', finalStates);
      return (await q.execute()).map((r) => r.id);
    },

    /** Open changes with a planned interval that ends after `after` (the ones a window can bear on). */
    async openPlannedIds(finalStates: string[], after: string | null = null): Promise<string[]> {
      let q = db.selectFrom('changes').select('id').where('planned_start', 'is not', null).where('planned_end', 'is not', null);
      if (after) q = q.where('planned_end', '>', after);
      if (finalStates.length) q = q.where('state', 'not in', finalStates);
      return (await q.execute()).map((r) => r.id);
    },

    async conflictsOf(changeId: string): Promise<ConflictRecord[]> {
      const rows = await db.selectFrom('change_conflicts').selectAll().where('change_id', '=', changeId).orderBy('starts_at').orderBy('key').execute();
      return rows.map(toConflict);
    },
    /** The conflict rows of other changes that name this one. */
    async conflictsNaming(changeId: string): Promise<ConflictRecord[]> {
      const rows = await db.selectFrom('change_conflicts').selectAll().where('other_change_id', '=', changeId).execute();
      return rows.map(toConflict);
    },
    async findConflict(id: string): Promise<ConflictRecord | null> {
      const row = await db.selectFrom('change_conflicts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toConflict(row) : null;
    },
    async insertConflict(c: ConflictRecord): Promise<void> {
      await db
        .insertInto('change_conflicts')
        .values({
          id: c.id,
          change_id: c.changeId,
          key: c.key,
          kind: c.kind,
          other_change_id: c.otherChangeId,
          window_id: c.windowId,
          service_id: c.serviceId,
          starts_at: c.startsAt,
          ends_at: c.endsAt,
          detail: h.writeJson(c.detail),
          acknowledged_by: c.acknowledgement?.by ?? null,
          acknowledged_at: c.acknowledgement?.at ?? null,
          acknowledged_reason: c.acknowledgement?.reason ?? null,
          created_at: c.createdAt,
        })
        .execute();
    },
    /** Rewrites what a recomputation may change: the interval and the detail (never the acknowledgement). */
    async updateConflict(id: string, fields: { startsAt: string; endsAt: string; detail: ConflictDetail }): Promise<void> {
      await db.updateTable('change_conflicts').set({ starts_at: fields.startsAt, ends_at: fields.endsAt, detail: h.writeJson(fields.detail) }).where('id', '=', id).execute();
    },
    async deleteConflicts(ids: string[]): Promise<void> {
      for (let i = 0; i < ids.length; i += CHUNK) await db.deleteFrom('change_conflicts').where('id', 'in', ids.slice(i, i + CHUNK)).execute();
    },
    /** Acknowledges the conflict unless it already is; false when it was. */
    async acknowledge(id: string, ack: { by: string; at: string; reason: string }): Promise<boolean> {
      const res = await db
        .updateTable('change_conflicts')
        .set({ acknowledged_by: ack.by, acknowledged_at: ack.at, acknowledged_reason: ack.reason })
        .where('id', '=', id)
        .where('acknowledged_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    async exclusionsOf(changeId: string): Promise<ImpactExclusionRecord[]> {
      const rows = await db.selectFrom('change_impact_exclusions').selectAll().where('change_id', '=', changeId).orderBy('created_at').execute();
      return rows.map((r) => ({ changeId: r.change_id, ciId: r.ci_id, reason: r.reason, createdBy: r.created_by, createdAt: h.readInstant(r.created_at)! }));
    },
    async insertExclusion(e: ImpactExclusionRecord): Promise<void> {
      await db.insertInto('change_impact_exclusions').values({ change_id: e.changeId, ci_id: e.ciId, reason: e.reason, created_by: e.createdBy, created_at: e.createdAt }).execute();
    },
    async deleteExclusion(changeId: string, ciId: string): Promise<boolean> {
      const res = await db.deleteFrom('change_impact_exclusions').where('change_id', '=', changeId).where('ci_id', '=', ciId).executeTakeFirst();
      return Number(res.numDeletedRows) === 1;
    },

    async freezeExceptionsOf(changeId: string): Promise<FreezeExceptionRecord[]> {
      const rows = await db.selectFrom('freeze_exceptions').selectAll().where('change_id', '=', changeId).orderBy('created_at').execute();
      return rows.map(toException);
    },
    async insertFreezeException(e: FreezeExceptionRecord): Promise<void> {
      await db
        .insertInto('freeze_exceptions')
        .values({
          id: e.id,
          change_id: e.changeId,
          window_ids: h.writeJson(e.windowIds),
          reason: e.reason,
          risk: e.risk,
          mitigation: e.mitigation,
          accepted_by: e.acceptedBy,
          state: e.state,
          created_by: e.createdBy,
          created_at: e.createdAt,
          decided_at: e.decidedAt,
        })
        .execute();
    },
    /** Moves the exception from one state to another; false when it was no longer in `from`. */
    async setFreezeExceptionState(id: string, from: FreezeExceptionState, to: FreezeExceptionState, at: string): Promise<boolean> {
      const res = await db.updateTable('freeze_exceptions').set({ state: to, decided_at: at }).where('id', '=', id).where('state', '=', from).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Puts the change on hold until `until` (lockdown), or releases it (null). */
    async setHold(changeId: string, hold: { windowId: string; until: string } | null): Promise<void> {
      await db
        .updateTable('changes')
        .set({ hold_window_id: hold?.windowId ?? null, hold_until: hold?.until ?? null })
        .where('id', '=', changeId)
        .execute();
    },
    /** Changes held until `at` or earlier: their freeze is over. */
    async heldUntil(at: string): Promise<string[]> {
      return (await db.selectFrom('changes').select('id').where('hold_until', 'is not', null).where('hold_until', '<=', at).execute()).map((r) => r.id);
    },
  };
}
export type ScheduleRepository = ReturnType<typeof createScheduleRepository>;
