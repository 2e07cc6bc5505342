#!/usr/bin/env node
// Starts Cabinet for the browser tests: builds the web app (the server serves dist/web), deletes the
// previous test database so every run starts from the same demo data, then runs `cabinet serve` with
// the environment Playwright passes in. Set CABINET_E2E_SKIP_BUILD=1 to reuse an existing dist/web.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dbDir = path.join(root, 'test-results', 'e2e-db');

rmSync(dbDir, { recursive: true, force: true });
mkdirSync(dbDir, { recursive: true });

if (process.env.CABINET_E2E_SKIP_BUILD !== '1') {
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    process.stderr.write('e2e: the web app did not build\n');
    process.exit(build.status ?? 1);
  }
}

const server = spawn(process.execPath, [path.join(root, 'bin', 'cabinet.js'), 'serve'], { cwd: root, stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
