import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCabinetStore } from '../src/cabinet';
import { systemActor } from '../src/domain/actor';
import { ADMIN_EMAIL, ADMIN_PASSWORD, describe, eachEngine, ENGINES, it, onEngine, withCabinet, type Harness } from './support/cabinet';
import { cabinet } from './support/cli';
import { byHand, remembering } from './support/other-process';

// Requests are authenticated, and the active policy found, from what the process remembers while no process
// wrote the tables behind them (src/db/invalidation.ts). Every test first makes the process remember (a
// request that succeeds), then changes the answer from somewhere else, then checks the very next request.

const DEFAULT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'policies', 'default');

/** A second Cabinet on the same database, with a store (connection, listener) of its own: another process. */
async function withOther<T>(h: Harness, work: (other: Awaited<ReturnType<typeof openCabinetStore>>) => Promise<T>): Promise<T> {
  const other = await openCabinetStore({ databaseUrl: h.url, sessionHours: 12 }, { now: () => h.now() });
  try {
    return await work(other);
  } finally {
    await other.store.close();
  }
}

const me = async (h: Harness, token: string) => {
  await remembering(h);
  return h.request('GET', '/api/v1/me', { token });
};

async function signIn(h: Harness): Promise<string> {
  const res = await h.request('POST', '/api/v1/auth/login', { token: null, body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  assert.equal(res.status, 200, res.text);
  const raw = res.headers['set-cookie'];
  const cookie = (Array.isArray(raw) ? raw : [raw]).find((c): c is string => typeof c === 'string' && c.startsWith('cabinet_session='));
  assert.ok(cookie);
  return cookie.split(';')[0]!;
}

describe('what a process remembers about tokens, sessions and the policy', { concurrency: 2 }, () => {
  eachEngine('a token revoked through another store stops working at the next request', async (h) => {
    const user = await h.userWithToken(['requester']);
    assert.equal((await me(h, user.token)).status, 200);
    assert.equal((await me(h, user.token)).status, 200);
    await withOther(h, async (other) => {
      const [token] = await other.services.auth.listTokens(systemActor(), true).then((all) => all.filter((t) => t.userId === user.id));
      await other.services.auth.revokeToken(systemActor(), token!.id);
    });
    const refused = await me(h, user.token);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'invalid_token');
  });

  eachEngine('a person disabled, given other roles or other teams through another store is seen so at the next request', async (h) => {
    const user = await h.userWithToken(['requester']);
    const teams = (await h.request('GET', '/api/v1/teams')).body.items as { id: string; handle: string }[];
    const dba = teams.find((t) => t.handle === 'dba')!;
    assert.deepEqual((await me(h, user.token)).body.roles, [{ role: 'requester', scopeType: null, scopeId: null }]);

    await withOther(h, (other) =>
      other.services.accounts.updateUser(systemActor(), user.id, { roles: [{ role: 'auditor', scopeType: null, scopeId: null }] }),
    );
    const asAuditor = await me(h, user.token);
    assert.deepEqual(asAuditor.body.roles, [{ role: 'auditor', scopeType: null, scopeId: null }]);
    assert.deepEqual(asAuditor.body.teamIds, []);

    await withOther(h, (other) => other.services.accounts.updateUser(systemActor(), user.id, { teamIds: [dba.id] }));
    assert.deepEqual((await me(h, user.token)).body.teamIds, [dba.id]);

    await withOther(h, (other) => other.services.accounts.updateUser(systemActor(), user.id, { disabled: true }));
    assert.equal((await me(h, user.token)).status, 401);
  });

  eachEngine('a session ended through another store (password changed) stops working at the next request', async (h) => {
    const cookie = await signIn(h);
    await remembering(h);
    assert.equal((await h.request('GET', '/api/v1/me', { token: null, headers: { cookie } })).status, 200);
    assert.equal((await h.request('GET', '/api/v1/me', { token: null, headers: { cookie } })).status, 200);
    await withOther(h, async (other) => {
      const admin = await other.store.repos.accounts.findUserByEmail(ADMIN_EMAIL);
      await other.services.accounts.updateUser(systemActor(), admin!.id, { password: 'another-password-2' });
    });
    assert.equal((await h.request('GET', '/api/v1/me', { token: null, headers: { cookie } })).status, 401);
  });

  eachEngine('a policy version applied through another store is the one in force at the next request', async (h) => {
    await remembering(h);
    const before = (await h.request('GET', '/api/v1/policy')).body.number as number;
    assert.equal((await h.request('GET', '/api/v1/policy')).body.number, before);
    const files: Record<string, string> = {};
    for (const name of readdirSync(DEFAULT_DIR).filter((n) => /\.ya?ml$/.test(n)))
      files[name] = readFileSync(path.join(DEFAULT_DIR, name), 'utf8');
    files['change-models.yaml'] = files['change-models.yaml']!.replace('label: Normal change\n', 'label: Normal change (v2)\n');
    await withOther(h, (other) => other.services.policy.applyFiles(systemActor(), files));
    const after = await h.request('GET', '/api/v1/policy');
    assert.equal(after.body.number, before + 1);
    assert.equal(after.body.models.normal.label, 'Normal change (v2)');
  });

  eachEngine('a token revoked by another process (the CLI) stops working at the next request', async (h) => {
    const user = await h.userWithToken(['requester']);
    assert.equal((await me(h, user.token)).status, 200);
    const [token] = (await h.request('GET', '/api/v1/tokens?all=true')).body.items.filter((t: { userId: string }) => t.userId === user.id);
    const run = await cabinet(['token', 'revoke', token.id], { DATABASE_URL: h.url });
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await me(h, user.token)).status, 401);
  });

  eachEngine('a token that expires while remembered stops working at its expiry', async (h) => {
    const created = await h.request('POST', '/api/v1/tokens', {
      body: { name: 'short', expiresAt: new Date(h.now().getTime() + 60_000).toISOString() },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((await me(h, created.body.token)).status, 200);
    h.advance(61_000);
    assert.equal((await me(h, created.body.token)).status, 401);
  });

  onEngine('sqlite', 'a token revoked by hand in SQL from another connection stops working at the next request', async (h) => {
    const user = await h.userWithToken(['requester']);
    assert.equal((await me(h, user.token)).status, 200);
    await byHand(h, `update api_tokens set revoked_at = '2026-01-01T00:00:00.000Z' where user_id = '${user.id}'`);
    assert.equal((await me(h, user.token)).status, 401);
  });

  onEngine(
    'postgres',
    'a token revoked, and a person disabled, by hand in SQL stop working at the next request (the tables’ triggers notify)',
    async (h) => {
      const user = await h.userWithToken(['requester']);
      const other = await h.userWithToken(['requester']);
      assert.equal((await me(h, user.token)).status, 200);
      assert.equal((await me(h, other.token)).status, 200);
      await byHand(h, `update api_tokens set revoked_at = now() where user_id = '${user.id}'`);
      assert.equal((await me(h, user.token)).status, 401);
      await byHand(h, `update users set disabled = true where id = '${other.id}'`);
      assert.equal((await me(h, other.token)).status, 401);
    },
  );

  for (const { engine, skip } of ENGINES.filter((e) => e.engine === 'postgres')) {
    it(
      `behind a pooler that shares sessions (prepared statements off) nothing is remembered: a revocation by hand without NOTIFY is honoured [${engine}]`,
      { skip },
      () =>
        withCabinet(
          engine,
          async (h) => {
            const user = await h.userWithToken(['requester']);
            assert.equal(await h.cabinet.store.freshness.settle(), null);
            assert.equal((await h.request('GET', '/api/v1/me', { token: user.token })).status, 200);
            await byHand(h, `update api_tokens set revoked_at = now() where user_id = '${user.id}'`);
            assert.equal((await h.request('GET', '/api/v1/me', { token: user.token })).status, 401);
          },
          { CABINET_PG_PREPARED_STATEMENTS: 'off' },
        ),
    );
  }

  onEngine('postgres', 'nothing remembered is used after the listening connection was lost', async (h) => {
    const user = await h.userWithToken(['requester']);
    assert.equal((await me(h, user.token)).status, 200);
    const database = new URL(h.url).pathname.slice(1);
    // The listener's connection ends (a restarted server, a network cut); a revocation then comes by hand,
    // without a notification that the lost connection could have carried.
    await byHand(
      h,
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${database}' and query in ('listen cabinet_security', 'select pg_backend_pid() as pid')`,
    );
    await byHand(h, `update api_tokens set revoked_at = now() where user_id = '${user.id}'`);
    assert.equal((await me(h, user.token)).status, 401);
  });
});
