import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB } from '../schema';
import { ciScope, closedCountOf, closedCountStatement, teamScope, type ChangeRepository } from './change.repository';
import { INCIDENT_CI_CHUNK, incidentsOnCisStatement, type IncidentRepository } from './incident.repository';
import { memoOf } from './memo';
import { learningOf, learningStatement, type LearningScope, type ReviewRepository } from './review.repository';

/** What a change's risk context asks of the past (risk.service.ts): one question per fact. */
export interface RiskHistoryQuery {
  ciIds: string[];
  teamId: string | null;
  /** Start of the change history (closed changes, reviews' findings). */
  since: string;
  /** Start of the incident history. */
  incidentsSince: string;
  /** The change whose own history does not count ('' for none). */
  excludeId: string;
  learning: LearningScope;
}

export interface RiskHistory {
  team: { changes: number; failed: number };
  ci: { changes: number; failed: number };
  ciIncidents: number;
  learning: { openActions: number; findings: number };
}

const CLOSED_COUNT_COLUMNS = ['n', 'failed'];

/** One fact: the memoized read that answers it alone, and the one-row statement that answers it within others. */
interface Fact<K extends keyof RiskHistory> {
  key: K;
  repo: object;
  read: string;
  args: unknown[];
  /** Asks the repository (from its memo, or alone). */
  alone(): Promise<RiskHistory[K]>;
  /** A statement of one row, or null when the fact is answered without the database. */
  statement: RawBuilder<Record<string, unknown>> | null;
  /** The statement's columns. */
  columns: readonly string[];
  decode(row: Record<string, unknown> | undefined): RiskHistory[K];
}

/**
 * The history facts of a risk context in one round trip. NOTE (speed, issue 10): the context asks four questions
 * of four tables (closed changes on the team and on the CIs, incidents on the CIs, reviews' learning), each of
 * them memoized in a transaction (memo.ts). Asked one by one they cost four round trips to PostgreSQL; here the
 * ones the memo does not hold yet are asked as one statement of one-row subqueries, and their answers are put
 * in the repositories' memos, so they are forgotten exactly as if each had been read alone (a write through a
 * repository forgets its memo). A fact answered without the database, or one alone, is asked the usual way.
 */
export function createRiskHistory(db: Kysely<DB>, h: DialectHelpers, repos: { changes: ChangeRepository; incidents: IncidentRepository; reviews: ReviewRepository }) {
  return {
    async of(q: RiskHistoryQuery): Promise<RiskHistory> {
      const ciArgs = [q.ciIds, q.since, q.excludeId];
      const teamArgs = [q.teamId, q.since, q.excludeId];
      const incidentArgs = [q.ciIds, q.incidentsSince];
      const learningArgs = [q.learning, q.since];
      const distinctCis = new Set(q.ciIds).size;
      const facts = [
        {
          key: 'team',
          repo: repos.changes,
          read: 'teamHistory',
          args: teamArgs,
          alone: async () => (q.teamId ? repos.changes.teamHistory(q.teamId, q.since, q.excludeId) : { changes: 0, failed: 0 }),
          statement: q.teamId ? closedCountStatement(q.since, q.excludeId, teamScope(q.teamId)) : null,
          columns: CLOSED_COUNT_COLUMNS,
          decode: closedCountOf,
        } satisfies Fact<'team'>,
        {
          key: 'ci',
          repo: repos.changes,
          read: 'ciHistory',
          args: ciArgs,
          alone: () => repos.changes.ciHistory(q.ciIds, q.since, q.excludeId),
          statement: q.ciIds.length > 0 ? closedCountStatement(q.since, q.excludeId, ciScope(q.ciIds)) : null,
          columns: CLOSED_COUNT_COLUMNS,
          decode: closedCountOf,
        } satisfies Fact<'ci'>,
        {
          key: 'ciIncidents',
          repo: repos.incidents,
          read: 'countOnCisSince',
          args: incidentArgs,
          alone: () => repos.incidents.countOnCisSince(q.ciIds, q.incidentsSince),
          statement: distinctCis > 0 && distinctCis <= INCIDENT_CI_CHUNK ? incidentsOnCisStatement([...new Set(q.ciIds)], q.incidentsSince) : null,
          columns: ['n'],
          decode: (row) => Number((row as { n?: number | string } | undefined)?.n ?? 0),
        } satisfies Fact<'ciIncidents'>,
        {
          key: 'learning',
          repo: repos.reviews,
          read: 'learningOn',
          args: learningArgs,
          alone: () => repos.reviews.learningOn(q.learning, q.since),
          statement: sql`${learningStatement(db, h, q.learning, q.since)}`,
          columns: ['open_actions', 'findings'],
          decode: (row) => learningOf(row as Parameters<typeof learningOf>[0]),
        } satisfies Fact<'learning'>,
      ] as Fact<keyof RiskHistory>[];
      const asked = facts.filter((f) => f.statement !== null && memoOf(f.repo)?.has(f.read, f.args) !== true);
      const found = new Map<keyof RiskHistory, unknown>();
      if (asked.length > 1) {
        // `select f0.n as f0_n, … from (…) f0 cross join (…) f1 …`: every subquery is an aggregate of one row.
        const columns = asked.flatMap((f, i) => f.columns.map((c) => sql.raw(`f${i}.${c} as f${i}_${c}`)));
        const tables = asked.map((f, i) => sql`(${f.statement!}) ${sql.raw(`f${i}`)}`);
        const { rows } = await sql<Record<string, unknown>>`select ${sql.join(columns)} from ${sql.join(tables, sql` cross join `)}`.execute(db);
        asked.forEach((f, i) => {
          const row = Object.fromEntries(f.columns.map((c) => [c, rows[0]?.[`f${i}_${c}`]]));
          memoOf(f.repo)?.prime(f.read, f.args, f.decode(row));
          found.set(f.key, f.decode(row));
        });
      }
      const out: Partial<Record<keyof RiskHistory, unknown>> = {};
      for (const f of facts) out[f.key] = found.has(f.key) ? found.get(f.key) : await f.alone();
      return out as RiskHistory;
    },
  };
}
export type RiskHistoryReader = ReturnType<typeof createRiskHistory>;
