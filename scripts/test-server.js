#!/usr/bin/env node
// `npm run test:server`: the node:test suites under test/ (`*.test.ts`, via tsx), several files at a time.
//
//   npm run test:server                                   every file
//   npm run test:server -- test/changes.test.ts            only these files
//   npm run test:server -- --test-name-pattern=backout     node options go before the files
//
// Environment (see docs/development.md, "The test runner"):
//   CABINET_TEST_CONCURRENCY  test files run at once (default: see defaultConcurrency)
//   CABINET_TEST_TIMINGS      append each file's wall time here as JSON lines (scripts/test-timings.js);
//                             unset: a temporary file is used and the ten slowest files are printed at the end
//   CABINET_TEST_TEMPLATE_KEY set here for the files: the run's template databases (test/support/databases.ts),
//                             made by the first file that needs one and removed at the end of the run
//
// Each file runs in its own process on its own databases (test/support/databases.ts: a fresh SQLite file in
// a temporary folder, or a PostgreSQL database with a random name, per test), so files can run side by side.
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatSlowest, readTimings } from './test-timings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIMER = pathToFileURL(path.join(ROOT, 'scripts', 'test-timings.js')).href;

/**
 * One file per core. Measured on 2 cores (docs/development.md): 3 files at once was not clearly faster
 * than 2, and PostgreSQL shares the same cores, so more files only add contention (and timing flakes).
 */
function defaultConcurrency() {
  return Math.max(1, os.availableParallelism());
}

function concurrency() {
  const raw = process.env.CABINET_TEST_CONCURRENCY;
  if (raw === undefined || raw === '') return defaultConcurrency();
  if (!/^[1-9]\d*$/.test(raw)) {
    process.stderr.write(`test:server: CABINET_TEST_CONCURRENCY must be a positive whole number, not '${raw}'\n`);
    process.exit(2);
  }
  return Number(raw);
}

/** Every `*.test.ts` below test/, sorted, as paths relative to the repository root. */
function discover(dir = 'test') {
  /** @type {string[]} */
  const found = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...discover(rel));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(rel);
  }
  return found.sort();
}

const args = process.argv.slice(2);
const options = args.filter((a) => a.startsWith('-'));
let files = args.filter((a) => !a.startsWith('-'));
if (!files.length) files = discover();
if (!files.length) {
  // NOTE: never fall back to node:test's own discovery, which would find scripts/test.js (npm test itself).
  process.stderr.write(`test:server: no test file found (test/**/*.test.ts)\n`);
  process.exit(1);
}

const n = concurrency();
let ownTimings = null;
const env = { ...process.env };
if (!env.CABINET_TEST_TIMINGS) {
  ownTimings = mkdtempSync(path.join(os.tmpdir(), 'cabinet-test-timings-'));
  env.CABINET_TEST_TIMINGS = path.join(ownTimings, 'timings.jsonl');
}

env.CABINET_TEST_TEMPLATE_KEY = randomBytes(5).toString('hex');

process.stderr.write(`test:server: ${files.length} files, ${n} at a time (CABINET_TEST_CONCURRENCY)\n`);
const child = spawn(process.execPath, ['--import', 'tsx', '--import', TIMER, '--test', `--test-concurrency=${n}`, ...options, ...files], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});

// Ctrl-C and `timeout` signal the whole process group, the runner included; wait for it to finish.
const forward = (sig) => child.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);

child.on('close', (code, signal) => {
  const dropped = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/drop-templates.ts'], { cwd: ROOT, env, stdio: 'inherit' });
  if (dropped.status !== 0) process.stderr.write(`test:server: could not remove the template databases of run ${env.CABINET_TEST_TEMPLATE_KEY}\n`);
  if (ownTimings) {
    const slowest = formatSlowest(readTimings(env.CABINET_TEST_TIMINGS));
    if (slowest) process.stdout.write(`\n${slowest}`);
    rmSync(ownTimings, { recursive: true, force: true });
  }
  if (signal) {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
