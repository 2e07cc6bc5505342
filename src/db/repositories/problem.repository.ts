import { sql, type Kysely } from 'kysely';
import type { KnownErrorState, ProblemSortColumn, ProblemState } from '../../contracts/problems';
import type { DialectHelpers } from '../dialect';
import type { DB, KnownErrorsTable, ProblemsTable } from '../schema';
import { keysetValueOf, orderByKeyset, type KeysetSort, type KeysetValue } from './keyset';

/** A problem as stored, with the ids it is linked to. */
export interface ProblemRecord {
  id: string;
  /** `PRB` and seven digits. */
  number: string;
  title: string;
  description: string;
  priority: number;
  state: ProblemState;
  serviceId: string | null;
  ownerId: string | null;
  teamId: string | null;
  rootCause: string;
  resolvedAt: string | null;
  resolvedByChangeId: string | null;
  closedAt: string | null;
  ciIds: string[];
  incidentIds: string[];
  causedByChangeIds: string[];
  fixChangeIds: string[];
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A known error as stored, with its CIs. */
export interface KnownErrorRecord {
  id: string;
  /** `KE` and seven digits. */
  number: string;
  title: string;
  cause: string;
  workaround: string;
  problemId: string | null;
  state: KnownErrorState;
  publishedAt: string | null;
  retiredAt: string | null;
  ciIds: string[];
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A published known error on some of the CIs asked about (the pre-approval check and the change page read it). */
export interface KnownErrorOnCis {
  id: string;
  number: string;
  title: string;
  workaround: string;
  /** The CIs asked about that it is on. */
  ciIds: string[];
}

/** An incident linked to a problem, or a change linked to one, as the problem page shows it. */
export interface LinkedIncidentRow {
  problemId: string;
  id: string;
  number: string;
  title: string;
  state: string;
  priority: number;
}
export interface LinkedChangeRow {
  problemId: string;
  role: 'caused' | 'fix';
  id: string;
  number: string;
  title: string;
  state: string;
  closeCode: string | null;
}

export interface ProblemFilter {
  states?: string[];
  priorities?: number[];
  ciId?: string;
  serviceId?: string;
  teamId?: string;
  ownerId?: string;
  incidentId?: string;
  changeId?: string;
  q?: string;
  /** Keyset: problems strictly after this one in the order newest first, then id descending. */
  after?: { createdAt: string; id: string };
  sort?: KeysetSort<ProblemSortColumn>;
  limit: number;
}
export type ListedProblem = ProblemRecord & { sortValue: KeysetValue };

export interface KnownErrorFilter {
  states?: string[];
  ciId?: string;
  problemId?: string;
  q?: string;
  after?: { createdAt: string; id: string };
  limit: number;
}

/** An incident on a CI that no problem explains yet (suggestions). */
export interface UnexplainedIncidentRow {
  ciId: string;
  id: string;
  number: string;
  title: string;
  priority: number;
  openedAt: string;
}

const SORT_COLUMNS = {
  number: 'number',
  title: 'title',
  priority: 'priority',
  state: 'state',
  createdAt: 'created_at',
  resolvedAt: 'resolved_at',
} as const satisfies Record<ProblemSortColumn, keyof ProblemsTable>;

const CHUNK = 500;
const NUMBER_DIGITS = 7;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Problems, known errors, their links, and the counters behind their numbers. */
export function createProblemRepository(db: Kysely<DB>, h: DialectHelpers) {
  /**
   * Takes the next number of a counter. NOTE: the UPDATE … RETURNING row lock makes concurrent creators queue
   * on PostgreSQL until commit; on SQLite the write transaction already serialises them.
   */
  async function next(counter: string, prefix: string): Promise<string> {
    await db.insertInto('counters').values({ name: counter, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await db.updateTable('counters').set((eb) => ({ value: eb('value', '+', 1) })).where('name', '=', counter).returning('value').executeTakeFirstOrThrow();
    return `${prefix}${String(Number(row.value)).padStart(NUMBER_DIGITS, '0')}`;
  }

  const problemRow = (p: ProblemRecord): ProblemsTable => ({
    id: p.id,
    number: p.number,
    title: p.title,
    description: p.description,
    priority: p.priority,
    state: p.state,
    service_id: p.serviceId,
    owner_id: p.ownerId,
    team_id: p.teamId,
    root_cause: p.rootCause,
    resolved_at: p.resolvedAt,
    resolved_by_change_id: p.resolvedByChangeId,
    closed_at: p.closedAt,
    version: p.version,
    created_by: p.createdBy,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  });
  const knownErrorRow = (k: KnownErrorRecord): KnownErrorsTable => ({
    id: k.id,
    number: k.number,
    title: k.title,
    cause: k.cause,
    workaround: k.workaround,
    problem_id: k.problemId,
    state: k.state,
    published_at: k.publishedAt,
    retired_at: k.retiredAt,
    version: k.version,
    created_by: k.createdBy,
    created_at: k.createdAt,
    updated_at: k.updatedAt,
  });

  async function withProblemLinks(rows: ProblemsTable[]): Promise<ProblemRecord[]> {
    const ids = rows.map((r) => r.id);
    const cis = new Map<string, string[]>();
    const incidents = new Map<string, string[]>();
    const caused = new Map<string, string[]>();
    const fixes = new Map<string, string[]>();
    for (const chunk of chunks(ids, CHUNK)) {
      for (const r of await db.selectFrom('problem_cis').selectAll().where('problem_id', 'in', chunk).orderBy('ci_id').execute()) pushTo(cis, r.problem_id, r.ci_id);
      for (const r of await db.selectFrom('problem_incidents').selectAll().where('problem_id', 'in', chunk).orderBy('incident_id').execute()) pushTo(incidents, r.problem_id, r.incident_id);
      for (const r of await db.selectFrom('problem_changes').selectAll().where('problem_id', 'in', chunk).orderBy('change_id').execute()) {
        pushTo(r.role === 'fix' ? fixes : caused, r.problem_id, r.change_id);
      }
    }
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      title: r.title,
      description: r.description,
      priority: r.priority,
      state: r.state as ProblemState,
      serviceId: r.service_id,
      ownerId: r.owner_id,
      teamId: r.team_id,
      rootCause: r.root_cause,
      resolvedAt: h.readInstant(r.resolved_at),
      resolvedByChangeId: r.resolved_by_change_id,
      closedAt: h.readInstant(r.closed_at),
      ciIds: cis.get(r.id) ?? [],
      incidentIds: incidents.get(r.id) ?? [],
      causedByChangeIds: caused.get(r.id) ?? [],
      fixChangeIds: fixes.get(r.id) ?? [],
      version: r.version,
      createdBy: r.created_by,
      createdAt: h.readInstant(r.created_at)!,
      updatedAt: h.readInstant(r.updated_at)!,
    }));
  }

