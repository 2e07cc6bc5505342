import { sql, type Kysely } from 'kysely';
import type { Edge } from '../../domain/schedule/impact';
import type { DialectHelpers } from '../dialect';
import type { ChangeConflictsTable, ConflictAcknowledgementsTable, DB, FreezeExceptionsTable } from '../schema';

import { covers, type ConflictKind } from '../../domain/schedule/conflicts';
import { heldScheduleLock, holdScheduleLock } from './schedule-lock';

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

/** A pair conflict someone accepted: the overlap they saw, who, when and why. */
export interface PairAcknowledgement {
  changeId: string;
  /** `<kind>:<other change id>`. */
  key: string;
  otherChangeId: string;
  startsAt: string;
  endsAt: string;
  by: string;
  at: string;
  reason: string;
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

/** An open change's planned interval and implementer, as the conflict search reads them. */
export interface PlannedInterval {
  changeId: string;
  start: string;
  end: string;
  implementerId: string | null;
}

/** An open change on one CI. */
export interface PlannedRow extends PlannedInterval {
  ciId: string;
}

const CHUNK = 500;
/**
 * Changes planned longer than this many minutes are in changes_long_planned_idx (migration 0010; the literal
 * there must stay equal to this one).
 */
const LONG_PLANNED_MINUTES = 600;
/** A change planned at most this long overlaps [start, end) only if it starts after start − SHORT_SPAN_MS. */
const SHORT_SPAN_MS = 12 * 3_600_000;
/**
 * The overlap search reads the changes around the interval first when there are at most this many per CI
 * searched; past that, reading the changes on each CI costs less (see `plannedOnCis`).
 */
const CANDIDATES_PER_CI = 3;
/** Intervals longer than this (the next-slot search looks 90 days ahead) are searched CI by CI at once. */
const TIME_FIRST_MAX_MS = 7 * 86_400_000;

/** Conflicts, impact exclusions, freeze exceptions and the reads the conflict search needs. */
export function createScheduleRepository(db: Kysely<DB>, h: DialectHelpers) {
  /** The schedule lock this transaction holds (repositories bound to a transaction live as long as it). */
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
    acknowledgement: r.acknowledged_at
      ? { by: r.acknowledged_by ?? '', at: h.readInstant(r.acknowledged_at)!, reason: r.acknowledged_reason ?? '' }
      : null,
    createdAt: h.readInstant(r.created_at)!,
  });
  const toPairAck = (r: ConflictAcknowledgementsTable): PairAcknowledgement => ({
    changeId: r.change_id,
    key: r.key,
    otherChangeId: r.other_change_id,
    startsAt: h.readInstant(r.starts_at)!,
    endsAt: h.readInstant(r.ends_at)!,
    by: r.acknowledged_by,
    at: h.readInstant(r.acknowledged_at)!,
    reason: r.reason,
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

  /**
   * The two halves of "open changes whose planned interval overlaps [start, end)": `near`, the changes planned
   * up to SHORT_SPAN_MS, by their start (a narrow range of changes_planned_cover_idx), and `far`, the longer
   * ones, through changes_long_planned_idx. Both select id, planned_start, planned_end and implementer_id.
   */
  function overlapHalves(start: string, end: string, excludeId: string | null, finalStates: string[]) {
    const after = new Date(Date.parse(start) - SHORT_SPAN_MS).toISOString();
    const columns = ['id', 'planned_start', 'planned_end', 'implementer_id'] as const;
    let near = db
      .selectFrom('changes')
      .select(columns)
      .where('planned_start', '>', after)
      .where('planned_start', '<', end)
      .where('planned_end', '>', start);
    let far = db
      .selectFrom('changes')
      .select(columns)
      .where(sql.ref('planned_minutes'), '>', sql.lit(LONG_PLANNED_MINUTES))
      .where('planned_end', '>', start)
      .where('planned_start', '<', end);
    if (excludeId) {
      near = near.where('id', '!=', excludeId);
      far = far.where('id', '!=', excludeId);
    }
    if (finalStates.length) {
      near = near.where('state', 'not in', finalStates);
      far = far.where('state', 'not in', finalStates);
    }
    return { near, far };
  }

  const toInterval = (r: {
    id: string;
    planned_start: string | null;
    planned_end: string | null;
    implementer_id: string | null;
  }): PlannedInterval => ({
    changeId: r.id,
    start: h.readInstant(r.planned_start)!,
    end: h.readInstant(r.planned_end)!,
    implementerId: r.implementer_id,
  });

  /** Runs `read` on each chunk of `ids` (at once: on PostgreSQL outside a transaction they go in parallel) and joins the results in order. */
  async function chunked<T>(ids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += CHUNK) chunks.push(ids.slice(i, i + CHUNK));
    return (await Promise.all(chunks.map(read))).flat();
  }

  async function summary(
    changeIds: string[] | null,
    finalStates: string[],
  ): Promise<{ changeId: string; kind: ConflictKind; count: number }[]> {
    if (changeIds && changeIds.length === 0) return [];
    const notFinal = (column: string) =>
      finalStates.length ? sql`and ${sql.ref(column)} not in (${sql.join(finalStates.map((st) => sql`${st}`))})` : sql``;
    const inList = (column: string, ids: string[]) => sql`${sql.ref(column)} in (${sql.join(ids.map((id) => sql`${id}`))})`;
    const read = async (ids: string[] | null) => {
      const mine = (column: string) => (ids ? sql`and ${inList(column, ids)}` : sql``);
      const overlaps = sql`cb.planned_start < ca.planned_end and cb.planned_end > ca.planned_start ${notFinal('cb.state')}`;
      // NOTE: the pairs are counted without looking at acknowledgements (a plain join and group, the cost of a
      // CI where hundreds of changes meet), and the few acknowledged pairs that still cover their overlap are
      // read apart and taken off: one lookup per acknowledgement rather than one per pair.
      const covered = sql`(k.starts_at <= ca.planned_start or k.starts_at <= cb.planned_start) and (ca.planned_end <= k.ends_at or cb.planned_end <= k.ends_at)`;
      const openSelf = sql`ca.planned_start is not null and ca.planned_end is not null ${notFinal('ca.state')}`;
      const sameCiPair = sql`exists (select 1 from change_cis a join change_cis b on b.ci_id = a.ci_id where a.change_id = ca.id and b.change_id = cb.id)`;
      const [sameCi, sameImplementer, ackedRows, windows] = await Promise.all([
        sql<{ change_id: string; n: number | string }>`
          select ca.id as change_id, count(distinct cb.id) as n
          from change_cis a
          join changes ca on ca.id = a.change_id
          join change_cis b on b.ci_id = a.ci_id and b.change_id <> a.change_id
          join changes cb on cb.id = b.change_id
          where ${openSelf} and ${overlaps} ${mine('a.change_id')}
          group by ca.id`.execute(db),
        sql<{ change_id: string; n: number | string }>`
          select ca.id as change_id, count(*) as n
          from changes ca
          join changes cb on cb.implementer_id = ca.implementer_id and cb.id <> ca.id
          where ca.implementer_id is not null and ${openSelf} and ${overlaps} ${mine('ca.id')}
          group by ca.id`.execute(db),
        sql<{ change_id: string; key: string }>`
          select k.change_id, k.key
          from conflict_acknowledgements k
          join changes ca on ca.id = k.change_id
          join changes cb on cb.id = k.other_change_id
          where ${openSelf} and ${overlaps} ${mine('k.change_id')} and ${covered}
            and ((k.key like 'ci_overlap:%' and ${sameCiPair})
              or (k.key like 'assignee_busy:%' and ca.implementer_id is not null and ca.implementer_id = cb.implementer_id))`.execute(db),
        (() => {
          let q = db
            .selectFrom('change_conflicts as k')
            .innerJoin('changes as c', 'c.id', 'k.change_id')
            .select(['k.change_id', 'k.kind', 'k.detail'])
            .where('k.acknowledged_at', 'is', null);
          if (finalStates.length) q = q.where('c.state', 'not in', finalStates);
          if (ids) q = q.where('k.change_id', 'in', ids);
          return q.execute();
        })(),
      ]);
      const acked = new Map<string, number>();
      for (const r of ackedRows.rows) {
        const key = `${r.change_id}\u0000${r.key.startsWith('ci_overlap:') ? 'ci_overlap' : 'assignee_busy'}`;
        acked.set(key, (acked.get(key) ?? 0) + 1);
      }
      const found: { changeId: string; kind: ConflictKind; count: number }[] = [];
      const pairs = (rows: { change_id: string; n: number | string }[], kind: 'ci_overlap' | 'assignee_busy') => {
        for (const r of rows) {
          const count = Number(r.n) - (acked.get(`${r.change_id}\u0000${kind}`) ?? 0);
          if (count > 0) found.push({ changeId: r.change_id, kind, count });
        }
      };
      pairs(sameCi.rows, 'ci_overlap');
      pairs(sameImplementer.rows, 'assignee_busy');
      const byWindow = new Map<string, number>();
      for (const r of windows) {
        if (r.kind === 'freeze' && h.readJson<ConflictDetail>(r.detail).excepted) continue;
        const key = `${r.change_id}\u0000${r.kind}`;
        byWindow.set(key, (byWindow.get(key) ?? 0) + 1);
      }
      for (const [key, count] of byWindow) {
        const [changeId, kind] = key.split('\u0000') as [string, ConflictKind];
        found.push({ changeId, kind, count });
      }
      return found;
    };
    return changeIds ? chunked(changeIds, read) : read(null);
  }

  return {
    /** Relations touching the CIs, of the given types: `incoming` where they are the `to` side, `outgoing` the `from`. */
    async edges(ciIds: string[], direction: 'incoming' | 'outgoing', types: string[]): Promise<Edge[]> {
      const column = direction === 'incoming' ? 'to_ci_id' : 'from_ci_id';
      const rows = await chunked(ciIds, (chunk) =>
        db
          .selectFrom('ci_relations')
          .select(['from_ci_id', 'to_ci_id', 'type'])
          .where(column, 'in', chunk)
          .where('type', 'in', types)
          .execute(),
      );
      return rows.map((r) => ({ fromCiId: r.from_ci_id, toCiId: r.to_ci_id, type: r.type }));
    },

    /**
     * Every relation of the given types that a walk of at most `depth` steps from `seeds` could read, for each
     * walk: `incoming` follows relations backwards (to the CIs pointing at the seeds), `outgoing` forwards,
     * `both` either way at every step. One query: the CIs at each step are a chain of CTEs. A superset of what
     * a walk that stops at excluded CIs reads, so any such walk can run over the result without a query.
     */
    async edgesWithin(
      seeds: string[],
      walks: readonly ('incoming' | 'outgoing' | 'both')[],
      types: string[],
      depth: number,
    ): Promise<Edge[]> {
      if (seeds.length === 0 || walks.length === 0 || depth <= 0 || types.length === 0) return [];
      const list = (values: string[]) => sql.join(values.map((v) => sql`${v}`));
      const typed = sql`type in (${list(types)})`;
      const ctes: ReturnType<typeof sql>[] = [];
      const reads: ReturnType<typeof sql>[] = [];
      for (const [w, walk] of [...new Set(walks)].entries()) {
        const step = (k: number) => sql.raw(`w${w}_${k}`);
        ctes.push(sql`${step(0)} (id) as (select id from cis where id in (${list(seeds)}))`);
        for (let k = 1; k < depth; k++) {
          const back = sql`select from_ci_id from ci_relations where ${typed} and to_ci_id in (select id from ${step(k - 1)})`;
          const forth = sql`select to_ci_id from ci_relations where ${typed} and from_ci_id in (select id from ${step(k - 1)})`;
          ctes.push(sql`${step(k)} (id) as (${walk === 'incoming' ? back : walk === 'outgoing' ? forth : sql`${back} union ${forth}`})`);
        }
        const reached = sql.join(
          Array.from({ length: depth }, (_, k) => sql`select id from ${step(k)}`),
          sql` union `,
        );
        if (walk !== 'outgoing')
          reads.push(sql`select from_ci_id, to_ci_id, type from ci_relations where ${typed} and to_ci_id in (${reached})`);
        if (walk !== 'incoming')
          reads.push(sql`select from_ci_id, to_ci_id, type from ci_relations where ${typed} and from_ci_id in (${reached})`);
      }
      const { rows } = await sql<{
        from_ci_id: string;
        to_ci_id: string;
        type: string;
      }>`with ${sql.join(ctes)} ${sql.join(reads, sql` union `)}`.execute(db);
      return rows.map((r) => ({ fromCiId: r.from_ci_id, toCiId: r.to_ci_id, type: r.type }));
    },

    /**
     * Relations of the given types that point at one of `incoming` or start at one of `outgoing`, in one query
     * when the lists are short (each relation once).
     */
    async edgesAround(incoming: string[], outgoing: string[], types: string[]): Promise<Edge[]> {
      const read = async (): Promise<{ from_ci_id: string; to_ci_id: string; type: string }[]> => {
        const q = db.selectFrom('ci_relations').select(['from_ci_id', 'to_ci_id', 'type']).where('type', 'in', types);
        if (incoming.length === 0) return chunked(outgoing, (chunk) => q.where('from_ci_id', 'in', chunk).execute());
        if (outgoing.length === 0) return chunked(incoming, (chunk) => q.where('to_ci_id', 'in', chunk).execute());
        if (incoming.length <= CHUNK && outgoing.length <= CHUNK)
          return q.where((eb) => eb.or([eb('to_ci_id', 'in', incoming), eb('from_ci_id', 'in', outgoing)])).execute();
        const [a, b] = await Promise.all([
          chunked(incoming, (chunk) => q.where('to_ci_id', 'in', chunk).execute()),
          chunked(outgoing, (chunk) => q.where('from_ci_id', 'in', chunk).execute()),
        ]);
        return [...a, ...b];
      };
      const unique = new Map<string, Edge>();
      for (const r of await read())
        unique.set(`${r.from_ci_id}\u0000${r.to_ci_id}\u0000${r.type}`, { fromCiId: r.from_ci_id, toCiId: r.to_ci_id, type: r.type });
      return [...unique.values()];
    },

    /**
     * Open changes (not in `finalStates`, not `excludeId`) on any of the CIs whose planned interval overlaps
     * [start, end): intervals that only touch do not overlap. One row per change and CI.
     */
    async plannedOnCis(
      ciIds: string[],
      start: string,
      end: string,
      excludeId: string | null,
      finalStates: string[],
    ): Promise<PlannedRow[]> {
      if (ciIds.length === 0) return [];
      // NOTE: two ways to the same rows. An interval of hours overlaps few changes: read those by time with
      // their CIs, in one query (one index lookup per change). A long one overlaps many: read the changes on
      // each CI instead (one lookup per change and CI). Reading by time gives up past `cap` changes, about
      // what reading by CI would cost; intervals over TIME_FIRST_MAX_MS go straight to reading by CI.
      if (Date.parse(end) - Date.parse(start) <= TIME_FIRST_MAX_MS) {
        const cap = ciIds.length * CANDIDATES_PER_CI;
        const { near, far } = overlapHalves(start, end, excludeId, finalStates);
        const withCis = (q: typeof near, marker: 0 | 1) =>
          db
            .selectFrom(q.as('c'))
            // A left join: a change without CIs still counts towards the cap.
            .leftJoin('change_cis', 'change_cis.change_id', 'c.id')
            .select([
              'c.id',
              'c.planned_start',
              'c.planned_end',
              'c.implementer_id',
              'change_cis.ci_id',
              sql<number>`${sql.lit(marker)}`.as('far'),
            ]);
        const rows = await withCis(near.limit(cap + 1), 0)
          .unionAll(withCis(far, 1))
          .execute();
        if (new Set(rows.filter((r) => Number(r.far) === 0).map((r) => r.id)).size <= cap) {
          const wanted = new Set(ciIds);
          const found = new Map<string, PlannedRow>();
          for (const r of rows)
            if (r.ci_id !== null && wanted.has(r.ci_id)) found.set(`${r.id} ${r.ci_id}`, { ...toInterval(r), ciId: r.ci_id });
          return [...found.values()];
        }
      }
      const rows = await chunked(ciIds, (chunk) => {
        let q = db
          .selectFrom('change_cis')
          .innerJoin('changes', 'changes.id', 'change_cis.change_id')
          .select(['change_cis.change_id', 'change_cis.ci_id', 'changes.planned_start', 'changes.planned_end', 'changes.implementer_id'])
          .where('change_cis.ci_id', 'in', chunk)
          .where('changes.planned_start', '<', end)
          .where('changes.planned_end', '>', start);
        if (excludeId) q = q.where('changes.id', '!=', excludeId);
        if (finalStates.length) q = q.where('changes.state', 'not in', finalStates);
        return q.execute();
      });
      return rows.map((r) => ({
        changeId: r.change_id,
        ciId: r.ci_id,
        start: h.readInstant(r.planned_start)!,
        end: h.readInstant(r.planned_end)!,
        implementerId: r.implementer_id,
      }));
    },

    /** Open changes the user implements whose planned interval overlaps [start, end). */
    async plannedForImplementer(
      userId: string,
      start: string,
      end: string,
      excludeId: string | null,
      finalStates: string[],
    ): Promise<PlannedInterval[]> {
      const { near, far } = overlapHalves(start, end, excludeId, finalStates);
      // NOTE: the implementer is matched in code for the long ones: given implementer_id in the query, SQLite
      // prefers changes_implementer_idx and reads every earlier change of that person.
      const rows = await db
        .selectFrom(near.where('implementer_id', '=', userId).as('near'))
        .selectAll()
        .unionAll(db.selectFrom(far.as('far')).selectAll())
        .execute();
      const found = new Map<string, PlannedInterval>();
      for (const r of rows) if (r.implementer_id === userId) found.set(r.id, toInterval(r));
      return [...found.values()];
    },

    /** Open changes with a planned interval that ends after `after` (the ones a window can bear on). */
    async openPlannedIds(finalStates: string[], after: string | null = null): Promise<string[]> {
      let q = db.selectFrom('changes').select('id').where('planned_start', 'is not', null).where('planned_end', 'is not', null);
      if (after) q = q.where('planned_end', '>', after);
      if (finalStates.length) q = q.where('state', 'not in', finalStates);
      return (await q.execute()).map((r) => r.id);
    },

    /**
     * Takes the schedule's lock until the transaction ends. NOTE: a change's window conflicts are derived from
     * the windows; on PostgreSQL (READ COMMITTED) a write to one change and a write to the windows at the same
     * time could each miss what the other is writing, and leave the change's window conflicts stale. Writes to
     * one change take the lock shared (they never wait for one another: pair conflicts are derived when read,
     * nothing about another change is written), writes to windows exclusive. On SQLite the write transaction
     * already excludes other writers. True when this call took it (the transaction's windows memo is then
     * forgotten: repositories/index.ts).
     */
    async lockSchedule(mode: 'shared' | 'exclusive'): Promise<boolean> {
      // NOTE: the lock lasts until the transaction ends, so taking it again in the same transaction (group commit
      // runs several filings in one) would be a round trip for nothing.
      const held = heldScheduleLock(db);
      if (db.isTransaction && (held === 'exclusive' || held === mode)) return false;
      await h.lockSchedule(db, mode);
      if (db.isTransaction) holdScheduleLock(db, mode);
      return true;
    },
    /** Whether someone other than `userId` hears about one of these changes' schedule (its owner, else its requester). */
    async anyOwnedByOthers(changeIds: string[], userId: string): Promise<boolean> {
      const found = await chunked(changeIds, (chunk) =>
        db
          .selectFrom('changes')
          .select('id')
          .where('id', 'in', chunk)
          .where((eb) => eb(eb.fn.coalesce('owner_id', 'requester_id'), '!=', userId))
          .limit(1)
          .execute(),
      );
      return found.length > 0;
    },
    /**
     * Conflicts nobody acknowledged, by change and kind, of `changeIds` (or of every open change when null):
     * stored window conflicts (a freeze covered by an approved exception does not count), and pairs with
     * another open change on the same CI (`ci_overlap`) or with the same implementer (`assignee_busy`), derived
     * here in SQL without an acknowledgement that covers them. NOTE: `related_ci_overlap` needs the CMDB graph
     * walked for each change, so it is left out here: the schedule service derives the pairs of the changes
     * `relatedPairCandidates` names (ScheduleService.openConflictSummary), as their conflicts list does.
     */
    openConflictSummary(
      changeIds: string[] | null,
      finalStates: string[],
    ): Promise<{ changeId: string; kind: ConflictKind; count: number }[]> {
      return summary(changeIds, finalStates);
    },
    /**
     * The open planned changes (of `changeIds`, or else the first `limit` to end after `after`, soonest first)
     * with a CI in a relation of the given types: the only changes that can have a related-CI pair (the impact
     * walk starts at a CI of one change and ends at a CI of the other, over relations of these types). NOTE:
     * only a filter; whether they meet another change, and on CIs within the impact's direction, depth and
     * exclusions, is for the derivation to say. Whether another change overlaps them is left to it too: asked
     * here per change, it read most of the schedule for a change planned late in it.
     */
    async relatedPairCandidates(
      changeIds: string[] | null,
      relationTypes: string[],
      finalStates: string[],
      opts: { after?: string; limit?: number } = {},
    ): Promise<string[]> {
      if ((changeIds && changeIds.length === 0) || relationTypes.length === 0) return [];
      const read = async (ids: string[] | null) => {
        let q = db
          .selectFrom('changes')
          .select('id')
          .where('planned_start', 'is not', null)
          .where('planned_end', 'is not', null)
          // Two `exists`, one per side of the relation, so each uses its index (ci_relations_from_idx, ci_relations_to_type_idx).
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('change_cis')
                .select(sql.lit(1).as('one'))
                .whereRef('change_cis.change_id', '=', 'changes.id')
                .where((e) =>
                  e.or([
                    e.exists(e.selectFrom('ci_relations').select(sql.lit(1).as('one')).whereRef('ci_relations.from_ci_id', '=', 'change_cis.ci_id').where('ci_relations.type', 'in', relationTypes)),
                    e.exists(e.selectFrom('ci_relations').select(sql.lit(1).as('one')).whereRef('ci_relations.to_ci_id', '=', 'change_cis.ci_id').where('ci_relations.type', 'in', relationTypes)),
                  ]),
                ),
            ),
          );
        if (finalStates.length) q = q.where('state', 'not in', finalStates);
        if (ids) q = q.where('id', 'in', ids);
        else {
          if (opts.after) q = q.where('planned_end', '>', opts.after);
          q = q.orderBy('planned_start').orderBy('id');
          if (opts.limit !== undefined) q = q.limit(opts.limit);
        }
        return (await q.execute()).map((r) => r.id);
      };
      return changeIds ? chunked(changeIds, read) : read(null);
    },
    /** How many conflicts of each change nobody acknowledged (see openConflictSummary), for list and calendar markers; changes with none are left out. */
    async openConflictCounts(changeIds: string[], finalStates: string[] = []): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      for (const r of await summary(changeIds, finalStates)) counts.set(r.changeId, (counts.get(r.changeId) ?? 0) + r.count);
      return counts;
    },
    async conflictsOf(changeId: string): Promise<ConflictRecord[]> {
      const rows = await db
        .selectFrom('change_conflicts')
        .selectAll()
        .where('change_id', '=', changeId)
        .orderBy('starts_at')
        .orderBy('key')
        .execute();
      return rows.map(toConflict);
    },
    async findConflict(id: string): Promise<ConflictRecord | null> {
      const row = await db.selectFrom('change_conflicts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toConflict(row) : null;
    },
    /** Inserts the rows, in one multi-row INSERT per chunk of CHUNK rows (14 parameters each). */
    async insertConflicts(records: readonly ConflictRecord[]): Promise<void> {
      for (let i = 0; i < records.length; i += CHUNK) {
        await db
          .insertInto('change_conflicts')
          .values(
            records.slice(i, i + CHUNK).map((c) => ({
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
            })),
          )
          .execute();
      }
    },
    /** Rewrites what a recomputation may change: the interval and the detail (never the acknowledgement). */
    async updateConflict(id: string, fields: { startsAt: string; endsAt: string; detail: ConflictDetail }): Promise<void> {
      await db
        .updateTable('change_conflicts')
        .set({ starts_at: fields.startsAt, ends_at: fields.endsAt, detail: h.writeJson(fields.detail) })
        .where('id', '=', id)
        .execute();
    },
    async deleteConflicts(ids: string[]): Promise<void> {
      for (let i = 0; i < ids.length; i += CHUNK)
        await db
          .deleteFrom('change_conflicts')
          .where('id', 'in', ids.slice(i, i + CHUNK))
          .execute();
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

    /** What people accepted of the change's pair conflicts, by pair key. */
    async pairAcknowledgements(changeId: string): Promise<Map<string, PairAcknowledgement>> {
      const rows = await db.selectFrom('conflict_acknowledgements').selectAll().where('change_id', '=', changeId).execute();
      return new Map(rows.map((r) => [r.key, toPairAck(r)]));
    },
    /** Records the acknowledgement of a pair unless one already covers it (a stale one is replaced); false when one did. */
    async acknowledgePair(ack: PairAcknowledgement): Promise<boolean> {
      const before = await db
        .selectFrom('conflict_acknowledgements')
        .selectAll()
        .where('change_id', '=', ack.changeId)
        .where('key', '=', ack.key)
        .executeTakeFirst();
      if (before) {
        if (covers(toPairAck(before), ack)) return false;
        const res = await db
          .updateTable('conflict_acknowledgements')
          .set({ starts_at: ack.startsAt, ends_at: ack.endsAt, acknowledged_by: ack.by, acknowledged_at: ack.at, reason: ack.reason })
          .where('change_id', '=', ack.changeId)
          .where('key', '=', ack.key)
          .where('acknowledged_at', '=', before.acknowledged_at)
          .executeTakeFirst();
        return Number(res.numUpdatedRows) === 1;
      }
      const res = await db
        .insertInto('conflict_acknowledgements')
        .values({
          change_id: ack.changeId,
          key: ack.key,
          other_change_id: ack.otherChangeId,
          starts_at: ack.startsAt,
          ends_at: ack.endsAt,
          acknowledged_by: ack.by,
          acknowledged_at: ack.at,
          reason: ack.reason,
        })
        .onConflict((oc) => oc.columns(['change_id', 'key']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async exclusionsOf(changeId: string): Promise<ImpactExclusionRecord[]> {
      const rows = await db
        .selectFrom('change_impact_exclusions')
        .selectAll()
        .where('change_id', '=', changeId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({
        changeId: r.change_id,
        ciId: r.ci_id,
        reason: r.reason,
        createdBy: r.created_by,
        createdAt: h.readInstant(r.created_at)!,
      }));
    },
    /** Exclusions of these CIs, by change: the excluded CI ids of each change that excluded any of them. */
    async exclusionsOnCis(ciIds: string[]): Promise<Map<string, Set<string>>> {
      const found = new Map<string, Set<string>>();
      const rows = await chunked(ciIds, (chunk) =>
        db.selectFrom('change_impact_exclusions').select(['change_id', 'ci_id']).where('ci_id', 'in', chunk).execute(),
      );
      for (const r of rows) found.set(r.change_id, (found.get(r.change_id) ?? new Set<string>()).add(r.ci_id));
      return found;
    },
    async insertExclusion(e: ImpactExclusionRecord): Promise<void> {
      await db
        .insertInto('change_impact_exclusions')
        .values({ change_id: e.changeId, ci_id: e.ciId, reason: e.reason, created_by: e.createdBy, created_at: e.createdAt })
        .execute();
    },
    async deleteExclusion(changeId: string, ciId: string): Promise<boolean> {
      const res = await db
        .deleteFrom('change_impact_exclusions')
        .where('change_id', '=', changeId)
        .where('ci_id', '=', ciId)
        .executeTakeFirst();
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
      const res = await db
        .updateTable('freeze_exceptions')
        .set({ state: to, decided_at: at })
        .where('id', '=', id)
        .where('state', '=', from)
        .executeTakeFirst();
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
      return (await db.selectFrom('changes').select('id').where('hold_until', 'is not', null).where('hold_until', '<=', at).execute()).map(
        (r) => r.id,
      );
    },
  };
}
export type ScheduleRepository = ReturnType<typeof createScheduleRepository>;
