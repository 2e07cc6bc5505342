import type SqliteDatabase from 'better-sqlite3';
import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import pg from 'pg';

/**
 * Whether what this process remembers of the security data (people, their roles and teams, sessions, API
 * tokens, the active policy: `SECURITY_TABLES`) may still be trusted. A statement that writes one of those
 * tables is recognised by `securityWrites` whoever builds it (a repository, a test or a script through
 * `store.kysely`), and tells every process (database.ts):
 *
 * - this process at once (`changed`, after the transaction ended);
 * - on SQLite, other processes through `PRAGMA data_version`, which moves whenever another connection commits
 *   anything to the database (any process, `sqlite3` by hand included);
 * - on PostgreSQL, other processes through `NOTIFY cabinet_security`, sent inside the writing transaction, so
 *   it is delivered if and only if the transaction commits.
 *
 * A stamp names a state of that knowledge: answers remembered under a stamp are current while `current()`
 * still returns it. `null` means remember nothing (PostgreSQL while the listening connection is down).
 *
 * NOTE (security): a revocation, a disabled person, a changed role or team and a new active policy must take
 * effect on the very next request in every process. A NOTIFY arrives asynchronously, so on PostgreSQL
 * `settle()` sends a small query on the listening connection and waits for its answer: PostgreSQL delivers a
 * listening session the notifications of every transaction committed before it reads the query, ahead of the
 * answer. A request with credentials settles once, when it is authenticated (services/auth.service.ts), and
 * its later reads (the policy in force) use `current()`; requests arriving together share one round trip. Work
 * outside requests (the worker) uses `current()` alone, so it sees another process's change once its
 * notification arrived, normally within a millisecond of the commit.
 */
export interface SecurityFreshness {
  /** Waits until every security change committed before the call is known here; then the stamp. */
  settle(): Promise<number | null>;
  /** The stamp now, without waiting (PostgreSQL: as of the last settle or notification; SQLite: of this turn). */
  current(): number | null;
  /** This process changed security data (called once the writing transaction ended, committed or not). */
  changed(): void;
  close(): Promise<void>;
}

/** The PostgreSQL channel that security writes notify (database.ts). */
export const SECURITY_CHANNEL = 'cabinet_security';

/** The tables behind authentication and authorization: what `SecurityFreshness` watches. */
export const SECURITY_TABLES: ReadonlySet<string> = new Set([
  'users',
  'user_roles',
  'teams',
  'team_members',
  'sessions',
  'api_tokens',
  'policy_versions',
]);

/** The PostgreSQL channel that writes to the tables a deployment gate decision reads notify (migration 0031). */
export const GATE_CHANNEL = 'cabinet_gate';

/**
 * The tables a deployment gate decision reads (services/gate.service.ts): a write to one makes the decisions a
 * process remembers stale, through a `SecurityFreshness` of their own (database.ts, `store.decisions`).
 */
export const GATE_TABLES: ReadonlySet<string> = new Set(['changes', 'change_cis', 'approvals', 'windows', 'freeze_exceptions', 'change_templates', 'change_conflicts', 'conflict_acknowledgements', 'cis', 'gate_checks', 'policy_versions', 'change_conditions']);

/** `insert into "api_tokens"`, `update users`, `delete from "sessions"` … in SQL that Kysely did not build. */
const rawWrite = (tables: ReadonlySet<string>) => new RegExp(`\\b(?:insert\\s+into|update|delete\\s+from)\\s+"?(?:${[...tables].join('|')})\\b`, 'i');
const RAW_SECURITY_WRITE = rawWrite(SECURITY_TABLES);

const tableName = (node: OperationNode | undefined): string | undefined => {
  if (!node) return undefined;
  if (node.kind === 'AliasNode') return tableName((node as unknown as { node: OperationNode }).node);
  if (node.kind === 'TableNode') return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  return undefined;
};

