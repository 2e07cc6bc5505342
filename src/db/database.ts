import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, type Transaction } from 'kysely';
import pg from 'pg';
import type { DialectHelpers } from './dialect';
import { translateDbError } from './dialect/errors';
import { createPostgresDialect, postgresHelpers } from './dialect/postgres';
import { createSqliteDialect, sqliteHelpers } from './dialect/sqlite';
import { GATE_CHANNEL, GATE_TABLES, postgresFreshness, securityWrites, sqliteFreshness, type SecurityFreshness } from './invalidation';
import { migrationProvider } from './migrations';
import type { DB } from './schema';
import { createRepositories, type Repositories, type SharedCaches } from './repositories';
import { StampedCache } from '../domain/stamped-cache';
import type { NewAuditEvent } from './repositories/audit.repository';
import { createGroupCommit, writeTracker, type GroupOutcome } from './group-commit';
import { AppError } from '../domain/errors';

type Work<T> = (repos: Repositories) => Promise<T>;
/**
 * Group commit: groups at once on PostgreSQL, and members per group. NOTE (speed): one group at a time made the
 * largest groups and cost the least CPU per filing (server and PostgreSQL together: 13.6 ms alone, 12.0 with three
 * groups at once, 10.7 with one), but its filings then wait on each other's round trips: over HTTP at 10
 * connections one group at a time filed a quarter fewer changes a second than three (bench/README.md).
 */
const GROUPS_IN_FLIGHT_PG = 3;
const MAX_GROUP = 16;

/**
 * The storage port the services use: read through `repos`, write inside `transaction`. Driver errors are
 * translated into domain errors here, once.
 */
export interface Store {
  readonly dialect: DialectHelpers['name'];
  readonly repos: Repositories;
  /**
   * Runs `work` in one transaction with repositories bound to it. The audit events it records are buffered
   * and appended to the chain in one step after `work` returns, just before the commit (docs/audit.md).
   * `group`: the work may share its transaction with others arriving at the same time (group-commit.ts); it
   * must then touch nothing but the repositories it is given, as it may run twice.
   */
  transaction<T>(work: (repos: Repositories) => Promise<T>, opts?: { group?: boolean }): Promise<T>;
  /** Applies pending migrations; takes the startup lock unless the caller says it holds it (`lockHeld`). */
  migrate(opts?: { lockHeld?: boolean }): Promise<string[]>;
  /**
   * Runs `work` while no other process using this database runs its own: migrations and first-start
   * bootstrapping (policy, teams, first admin), so processes started together do each exactly once.
   */
  withStartupLock<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Whether answers about people, tokens, sessions and the active policy remembered in this process are still
   * current (invalidation.ts). Every write to those tables through this store keeps it up to date.
   */
  readonly freshness: SecurityFreshness;
  /**
   * The same for the deployment gate's remembered decisions (services/gate.service.ts): a write to a table a
   * decision reads (invalidation.ts, GATE_TABLES) by any process makes them stale.
   */
  readonly decisions: SecurityFreshness;
  /** Group commit's counters (null when it is off): transactions run for grouped work, how many were shared. */
  groupCommitStats(): { transactions: number; shared: number; members: number } | null;
  /** The raw Kysely handle, for benchmarks and tests that check storage directly. */
  readonly kysely: Kysely<DB>;
}

export interface DatabaseTarget {
  kind: 'sqlite' | 'postgres';
  /** File path for SQLite, connection string for PostgreSQL. */
  location: string;
}

