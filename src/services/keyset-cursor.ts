import type { KeysetPosition, KeysetSort } from '../db/repositories/keyset';
import { InputError } from '../domain/errors';

/*
 * The cursors of sorted lists (changes, incidents, CIs, templates): the sort, the last row's sort value and its
 * unique tiebreaker, opaque to clients. The repositories page with them through db/repositories/keyset.ts.
 */

/** `sort=-title` as its column and direction. */
export function sortOf<C extends string>(sort: string): KeysetSort<C> {
  const descending = sort.startsWith('-');
  return { column: (descending ? sort.slice(1) : sort) as C, descending };
}

export const BAD_CURSOR = (): InputError =>
  new InputError('The cursor is not one this list gave out.', [
    { path: 'query.cursor', message: 'pass the nextCursor of the previous page unchanged' },
  ]);

/** The cursor of the page after a row sorted by `sort` with this value and tiebreaker; opaque to clients. */
export function encodeKeysetCursor(sort: string, position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([sort, position.value, position.tie])).toString('base64url');
}

/**
 * Reads a cursor made by `encodeKeysetCursor` for the same `sort`; 400 for anything else. NOTE: a cursor given
 * out for another sort is refused, as it would name a position in another order.
 */
export function decodeKeysetCursor(sort: string, cursor: string, tie: 'number' | 'string'): KeysetPosition {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw BAD_CURSOR();
  }
  if (!Array.isArray(key) || key.length !== 3 || key[0] !== sort) throw BAD_CURSOR();
  const [, value, last] = key as unknown[];
  if (tie === 'number' ? !Number.isSafeInteger(last) : typeof last !== 'string' || last === '') throw BAD_CURSOR();
  if (value !== null && typeof value !== 'string' && typeof value !== 'number') throw BAD_CURSOR();
  return { value, tie: last as string | number };
}

/** Where a page sorted by `sort` starts: at the top, or after the row `cursor` names. */
export function keysetPositionOf<C extends string>(sort: string, cursor: string | undefined, tie: 'number' | 'string'): KeysetSort<C> {
  const order = sortOf<C>(sort);
  return cursor ? { ...order, after: decodeKeysetCursor(sort, cursor, tie) } : order;
}

/**
 * Every page a paged list gives, one after the other, for the CSV exports that stream them: `read` is asked for
 * the first page and then for each next cursor until there is none; empty pages are skipped.
 */
export async function* everyPage<T>(read: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const next = await read(cursor);
    if (next.items.length > 0) yield next.items;
    cursor = next.nextCursor ?? undefined;
  } while (cursor);
}
