import type { QueryExecutorProvider, RawBuilder } from 'kysely';

/**
 * Everything that differs between SQLite and PostgreSQL lives behind this object, so repositories never
 * branch on the engine themselves.
 */
export interface DialectHelpers {
  readonly name: 'sqlite' | 'postgres';
  /** Column type for instants (ISO strings in the program on both engines). */
  readonly timestampType: 'text' | 'timestamptz';
  /** Column type for JSON documents. */
  readonly jsonType: 'text' | 'jsonb';
  /** Case-insensitive "contains" match of a column against a plain string (LIKE wildcards escaped). */
  containsInsensitive(column: string, needle: string): RawBuilder<boolean>;
  /** Whether a JSON-array column holds the given string. */
  jsonArrayContains(column: string, value: string): RawBuilder<boolean>;
  /**
   * A JSON array with one array per row that `fromWhere` (a `from … where …` clause, usually correlated to the
   * outer query) selects, holding `columns` in order; `[]` when it selects none. Read it with `readJson`. It
   * fetches a record and its child rows in one round trip (a user with its roles and teams).
   */
  jsonRows(columns: RawBuilder<unknown>[], fromWhere: RawBuilder<unknown>): RawBuilder<unknown>;
  /**
   * Whether a statement may write inside WITH (`with x as (insert …) update …`): PostgreSQL yes, SQLite no. Two
   * writes in one statement save a round trip where round trips cost (PostgreSQL).
   */
  readonly writesInCte: boolean;
  /** Reads a JSON column value as stored by this engine. */
  readJson<T>(value: unknown): T;
  /** Reads a boolean column value. */
  readBool(value: unknown): boolean;
  /** Writes a boolean (NOTE: better-sqlite3 cannot bind JS booleans). */
  writeBool(value: boolean): boolean | number;
  /** Writes a JSON document. */
  writeJson(value: unknown): string;
  /** Reads a timestamp column value into an ISO string (or null). */
  readInstant(value: unknown): string | null;
  /**
   * The next change sequence number, taken inside the caller's transaction. NOTE (concurrency): on
   * PostgreSQL a sequence (migration 0014), which no writer waits on, so filings do not queue on a counter
   * row for the rest of each other's transaction; a filing that rolls back leaves a gap. On SQLite the
   * counter row, since its one writer at a time already serialises them.
   */
  nextChangeSeq(db: QueryExecutorProvider): Promise<number>;
  /** nextChangeSeq, and the schedule's lock taken `shared` in the same round trip (see lockSchedule). */
  nextChangeSeqLockingSchedule(db: QueryExecutorProvider): Promise<number>;
  /**
   * Waits for, and holds until the caller's transaction ends, the schedule's lock (schedule.repository.ts,
   * `lockSchedule`): `shared` for a write to one change, `exclusive` for a write to the windows that every
   * change's window conflicts depend on. PostgreSQL: a transaction-level advisory lock (nothing written,
   * nothing to vacuum); SQLite: nothing to do, its write transactions are one at a time.
   */
  lockSchedule(db: QueryExecutorProvider, mode: 'shared' | 'exclusive'): Promise<void>;
}

export function escapeLike(needle: string): string {
  return needle.replace(/[\\%_]/g, (c) => `\\${c}`);
}
