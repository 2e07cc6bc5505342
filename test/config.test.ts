import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startCabinet, type Cabinet } from '../src/cabinet';
import { ConfigError, loadConfig } from '../src/config';
import { ENGINES } from './support/cabinet';
import { createTestDatabase } from './support/databases';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it('falls back to the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.databaseUrl, 'sqlite:./data/cabinet.db');
    assert.equal(c.policyDir, path.join(REPO, 'policies', 'default'));
    assert.equal(c.webDir, path.join(REPO, 'dist', 'web'));
    assert.equal(c.adminEmail, undefined);
    assert.equal(c.adminPassword, undefined);
    assert.equal(c.bootstrapToken, undefined);
    assert.equal(c.demo, false);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.secureCookies, false);
    assert.equal(c.sessionHours, 12);
    assert.equal(c.loginRateLimit, 10);
    assert.equal(c.pgPreparedStatements, true);
    assert.equal(c.passwordHashCost, 15);
  });

  it('turns PostgreSQL prepared statements off only when asked, and names a value it cannot read', () => {
    assert.equal(loadConfig({ CABINET_PG_PREPARED_STATEMENTS: 'off' }).pgPreparedStatements, false);
    assert.equal(loadConfig({ CABINET_PG_PREPARED_STATEMENTS: 'on' }).pgPreparedStatements, true);
    assert.match(configError({ CABINET_PG_PREPARED_STATEMENTS: 'maybe' }).message, /CABINET_PG_PREPARED_STATEMENTS: must be on or off/);
    assert.equal(loadConfig({}).groupCommit, true);
    assert.equal(loadConfig({ CABINET_GROUP_COMMIT: 'off' }).groupCommit, false);
    assert.match(configError({ CABINET_GROUP_COMMIT: 'no' }).message, /CABINET_GROUP_COMMIT: must be on or off/);
  });

  it('treats empty variables as unset and ignores variables it does not know', () => {
    const c = loadConfig({ PORT: '', CABINET_BOOTSTRAP_TOKEN: '', HOME: '/root', CABINET_UNKNOWN: 'x' });
    assert.equal(c.port, 8080);
    assert.equal(c.bootstrapToken, undefined);
    assert.equal(c.databaseUrl, 'sqlite:./data/cabinet.db');
  });

  it('refuses a DATABASE_URL that is set but empty or blank, naming it, while an unset one means ./data/cabinet.db', () => {
    for (const value of ['', '   ', '\t']) {
      const err = configError({ DATABASE_URL: value });
      assert.equal(err.problems.length, 1, err.problems.join('\n'));
      assert.match(err.problems[0]!, /^DATABASE_URL: is set but empty/);
    }
    assert.equal(loadConfig({ DATABASE_URL: undefined }).databaseUrl, 'sqlite:./data/cabinet.db');
  });

  it('accepts a bootstrap token of 20 or more characters whatever it starts with', () => {
    assert.equal(loadConfig({ CABINET_BOOTSTRAP_TOKEN: 'bar-bootstrap-token-0123456789abcdef' }).bootstrapToken, 'bar-bootstrap-token-0123456789abcdef');
    assert.equal(loadConfig({ CABINET_BOOTSTRAP_TOKEN: '01234567890123456789' }).bootstrapToken, '01234567890123456789');
  });

  it('reads every variable it is given', () => {
    const c = loadConfig({
      PORT: '9090',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://cabinet@db.internal/cabinet',
      CABINET_POLICY_DIR: 'policies/custom',
      CABINET_ADMIN_EMAIL: 'Root@Example.COM',
      CABINET_ADMIN_PASSWORD: 'long-enough-1',
      CABINET_BOOTSTRAP_TOKEN: 'cab_0123456789abcdefghij',
      CABINET_DEMO: 'yes',
      CABINET_LOG_LEVEL: 'warn',
      CABINET_SECURE_COOKIES: 'true',
      CABINET_SESSION_HOURS: '24',
      CABINET_LOGIN_RATE_LIMIT: '3',
    });
    assert.equal(c.port, 9090);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.databaseUrl, 'postgresql://cabinet@db.internal/cabinet');
    assert.equal(c.policyDir, path.resolve('policies/custom'));
    assert.equal(c.adminEmail, 'root@example.com');
    assert.equal(c.adminPassword, 'long-enough-1');
    assert.equal(c.bootstrapToken, 'cab_0123456789abcdefghij');
    assert.equal(c.demo, true);
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.secureCookies, true);
    assert.equal(c.sessionHours, 24);
    assert.equal(c.loginRateLimit, 3);
  });

  it('reports every invalid variable in one error, including the password an admin email needs', () => {
    const err = configError({
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      CABINET_ADMIN_EMAIL: 'not-an-email',
      CABINET_BOOTSTRAP_TOKEN: 'short',
    });
    const named = err.problems.map((p) => p.split(':')[0]).sort();
    assert.deepEqual(named, ['CABINET_ADMIN_EMAIL', 'CABINET_ADMIN_PASSWORD', 'CABINET_BOOTSTRAP_TOKEN', 'DATABASE_URL', 'PORT']);
    assert.ok(err.problems.includes('CABINET_ADMIN_PASSWORD: must be set together with CABINET_ADMIN_EMAIL'), err.problems.join('\n'));
    assert.ok(err.problems.includes('CABINET_ADMIN_EMAIL: must be an email address'), err.problems.join('\n'));
    assert.ok(err.problems.includes('CABINET_BOOTSTRAP_TOKEN: must be at least 20 characters'), err.problems.join('\n'));
    assert.ok(err.problems.includes('DATABASE_URL: must be sqlite:PATH or postgres://USER@HOST/DB'), err.problems.join('\n'));
    for (const variable of named) assert.match(err.message, new RegExp(`^  - ${variable}: `, 'm'));
    assert.match(err.message, /^Invalid configuration:\n/);
  });

  const invalid: [string, Record<string, string>][] = [
    ['a port out of range', { PORT: '70000' }],
    ['a fractional port', { PORT: '80.5' }],
    ['an unknown log level', { CABINET_LOG_LEVEL: 'verbose' }],
    ['a flag that is not a yes or no', { CABINET_DEMO: 'maybe' }],
    ['a session of zero hours', { CABINET_SESSION_HOURS: '0' }],
    ['a short admin password', { CABINET_ADMIN_EMAIL: 'a@example.com', CABINET_ADMIN_PASSWORD: 'short' }],
    ['a sqlite URL without a path', { DATABASE_URL: 'sqlite:' }],
    ['a bootstrap token of 19 characters', { CABINET_BOOTSTRAP_TOKEN: 'cab_0123456789abcde' }],
    ['a bootstrap token with a space, which no Authorization header can carry', { CABINET_BOOTSTRAP_TOKEN: 'bootstrap token 0123456789' }],
    ['a password hash cost below 10', { CABINET_PASSWORD_HASH_COST: '9' }],
    ['a password hash cost above 20', { CABINET_PASSWORD_HASH_COST: '21' }],
    ['a password hash cost that is not a number', { CABINET_PASSWORD_HASH_COST: 'high' }],
  ];
  for (const [what, env] of invalid) {
    it(`refuses ${what}`, () => {
      const err = configError(env);
      assert.equal(err.problems.length, 1, err.problems.join('\n'));
      const variable = Object.keys(env).at(-1)!;
      assert.ok(err.problems[0]!.startsWith(`${variable}: `), err.problems[0]);
    });
  }

  it('refuses an admin email without a password, and a password without an email', () => {
    assert.deepEqual(configError({ CABINET_ADMIN_EMAIL: 'root@example.com' }).problems, [
      'CABINET_ADMIN_PASSWORD: must be set together with CABINET_ADMIN_EMAIL',
    ]);
    assert.deepEqual(configError({ CABINET_ADMIN_PASSWORD: 'long-enough-1' }).problems, [
      'CABINET_ADMIN_EMAIL: must be set together with CABINET_ADMIN_PASSWORD',
    ]);
  });
});

