import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base } from '@playwright/test';
import { E2E_ADMIN, E2E_PORT, E2E_SMTP_PORT, e2eDirs } from './environment';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const running = new Set<ChildProcess>();
// NOTE: a worker that is torn down without its fixtures' teardown (killed) must not leave its server behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

/**
 * Starts Cabinet for worker `index` with e2e/start-server.mjs (the web app was built once by global-setup.ts):
 * a new demo database, an SMTP server, the inline worker every second. Resolves when /healthz answers.
 */
async function startServer(index: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = E2E_PORT + index;
  const smtpPort = E2E_SMTP_PORT + index;
  const dirs = e2eDirs(index);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'e2e', 'start-server.mjs')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CABINET_E2E_DB_DIR: dirs.db,
      CABINET_E2E_MAIL_DIR: dirs.mail,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dirs.databaseUrl,
      CABINET_ADMIN_EMAIL: E2E_ADMIN.email,
      CABINET_ADMIN_PASSWORD: E2E_ADMIN.password,
      CABINET_DEMO: '1',
      CABINET_CHECK_TRANSACTIONS: '1',
      CABINET_LOG_LEVEL: 'warn',
      // Every spec signs in through the form; the default limit (10 a minute) would throttle the suite.
      CABINET_LOGIN_RATE_LIMIT: '1000',
      // Every sign-in checks a password, and the demo hashes one for each of its people (docs/security.md).
      CABINET_PASSWORD_HASH_COST: '10',
      // The inline worker delivers notifications within a second, so journeys need not wait long.
      CABINET_WORKER_INTERVAL_MS: '1000',
      // Email goes to the SMTP server start-server.mjs runs; the journeys read what it received.
      CABINET_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      CABINET_MAIL_FROM: 'cabinet@example.com',
      CABINET_PUBLIC_URL: url,
    },
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-20_000);
    // What the server says at warn and above is worth seeing beside the journey it happened in.
    for (const line of text.split('\n').filter(Boolean)) process.stdout.write(`[server ${index}] ${line}\n`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const deadline = Date.now() + 170_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Cabinet of worker ${index} exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the Cabinet of worker ${index} did not answer at ${url}/healthz:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      running.delete(child);
    },
  };
}

/**
 * Playwright's `test` with the worker's own Cabinet: every page and request of a journey goes to it (baseURL).
 * Specs import `test` and `expect` from here.
 */
export const test = base.extend<object, { workerUrl: string }>({
  workerUrl: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture needs from this pattern; it needs none
    async ({}, use, workerInfo) => {
      const { url, stop } = await startServer(workerInfo.parallelIndex);
      await use(url);
      await stop();
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  // CABINET_E2E_SCREENSHOTS=0 (CI, where nobody looks at them) skips the screenshots journeys take for people to
  // look at; a full-page screenshot is a software render of the whole page, a large share of the suite's CPU.
  page: async ({ page }, use) => {
    if (process.env.CABINET_E2E_SCREENSHOTS === '0') page.screenshot = async () => Buffer.alloc(0);
    await use(page);
  },
  baseURL: async ({ workerUrl }, use) => use(workerUrl),
});

export { expect } from '@playwright/test';

/** The folder the current worker's SMTP server keeps its messages in (call inside a journey). */
export function mailDir(): string {
  return e2eDirs(test.info().parallelIndex).mail;
}

/** The DATABASE_URL of the current worker's Cabinet (call inside a journey). */
export function databaseUrl(): string {
  return e2eDirs(test.info().parallelIndex).databaseUrl;
}
