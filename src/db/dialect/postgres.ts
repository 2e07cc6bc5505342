import { PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DialectHelpers } from './dialect';
import { escapeLike } from './dialect';

/** The advisory lock of schedule recomputations; any fixed number other than the startup lock's (database.ts). */
const SCHEDULE_LOCK_KEY = '4858414338';

const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const INT8 = 20;

/** `2026-11-23 04:00:00.123456+01:30`: PostgreSQL's text form of an instant (the offset is absent for `timestamp`). */
const PG_INSTANT = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/;

/**
 * The ISO string of a timestamp in PostgreSQL's text form; a value without an offset is UTC. NOTE: read by
 * hand because `new Date()` takes its slow, lenient path for this form, and a conflict check reads hundreds.
 * Anything else (BC years, infinity) goes through `new Date()` as before.
 */
export function pgInstantToIso(v: string): string {
  // The usual case, a UTC session: `2026-11-23 04:00:00[.ffffff]+00` is rearranged, not parsed.
  if (v.length >= 22 && v.endsWith('+00') && v.charCodeAt(10) === 32 && (v.length === 22 || v.charCodeAt(19) === 46)) {
    const fraction = v.length === 22 ? '.000' : (v.slice(19, -3) + '000').slice(0, 4);
    return `${v.slice(0, 10)}T${v.slice(11, 19)}${fraction}Z`;
  }
  const m = PG_INSTANT.exec(v);
  if (!m) return new Date(/[+-]\d\d(:?\d\d)*$/.test(v) ? v : v + 'Z').toISOString();
  const local = new Date(0);
  // setUTCFullYear, unlike Date.UTC, reads years 0 to 99 as themselves.
  local.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  local.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)));
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000 : 0;
  return new Date(local.getTime() - offset).toISOString();
}

/** NOTE: instants come back as ISO strings and bigint counts as numbers, so both engines look alike. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMPTZ || oid === TIMESTAMP) return pgInstantToIso;
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** How many statements one connection keeps prepared; statements new to it after that run unprepared. */
const PREPARED_PER_CONNECTION = 1000;
/** Statements worth preparing: one query that reads or writes rows (never `begin`, DDL or a script). */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/**
 * A transaction's start: one round trip that also lets its prepared statements reuse their plans (see
 * withPreparedStatements). Simple-query protocol (no parameters), so the two statements travel together.
 */
const BEGIN_REUSING_PLANS = 'begin; set local plan_cache_mode = auto';
/** PostgreSQL's "cached plan must not change result type": a table changed under a prepared `select *`. */
const RESULT_TYPE_CHANGED = '0A000';

/**
 * Runs a connection's queries as named prepared statements, each SQL text parsed once per connection.
 * NOTE (speed): a filing's two dozen small queries each cost PostgreSQL a parse and a describe, and the
 * client their messages; prepared, a query is a bind and an execute (bench/README.md). Outside transactions
 * (reads: lists, the calendar, the next free slot) every execution is planned for its values
 * (`plan_cache_mode = force_custom_plan`, set on the pool), so a prepared read is planned exactly as the same
 * query sent unprepared: a plan made once for a range of dates can be a thousand times slower for another.
 * Inside a transaction (writes: a filing's two dozen small statements) PostgreSQL's own rule applies
 * (`auto`): the first five executions are planned for their values, then a plan made once is reused while its
 * estimated cost is no worse. NOTE (speed, issue 10): planning cost PostgreSQL more than executing a filing's
 * statements (the risk history: 1.4 ms planned each time, 0.5 ms reused); the database's work per filing fell
 * from 6.3 to 4.0 ms. The next free slot's search, planned once, went from 30 ms to 1.2 s: hence reads keep
 * planning each time. When another process's migration changes a table
 * under a prepared `select *`, PostgreSQL refuses it once (that query fails); the connection then forgets
 * its statements and prepares them again under new names.
 */
function withPreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let names = new Map<string, string>();
  let generation = 0;
  client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
    if (text === 'begin') return query(BEGIN_REUSING_PLANS, values, callback);
    if (typeof text !== 'string' || callback !== undefined || !PREPARABLE.test(text) || text.includes(';')) return query(text, values, callback);
    let name = names.get(text);
    if (name === undefined && names.size < PREPARED_PER_CONNECTION) {
      name = `cabinet_${generation}_${names.size}`;
      names.set(text, name);
    }
    if (name === undefined) return query(text, values);
    return query({ name, text, values: Array.isArray(values) ? values : [] }).catch((err: unknown) => {
      if ((err as { code?: string }).code === RESULT_TYPE_CHANGED) {
        names = new Map();
        generation++;
      }
      throw err;
    });
  }) as typeof client.query;
}

/**
 * `preparedStatements: false` for a connection pooler that hands a session's statements to other sessions
 * (PgBouncer's transaction mode before 1.21): every query is then sent unprepared.
 */
export function createPostgresDialect(connectionString: string, options: { poolSize?: number; preparedStatements?: boolean } = {}): { dialect: PostgresDialect; pool: pg.Pool } {
  const prepared = options.preparedStatements ?? true;
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10, types, ...(prepared ? { options: '-c plan_cache_mode=force_custom_plan' } : {}) });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  if (prepared) pool.on('connect', withPreparedStatements);
  return { dialect: new PostgresDialect({ pool }), pool };
}

export const postgresHelpers: DialectHelpers = {
  name: 'postgres',
  timestampType: 'timestamptz',
  jsonType: 'jsonb',
  containsInsensitive: (column, needle) => sql<boolean>`${sql.ref(column)} ilike ${'%' + escapeLike(needle) + '%'}`,
  jsonArrayContains: (column, value) => sql<boolean>`${sql.ref(column)} @> ${JSON.stringify([value])}::jsonb`,
  writesInCte: true,
  jsonRows: (columns, fromWhere) => sql`coalesce((select json_agg(json_build_array(${sql.join(columns)})) ${fromWhere}), '[]'::json)`,
  readJson: <T>(value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T)),
  readBool: (value) => value === true,
  writeBool: (value) => value,
  writeJson: (value) => JSON.stringify(value),
  readInstant: (value) => (value === null || value === undefined ? null : value instanceof Date ? value.toISOString() : String(value)),
  async nextChangeSeq(db) {
    const { rows } = await sql<{ value: string | number }>`select nextval('change_seq') as value`.execute(db);
    return Number(rows[0]!.value);
  },
  async nextChangeSeqLockingSchedule(db) {
    // NOTE: the lock first (a select list is evaluated in order), the sequence then.
    const { rows } = await sql<{ value: string | number }>`select pg_advisory_xact_lock_shared(${SCHEDULE_LOCK_KEY}) as locked, nextval('change_seq') as value`.execute(db);
    return Number(rows[0]!.value);
  },
  async lockSchedule(db, mode) {
    if (mode === 'shared') await sql`select pg_advisory_xact_lock_shared(${SCHEDULE_LOCK_KEY})`.execute(db);
    else await sql`select pg_advisory_xact_lock(${SCHEDULE_LOCK_KEY})`.execute(db);
  },
};
