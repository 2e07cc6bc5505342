import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startCabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { createPasswordHasher, verifyPassword } from '../src/services/password';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOKEN, eachEngine, type Harness } from './support/cabinet';
import { createTestDatabase } from './support/databases';

/** Signs in through the API and returns the `cabinet_session=…` pair to send back, with the raw answer. */
async function signIn(h: Harness, email: string, password: string) {
  const res = await h.request('POST', '/api/v1/auth/login', { token: null, body: { email, password } });
  const raw = res.headers['set-cookie'];
  const setCookie = (Array.isArray(raw) ? raw : [raw]).find((c): c is string => typeof c === 'string' && c.startsWith('cabinet_session='));
  return {
    res,
    setCookie: setCookie ?? null,
    cookie: setCookie ? setCookie.split(';')[0]! : null,
    csrfToken: res.body?.csrfToken as string | undefined,
  };
}

async function countRows(h: Harness, table: 'users' | 'teams' | 'changes' | 'services' | 'audit_events' | 'sessions'): Promise<number> {
  const row = await h.cabinet.store.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// Every test has its own database, so the SQLite and PostgreSQL runs of a test may overlap.
describe('authentication and authorisation', { concurrency: 2 }, () => {
  eachEngine(
    'answers 401 unauthenticated on every API route without credentials, before looking at the body, and writes nothing',
    async (h) => {
      const eventsBefore = await countRows(h, 'audit_events');
      // The first start already created the policy bundle's teams.
      const teamsBefore = await countRows(h, 'teams');
      const routes: [string, string, unknown?][] = [
        ['GET', '/api/v1/changes'],
        // Deliberately invalid bodies: without credentials the caller must not learn a route's input rules.
        ['POST', '/api/v1/changes', { type: 'sideways' }],
        ['GET', '/api/v1/cis'],
        ['POST', '/api/v1/cis', {}],
        ['PATCH', '/api/v1/cis/some-ci', { version: 'x' }],
        ['GET', '/api/v1/services'],
        ['POST', '/api/v1/services', { name: 'Shadow', tier: 1 }],
        ['GET', '/api/v1/users'],
        ['POST', '/api/v1/users', { email: 'intruder@example.com', name: 'Intruder', password: 'intruder-password', roles: ['admin'] }],
        ['GET', '/api/v1/teams'],
        ['POST', '/api/v1/teams', { name: 'Shadow team' }],
        ['GET', '/api/v1/tokens'],
        ['POST', '/api/v1/tokens', { name: 'mine now' }],
        ['DELETE', '/api/v1/tokens/anything'],
        ['GET', '/api/v1/me'],
        ['GET', '/api/v1/audit/verify'],
        ['GET', '/api/v1/audit/export'],
      ];
      for (const [method, path, body] of routes) {
        const res = await h.request(method, path, { token: null, body });
        assert.equal(res.status, 401, `${method} ${path}: ${res.text}`);
        assert.equal(res.body.error.code, 'unauthenticated', `${method} ${path}`);
      }
      const csv = await h.request('POST', '/api/v1/cis/import', {
        token: null,
        body: 'name,type,environment\nweb-1,server,production\n',
        headers: { 'content-type': 'text/csv' },
      });
      assert.equal(csv.status, 401);
      assert.equal(await countRows(h, 'users'), 1);
      assert.equal(await countRows(h, 'teams'), teamsBefore);
      assert.equal(await countRows(h, 'services'), 0);
      assert.equal(await countRows(h, 'audit_events'), eventsBefore);
      // The health check and the API description stay public.
      assert.equal((await h.request('GET', '/healthz', { token: null })).status, 200);
      assert.equal((await h.request('GET', '/api/v1/openapi.json', { token: null })).status, 200);
    },
  );

  eachEngine('refuses a wrong, malformed, revoked or expired bearer token with 401 invalid_token', async (h) => {
    const wrongTokens = ['cab_thisTokenWasNeverIssuedByThisServer000000000', 'not-a-cabinet-token', ADMIN_TOKEN.slice(0, -1)];
    for (const token of wrongTokens) {
      const res = await h.request('GET', '/api/v1/changes', { token });
      assert.equal(res.status, 401, token);
      assert.equal(res.body.error.code, 'invalid_token');
    }
    const notBearer = await h.request('GET', '/api/v1/changes', {
      token: null,
      headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    });
    assert.equal(notBearer.status, 401);
    assert.equal(notBearer.body.error.code, 'invalid_token');

    const created = await h.request('POST', '/api/v1/tokens', { body: { name: 'to revoke' } });
    assert.equal(created.status, 201);
    assert.equal((await h.request('GET', '/api/v1/me', { token: created.body.token })).status, 200);
    assert.equal((await h.request('DELETE', `/api/v1/tokens/${created.body.id}`)).status, 204);
    const revoked = await h.request('GET', '/api/v1/me', { token: created.body.token });
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.error.code, 'invalid_token');

    // A token that was valid stops working once its expiry passes (the expiry is moved instead of waiting).
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const expiring = await h.request('POST', '/api/v1/tokens', { body: { name: 'expiring', expiresAt } });
    assert.equal(expiring.status, 201, expiring.text);
    assert.equal(expiring.body.expiresAt, expiresAt);
    assert.equal((await h.request('GET', '/api/v1/me', { token: expiring.body.token })).status, 200);
    await h.cabinet.store.kysely
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', expiring.body.id)
      .execute();
    const expired = await h.request('GET', '/api/v1/me', { token: expiring.body.token });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, 'invalid_token');

    const longExpired = await h.request('POST', '/api/v1/tokens', { body: { name: 'long expired', expiresAt: '2020-01-01T00:00:00Z' } });
    assert.equal(longExpired.status, 400);
    assert.deepEqual(longExpired.body.error.details.issues, [{ path: 'expiresAt', message: 'must be in the future' }]);
  });

  eachEngine(
    'signs the admin in with an HttpOnly session cookie and a CSRF token that GET /me accepts until logout ends the session',
    async (h) => {
      const { res, setCookie, cookie, csrfToken } = await signIn(h, ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.email, ADMIN_EMAIL);
      assert.deepEqual(res.body.roles, [{ role: 'admin', scopeType: null, scopeId: null }]);
      assert.ok(res.body.permissions.includes('user.write'));
      assert.equal(typeof csrfToken, 'string');
      assert.ok(csrfToken!.length >= 20);
      assert.ok(setCookie, 'a cabinet_session cookie is set');
      assert.match(setCookie, /;\s*HttpOnly/i);
      assert.match(setCookie, /;\s*SameSite=Lax/i);
      assert.match(setCookie, /;\s*Path=\//);
      assert.doesNotMatch(res.text, /password/i);

      const me = await h.request('GET', '/api/v1/me', { token: null, headers: { cookie: cookie! } });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.email, ADMIN_EMAIL);
      assert.equal(me.body.csrfToken, csrfToken);
      // Sessions are stored by hash only: the cookie value is not a key of the sessions table.
      const sessionId = cookie!.slice('cabinet_session='.length);
      const stored = await h.cabinet.store.kysely.selectFrom('sessions').select('id').execute();
      assert.equal(stored.length, 1);
      assert.notEqual(stored[0]!.id, sessionId);
      assert.ok(!stored[0]!.id.includes(sessionId));

      const out = await h.request('POST', '/api/v1/auth/logout', { token: null, headers: { cookie: cookie!, 'x-csrf-token': csrfToken! } });
      assert.equal(out.status, 204);
      const cleared = [out.headers['set-cookie']].flat().find((c) => typeof c === 'string' && c.startsWith('cabinet_session='));
      assert.match(String(cleared), /^cabinet_session=;/);
      const after = await h.request('GET', '/api/v1/me', { token: null, headers: { cookie: cookie! } });
      assert.equal(after.status, 401);
      assert.equal(after.body.error.code, 'unauthenticated');
      assert.equal(await countRows(h, 'sessions'), 0);
    },
  );

  eachEngine(
    'refuses a cookie-authenticated write without the X-CSRF-Token header with 403 csrf_failed and accepts it with the header',
    async (h) => {
      const { cookie, csrfToken } = await signIn(h, ADMIN_EMAIL, ADMIN_PASSWORD);
      // The first start already created the policy bundle's teams.
      const teamsBefore = await countRows(h, 'teams');
      const missing = await h.request('POST', '/api/v1/teams', { token: null, headers: { cookie: cookie! }, body: { name: 'Platform' } });
      assert.equal(missing.status, 403);
      assert.equal(missing.body.error.code, 'csrf_failed');
      const wrong = await h.request('POST', '/api/v1/teams', {
        token: null,
        headers: { cookie: cookie!, 'x-csrf-token': 'guessed-token-value-000000' },
        body: { name: 'Platform' },
      });
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.error.code, 'csrf_failed');
      assert.equal(await countRows(h, 'teams'), teamsBefore);

      const ok = await h.request('POST', '/api/v1/teams', {
        token: null,
        headers: { cookie: cookie!, 'x-csrf-token': csrfToken! },
        body: { name: 'Platform' },
      });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.body.handle, 'platform');
      // Reads need no CSRF token.
      const list = await h.request('GET', '/api/v1/teams', { token: null, headers: { cookie: cookie! } });
      assert.equal(list.status, 200);
      assert.ok(
        list.body.items.some((t: { handle: string }) => t.handle === 'platform'),
        list.text,
      );
      assert.equal(list.body.items.length, teamsBefore + 1);
    },
  );

  eachEngine('refuses a cookie-session logout without its CSRF token with 403 csrf_failed and keeps the session', async (h) => {
    const { cookie, csrfToken } = await signIn(h, ADMIN_EMAIL, ADMIN_PASSWORD);
    const attempts: Record<string, string>[] = [{ cookie: cookie! }, { cookie: cookie!, 'x-csrf-token': 'guessed-token-value-000000' }];
    for (const headers of attempts) {
      const out = await h.request('POST', '/api/v1/auth/logout', { token: null, headers });
      assert.equal(out.status, 403, out.text);
      assert.equal(out.body.error.code, 'csrf_failed');
      assert.equal(out.headers['set-cookie'], undefined, 'the cookie is not cleared');
    }
    assert.equal(await countRows(h, 'sessions'), 1);
    assert.equal((await h.request('GET', '/api/v1/me', { token: null, headers: { cookie: cookie! } })).status, 200);

    const out = await h.request('POST', '/api/v1/auth/logout', { token: null, headers: { cookie: cookie!, 'x-csrf-token': csrfToken! } });
    assert.equal(out.status, 204, out.text);
    assert.equal(await countRows(h, 'sessions'), 0);
    // Without a live session there is nothing to protect: signing out again just clears the cookie.
    assert.equal((await h.request('POST', '/api/v1/auth/logout', { token: null, headers: { cookie: cookie! } })).status, 204);
    assert.equal((await h.request('POST', '/api/v1/auth/logout', { token: null })).status, 204);
    // A bearer token is never sent by a browser on its own, so it needs no CSRF token.
    assert.equal((await h.request('POST', '/api/v1/auth/logout')).status, 204);
    assert.equal((await h.request('GET', '/api/v1/me')).status, 200, 'logging out does not revoke the API token');
  });

  eachEngine('answers a wrong password and an unknown email alike with 401 invalid_credentials and opens no session', async (h) => {
    const wrongPassword = await signIn(h, ADMIN_EMAIL, 'not-the-password');
    const unknownEmail = await signIn(h, 'nobody@example.com', ADMIN_PASSWORD);
    for (const attempt of [wrongPassword, unknownEmail]) {
      assert.equal(attempt.res.status, 401);
      assert.equal(attempt.res.body.error.code, 'invalid_credentials');
      assert.equal(attempt.setCookie, null);
    }
    assert.equal(wrongPassword.res.body.error.message, unknownEmail.res.body.error.message);
    assert.equal(await countRows(h, 'sessions'), 0);
  });

  eachEngine(
    'limits sign-in attempts: the fourth within a minute is refused with 429 rate_limited, even with the right password',
    async (h) => {
      for (let i = 0; i < 3; i++) {
        const attempt = await signIn(h, ADMIN_EMAIL, `wrong-password-${i}`);
        assert.equal(attempt.res.status, 401);
      }
      const fourth = await signIn(h, ADMIN_EMAIL, ADMIN_PASSWORD);
      assert.equal(fourth.res.status, 429);
      assert.equal(fourth.res.body.error.code, 'rate_limited');
      assert.equal(fourth.setCookie, null);
      assert.ok(Number(fourth.res.headers['retry-after']) > 0);
      assert.equal(await countRows(h, 'sessions'), 0);
      // Only sign-in is limited; API calls go on.
      assert.equal((await h.request('GET', '/api/v1/me')).status, 200);
    },
    { CABINET_LOGIN_RATE_LIMIT: '3' },
  );

  eachEngine('shows an API token secret once, lists tokens without it and stores only its hash', async (h) => {
    const created = await h.request('POST', '/api/v1/tokens', { body: { name: 'deploy bot' } });
    assert.equal(created.status, 201, created.text);
    const token: string = created.body.token;
    assert.ok(token.startsWith('cab_'));
    assert.ok(token.length >= 40);
    assert.equal(created.body.prefix, token.slice(0, 12));
    assert.equal(created.body.name, 'deploy bot');
    assert.equal(created.body.revokedAt, null);
    const me = await h.request('GET', '/api/v1/me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, ADMIN_EMAIL);

    const list = await h.request('GET', '/api/v1/tokens');
    assert.equal(list.status, 200);
    assert.ok(list.body.items.some((t: { id: string }) => t.id === created.body.id));
    assert.ok(!list.text.includes(token), 'the token list holds the secret');
    assert.ok(!list.text.includes(ADMIN_TOKEN), 'the token list holds the bootstrap secret');
    assert.doesNotMatch(list.text, /hash/i);
    for (const item of list.body.items) assert.equal(item.token, undefined);

    const stored = await h.cabinet.store.kysely
      .selectFrom('api_tokens')
      .select(['token_hash', 'prefix'])
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(stored.token_hash, token);
    assert.ok(!stored.token_hash.includes(token.slice(12)));
    assert.match(stored.token_hash, /^[0-9a-f]{64}$/);
    assert.equal(stored.prefix, token.slice(0, 12));
    assert.ok(!list.text.includes(stored.token_hash));
  });

  eachEngine('lets the owner or an admin revoke a token, answers 404 to anyone else, and a revoked token stops working', async (h) => {
    const alice = await h.userWithToken(['requester']);
    const bob = await h.userWithToken(['requester']);
    const aliceToken = await h.request('POST', '/api/v1/tokens', { token: alice.token, body: { name: 'alice laptop' } });
    assert.equal(aliceToken.status, 201);
    assert.equal(aliceToken.body.userId, alice.id);

    const byBob = await h.request('DELETE', `/api/v1/tokens/${aliceToken.body.id}`, { token: bob.token });
    assert.equal(byBob.status, 404);
    assert.equal(byBob.body.error.code, 'not_found');
    assert.equal((await h.request('GET', '/api/v1/me', { token: aliceToken.body.token })).status, 200);
    const bobsList = await h.request('GET', '/api/v1/tokens', { token: bob.token });
    assert.ok(!bobsList.body.items.some((t: { id: string }) => t.id === aliceToken.body.id));
    const bobSeesAll = await h.request('GET', '/api/v1/tokens?all=true', { token: bob.token });
    assert.equal(bobSeesAll.status, 403);
    const bobMintsForAlice = await h.request('POST', '/api/v1/tokens', { token: bob.token, body: { name: 'as alice', userId: alice.id } });
    assert.equal(bobMintsForAlice.status, 403);
    assert.equal(bobMintsForAlice.body.error.code, 'forbidden');

    const byAlice = await h.request('DELETE', `/api/v1/tokens/${aliceToken.body.id}`, { token: alice.token });
    assert.equal(byAlice.status, 204);
    const afterRevoke = await h.request('GET', '/api/v1/me', { token: aliceToken.body.token });
    assert.equal(afterRevoke.status, 401);
    assert.equal(afterRevoke.body.error.code, 'invalid_token');
    const listed = await h.request('GET', '/api/v1/tokens', { token: alice.token });
    assert.ok(listed.body.items.find((t: { id: string }) => t.id === aliceToken.body.id).revokedAt);

    // An admin may revoke anyone's token.
    const byAdmin = await h.request(
      'DELETE',
      `/api/v1/tokens/${tokenIdOf(await h.request('GET', '/api/v1/tokens', { token: bob.token }), 'test')}`,
    );
    assert.equal(byAdmin.status, 204);
    assert.equal((await h.request('GET', '/api/v1/me', { token: bob.token })).status, 401);
  });

  eachEngine('refuses admin-only requests from a requester with 403 forbidden and changes nothing', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const eventsBefore = await countRows(h, 'audit_events');
    const attempts: [string, string, unknown, string][] = [
      ['POST', '/api/v1/users', { email: 'new@example.com', name: 'New', password: 'new-password-1', roles: ['admin'] }, 'user.write'],
      ['POST', '/api/v1/services', { name: 'Payments', tier: 1 }, 'cmdb.write'],
      ['GET', '/api/v1/audit/verify', undefined, 'audit.read'],
      ['GET', '/api/v1/audit/export', undefined, 'audit.read'],
    ];
    for (const [method, path, body, permission] of attempts) {
      const res = await h.request(method, path, { token: requester.token, body });
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.error.code, 'forbidden');
      assert.equal(res.body.error.details.permission, permission);
    }
    assert.equal(await countRows(h, 'users'), 2);
    assert.equal(await countRows(h, 'services'), 0);
    assert.equal(await countRows(h, 'audit_events'), eventsBefore);
  });

  eachEngine('stores passwords as scrypt hashes, never returns them, and keeps passwords and tokens out of the audit trail', async (h) => {
    const user = await h.userWithToken(['requester']);
    const newPassword = 'a-brand-new-password-9';
    const changed = await h.request('PATCH', `/api/v1/users/${user.id}`, { token: user.token, body: { password: newPassword } });
    assert.equal(changed.status, 200, changed.text);
    const signedIn = await signIn(h, user.email, newPassword);
    assert.equal(signedIn.res.status, 200);
    const minted = await h.request('POST', '/api/v1/tokens', { token: user.token, body: { name: 'cli' } });
    assert.equal(minted.status, 201);

    const rows = await h.cabinet.store.kysely.selectFrom('users').select(['email', 'password_hash']).execute();
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.ok(row.password_hash?.startsWith('scrypt$'), `${row.email} has a scrypt hash`);
      for (const clear of [ADMIN_PASSWORD, 'user-password-1', newPassword]) assert.ok(!row.password_hash!.includes(clear));
    }

    const secrets = [
      ADMIN_PASSWORD,
      'user-password-1',
      newPassword,
      ADMIN_TOKEN,
      user.token,
      minted.body.token,
      signedIn.csrfToken!,
      signedIn.cookie!.split('=')[1]!,
      ...rows.map((r) => r.password_hash!),
    ];
    const users = await h.request('GET', '/api/v1/users');
    assert.equal(users.status, 200);
    assert.equal(users.body.items.length, 2);
    const one = await h.request('GET', `/api/v1/users/${user.id}`);
    for (const text of [users.text, one.text, changed.text]) {
      assert.doesNotMatch(text, /scrypt|password/i);
      for (const secret of secrets) assert.ok(!text.includes(secret));
    }

    const exported = await h.request('GET', '/api/v1/audit/export');
    assert.equal(exported.status, 200);
    assert.ok(exported.text.includes('"passwordChanged":true'), 'the password change itself is recorded');
    assert.ok(exported.text.includes('"token.created"'));
    assert.doesNotMatch(exported.text, /scrypt\$/);
    for (const secret of secrets) assert.ok(!exported.text.includes(secret), 'the audit export holds a secret');
  });
});

