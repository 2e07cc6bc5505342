/**
 * Reads that one transaction repeats, answered once. Filing a change reads its CIs, their services, the
 * teams and its requester for validation, routing, risk and the schedule, each through its own service; the
 * memo lets each service read what it needs without the transaction asking the database again.
 *
 * NOTE (consistency): a memoized read answers what the database said the first time this transaction asked.
 * Any other call on the same repository (every write goes through its own repository, and only there) forgets
 * everything that repository remembered, so a transaction always reads its own writes. Results are handed
 * out as new arrays of frozen records, so no caller can change what the next one reads.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any method signature of a repository
type Methods = Record<string, (...args: any[]) => Promise<unknown>>;

/**
 * `repo` with `reads` memoized. `otherReads` are reads too, not worth remembering: calling them keeps the memo;
 * calling any other method (a write) forgets it.
 */
export function memoizeReads<R extends Methods>(repo: R, reads: readonly (keyof R & string)[], otherReads: readonly (keyof R & string)[] = []): R {
  const memo = new Map<string, Promise<unknown>>();
  const readSet = new Set<string>(reads);
  const keep = new Set<string>(otherReads);
  const wrapped: Methods = {};
  for (const [name, fn] of Object.entries(repo)) {
    if (keep.has(name)) {
      wrapped[name] = fn;
      continue;
    }
    if (!readSet.has(name)) {
      wrapped[name] = (...args) => {
        memo.clear();
        return fn(...args);
      };
      continue;
    }
    wrapped[name] = (...args) => {
      const key = `${name}\u0000${JSON.stringify(args)}`;
      let found = memo.get(key);
      if (!found) {
        found = fn(...args).then(freeze);
        memo.set(key, found);
        // A failed read is not remembered: the next caller asks again.
        found.catch(() => memo.delete(key));
      }
      return found.then(copy);
    };
  }
  return wrapped as R;
}

function freeze<T>(value: T): T {
  if (Array.isArray(value)) for (const item of value) Object.freeze(item);
  else if (value !== null && typeof value === 'object' && !(value instanceof Map) && !(value instanceof Set)) Object.freeze(value);
  return value;
}

function copy<T>(value: T): T {
  if (Array.isArray(value)) return [...value] as T;
  if (value instanceof Map) return new Map(value) as T;
  if (value instanceof Set) return new Set(value) as T;
  return value;
}
