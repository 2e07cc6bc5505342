import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/**
 * Group commit (issue 10): transactions that arrive together share one database transaction, so a burst of
 * filings pays for one `BEGIN`, one audit append and one `COMMIT` (the write-ahead log written or flushed
 * once) instead of one each. NOTE (trade-off, docs/audit.md): a member's answer waits for its whole group's
 * commit; under light load every group has one member and nothing changes.
 *
 * Each member keeps the meaning of a transaction of its own:
 * - it sees the writes of the members before it (they run one after the other, on one connection);
 * - a member refused before it wrote anything (a domain error: 400, 403, 404, 409, 422 found by reading) is
 *   answered with its error and leaves the group as it was;
 * - a member that fails after writing, an error of the database, or a failed commit rolls the whole group
 *   back, and every member then runs again in a transaction of its own, so only the one at fault fails.
 *   Grouped work must therefore be safe to run again: it may touch nothing but the repositories it is given.
 */
export type GroupOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface GroupCommitOptions<W> {
  /** Groups running at once (SQLite has one connection: 1). */
  maxInFlight: number;
  /** Members per group at most. */
  maxGroup: number;
  /**
   * Start a group one turn of the event loop after its first member arrived, so that requests already
   * read join it (SQLite: a transaction there runs without yielding to other requests, so none would).
   */
  gather?: boolean;
  /** Runs one member in a transaction of its own. */
  alone(work: W): Promise<unknown>;
  /** Runs the members in one transaction, in order; throws when the group had to roll back. */
  together(works: readonly W[]): Promise<GroupOutcome<unknown>[]>;
}

interface Member<W> {
  work: W;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function createGroupCommit<W>(options: GroupCommitOptions<W>) {
  const queue: Member<W>[] = [];
  let inFlight = 0;
  /** Transactions run for members, and how many of them held several members (for tests and the benchmark). */
  const stats = { transactions: 0, shared: 0, members: 0 };

  async function runAlone(member: Member<W>): Promise<void> {
    try {
      member.resolve(await options.alone(member.work));
    } catch (err) {
      member.reject(err);
    }
  }

  async function run(members: Member<W>[]): Promise<void> {
    stats.transactions++;
    stats.members += members.length;
    if (members.length === 1) return runAlone(members[0]!);
    stats.shared++;
    let outcomes: GroupOutcome<unknown>[];
    try {
      outcomes = await options.together(members.map((m) => m.work));
    } catch {
      // Rolled back as a whole: each member again on its own, so only the one at fault fails.
      await Promise.all(members.map(runAlone));
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? members[i]!.resolve(o.value) : members[i]!.reject(o.error)));
  }

  let gathering = false;
  function pump(): void {
    if (options.gather && inFlight === 0 && !gathering && queue.length > 0) {
      gathering = true;
      setImmediate(() => {
        gathering = false;
        start();
      });
      return;
    }
    if (!gathering) start();
  }

  function start(): void {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const members = queue.splice(0, options.maxGroup);
      inFlight++;
      void run(members).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    stats: () => ({ ...stats }),
    submit<T>(work: W): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        pump();
      });
    },
  };
}

/**
 * Calls `wrote` when a statement that may write is about to run: anything but a SELECT (a raw statement
 * counts unless its text starts with `select`). Used to know whether a refused member left writes behind.
 */
export function writeTracker(wrote: () => void): KyselyPlugin {
  return {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      if (node.kind === 'SelectQueryNode' && !(node as { with?: unknown }).with) return node;
      if (node.kind === 'RawNode' && /^\s*select\b/i.test((node as { sqlFragments: readonly string[] }).sqlFragments[0] ?? '')) return node;
      wrote();
      return node;
    },
    async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return result;
    },
  };
}
