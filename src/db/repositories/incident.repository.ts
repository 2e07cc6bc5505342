import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { IncidentSortColumn, IncidentState } from '../../contracts/incidents';
import type { DialectHelpers } from '../dialect';
import type { DB, IncidentsTable } from '../schema';
import { keysetValueOf, orderByKeyset, type KeysetSort, type KeysetValue } from './keyset';

/** An incident as stored, with the CIs it is linked to. */
export interface IncidentRecord {
  id: string;
  /** `INC` and seven digits; an imported incident keeps the number it came with. */
  number: string;
  title: string;
  description: string;
  /** 1 critical … 4 low. */
  priority: number;
  state: IncidentState;
  openedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  ciIds: string[];
  serviceId: string | null;
  causedByChangeId: string | null;
  source: 'cabinet' | 'import';
  external: Record<string, string>;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** What an incident list is narrowed by; every id is already resolved. */
export interface IncidentFilter {
  states?: string[];
  priorities?: number[];
  ciId?: string;
  serviceId?: string;
  causedByChangeId?: string;
  openedFrom?: string;
  openedTo?: string;
  q?: string;
  /** Keyset: incidents strictly after this one in the order newest opened first, then id descending. */
  after?: { openedAt: string; id: string };
  /** Absent: newest opened first, paged by `after`. Sorted, ties are broken by number, highest first. */
  sort?: KeysetSort<IncidentSortColumn>;
  limit: number;
}

/** What a list row carries besides the incident: the value it was sorted by, for the next cursor. */
export type ListedIncident = IncidentRecord & { sortValue: KeysetValue };

/** The stored column behind each sortable field. */
const SORT_COLUMNS = {
  number: 'number',
  title: 'title',
  priority: 'priority',
  state: 'state',
  openedAt: 'opened_at',
  resolvedAt: 'resolved_at',
} as const satisfies Record<IncidentSortColumn, keyof IncidentsTable>;

const CHUNK = 500;
/** Rows per multi-row INSERT: 17 columns × 200 rows stays far below both engines' bound-parameter limits. */
const INSERT_BATCH = 200;
const COUNTER = 'incident';
const NUMBER_DIGITS = 7;

const formatNumber = (n: number): string => `INC${String(n).padStart(NUMBER_DIGITS, '0')}`;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Incidents, the CIs they are on, and the counter behind new incident numbers. */
/**
 * NOTE (speed): `sql` templates, not the query builder: every filing asks this, and building the query cost more
 * than SQLite took to answer it.
 */
const incidentsOnCisFrom = (ciIds: readonly string[], since: string, excludeCausedBy?: string) =>
  sql`from incident_cis ic join incidents i on i.id = ic.incident_id where ic.ci_id in (${sql.join([...ciIds])}) and i.opened_at >= ${since}${
    excludeCausedBy ? sql` and (i.caused_by_change_id is null or i.caused_by_change_id != ${excludeCausedBy})` : sql``
  }`;

/** The most CIs one statement of `incidentsOnCisStatement` names. */
export const INCIDENT_CI_CHUNK = CHUNK;

/** How many incidents opened since `since` touch any of the (at most INCIDENT_CI_CHUNK, distinct) CIs: one row, `n`. */
export function incidentsOnCisStatement(ciIds: readonly string[], since: string, excludeCausedBy?: string): RawBuilder<{ n: number | string }> {
  return sql`select count(distinct ic.incident_id) as n ${incidentsOnCisFrom(ciIds, since, excludeCausedBy)}`;
}

export function createIncidentRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: IncidentsTable, ciIds: string[]): IncidentRecord => ({
    id: r.id,
    number: r.number,
    title: r.title,
    description: r.description,
    priority: r.priority,
    state: r.state as IncidentState,
    openedAt: h.readInstant(r.opened_at)!,
    resolvedAt: h.readInstant(r.resolved_at),
    closedAt: h.readInstant(r.closed_at),
    ciIds,
    serviceId: r.service_id,
    causedByChangeId: r.caused_by_change_id,
    source: r.source as IncidentRecord['source'],
    external: h.readJson<Record<string, string>>(r.external),
    version: r.version,
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });
  const toRow = (i: IncidentRecord): IncidentsTable => ({
    id: i.id,
    number: i.number,
    title: i.title,
    description: i.description,
    priority: i.priority,
    state: i.state,
    opened_at: i.openedAt,
    resolved_at: i.resolvedAt,
    closed_at: i.closedAt,
    caused_by_change_id: i.causedByChangeId,
    service_id: i.serviceId,
    source: i.source,
    external: h.writeJson(i.external),
    version: i.version,
    created_by: i.createdBy,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  });

  async function ciIdsOf(incidentIds: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    for (const chunk of chunks(incidentIds, CHUNK)) {
      const rows = await db.selectFrom('incident_cis').selectAll().where('incident_id', 'in', chunk).orderBy('ci_id').execute();
      for (const r of rows) map.set(r.incident_id, [...(map.get(r.incident_id) ?? []), r.ci_id]);
    }
    return map;
  }

  async function withCis(rows: IncidentsTable[]): Promise<IncidentRecord[]> {
    const cis = await ciIdsOf(rows.map((r) => r.id));
    return rows.map((r) => toRecord(r, cis.get(r.id) ?? []));
  }

  /** Replaces the CI links of each incident in the map (its list may be empty), in a few statements. */
  async function setCisMany(links: Map<string, string[]>): Promise<void> {
    const ids = [...links.keys()];
    for (const chunk of chunks(ids, CHUNK)) await db.deleteFrom('incident_cis').where('incident_id', 'in', chunk).execute();
    const pairs = [...links].flatMap(([incidentId, ciIds]) => [...new Set(ciIds)].map((ciId) => ({ incident_id: incidentId, ci_id: ciId })));
    for (const chunk of chunks(pairs, CHUNK)) await db.insertInto('incident_cis').values(chunk).execute();
  }

  return {
    /**
     * Takes the next free incident number. Imported incidents keep their own numbers, so the counter skips
     * every number already taken. NOTE: the UPDATE … RETURNING row lock makes concurrent creators queue on
     * PostgreSQL until commit; on SQLite the write transaction already serialises them.
     */
    async nextNumber(): Promise<string> {
      // The counter row is made on first use (migration 0011 does not seed it).
      await db.insertInto('counters').values({ name: COUNTER, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const row = await db.updateTable('counters').set((eb) => ({ value: eb('value', '+', 1) })).where('name', '=', COUNTER).returning('value').executeTakeFirstOrThrow();
      let n = Number(row.value);
      for (;;) {
        // Numbers are fixed-width, so text order is numeric order: one query reads the taken ones ahead.
        const taken = new Set(
          (await db.selectFrom('incidents').select('number').where('number', '>=', formatNumber(n)).where('number', '<=', formatNumber(n + CHUNK - 1)).execute()).map((r) => r.number),
        );
        const end = n + CHUNK;
        while (n < end && taken.has(formatNumber(n))) n++;
        if (n < end) break;
      }
      if (n !== Number(row.value)) await db.updateTable('counters').set({ value: n }).where('name', '=', COUNTER).execute();
      return formatNumber(n);
    },

    async insert(i: IncidentRecord): Promise<void> {
      await db.insertInto('incidents').values(toRow(i)).execute();
      await setCisMany(new Map([[i.id, i.ciIds]]));
    },

    /** Inserts many incidents and their CI links in batched statements (imports). */
    async insertMany(list: IncidentRecord[]): Promise<void> {
      for (const chunk of chunks(list, INSERT_BATCH)) await db.insertInto('incidents').values(chunk.map(toRow)).execute();
      await setCisMany(new Map(list.filter((i) => i.ciIds.length > 0).map((i) => [i.id, i.ciIds])));
    },

    /** Writes `i` (whose version is already bumped) if the stored version is still `expectedVersion`. */
    async update(i: IncidentRecord, expectedVersion: number): Promise<boolean> {
      // The number, creator and creation time never change.
      const { id, number: _number, created_at: _created, created_by: _by, ...rest } = toRow(i);
      const res = await db.updateTable('incidents').set(rest).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await setCisMany(new Map([[i.id, i.ciIds]]));
      return true;
    },

    /**
     * Writes many incidents (versions already bumped) in batched statements, each only if its stored version
     * is still one below; returns how many were written. NOTE: an INSERT … ON CONFLICT (number) DO UPDATE is
     * the one multi-row update both engines share; every row in `list` exists, so none is inserted.
     */
    async updateMany(list: IncidentRecord[]): Promise<number> {
      let written = 0;
      for (const chunk of chunks(list, INSERT_BATCH)) {
        const res = await db
          .insertInto('incidents')
          .values(chunk.map(toRow))
          .onConflict((oc) =>
            oc
              .column('number')
              .doUpdateSet((eb) => ({
                title: eb.ref('excluded.title'),
                description: eb.ref('excluded.description'),
                priority: eb.ref('excluded.priority'),
                state: eb.ref('excluded.state'),
                opened_at: eb.ref('excluded.opened_at'),
                resolved_at: eb.ref('excluded.resolved_at'),
                closed_at: eb.ref('excluded.closed_at'),
                caused_by_change_id: eb.ref('excluded.caused_by_change_id'),
                service_id: eb.ref('excluded.service_id'),
                source: eb.ref('excluded.source'),
                external: eb.ref('excluded.external'),
                version: eb.ref('excluded.version'),
                updated_at: eb.ref('excluded.updated_at'),
              }))
              .where(sql<boolean>`${sql.ref('incidents.version')} = ${sql.ref('excluded.version')} - 1`),
          )
          .executeTakeFirst();
        written += Number(res.numInsertedOrUpdatedRows ?? 0);
      }
      await setCisMany(new Map(list.map((i) => [i.id, i.ciIds])));
      return written;
    },

    async findById(idOrNumber: string): Promise<IncidentRecord | null> {
      const row = await db
        .selectFrom('incidents')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrNumber), eb('number', '=', idOrNumber.toUpperCase())]))
        .executeTakeFirst();
      return row ? (await withCis([row]))[0]! : null;
    },

    async findByNumber(number: string): Promise<IncidentRecord | null> {
      const row = await db.selectFrom('incidents').selectAll().where('number', '=', number.toUpperCase()).executeTakeFirst();
      return row ? (await withCis([row]))[0]! : null;
    },

    /** The incidents with these numbers (in no particular order); unknown numbers are left out. */
    async findByNumbers(numbers: string[]): Promise<IncidentRecord[]> {
      const rows: IncidentsTable[] = [];
      for (const chunk of chunks([...new Set(numbers)], CHUNK)) rows.push(...(await db.selectFrom('incidents').selectAll().where('number', 'in', chunk).execute()));
      return withCis(rows);
    },

    /** Replaces the CIs of one incident. */
    async setCis(incidentId: string, ciIds: string[]): Promise<void> {
      await setCisMany(new Map([[incidentId, ciIds]]));
    },

    /**
     * Newest opened first (then id descending), or in `f.sort`'s order paged by (sort value, number), narrowed
     * by the filter, `limit` at most.
     */
    async list(f: IncidentFilter): Promise<ListedIncident[]> {
      let q = db.selectFrom('incidents').selectAll().limit(f.limit);
      const sort = f.sort;
      if (sort) {
        q = orderByKeyset(q, sql.ref(`incidents.${SORT_COLUMNS[sort.column]}`), sql.ref('incidents.number'), sort, true);
      } else {
        q = q.orderBy('opened_at', 'desc').orderBy('id', 'desc');
        if (f.after) {
          const { openedAt, id } = f.after;
          q = q.where((eb) => eb.or([eb('opened_at', '<', openedAt), eb.and([eb('opened_at', '=', openedAt), eb('id', '<', id)])]));
        }
      }
      if (f.states?.length) q = q.where('state', 'in', f.states);
      if (f.priorities?.length) q = q.where('priority', 'in', f.priorities);
      if (f.ciId) q = q.where('id', 'in', db.selectFrom('incident_cis').select('incident_id').where('ci_id', '=', f.ciId));
      if (f.serviceId) q = q.where('service_id', '=', f.serviceId);
      if (f.causedByChangeId) q = q.where('caused_by_change_id', '=', f.causedByChangeId);
      if (f.openedFrom) q = q.where('opened_at', '>=', f.openedFrom);
      if (f.openedTo) q = q.where('opened_at', '<', f.openedTo);
      if (f.q) {
        const needle = f.q;
        q = q.where((eb) => eb.or([h.containsInsensitive('number', needle), h.containsInsensitive('title', needle), h.containsInsensitive('description', needle)]));
      }
      const rows = await q.execute();
      const records = await withCis(rows);
      return records.map((r, i) => ({ ...r, sortValue: sort ? keysetValueOf(rows[i]![SORT_COLUMNS[sort.column]]) : null }));
    },

    /**
     * How many distinct incidents opened at or after `since` are linked to any of the CIs, leaving out those
     * caused by `excludeCausedBy` (a change's own incidents should not raise its risk). 0 for no CIs.
     */
    /** The CIs of the incidents opened in [from, to). */
    async ciIdsOpenedBetween(from: string, to: string): Promise<string[]> {
      const rows = await db.selectFrom('incident_cis').innerJoin('incidents', 'incidents.id', 'incident_cis.incident_id').select('incident_cis.ci_id').distinct().where('incidents.opened_at', '>=', from).where('incidents.opened_at', '<', to).execute();
      return rows.map((r) => r.ci_id);
    },
    async countOnCisSince(ciIds: string[], since: string, excludeCausedBy?: string): Promise<number> {
      const unique = [...new Set(ciIds)];
      if (unique.length === 0) return 0;
      const fromWhere = (chunk: string[]) => incidentsOnCisFrom(chunk, since, excludeCausedBy);
      if (unique.length <= INCIDENT_CI_CHUNK) {
        const { rows } = await incidentsOnCisStatement(unique, since, excludeCausedBy).execute(db);
        return Number(rows[0]!.n);
      }
      // NOTE: across chunks one incident can be found twice, so the distinct ids are gathered here.
      const found = new Set<string>();
      for (const chunk of chunks(unique, INCIDENT_CI_CHUNK)) for (const r of (await sql<{ incident_id: string }>`select distinct ic.incident_id ${fromWhere(chunk)}`.execute(db)).rows) found.add(r.incident_id);
      return found.size;
    },
  };
}
export type IncidentRepository = ReturnType<typeof createIncidentRepository>;
