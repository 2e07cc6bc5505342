/** What the cache needs of a freshness (db/invalidation.ts): the stamp as it is now, null while nothing may be remembered. */
export interface FreshnessStamp {
  current(): number | null;
}

/**
 * Answers remembered per key under one stamp of a `SecurityFreshness` (db/invalidation.ts); a newer stamp
 * forgets them all. Only answers read under the stamp that is still current are kept, so a read that raced a
 * change is never remembered. At most `max` entries (then it starts again empty): keys come from callers.
 */
export class StampedCache<V> {
  #stamp: number | null = null;
  readonly #entries = new Map<string, V>();

  constructor(
    private readonly freshness: FreshnessStamp,
    private readonly max = 10_000,
  ) {}

  /** What is remembered for `key` under `stamp` (from `settle` or `current`), if anything. */
  get(stamp: number | null, key: string): V | undefined {
    if (stamp === null || this.#stamp === null || stamp > this.#stamp) {
      this.#entries.clear();
      this.#stamp = stamp;
      return undefined;
    }
    return stamp === this.#stamp ? this.#entries.get(key) : undefined;
  }

  /** Remembers `value`, read from the database after `stamp` was taken, unless something changed since. */
  set(stamp: number | null, key: string, value: V): void {
    if (stamp === null || stamp !== this.#stamp || this.freshness.current() !== stamp) return;
    if (this.#entries.size >= this.max) this.#entries.clear();
    this.#entries.set(key, value);
  }

  /** Forgets `key` (this process just learned its answer is out of date). */
  delete(key: string): void {
    this.#entries.delete(key);
  }
}
