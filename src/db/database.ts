import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, type Transaction } from 'kysely';
import type { DialectHelpers } from './dialect';
import { translateDbError } from './dialect/errors';
import { createPostgresDialect, postgresHelpers } from './dialect/postgres';
import { createSqliteDialect, sqliteHelpers } from './dialect/sqlite';
import { migrationProvider } from './migrations';
import type { DB } from './schema';
import { createRepositories, type Repositories } from './repositories';

/**
 * The storage port the services use: read through `repos`, write inside `transaction`. Driver errors are
 * translated into domain errors here, once.
 */
export interface Store {
  readonly dialect: DialectHelpers['name'];
  readonly repos: Repositories;
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
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

export function openStore(url: string, options: { poolSize?: number } = {}): Store {
  const target = parseDatabaseUrl(url);
  if (!target) throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:…")`);
  let kysely: Kysely<DB>;
  let helpers: DialectHelpers;
  if (target.kind === 'sqlite') {
    if (target.location !== ':memory:') mkdirSync(path.dirname(path.resolve(target.location)), { recursive: true });
    kysely = new Kysely<DB>({ dialect: createSqliteDialect(target.location) });
    helpers = sqliteHelpers;
  } else {
    kysely = new Kysely<DB>({ dialect: createPostgresDialect(target.location, options.poolSize).dialect });
    helpers = postgresHelpers;
  }
  const inTransaction = new AsyncLocalStorage<true>();
  const repos = guardOutsideTransaction(createRepositories(kysely, helpers), inTransaction);
  return {
    dialect: helpers.name,
    repos,
    kysely,
    async transaction<T>(work: (r: Repositories) => Promise<T>): Promise<T> {
      try {
        return await kysely.transaction().execute((trx: Transaction<DB>) => inTransaction.run(true, () => work(createRepositories(trx, helpers))));
      } catch (err) {
        throw translateDbError(err);
      }
    },
    async migrate() {
      const migrator = new Migrator({ db: kysely, provider: migrationProvider });
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error;
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    close: () => kysely.destroy(),
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