/** Whether the statement writes one of `tables` (its target, or a write in its WITH). */
function writesSecurity(node: OperationNode, tables: ReadonlySet<string> = SECURITY_TABLES, raw: RegExp = RAW_SECURITY_WRITE): boolean {
  const n = node as unknown as {
    kind: string;
    into?: OperationNode;
    table?: OperationNode;
    from?: { froms: readonly OperationNode[] };
    with?: { expressions: readonly { expression: OperationNode }[] };
    sqlFragments?: readonly string[];
  };
  if (n.with?.expressions.some((e) => writesSecurity(e.expression, tables, raw))) return true;
  switch (n.kind) {
    case 'InsertQueryNode':
    case 'MergeQueryNode':
      return tables.has(tableName(n.into) ?? '');
    case 'UpdateQueryNode':
      return tables.has(tableName(n.table) ?? '');
    case 'DeleteQueryNode':
      return (n.from?.froms ?? []).some((f) => tables.has(tableName(f) ?? ''));
    case 'RawNode':
      return raw.test((n.sqlFragments ?? []).join(' '));
    default:
      return false;
  }
}

/**
 * A Kysely plugin that calls `wrote` before each statement that writes a security table is sent and again
 * once it has run, so a read that overlaps the write is never remembered as current. It changes no query.
 */
export function securityWrites(wrote: () => void, tables: ReadonlySet<string> = SECURITY_TABLES): KyselyPlugin {
  const pending = new WeakSet<object>();
  const raw = tables === SECURITY_TABLES ? RAW_SECURITY_WRITE : rawWrite(tables);
  return {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      if (node.kind !== 'SelectQueryNode' || (node as { with?: unknown }).with) {
        if (writesSecurity(node, tables, raw)) {
          pending.add(queryId);
          wrote();
        }
      }
      return node;
    },
    async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      if (pending.has(queryId)) {
        pending.delete(queryId);
        wrote();
      }
      return result;
    },
  };
}

/** A connection's `data_version`: read afresh, or as last read in this turn of the event loop. */
interface DataVersion {
  read(fresh: boolean): number;
}

/** One per connection, shared by the store's `freshness` and `decisions` (database.ts). */
const dataVersions = new WeakMap<SqliteDatabase.Database, DataVersion>();

function dataVersionOf(db: SqliteDatabase.Database): DataVersion {
  let found = dataVersions.get(db);
  if (found) return found;
  // NOTE (speed): prepared once per connection; a read costs 10 to 20 µs, and a request asks several times.
  const statement = db.prepare('pragma data_version').pluck();
  let last: number | null = null;
  let forgetting = false;
  const forget = () => {
    last = null;
    forgetting = false;
  };
  found = {
    read(fresh) {
      if (fresh || last === null) {
        last = statement.get() as number;
        if (!forgetting) {
          forgetting = true;
          setImmediate(forget);
        }
      }
      return last;
    },
  };
  dataVersions.set(db, found);
  return found;
}

/**
 * SQLite: `data_version` of the store's one connection, read synchronously (no I/O beyond the shared WAL
 * index), plus a counter for this process's own writes, which `data_version` does not count.
 *
 * NOTE (security, speed): `settle` reads it afresh, so a request settled when it is authenticated sees every
 * commit made before it arrived; `current` takes the last read of this turn of the event loop when there is one
 * (forgotten after the turn's I/O), as PostgreSQL's answers as of the last settle or notification.
 */
export function sqliteFreshness(connection: () => SqliteDatabase.Database | null): SecurityFreshness {
  let stamp = 0;
  let seen: number | null = null;
  const stampOf = (fresh: boolean): number | null => {
    const db = connection();
    if (!db || !db.open) return null;
    const version = dataVersionOf(db).read(fresh);
    if (version !== seen) {
      seen = version;
      stamp++;
    }
    return stamp;
  };
  const current = () => stampOf(false);
  return {
    settle: async () => stampOf(true),
    current,
    changed: () => {
      stamp++;
    },
    close: async () => {},
  };
}

