import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';

/** A value a list is sorted by, as a cursor holds it (instants as ISO strings). */
export type KeysetValue = string | number | null;

/** The position after which a page starts: the last row's sort value and its unique tiebreaker. */
export interface KeysetPosition {
  value: KeysetValue;
  tie: string | number;
}

/** A list's order: a field, its direction, and where the page starts. */
export interface KeysetSort<C extends string> {
  column: C;
  descending: boolean;
  after?: KeysetPosition;
}

/**
 * Orders `q` by `value` in `sort`'s direction, then by the unique `tie` (`tieDescending`), and starts it after
 * `sort.after`. NOTE: rows without a value come last in both directions (SQLite sorts nulls first and
 * PostgreSQL last unless told, hence the explicit `case`), so a keyset of (value, tie) names one position on
 * both engines.
 */
export function orderByKeyset<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  value: Expression<unknown>,
  tie: Expression<unknown>,
  sort: { descending: boolean; after?: KeysetPosition },
  tieDescending: boolean,
): SelectQueryBuilder<DB, TB, O> {
  let out = q
    .orderBy(sql`case when ${value} is null then 1 else 0 end`)
    .orderBy(value, sort.descending ? 'desc' : 'asc')
    .orderBy(tie, tieDescending ? 'desc' : 'asc');
  const after = sort.after;
  if (after) {
    const tieOp = sql.raw(tieDescending ? '<' : '>');
    if (after.value === null) {
      out = out.where(sql<SqlBool>`(${value} is null and ${tie} ${tieOp} ${after.tie})`);
    } else {
      const op = sql.raw(sort.descending ? '<' : '>');
      out = out.where(
        sql<SqlBool>`(${value} is null or ${value} ${op} ${after.value} or (${value} = ${after.value} and ${tie} ${tieOp} ${after.tie}))`,
      );
    }
  }
  return out;
}

/** A sort value as read from either engine, as a cursor holds it. */
export function keysetValueOf(raw: unknown): KeysetValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number' || typeof raw === 'bigint') return Number(raw);
  // Instants as the program writes them (PostgreSQL's are read back as ISO strings already: dialect).
  if (raw instanceof Date) return raw.toISOString();
  return String(raw);
}
