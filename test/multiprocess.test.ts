import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { openStore } from '../src/db/database';
import { loadBundleDir } from '../src/policy/loader';
import { ENGINES } from './support/cabinet';
import { createTestDatabase } from './support/databases';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'cabinet.js');
const ADMIN_EMAIL = 'first-admin@example.com';
// NOTE: deliberately not `cab_…`: a chosen bootstrap token authenticates whatever it starts with.
const TOKEN = 'multi-process-bootstrap-token-0123456789';
const START_TIMEOUT_MS = 90_000;

interface Started {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
}

const running: Started[] = [];
after(() => {
  for (const p of running) if (!p.exited) p.child.kill('SIGKILL');
});

/** Starts `cabinet <args>` as a real process with the shared environment, collecting what it writes. */
function startProcess(name: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const started: Started = { name, child, output: () => text, exited: null };
  child.on('exit', (code, signal) => (started.exited = { code, signal }));
  running.push(started);
  return started;
}

/** Waits until the process printed the address it listens on and /healthz answers 200 there. */
async function waitHealthy(p: Started): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (p.exited) assert.fail(`${p.name} exited (${JSON.stringify(p.exited)}) before it was healthy:\n${p.output()}`);
    const address = /Cabinet is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(p.output())?.[1];
    if (address) {
      const res = await fetch(`${address}/healthz`).catch(() => null);
      if (res?.status === 200) return address;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${p.name} was not healthy within ${START_TIMEOUT_MS} ms:\n${p.output()}`);
}

async function waitFor(p: Started, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (pattern.test(p.output())) return;
    if (p.exited) assert.fail(`${p.name} exited (${JSON.stringify(p.exited)}):\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${p.name} did not print ${pattern} within ${START_TIMEOUT_MS} ms:\n${p.output()}`);
}

async function stop(p: Started): Promise<void> {
  if (p.exited) return;
  const done = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

describe('several processes starting together on one empty database', () => {
  for (const { engine, skip } of ENGINES) {
    it(`brings up three servers and a worker, migrating and bootstrapping exactly once [${engine}]`, { skip, timeout: 4 * START_TIMEOUT_MS }, async () => {
      const db = await createTestDatabase(engine);
      const env = {
        DATABASE_URL: db.url,
        HOST: '127.0.0.1',
        PORT: '0',
        CABINET_ADMIN_EMAIL: ADMIN_EMAIL,
        CABINET_ADMIN_PASSWORD: 'first-admin-password-1',
        CABINET_BOOTSTRAP_TOKEN: TOKEN,
        CABINET_WEB_DIR: '/nonexistent',
        CABINET_LOG_LEVEL: 'warn',
        CABINET_WORKER: 'off',
      };
      const processes = [
        startProcess('serve 1', ['serve'], env),
        startProcess('serve 2', ['serve'], env),
        startProcess('serve 3', ['serve'], env),
        startProcess('worker', ['worker'], env),
      ];
      try {
        const servers = processes.slice(0, 3);
        const addresses = await Promise.all(servers.map(waitHealthy));
        await waitFor(processes[3]!, /cabinet worker \S+ is running/);

        for (const [i, address] of addresses.entries()) {
          const me = await fetch(`${address}/api/v1/me`, { headers: { authorization: `Bearer ${TOKEN}` } });
          const text = await me.text();
          assert.equal(me.status, 200, `${servers[i]!.name}: ${text}`);
          assert.equal((JSON.parse(text) as { email: string }).email, ADMIN_EMAIL);
        }
        const created = processes.filter((p) => p.output().includes(`Created the first admin, ${ADMIN_EMAIL}.`));
        assert.equal(created.length, 1, processes.map((p) => `${p.name}:\n${p.output()}`).join('\n'));

        const store = openStore(db.url);
        try {
          const users = await store.kysely.selectFrom('users').select('email').execute();
          assert.deepEqual(
            users.map((u) => u.email),
            [ADMIN_EMAIL],
          );
          const versions = await store.kysely.selectFrom('policy_versions').select('number').execute();
          assert.deepEqual(
            versions.map((v) => Number(v.number)),
            [1],
          );
          const tokens = await store.kysely.selectFrom('api_tokens').select('name').execute();
          assert.deepEqual(
            tokens.map((t) => t.name),
            ['bootstrap'],
          );
          const declared = (await loadBundleDir(path.join(REPO, 'policies', 'default'))).teams.map((t) => t.handle).sort();
          const teams = (await store.kysely.selectFrom('teams').select('handle').execute()).map((t) => t.handle).sort();
          assert.deepEqual(teams, declared);
        } finally {
          await store.close();
        }
        for (const p of processes) assert.equal(p.exited, null, `${p.name} exited:\n${p.output()}`);
      } finally {
        await Promise.all(processes.map(stop));
        await db.drop();
      }
    });
  }
});
