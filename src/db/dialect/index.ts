import { PostgresAdapter, type Kysely } from 'kysely';
import type { DialectHelpers } from './dialect';
import { postgresHelpers } from './postgres';
import { sqliteHelpers } from './sqlite';

export type { DialectHelpers } from './dialect';

/** The helpers for the engine behind `db`, found from its adapter (used by migrations). */
export function helpersFor(db: Kysely<unknown>): DialectHelpers {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresHelpers : sqliteHelpers;
}
