/**
 * The schedule's lock a transaction holds (schedule.repository.ts, `lockSchedule`), by the transaction's query
 * builder: the repositories of one transaction share it. The lock lasts until the transaction ends, so taking it
 * again would be a round trip for nothing; a filing takes it with its number (change.repository.ts, `nextSeq`).
 */
const held = new WeakMap<object, 'shared' | 'exclusive'>();

export function heldScheduleLock(db: object): 'shared' | 'exclusive' | null {
  return held.get(db) ?? null;
}

export function holdScheduleLock(db: object, mode: 'shared' | 'exclusive'): void {
  if (held.get(db) !== 'exclusive') held.set(db, mode);
}
