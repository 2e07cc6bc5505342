import Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import type { DialectHelpers } from './dialect';
import { escapeLike } from './dialect';

/**
 * NOTE: better-sqlite3 has a single connection and Kysely's default `begin` is DEFERRED: a transaction that
 * reads and then writes can fail at once with SQLITE_BUSY when another process (the CLI beside a running
 * server) holds the write lock, since SQLite refuses to wait on a lock upgrade. `begin immediate` takes the
 * write lock up front, so the busy timeout applies and writers queue instead of failing.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** How many prepared statements one connection keeps: more than the distinct queries Cabinet makes. */
const STATEMENT_CACHE_SIZE = 2000;

/**
 * Keeps the connection's prepared statements by their SQL, so a query Kysely sends again is not compiled again
 * (compiling cost more than running most of a filing's queries). NOTE: safe because Kysely runs each statement
 * to completion (`all` or `run`) before the next on this one connection, and Cabinet streams no query; SQLite
 * prepares a statement again by itself when the schema changes under it.
 */
function withStatementCache(db: Database.Database): Database.Database {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  }) as Database.Database['prepare'];
  return db;
}

/** `opened` receives the connection once Kysely opened it (the store reads its `data_version`, invalidation.ts). */
export function createSqliteDialect(file: string, opened?: (db: Database.Database) => void): SqliteDialect {
  return new ImmediateSqliteDialect({
    database: async () => {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 10000');
      db.pragma('synchronous = NORMAL');
      // A 64 MiB page cache and a larger write-ahead log between checkpoints: a filing touches many pages of
      // the conflict and audit indexes, and checkpointing every 1,000 pages stalled writers (bench/README.md).
      db.pragma('cache_size = -65536');
      db.pragma('wal_autocheckpoint = 10000');
      opened?.(db);
      return withStatementCache(db);
    },
  });
}

export const sqliteHelpers: DialectHelpers = {
  name: 'sqlite',
  timestampType: 'text',
  jsonType: 'text',
  containsInsensitive: (column, needle) =>
    // NOTE: SQLite's LIKE is case-insensitive for ASCII only; good enough for search, documented.
    sql<boolean>`${sql.ref(column)} like ${'%' + escapeLike(needle) + '%'} escape '\\'`,
  jsonArrayContains: (column, value) => sql<boolean>`exists (select 1 from json_each(${sql.ref(column)}) where value = ${value})`,
  writesInCte: false,
  jsonRows: (columns, fromWhere) => sql`(select json_group_array(json_array(${sql.join(columns)})) ${fromWhere})`,
  readJson: <T>(value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T)),
  readBool: (value) => value === 1 || value === true || value === '1',
  writeBool: (value) => (value ? 1 : 0),
  writeJson: (value) => JSON.stringify(value),
  readInstant: (value) => (value === null || value === undefined ? null : String(value)),
  async nextChangeSeq(db) {
    const { rows } = await sql<{ value: number }>`update counters set value = value + 1 where name = 'change' returning value`.execute(db);
    return Number(rows[0]!.value);
  },
  nextChangeSeqLockingSchedule(db) {
    return sqliteHelpers.nextChangeSeq(db);
  },
  async lockSchedule() {},
};
