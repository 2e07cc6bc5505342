import { after, describe, it, type TestContext } from 'node:test';
import { startCabinet, type Cabinet } from '../../src/cabinet';
import { loadConfig } from '../../src/config';
import { createTestDatabase, dropTemplates, engines, OWN_TEMPLATES, prepareTemplate, type EngineName } from './databases';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'admin-password-1';
export const ADMIN_TOKEN = 'cab_test_bootstrap_token_0123456789abcdef';

/** A response as tests read it. The body is whatever JSON came back, so tests index into it freely. */
export interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary response JSON
  body: any;
  headers: Record<string, unknown>;
  text: string;
}

export interface Harness {
  engine: EngineName;
  cabinet: Cabinet;
  url: string;
  /** Sends a request through `app.inject`, as the admin unless another token is given. */
  request(method: string, path: string, opts?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<Reply>;
  /** The harness clock: real time plus whatever `advance` added (every service reads it). */
  now(): Date;
  /** Moves the harness clock forward, so SLA timers can run out without sleeping. */
  advance(ms: number): void;
  /** Runs one worker tick (SLA timers, then outbox delivery) at the harness clock. */
  tick(): ReturnType<Cabinet['worker']['tick']>;
  /** Creates a user with the roles and returns an API token acting as them. */
  userWithToken(roles: string[], opts?: { email?: string; teamIds?: string[] }): Promise<{ id: string; token: string; email: string }>;
}

let counter = 0;

const harnessConfig = (url: string, env: Record<string, string>) =>
  loadConfig({
    DATABASE_URL: url,
    CABINET_ADMIN_EMAIL: ADMIN_EMAIL,
    CABINET_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CABINET_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    CABINET_WEB_DIR: '/nonexistent',
    CABINET_CHECK_TRANSACTIONS: '1',
    // scrypt at 2^10 instead of 2^15: tests create thousands of people; services/password.ts is tested at the default.
    CABINET_PASSWORD_HASH_COST: '10',
    ...env,
  });

/** Variables that change what the first start stores: a harness given one of them starts from an empty database. */
const FIRST_START = /^(DATABASE_URL|CABINET_POLICY_DIR|CABINET_DEMO|CABINET_ADMIN_|CABINET_BOOTSTRAP_TOKEN)/;
const started = new Map<EngineName, Promise<string>>();

/**
 * The database a harness starts from: a copy of one that has had its migrations and first start (policy bundle,
 * first admin, bootstrap token) with the harness's settings, so each test skips that work; the start in
 * `withCabinet` still runs and finds everything done, as a restart would.
 */
function startedTemplate(engine: EngineName): Promise<string> {
  let template = started.get(engine);
  if (!template) {
    template = prepareTemplate(engine, 'started', async (url) => {
      const cabinet = await startCabinet(harnessConfig(url, {}));
      await cabinet.close();
    });
    started.set(engine, template);
  }
  return template;
}
if (OWN_TEMPLATES) after(() => dropTemplates());

/** Starts a Cabinet on a fresh database of the engine; closes and drops it afterwards. */
export async function withCabinet<T>(engine: EngineName, work: (h: Harness) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const fresh = Object.keys(env).some((k) => FIRST_START.test(k));
  const db = await createTestDatabase(engine, fresh ? undefined : await startedTemplate(engine));
  const config = harnessConfig(db.url, env);
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const cabinet = await startCabinet(config, { now });
  const harness: Harness = {
    engine,
    cabinet,
    url: db.url,
    now,
    advance(ms) {
      offsetMs += ms;
    },
    tick: () => cabinet.worker.tick(),
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let payload: string | undefined;
      if (opts.body !== undefined) {
        payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await cabinet.app.inject({ method: method as 'GET', url: path, headers, payload });
      let body: unknown;
      try {
        body = res.body ? JSON.parse(res.body) : null;
      } catch {
        body = null;
      }
      return { status: res.statusCode, body, headers: res.headers as Record<string, unknown>, text: res.body };
    },
    async userWithToken(roles, opts = {}) {
      const email = opts.email ?? `user${++counter}-${Date.now()}@example.com`;
      const created = await harness.request('POST', '/api/v1/users', { body: { email, name: `User ${email}`, password: 'user-password-1', roles, teamIds: opts.teamIds ?? [] } });
      if (created.status !== 201) throw new Error(`creating user failed: ${created.status} ${created.text}`);
      const user = await cabinet.services.accounts.getUser({ ...systemish(created.body.id) }, created.body.id);
      const token = await cabinet.services.auth.createToken(systemish(user.id), { name: 'test' });
      return { id: user.id, token: token.token, email };
    },
  };
  try {
    return await work(harness);
  } finally {
    await cabinet.close();
    await db.drop();
  }
}

function systemish(userId: string) {
  return { userId, email: 'system@cabinet.local', name: 'test', roles: [{ role: 'admin' as const, scopeType: null, scopeId: null }], teamIds: [], requestId: 'test', via: 'system' as const };
}

/**
 * Declares the test body once for each engine: `eachEngine('changes', (h, t) => …)` gives
 * "changes [sqlite]" and "changes [postgres]" (skipped without PostgreSQL unless it is required).
 */
export function eachEngine(name: string, body: (h: Harness, t: TestContext) => Promise<void>, env: Record<string, string> = {}): void {
  for (const { engine, skip } of ENGINES) {
    it(`${name} [${engine}]`, { skip }, async (t) => withCabinet(engine, (h) => body(h, t), env));
  }
}

/** Declares a test of behaviour only one engine has (PostgreSQL's concurrent writers, say), on that engine alone. */
export function onEngine(only: EngineName, name: string, body: (h: Harness, t: TestContext) => Promise<void>): void {
  for (const { engine, skip } of ENGINES.filter((e) => e.engine === only)) {
    it(`${name} [${engine}]`, { skip }, async (t) => withCabinet(engine, (h) => body(h, t)));
  }
}

/** Probed once when the test file loads, so test declarations stay synchronous. */
export const ENGINES = await engines();

export { describe, it };
