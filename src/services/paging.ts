import { InputError } from '../domain/errors';

/** The cursor of a list ordered by name, then id: the last item's pair. */
export function encodeNameCursor(item: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([item.name, item.id])).toString('base64url');
}

/** The pair a name cursor holds; a cursor this list did not give out is a 400. */
export function decodeNameCursor(cursor: string): [string, string] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(key) && key.length === 2 && key.every((k) => typeof k === 'string')) return key as [string, string];
  } catch {
    // refused below
  }
  throw new InputError('The cursor is not one this list gave out.', [{ path: 'query.cursor', message: 'pass the nextCursor of the previous page unchanged' }]);
}