const TOKEN = 'cab_config_test_bootstrap_0123456789';
/** The parts of the API's answers these tests read. */
interface Answer {
  email: string;
  roles: { role: string }[];
  items: { email: string; name: string }[];
  error: { code: string };
}
const json = (res: { body: string }) => JSON.parse(res.body) as Answer;

async function start(url: string, env: Record<string, string>, log: string[]): Promise<Cabinet> {
  return startCabinet(loadConfig({ DATABASE_URL: url, CABINET_WEB_DIR: '/nonexistent', ...env }), { log: (m) => log.push(m) });
}

describe('first start', () => {
  for (const { engine, skip } of ENGINES) {
    it(`accepts a bootstrap token that does not start with cab_ as exactly that bearer token, stored only as a hash [${engine}]`, { skip }, async () => {
      const db = await createTestDatabase(engine);
      const token = 'bar-bootstrap-token-0123456789abcdef';
      try {
        const log: string[] = [];
        const cabinet = await start(db.url, { CABINET_ADMIN_EMAIL: 'root@example.com', CABINET_ADMIN_PASSWORD: 'root-password-1', CABINET_BOOTSTRAP_TOKEN: token }, log);
        try {
          assert.ok(log.includes('  Created the bootstrap API token from CABINET_BOOTSTRAP_TOKEN.'), log.join('\n'));
          const me = await cabinet.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
          assert.equal(me.statusCode, 200, me.body);
          assert.equal(json(me).email, 'root@example.com');
          for (const wrong of [token.slice(0, -1), `${token}x`, token.toUpperCase(), `cab_${token}`]) {
            const bad = await cabinet.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${wrong}` } });
            assert.equal(bad.statusCode, 401, wrong);
            assert.equal(json(bad).error.code, 'invalid_token');
          }
          const rows = await cabinet.store.kysely.selectFrom('api_tokens').select(['token_hash', 'prefix']).execute();
          assert.equal(rows.length, 1);
          assert.ok(!rows[0]!.token_hash.includes(token));
          // The visible prefix of a chosen secret gives away too little to help guess the rest.
          assert.ok(rows[0]!.prefix.length <= 4, rows[0]!.prefix);
        } finally {
          await cabinet.close();
        }
      } finally {
        await db.drop();
      }
    });

    it(`creates an admin with a generated password that signs in, once [${engine}]`, { skip }, async () => {
      const db = await createTestDatabase(engine);
      try {
        const log: string[] = [];
        const first = await start(db.url, {}, log);
        let password: string;
        try {
          assert.ok(log.includes('Created the first admin, admin@cabinet.local.'), log.join('\n'));
          const line = log.find((l) => l.includes('Its password (shown only now):'));
          assert.ok(line, log.join('\n'));
          password = line.split(': ').at(-1)!;
          assert.match(password, /^[A-Za-z0-9_-]{16}$/);

          const login = await first.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { email: 'admin@cabinet.local', password },
          });
          assert.equal(login.statusCode, 200, login.body);
          assert.equal(json(login).email, 'admin@cabinet.local');
          assert.deepEqual(
            json(login).roles.map((r) => r.role),
            ['admin'],
          );
          const wrong = await first.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { email: 'admin@cabinet.local', password: password + 'x' },
          });
          assert.equal(wrong.statusCode, 401);
        } finally {
          await first.close();
        }

        const againLog: string[] = [];
        const second = await start(db.url, {}, againLog);
        try {
          assert.ok(!againLog.some((l) => l.includes('first admin') || l.includes('password')), againLog.join('\n'));
          const login = await second.app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { email: 'admin@cabinet.local', password },
          });
          assert.equal(login.statusCode, 200, 'the first password still works after a restart');
          const cookie = String(login.headers['set-cookie']).split(';')[0]!;
          const users = await second.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } });
          assert.equal(users.statusCode, 200, users.body);
          assert.deepEqual(
            json(users).items.map((u) => u.email),
            ['admin@cabinet.local'],
          );
        } finally {
          await second.close();
        }
      } finally {
        await db.drop();
      }
    });

    it(
      `accepts CABINET_BOOTSTRAP_TOKEN as a bearer token for the configured admin, and a second start adds no admin [${engine}]`,
      { skip },
      async () => {
        const db = await createTestDatabase(engine);
        try {
          const env = {
            CABINET_ADMIN_EMAIL: 'Root@Example.com',
            CABINET_ADMIN_PASSWORD: 'root-password-1',
            CABINET_BOOTSTRAP_TOKEN: TOKEN,
          };
          const log: string[] = [];
          const first = await start(db.url, env, log);
          try {
            assert.ok(log.includes('Created the first admin, root@example.com.'), log.join('\n'));
            assert.ok(log.includes('  Created the bootstrap API token from CABINET_BOOTSTRAP_TOKEN.'), log.join('\n'));
            assert.ok(!log.some((l) => l.includes('password')), 'a configured password is never logged');
            const me = await first.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${TOKEN}` } });
            assert.equal(me.statusCode, 200, me.body);
            assert.equal(json(me).email, 'root@example.com');
            const bad = await first.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${TOKEN}x` } });
            assert.equal(bad.statusCode, 401);
            assert.equal(json(bad).error.code, 'invalid_token');
            const login = await first.app.inject({
              method: 'POST',
              url: '/api/v1/auth/login',
              payload: { email: 'root@example.com', password: 'root-password-1' },
            });
            assert.equal(login.statusCode, 200, login.body);
          } finally {
            await first.close();
          }

          // Another admin address on the second start must not create a second admin.
          const againLog: string[] = [];
          const second = await start(db.url, { ...env, CABINET_ADMIN_EMAIL: 'other@example.com' }, againLog);
          try {
            assert.ok(!againLog.some((l) => l.includes('first admin')), againLog.join('\n'));
            const users = await second.app.inject({ method: 'GET', url: '/api/v1/users', headers: { authorization: `Bearer ${TOKEN}` } });
            assert.equal(users.statusCode, 200, users.body);
            assert.deepEqual(
              json(users).items.map((u) => u.email),
              ['root@example.com'],
            );
            const tokens = await second.app.inject({
              method: 'GET',
              url: '/api/v1/tokens?all=true',
              headers: { authorization: `Bearer ${TOKEN}` },
            });
            assert.deepEqual(
              json(tokens).items.map((t) => t.name),
              ['bootstrap'],
            );
          } finally {
            await second.close();
          }
        } finally {
          await db.drop();
        }
      },
    );
  }
});

describe('loadConfig: email', () => {
  it('reads the SMTP URL and the sender together, and sends no email without them', () => {
    assert.equal(loadConfig({}).mail, null);
    assert.deepEqual(loadConfig({ CABINET_SMTP_URL: 'smtp://127.0.0.1:2525', CABINET_MAIL_FROM: 'cabinet@example.com' }).mail, { smtpUrl: 'smtp://127.0.0.1:2525', from: 'cabinet@example.com' });
    assert.equal(loadConfig({ CABINET_SMTP_URL: 'smtps://mailer:s3cret@mail.example.com:465', CABINET_MAIL_FROM: 'cabinet@example.com' }).mail?.smtpUrl, 'smtps://mailer:s3cret@mail.example.com:465');
    assert.equal(loadConfig({ CABINET_MAIL_FROM: 'cabinet@example.com' }).mail, null, 'a sender alone sends nothing');
  });

  it('lists a bad SMTP URL, a bad sender and a URL without a sender, never echoing the password', () => {
    const both = configError({ CABINET_SMTP_URL: 'http://mailer:s3cret@mail.example.com', CABINET_MAIL_FROM: 'not an address', PORT: 'x' });
    assert.deepEqual(both.problems.map((p) => p.split(':')[0]).sort(), ['CABINET_MAIL_FROM', 'CABINET_SMTP_URL', 'PORT']);
    assert.match(both.message, /CABINET_SMTP_URL: must be smtp:\/\/host:port or smtps:\/\/user:password@host:port/);
    assert.doesNotMatch(both.message, /s3cret/);
    const alone = configError({ CABINET_SMTP_URL: 'smtps://mailer:s3cret@mail.example.com' });
    assert.deepEqual(alone.problems, ['CABINET_MAIL_FROM: must be set together with CABINET_SMTP_URL']);
    assert.match(configError({ CABINET_SMTP_URL: 'smtp://', CABINET_MAIL_FROM: 'cabinet@example.com' }).message, /CABINET_SMTP_URL/);
  });
});
