import type { StampedCache } from '../../domain/stamped-cache';

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
 * Tells memoized repositories of one transaction what the others wrote: a read over another repository's tables
 * (`foreign`) is forgotten when that repository writes.
 */
export class MemoBus {
  private readonly listeners = new Map<string, (() => void)[]>();
  on(repository: string, forget: () => void): void {
    this.listeners.set(repository, [...(this.listeners.get(repository) ?? []), forget]);
  }
  wrote(repository: string): void {
    for (const forget of this.listeners.get(repository) ?? []) forget();
  }
}

/**
 * What a reader that answers several memoized reads in one statement (risk-history.ts) needs: whether a read is
 * remembered, and to remember the answers it read for the reads that were not. Only for memoized repositories.
 */
export interface MemoHandle {
  has(read: string, args: readonly unknown[]): boolean;
  /** Remembers `value` as the answer of `read` with `args`, unless an answer is remembered already. */
  prime(read: string, args: readonly unknown[], value: unknown): void;
  /** Forgets every answer (what was read may have been written since by a transaction this one waited for). */
  forget(): void;
}

const handles = new WeakMap<object, MemoHandle>();

/** The memo of a repository memoizeReads made, or undefined for a repository read without one. */
export function memoOf(repo: object): MemoHandle | undefined {
  return handles.get(repo);
}

/**
 * Answers remembered across transactions (database.ts): a memoized read that `reads` names is answered from
 * `cache` while the freshness stamp it was read under is current, unless this transaction wrote the tables
 * behind it (`tainted`): then it reads its own writes, and remembers nothing for others.
 */
export interface SharedReads {
  reads(read: string, args: readonly unknown[]): boolean;
  cache: StampedCache<unknown>;
  stamp(): number | null;
  tainted(): boolean;
}

export interface MemoOptions<R> {
  /** Reads answered across transactions too (see SharedReads). */
  shared?: SharedReads;
  /** This repository's name on `bus`. */
  name?: string;
  bus?: MemoBus;
  /**
   * Memoized reads of tables that another repository writes (by its name on `bus`), not this one: this
   * repository's writes keep them; the other's forget them.
   */
  foreign?: Partial<Record<keyof R & string, string>>;
  /**
   * Writes that cannot change some reads, given their arguments: the reads the call keeps. For example
   * inserting an open change keeps the counts of closed ones.
   */
  keeps?: Partial<Record<keyof R & string, (...args: never[]) => readonly string[]>>;
}

/**
 * `repo` with `reads` memoized. `otherReads` are reads too, not worth remembering: calling them keeps the memo;
 * calling any other method (a write) forgets it, except the reads `opts` says it keeps.
 */
export function memoizeReads<R extends Methods>(repo: R, reads: readonly (keyof R & string)[], otherReads: readonly (keyof R & string)[] = [], opts: MemoOptions<R> = {}): R {
  const memo = new Map<string, Promise<unknown>>();
  const readSet = new Set<string>(reads);
  const keep = new Set<string>(otherReads);
  const foreign = new Map(Object.entries(opts.foreign ?? {}) as [string, string][]);
  const keeps = (opts.keeps ?? {}) as Record<string, ((...args: unknown[]) => readonly string[]) | undefined>;
  const forget = (shouldForget: (read: string) => boolean) => {
    for (const key of [...memo.keys()]) if (shouldForget(key.slice(0, key.indexOf('\u0000')))) memo.delete(key);
  };
  for (const [read, owner] of foreign) opts.bus?.on(owner, () => forget((name) => name === read));
  const wrapped: Methods = {};
  for (const [name, fn] of Object.entries(repo)) {
    if (keep.has(name)) {
      wrapped[name] = fn;
      continue;
    }
    if (!readSet.has(name)) {
      wrapped[name] = (...args) => {
        const kept = new Set(keeps[name]?.(...args) ?? []);
        forget((read) => !foreign.has(read) && !kept.has(read));
        if (opts.name) opts.bus?.wrote(opts.name);
        return fn(...args);
      };
      continue;
    }
    wrapped[name] = (...args) => {
      const key = keyOf(name, args);
      let found = memo.get(key);
      if (!found) {
        const shared = opts.shared?.reads(name, args) && !opts.shared.tainted() ? opts.shared : null;
        const stamp = shared ? shared.stamp() : null;
        const known = shared ? shared.cache.get(stamp, key) : undefined;
        found =
          known !== undefined
            ? Promise.resolve(known)
            : fn(...args)
                .then(freeze)
                .then((value) => {
                  // NOTE (security): only what was read under a stamp still current, by a transaction that wrote
                  // none of the tables behind it (so nothing uncommitted), is remembered for others.
                  if (shared && !shared.tainted()) shared.cache.set(stamp, key, value);
                  return value;
                });
        memo.set(key, found);
        // A failed read is not remembered: the next caller asks again.
        found.catch(() => memo.delete(key));
      }
      return found.then(copy);
    };
  }
  handles.set(wrapped, {
    has: (read, args) => readSet.has(read) && memo.has(keyOf(read, args)),
    prime(read, args, value) {
      const key = keyOf(read, args);
      if (readSet.has(read) && !memo.has(key)) memo.set(key, Promise.resolve(freeze(value)));
    },
    forget: () => memo.clear(),
  });
  return wrapped as R;
}

const keyOf = (read: string, args: readonly unknown[]): string => `${read}\u0000${JSON.stringify(args)}`;

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
