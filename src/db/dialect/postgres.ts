import { PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DialectHelpers } from './dialect';
import { escapeLike } from './dialect';

const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const INT8 = 20;

/** NOTE: instants come back as ISO strings and bigint counts as numbers, so both engines look alike. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMPTZ || oid === TIMESTAMP) return (v: string) => new Date(oid === TIMESTAMP ? v + 'Z' : v).toISOString();
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export function createPostgresDialect(connectionString: string, poolSize = 10): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max: poolSize, types });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return { dialect: new PostgresDialect({ pool }), pool };
}

export const postgresHelpers: DialectHelpers = {
  name: 'postgres',
  timestampType: 'timestamptz',
  jsonType: 'jsonb',
  containsInsensitive: (column, needle) => sql<boolean>`${sql.ref(column)} ilike ${'%' + escapeLike(needle) + '%'}`,
  jsonArrayContains: (column, value) => sql<boolean>`${sql.ref(column)} @> ${JSON.stringify([value])}::jsonb`,
  readJson: <T>(value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T)),
  readBool: (value) => value === true,
  writeBool: (value) => value,
  writeJson: (value) => JSON.stringify(value),
  readInstant: (value) => (value === null || value === undefined ? null : value instanceof Date ? value.toISOString() : String(value)),
};