function tokenIdOf(list: { body: { items: { id: string; name: string }[] } }, name: string): string {
  const found = list.body.items.find((t) => t.name === name);
  assert.ok(found, `a token named ${name}`);
  return found.id;
}

describe('password hashing cost', () => {
  it('hashes at 2^15 by default and at the configured cost, each hash verifying at its own cost', async () => {
    const standard = createPasswordHasher();
    const light = createPasswordHasher(10);
    const strong = await standard.hash('correct horse battery');
    const weak = await light.hash('correct horse battery');
    assert.match(strong, /^scrypt\$32768\$8\$1\$/);
    assert.match(weak, /^scrypt\$1024\$8\$1\$/);
    for (const hasher of [standard, light]) {
      assert.equal(await hasher.verify('correct horse battery', strong), true);
      assert.equal(await hasher.verify('correct horse battery', weak), true);
      assert.equal(await hasher.verify('correct horse batter', weak), false);
    }
    // The stand-in for an unknown person costs what a real hash at the configured cost does.
    assert.match(standard.dummy, /^scrypt\$32768\$/);
    assert.match(light.dummy, /^scrypt\$1024\$/);
    assert.equal(await verifyPassword('anything', light.dummy), false);
    assert.throws(() => createPasswordHasher(9), /from 10 to 20/);
    assert.throws(() => createPasswordHasher(15.5), /from 10 to 20/);
  });

  eachEngine('keeps signing in people whose passwords were hashed at another cost', async (h) => {
    const standard = await createPasswordHasher().hash('an-older-password-1');
    const user = await h.userWithToken(['requester']);
    await h.cabinet.store.kysely.updateTable('users').set({ password_hash: standard }).where('id', '=', user.id).execute();
    const res = await h.request('POST', '/api/v1/auth/login', { token: null, body: { email: user.email, password: 'an-older-password-1' } });
    assert.equal(res.status, 200, res.text);
    const hash = await h.cabinet.store.kysely.selectFrom('users').select('password_hash').where('email', '=', ADMIN_EMAIL).executeTakeFirstOrThrow();
    assert.match(hash.password_hash!, /^scrypt\$1024\$/, 'the harness hashes at cost 10');
  });

  it('says at start when the cost is below the default, and not at the default', async () => {
    for (const [cost, warned] of [['11', true], ['15', false]] as const) {
      const db = await createTestDatabase('sqlite');
      const lines: string[] = [];
      const cabinet = await startCabinet(loadConfig({ DATABASE_URL: db.url, CABINET_WEB_DIR: '/nonexistent', CABINET_PASSWORD_HASH_COST: cost }), { log: (l) => lines.push(l) });
      await cabinet.close();
      await db.drop();
      assert.equal(lines.some((l) => /^Passwords are hashed at cost 11 \(CABINET_PASSWORD_HASH_COST\); the default is 15/.test(l)), warned, lines.join('\n'));
    }
  });
});