  async function withKnownErrorCis(rows: KnownErrorsTable[]): Promise<KnownErrorRecord[]> {
    const cis = new Map<string, string[]>();
    for (const chunk of chunks(rows.map((r) => r.id), CHUNK)) {
      for (const r of await db.selectFrom('known_error_cis').selectAll().where('known_error_id', 'in', chunk).orderBy('ci_id').execute()) pushTo(cis, r.known_error_id, r.ci_id);
    }
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      title: r.title,
      cause: r.cause,
      workaround: r.workaround,
      problemId: r.problem_id,
      state: r.state as KnownErrorState,
      publishedAt: h.readInstant(r.published_at),
      retiredAt: h.readInstant(r.retired_at),
      ciIds: cis.get(r.id) ?? [],
      version: r.version,
      createdBy: r.created_by,
      createdAt: h.readInstant(r.created_at)!,
      updatedAt: h.readInstant(r.updated_at)!,
    }));
  }

  /** Replaces every link of a problem (CIs, incidents, causing and fixing changes). */
  async function setProblemLinks(p: ProblemRecord): Promise<void> {
    await db.deleteFrom('problem_cis').where('problem_id', '=', p.id).execute();
    await db.deleteFrom('problem_incidents').where('problem_id', '=', p.id).execute();
    await db.deleteFrom('problem_changes').where('problem_id', '=', p.id).execute();
    const cis = [...new Set(p.ciIds)].map((ciId) => ({ problem_id: p.id, ci_id: ciId }));
    const incidents = [...new Set(p.incidentIds)].map((incidentId) => ({ problem_id: p.id, incident_id: incidentId }));
    const changes = [
      ...[...new Set(p.causedByChangeIds)].map((changeId) => ({ problem_id: p.id, change_id: changeId, role: 'caused' })),
      ...[...new Set(p.fixChangeIds)].map((changeId) => ({ problem_id: p.id, change_id: changeId, role: 'fix' })),
    ];
    for (const chunk of chunks(cis, CHUNK)) await db.insertInto('problem_cis').values(chunk).execute();
    for (const chunk of chunks(incidents, CHUNK)) await db.insertInto('problem_incidents').values(chunk).execute();
    for (const chunk of chunks(changes, CHUNK)) await db.insertInto('problem_changes').values(chunk).execute();
  }

  async function setKnownErrorCis(k: KnownErrorRecord): Promise<void> {
    await db.deleteFrom('known_error_cis').where('known_error_id', '=', k.id).execute();
    const pairs = [...new Set(k.ciIds)].map((ciId) => ({ known_error_id: k.id, ci_id: ciId }));
    for (const chunk of chunks(pairs, CHUNK)) await db.insertInto('known_error_cis').values(chunk).execute();
  }

  return {
    nextProblemNumber: (): Promise<string> => next('problem', 'PRB'),
    nextKnownErrorNumber: (): Promise<string> => next('known_error', 'KE'),

    async insertProblem(p: ProblemRecord): Promise<void> {
      await db.insertInto('problems').values(problemRow(p)).execute();
      await setProblemLinks(p);
    },

    /** Writes `p` (whose version is already bumped) if the stored version is still `expectedVersion`. */
    async updateProblem(p: ProblemRecord, expectedVersion: number): Promise<boolean> {
      const { id, number: _number, created_at: _created, created_by: _by, ...rest } = problemRow(p);
      const res = await db.updateTable('problems').set(rest).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await setProblemLinks(p);
      return true;
    },

    async findProblem(idOrNumber: string): Promise<ProblemRecord | null> {
      const row = await db
        .selectFrom('problems')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrNumber), eb('number', '=', idOrNumber.toUpperCase())]))
        .executeTakeFirst();
      return row ? (await withProblemLinks([row]))[0]! : null;
    },

    /** Newest first (then id descending), or in `f.sort`'s order paged by (sort value, number). */
    async listProblems(f: ProblemFilter): Promise<ListedProblem[]> {
      let q = db.selectFrom('problems').selectAll().limit(f.limit);
      const sort = f.sort;
      if (sort) {
        q = orderByKeyset(q, sql.ref(`problems.${SORT_COLUMNS[sort.column]}`), sql.ref('problems.number'), sort, true);
      } else {
        q = q.orderBy('created_at', 'desc').orderBy('id', 'desc');
        if (f.after) {
          const { createdAt, id } = f.after;
          q = q.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
        }
      }
      if (f.states?.length) q = q.where('state', 'in', f.states);
      if (f.priorities?.length) q = q.where('priority', 'in', f.priorities);
      if (f.ciId) q = q.where('id', 'in', db.selectFrom('problem_cis').select('problem_id').where('ci_id', '=', f.ciId));
      if (f.incidentId) q = q.where('id', 'in', db.selectFrom('problem_incidents').select('problem_id').where('incident_id', '=', f.incidentId));
      if (f.changeId) q = q.where('id', 'in', db.selectFrom('problem_changes').select('problem_id').where('change_id', '=', f.changeId));
      if (f.serviceId) q = q.where('service_id', '=', f.serviceId);
      if (f.teamId) q = q.where('team_id', '=', f.teamId);
      if (f.ownerId) q = q.where('owner_id', '=', f.ownerId);
      if (f.q) {
        const needle = f.q;
        q = q.where((eb) =>
          eb.or([h.containsInsensitive('number', needle), h.containsInsensitive('title', needle), h.containsInsensitive('description', needle), h.containsInsensitive('root_cause', needle)]),
        );
      }
      const rows = await q.execute();
      const records = await withProblemLinks(rows);
      return records.map((r, i) => ({ ...r, sortValue: sort ? keysetValueOf(rows[i]![SORT_COLUMNS[sort.column]]) : null }));
    },

    /** The incidents linked to these problems, with what the problem page shows of them. */
    async linkedIncidents(problemIds: string[]): Promise<LinkedIncidentRow[]> {
      const out: LinkedIncidentRow[] = [];
      for (const chunk of chunks(problemIds, CHUNK)) {
        const rows = await db
          .selectFrom('problem_incidents')
          .innerJoin('incidents', 'incidents.id', 'problem_incidents.incident_id')
          .select(['problem_incidents.problem_id', 'incidents.id', 'incidents.number', 'incidents.title', 'incidents.state', 'incidents.priority'])
          .where('problem_incidents.problem_id', 'in', chunk)
          .orderBy('incidents.number')
          .execute();
        out.push(...rows.map((r) => ({ problemId: r.problem_id, id: r.id, number: r.number, title: r.title, state: r.state, priority: r.priority })));
      }
      return out;
    },

    /** The changes linked to these problems (causing or fixing), with what the problem page shows of them. */
    async linkedChanges(problemIds: string[]): Promise<LinkedChangeRow[]> {
      const out: LinkedChangeRow[] = [];
      for (const chunk of chunks(problemIds, CHUNK)) {
        const rows = await db
          .selectFrom('problem_changes')
          .innerJoin('changes', 'changes.id', 'problem_changes.change_id')
          .select(['problem_changes.problem_id', 'problem_changes.role', 'changes.id', 'changes.number', 'changes.title', 'changes.state', 'changes.close_code'])
          .where('problem_changes.problem_id', 'in', chunk)
          .orderBy('changes.number')
          .execute();
        out.push(
          ...rows.map((r) => ({ problemId: r.problem_id, role: r.role as 'caused' | 'fix', id: r.id, number: r.number, title: r.title, state: r.state, closeCode: r.close_code })),
        );
      }
      return out;
    },

    /** The problems, not yet resolved or closed, that this change is linked to as a fix. */
    async openProblemsFixedBy(changeId: string): Promise<ProblemRecord[]> {
      const rows = await db
        .selectFrom('problems')
        .selectAll()
        .where('id', 'in', db.selectFrom('problem_changes').select('problem_id').where('change_id', '=', changeId).where('role', '=', 'fix'))
        .where('state', 'not in', ['resolved', 'closed'])
        .orderBy('number')
        .execute();
      return withProblemLinks(rows);
    },

    /**
     * Incidents opened at or after `since` on any CI that no problem is linked to, one row per (CI, incident),
     * newest first: what suggestions are counted from.
     */
    async unexplainedIncidentsSince(since: string): Promise<UnexplainedIncidentRow[]> {
      const rows = await db
        .selectFrom('incident_cis')
        .innerJoin('incidents', 'incidents.id', 'incident_cis.incident_id')
        .select(['incident_cis.ci_id', 'incidents.id', 'incidents.number', 'incidents.title', 'incidents.priority', 'incidents.opened_at'])
        .where('incidents.opened_at', '>=', since)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('problem_incidents').select('problem_incidents.problem_id').whereRef('problem_incidents.incident_id', '=', 'incidents.id'))))
        .orderBy('incidents.opened_at', 'desc')
        .orderBy('incidents.number', 'desc')
        .execute();
      return rows.map((r) => ({ ciId: r.ci_id, id: r.id, number: r.number, title: r.title, priority: r.priority, openedAt: h.readInstant(r.opened_at)! }));
    },

    async insertKnownError(k: KnownErrorRecord): Promise<void> {
      await db.insertInto('known_errors').values(knownErrorRow(k)).execute();
      await setKnownErrorCis(k);
    },

    async updateKnownError(k: KnownErrorRecord, expectedVersion: number): Promise<boolean> {
      const { id, number: _number, created_at: _created, created_by: _by, ...rest } = knownErrorRow(k);
      const res = await db.updateTable('known_errors').set(rest).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await setKnownErrorCis(k);
      return true;
    },

    async findKnownError(idOrNumber: string): Promise<KnownErrorRecord | null> {
      const row = await db
        .selectFrom('known_errors')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrNumber), eb('number', '=', idOrNumber.toUpperCase())]))
        .executeTakeFirst();
      return row ? (await withKnownErrorCis([row]))[0]! : null;
    },

    /** Newest first, then id descending, narrowed by the filter, `limit` at most. */
    async listKnownErrors(f: KnownErrorFilter): Promise<KnownErrorRecord[]> {
      let q = db.selectFrom('known_errors').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit);
      if (f.after) {
        const { createdAt, id } = f.after;
        q = q.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
      }
      if (f.states?.length) q = q.where('state', 'in', f.states);
      if (f.problemId) q = q.where('problem_id', '=', f.problemId);
      if (f.ciId) q = q.where('id', 'in', db.selectFrom('known_error_cis').select('known_error_id').where('ci_id', '=', f.ciId));
      if (f.q) {
        const needle = f.q;
        q = q.where((eb) =>
          eb.or([h.containsInsensitive('number', needle), h.containsInsensitive('title', needle), h.containsInsensitive('cause', needle), h.containsInsensitive('workaround', needle)]),
        );
      }
      return withKnownErrorCis(await q.execute());
    },

    /** The known errors of these problems (any state), oldest number first. */
    async knownErrorsOfProblems(problemIds: string[]): Promise<KnownErrorRecord[]> {
      const rows: KnownErrorsTable[] = [];
      for (const chunk of chunks(problemIds, CHUNK)) rows.push(...(await db.selectFrom('known_errors').selectAll().where('problem_id', 'in', chunk).orderBy('number').execute()));
      return withKnownErrorCis(rows);
    },

    /**
     * The published known errors (not drafts, not retired) on any of these CIs, oldest number first, each with
     * the asked-about CIs it is on. Empty for no CIs.
     */
    async knownErrorsOnCis(ciIds: readonly string[]): Promise<KnownErrorOnCis[]> {
      const unique = [...new Set(ciIds)];
      if (unique.length === 0) return [];
      const found = new Map<string, KnownErrorOnCis>();
      for (const chunk of chunks(unique, CHUNK)) {
        const rows = await db
          .selectFrom('known_error_cis')
          .innerJoin('known_errors', 'known_errors.id', 'known_error_cis.known_error_id')
          .select(['known_errors.id', 'known_errors.number', 'known_errors.title', 'known_errors.workaround', 'known_error_cis.ci_id'])
          .where('known_error_cis.ci_id', 'in', chunk)
          .where('known_errors.state', '=', 'published')
          .execute();
        for (const r of rows) {
          const entry = found.get(r.id) ?? { id: r.id, number: r.number, title: r.title, workaround: r.workaround, ciIds: [] };
          entry.ciIds.push(r.ci_id);
          found.set(r.id, entry);
        }
      }
      return [...found.values()].map((k) => ({ ...k, ciIds: [...new Set(k.ciIds)].sort() })).sort((a, b) => a.number.localeCompare(b.number));
    },
  };
}
export type ProblemRepository = ReturnType<typeof createProblemRepository>;