const BACKEND_PID = 'select pg_backend_pid() as pid';

/** How long the listener waits before it connects again after losing its connection. */
const RECONNECT_MS = 1000;

/**
 * PostgreSQL: a connection of its own that LISTENs on `SECURITY_CHANNEL`; every notification moves the stamp.
 * NOTE (security): while it is not listening (not yet connected, lost, reconnecting) the stamp is null, so
 * nothing is remembered and every answer comes from the database; losing the connection also moves the stamp,
 * so nothing remembered before it is used again. It connects on the first `settle` (the first authenticated
 * request), so a store that serves no requests (a CLI command, the worker alone) opens no extra connection.
 * `remember: false` (behind a pooler that shares sessions, where a LISTEN would hear nothing): never remember.
 */
export function postgresFreshness(connectionString: string, opts: { remember?: boolean; channel?: string } = {}): SecurityFreshness {
  const channel = opts.channel ?? SECURITY_CHANNEL;
  if (opts.remember === false) return { settle: async () => null, current: () => null, changed: () => {}, close: async () => {} };
  let stamp = 0;
  let client: pg.Client | null = null;
  let listening = false;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  /** The PostgreSQL backend that LISTENs for this process; `shared` once another answered in its place. */
  let backend: number | null = null;
  let shared = false;

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    listening = false;
    stamp++;
    c.end().catch(() => {});
    if (!closed && !retry) {
      retry = setTimeout(() => {
        retry = null;
        connect();
      }, RECONNECT_MS);
      retry.unref();
    }
  };

  function connect(): void {
    if (closed || shared || client || connecting) return;
    const c = new pg.Client({ connectionString });
    client = c;
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel === channel) stamp++;
    });
    connecting = (async () => {
      try {
        await c.connect();
        await c.query(`listen ${channel}`);
        const { rows } = await c.query<{ pid: number }>(BACKEND_PID);
        if (client !== c) return;
        backend = rows[0]?.pid ?? null;
        if (closed) {
          await c.end();
          return;
        }
        // Whatever was remembered before this connection listened may have missed a notification.
        stamp++;
        listening = true;
      } catch {
        lost(c);
      } finally {
        connecting = null;
      }
    })();
  }

  /**
   * One small query on the listening connection: the notifications committed before it arrive before its
   * answer. It also checks that the session is still the one that LISTENs.
   */
  function roundTrip(): Promise<void> {
    const c = client;
    if (!c || !listening) return Promise.reject(new Error('not listening'));
    return c.query<{ pid: number }>(BACKEND_PID).then(({ rows }) => {
      // NOTE (security): another backend answering means a pooler shares this session with others, so the
      // notifications may have gone to someone else: remember nothing from now on (docs/operations.md).
      if (rows[0]?.pid !== backend) {
        shared = true;
        listening = false;
        stamp++;
        throw new Error('the listening session is shared by a pooler');
      }
    });
  }

  /**
   * NOTE: a round trip already on its way may have been read by PostgreSQL before the caller's request began,
   * so a caller arriving while one is in flight waits for the next, which every such caller shares.
   */
  function barrier(): Promise<void> {
    if (!inFlight) {
      inFlight = roundTrip().finally(() => {
        inFlight = null;
      });
      return inFlight;
    }
    next ??= inFlight
      .catch(() => {})
      .then(() => {
        next = null;
        return barrier();
      });
    return next;
  }

  const current = (): number | null => (listening ? stamp : null);

  return {
    async settle() {
      if (!listening) {
        connect();
        return null;
      }
      try {
        await barrier();
      } catch {
        return null;
      }
      return current();
    },
    current,
    changed: () => {
      stamp++;
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await connecting?.catch(() => {});
      const c = client;
      client = null;
      listening = false;
      stamp++;
      await c?.end().catch(() => {});
    },
  };
}