/** Parses `sqlite:./data/cabinet.db`, `sqlite::memory:` or `postgres://…` / `postgresql://…`. */
export function parseDatabaseUrl(url: string): DatabaseTarget | null {
  if (url.startsWith('sqlite:')) {
    const location = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return location ? { kind: 'sqlite', location } : null;
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', location: url };
  return null;
}

/**
 * `checkTransactions`: a call on `store.repos` from inside a transaction throws instead of reading outside it
 * (on SQLite, waiting on the transaction itself for ever). A development aid, on in the tests: NOTE (speed)
 * it tracks every promise (AsyncLocalStorage), which costs the server about a tenth of its CPU.
 * `preparedStatements` (PostgreSQL, on unless false): see `createPostgresDialect`; off, the process also remembers
 * no security answers (invalidation.ts).
 */
export function openStore(
  url: string,
  options: { poolSize?: number; checkTransactions?: boolean; preparedStatements?: boolean; groupCommit?: boolean } = {},
): Store {
  const target = parseDatabaseUrl(url);
  if (!target) throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:…")`);
  let kysely: Kysely<DB>;
  let helpers: DialectHelpers;
  let freshness: SecurityFreshness;
  let decisions: SecurityFreshness;
  if (target.kind === 'sqlite') {
    if (target.location !== ':memory:') mkdirSync(path.dirname(path.resolve(target.location)), { recursive: true });
    let connection: SqliteDatabase.Database | null = null;
    kysely = new Kysely<DB>({ dialect: createSqliteDialect(target.location, (db) => (connection = db)) });
    helpers = sqliteHelpers;
    freshness = sqliteFreshness(() => connection);
    decisions = sqliteFreshness(() => connection);
  } else {
    kysely = new Kysely<DB>({ dialect: createPostgresDialect(target.location, { poolSize: options.poolSize, preparedStatements: options.preparedStatements }).dialect });
    helpers = postgresHelpers;
    // NOTE (security): a pooler that hands sessions around (the reason to turn prepared statements off) would
    // not carry LISTEN's notifications to this session, so nothing is remembered behind one.
    freshness = postgresFreshness(target.location, { remember: options.preparedStatements ?? true });
    decisions = postgresFreshness(target.location, { remember: options.preparedStatements ?? true, channel: GATE_CHANNEL });
  }
  // NOTE (security): every write to a security table through this store, in a transaction or not, makes this
  // process forget what it remembered (invalidation.ts); a transaction also tells the others (below).
  kysely = kysely.withPlugin(securityWrites(() => freshness.changed()));
  kysely = kysely.withPlugin(securityWrites(() => decisions.changed(), GATE_TABLES));
  const inTransaction = options.checkTransactions ? new AsyncLocalStorage<true>() : null;
  const plainRepos = createRepositories(kysely, helpers);
  const repos = inTransaction ? guardOutsideTransaction(plainRepos, inTransaction) : plainRepos;
  const withStartupLock: StartupLock = target.kind === 'postgres' ? postgresStartupLock(target.location) : sqliteStartupLock(target.location);
  const migrateToLatest = async () => {
    const migrator = new Migrator({ db: kysely, provider: migrationProvider });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error;
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
  // Reads of the tables behind authorization, remembered across transactions while nobody wrote them (issue 10:
  // every filing reads the teams and its requester). NOTE (security): the same freshness as the sign-in caches:
  // a request settles it first, so an answer is at least as new as the request (docs/operations.md).
  const securityReads = new StampedCache<unknown>(freshness);
  const sharedCaches = (wroteSecurity: () => boolean): SharedCaches => ({ security: { cache: securityReads, stamp: () => freshness.current(), tainted: wroteSecurity } });
  /** One transaction: the work, then its audit events appended in one step, then the commit. */
  async function alone<T>(work: Work<T>): Promise<T> {
    try {
      let wroteSecurity = false;
      let wroteGate = false;
      const watch = securityWrites(() => (wroteSecurity = true));
      const watchGate = securityWrites(() => (wroteGate = true), GATE_TABLES);
      const run = async (trx: Transaction<DB>) => {
        const repos = createRepositories(trx.withPlugin(watch).withPlugin(watchGate), helpers, { memo: true, shared: sharedCaches(() => wroteSecurity) });
        const result = await work(repos);
        // NOTE: the audit events the work recorded are appended last, just before the commit: the chain's
        // head row stays locked only for this append and the commit, not for the whole transaction.
        await repos.audit.flush();
        // NOTE (security): other processes hear of a security write exactly when it commits: on PostgreSQL
        // the tables' triggers send NOTIFY cabinet_security (migration 0026, whoever writes), on SQLite the
        // other connections see `data_version` move. This process forgets at once (below).
        return result;
      };
      try {
        return await kysely.transaction().execute((trx: Transaction<DB>) => (inTransaction ? inTransaction.run(true, () => run(trx)) : run(trx)));
      } finally {
        if (wroteSecurity) freshness.changed();
        if (wroteGate) decisions.changed();
      }
    } catch (err) {
      throw translateDbError(err);
    }
  }

  /**
   * Several works in one transaction, one after the other; their audit events are appended together, in their
   * order, before the one commit (group-commit.ts).
   */
  async function together(works: readonly Work<unknown>[]): Promise<GroupOutcome<unknown>[]> {
    let wroteSecurity = false;
    let wroteGate = false;
    const watch = securityWrites(() => (wroteSecurity = true));
    const watchGate = securityWrites(() => (wroteGate = true), GATE_TABLES);
    const run = async (trx: Transaction<DB>) => {
      const outcomes: GroupOutcome<unknown>[] = [];
      // One set of repositories for the group, so its memo answers a read the members repeat (the same CIs,
      // teams, requester, windows) once, under the memo's rule: a write through a repository forgets its memo.
      let wrote: boolean;
      const repos = createRepositories(trx.withPlugin(watch).withPlugin(watchGate).withPlugin(writeTracker(() => (wrote = true))), helpers, {
        memo: true,
        shared: sharedCaches(() => wroteSecurity),
      });
      const events: NewAuditEvent[] = [];
      for (const work of works) {
        wrote = false;
        try {
          outcomes.push({ ok: true, value: await work(repos) });
          events.push(...repos.audit.takePending());
        } catch (err) {
          // Refused by reading alone: nothing of it to undo but its events, the others go on. Anything else:
          // all again, alone.
          if (wrote || !(err instanceof AppError)) throw err;
          repos.audit.takePending();
          outcomes.push({ ok: false, error: err });
        }
      }
      await repos.audit.flush(events);
      return outcomes;
    };
    try {
      return await kysely.transaction().execute((trx: Transaction<DB>) => (inTransaction ? inTransaction.run(true, () => run(trx)) : run(trx)));
    } finally {
      if (wroteSecurity) freshness.changed();
      if (wroteGate) decisions.changed();
    }
  }

  const grouped =
    options.groupCommit === false
      ? null
      : createGroupCommit<Work<unknown>>({ maxInFlight: target.kind === 'sqlite' ? 1 : GROUPS_IN_FLIGHT_PG, maxGroup: MAX_GROUP, gather: target.kind === 'sqlite', alone, together });

  return {
    dialect: helpers.name,
    repos,
    kysely,
    freshness,
    decisions,
    transaction<T>(work: (r: Repositories) => Promise<T>, opts: { group?: boolean } = {}): Promise<T> {
      return opts.group && grouped ? grouped.submit<T>(work) : alone(work);
    },
    groupCommitStats: () => grouped?.stats() ?? null,
    migrate: (opts = {}) => (opts.lockHeld ? migrateToLatest() : withStartupLock(migrateToLatest)),
    withStartupLock,
    async close() {
      await freshness.close();
      await decisions.close();
      await kysely.destroy();
    },
  };
}

type StartupLock = <T>(work: () => Promise<T>) => Promise<T>;

/** Any fixed number will do: advisory locks are per database, and this one means "Cabinet is starting". */
const STARTUP_LOCK_KEY = '4858414337';

/**
 * NOTE (concurrency): a session-level advisory lock on a connection of its own, outside the pool, so
 * the work inside can use every pooled connection (Kysely's own migration lock does not cover its
 * `create table if not exists` of the bookkeeping tables, nor our bootstrap). If the process dies, its
 * connection closes and PostgreSQL releases the lock.
 */
function postgresStartupLock(connectionString: string): StartupLock {
  return async (work) => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
      try {
        return await work();
      } finally {
        await client.query('select pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]).catch(() => {});
      }
    } finally {
      await client.end().catch(() => {});
    }
  };
}

const SQLITE_LOCK_WAIT_MS = 5 * 60_000;

/**
 * NOTE (concurrency): SQLite has no advisory locks, and the database's own write lock cannot be held
 * across the many transactions of a migration and a bootstrap on the one connection. So a second, empty
 * SQLite file beside the database (`cabinet.db.startup-lock`) serves as the mutex: whoever holds its
 * `begin immediate` write lock starts; the others poll. The operating system drops the lock with the
 * process, so a crash leaves no stale lock behind.
 */
function sqliteStartupLock(location: string): StartupLock {
  if (location === ':memory:') return (work) => work();
  return async (work) => {
    const lockDb = new SqliteDatabase(`${path.resolve(location)}.startup-lock`);
    try {
      lockDb.pragma('busy_timeout = 0');
      const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
      for (;;) {
        try {
          lockDb.exec('begin immediate');
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
        }
      }
      try {
        return await work();
      } finally {
        lockDb.exec('rollback');
      }
    } finally {
      lockDb.close();
    }
  };
}

/**
 * NOTE: SQLite has a single connection. A read through the store's own repositories from inside a
 * transaction would wait for that transaction forever; on PostgreSQL it would silently read outside it.
 * Either is a programming error, so it fails loudly instead.
 */
function guardOutsideTransaction(repos: Repositories, inTransaction: AsyncLocalStorage<true>): Repositories {
  const guarded: Record<string, unknown> = {};
  for (const [group, methods] of Object.entries(repos)) {
    guarded[group] = Object.fromEntries(
      Object.entries(methods as Record<string, (...args: unknown[]) => unknown>).map(([name, fn]) => [
        name,
        (...args: unknown[]) => {
          if (inTransaction.getStore()) throw new Error(`store.repos.${group}.${name} was called inside a transaction; use the transaction's repositories`);
          return fn(...args);
        },
      ]),
    );
  }
  return guarded as Repositories;
}
