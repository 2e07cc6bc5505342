#!/usr/bin/env node
// `npm test`: every check the project has, in order, stopping at the first failure.
//
//   typecheck → lint → (PostgreSQL check) → server tests → web tests → (browser check) → build → e2e
//
// Environment (see docs/development.md, "The test runner"):
//   CABINET_TEST_PG_URL        PostgreSQL admin URL for the server tests (default postgres://postgres@127.0.0.1:5432/postgres)
//   CABINET_REQUIRE_PG=1       PostgreSQL must be reachable (otherwise its tests are skipped)
//   CABINET_REQUIRE_BROWSER=1  /usr/bin/chromium must exist (otherwise build + e2e are skipped)
//   CABINET_REQUIRE_NO_SKIPS=1 no skipped or todo test, and no suite that ran zero tests, anywhere
//   CABINET_TEST_CONCURRENCY   server test files run at once (scripts/test-server.js)
//
// At the end: a table of the steps, the ten slowest server test files, and the test counts.
//
// Plain Node ESM with no dependency but `pg` (loaded lazily), so it runs before anything is built.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatSlowest, readTimings } from './test-timings.js';

const PG_URL = process.env.CABINET_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const CHROMIUM = '/usr/bin/chromium';
const REQUIRE_PG = process.env.CABINET_REQUIRE_PG === '1';
const REQUIRE_BROWSER = process.env.CABINET_REQUIRE_BROWSER === '1';
const REQUIRE_NO_SKIPS = process.env.CABINET_REQUIRE_NO_SKIPS === '1';
const NPM = 'npm';
// Keep this much of a teed step's output: the node:test summary is the last thing it prints.
const TEE_TAIL_BYTES = 1024 * 1024;

// NOTE: node:test's default file discovery matches `scripts/test.js`; if a test command ever falls back to
// it, this guard stops `npm test` from running itself recursively.
if (process.env.CABINET_NPM_TEST_PID) {
  process.stderr.write(`scripts/test.js was started from inside npm test (pid ${process.env.CABINET_NPM_TEST_PID}); refusing to recurse\n`);
  process.exit(1);
}
process.env.CABINET_NPM_TEST_PID = String(process.pid);

const reportDir = mkdtempSync(path.join(tmpdir(), 'cabinet-test-'));
const VITEST_JSON = path.join(reportDir, 'vitest.json');
const PLAYWRIGHT_JSON = path.join(reportDir, 'playwright.json');
// Each server test file's wall time, one JSON line per file (scripts/test-timings.js).
const SERVER_TIMINGS = path.join(reportDir, 'server-timings.jsonl');

/** @typedef {{ passed: number, failed: number, skipped: number, todo: number, total: number }} Counts */
/** @typedef {{ name: string, status: 'pass'|'skip'|'fail'|'not run', ms: number, note: string, counts?: Counts }} StepResult */

/** @type {StepResult[]} */
const results = [];
/** @type {import('node:child_process').ChildProcess | null} */
let current = null;
let interrupted = false;
/** The server test files, slowest first (filled in by the test:server step). */
let serverTimings = [];

// ---------------------------------------------------------------------------------------------------
// Output helpers

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const bold = (t) => paint('1', t);
const red = (t) => paint('31', t);
const green = (t) => paint('32', t);
const yellow = (t) => paint('33', t);

function banner(text) {
  process.stdout.write(`\n${bold(`━━ npm test ▸ ${text}`)}\n`);
}

function notice(text) {
  process.stdout.write(`${yellow('NOTICE:')} ${text}\n`);
}

function fmtMs(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

// ---------------------------------------------------------------------------------------------------
// Running commands

/**
 * Runs a command with the terminal's stdin/stderr; stdout is inherited, or teed (streamed and kept) when
 * `tee` is set. Resolves with the exit code (or signal) and the tail of stdout.
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, output: string }>}
 */
function run(cmd, args, { tee = false, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['inherit', tee ? 'pipe' : 'inherit', 'inherit'], env });
    current = child;
    /** @type {Buffer[]} */
    let chunks = [];
    let size = 0;
    if (tee && child.stdout) {
      child.stdout.on('data', (chunk) => {
        process.stdout.write(chunk);
        chunks.push(chunk);
        size += chunk.length;
        if (size > 2 * TEE_TAIL_BYTES) {
          const joined = Buffer.concat(chunks).subarray(-TEE_TAIL_BYTES);
          chunks = [joined];
          size = joined.length;
        }
      });
    }
    child.on('error', (err) => {
      process.stderr.write(`${red('error:')} could not start ${cmd}: ${err.message}\n`);
    });
    // 'close' (not 'exit') so that all of stdout has been read.
    child.on('close', (code, signal) => {
      current = null;
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(sig, () => {
    // The child is in our process group and got the signal too; make sure it goes, then report.
    interrupted = true;
    current?.kill(sig);
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading test counts

/**
 * Reads node:test's closing summary (TAP: `# tests N` … `# todo N`; spec reporter: `ℹ tests N` …).
 * Only the LAST summary block counts, and it must add up (tests = pass + fail + cancelled + skipped +
 * todo), so a test that prints look-alike lines cannot fool it (TAP escapes such output anyway).
 * @returns {Counts | null}
 */
function parseNodeTestSummary(output) {
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/);
  const re = /^(?:#|ℹ) (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\d+(?:\.\d+)?)\s*$/;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = re.exec(lines[i]);
    if (!m || m[1] !== 'tests') continue;
    /** @type {Record<string, number>} */
    const v = { tests: Number(m[2]) };
    for (let j = i + 1; j < lines.length; j++) {
      const n = re.exec(lines[j]);
      if (!n || n[1] === 'tests') break;
      v[n[1]] = Number(n[2]);
    }
    const keys = ['pass', 'fail', 'cancelled', 'skipped', 'todo'];
    if (!keys.every((k) => Number.isInteger(v[k]))) return null;
    if (v.pass + v.fail + v.cancelled + v.skipped + v.todo !== v.tests) return null;
    return { passed: v.pass, failed: v.fail + v.cancelled, skipped: v.skipped, todo: v.todo, total: v.tests };
  }
  return null;
}

/** @returns {any} parsed JSON, or null when the file is missing or not JSON */
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Vitest's JSON report (jest-compatible numbers). @returns {Counts | null} */
function vitestCounts() {
  const r = readJson(VITEST_JSON);
  const nums = ['numTotalTests', 'numPassedTests', 'numFailedTests', 'numPendingTests', 'numTodoTests'];
  if (!r || !nums.every((k) => Number.isInteger(r[k]))) return null;
  return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests, todo: r.numTodoTests, total: r.numTotalTests };
}

/** Playwright's JSON report: stats.{expected, unexpected, flaky, skipped}. @returns {Counts | null} */
function playwrightCounts() {
  const s = readJson(PLAYWRIGHT_JSON)?.stats;
  if (!s || !['expected', 'unexpected', 'flaky', 'skipped'].every((k) => Number.isInteger(s[k]))) return null;
  return {
    passed: s.expected + s.flaky,
    failed: s.unexpected,
    skipped: s.skipped,
    todo: 0,
    total: s.expected + s.unexpected + s.flaky + s.skipped,
  };
}

function describeCounts(c) {
  const parts = [`${c.passed} passed`, `${c.failed} failed`];
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  if (c.todo) parts.push(`${c.todo} todo`);
  return parts.join(', ');
}

/**
 * With CABINET_REQUIRE_NO_SKIPS=1, what is wrong with a suite's counts (null when nothing is).
 * @param {Counts | null} counts
 */
function skipProblem(counts, what) {
  if (!REQUIRE_NO_SKIPS) return null;
  if (!counts) return `could not read ${what}'s test counts, so skipped tests cannot be ruled out`;
  if (counts.total === 0) return `${what} ran no tests`;
  const bad = [];
  if (counts.skipped) bad.push(`${counts.skipped} skipped`);
  if (counts.todo) bad.push(`${counts.todo} todo`);
  return bad.length ? `${what}: ${bad.join(', ')} (CABINET_REQUIRE_NO_SKIPS=1)` : null;
}

// ---------------------------------------------------------------------------------------------------
// Pre-flight checks

/** True when PostgreSQL answers `select 1` within about 2 seconds. */
async function isPostgresReachable(url) {
  let pg;
  try {
    pg = (await import('pg')).default;
  } catch (err) {
    process.stderr.write(`could not load the pg package (${err.message}); run npm ci\n`);
    return false;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000, query_timeout: 2000 });
  client.on('error', () => {});
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), 3000);
  });
  const attempt = (async () => {
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    }
  })();
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
    client.end().catch(() => {});
  }
}

/** The URL without its password, for messages. */
function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

// ---------------------------------------------------------------------------------------------------
// Steps

/**
 * Each step resolves to { status, note, counts }. A 'fail' stops the run.
 * @type {{ name: string, run: () => Promise<{ status: 'pass'|'skip'|'fail', note?: string, counts?: Counts }> }[]}
 */
const steps = [];

/** A step that is just an npm script. */
function npmStep(name, script) {
  steps.push({
    name,
    run: async () => {
      const r = await run(NPM, ['run', '--silent', script]);
      return r.code === 0 ? { status: 'pass' } : { status: 'fail', note: exitNote(r) };
    },
  });
}

function exitNote(r) {
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
}

let browserSkipped = false;

npmStep('typecheck', 'typecheck');
npmStep('lint', 'lint');

steps.push({
  name: 'postgres',
  run: async () => {
    if (await isPostgresReachable(PG_URL)) return { status: 'pass', note: `reachable at ${redact(PG_URL)}` };
    if (REQUIRE_PG) {
      process.stderr.write(`${red('error:')} CABINET_REQUIRE_PG=1 but PostgreSQL is not reachable at ${redact(PG_URL)}\n`);
      return { status: 'fail', note: `not reachable at ${redact(PG_URL)} and CABINET_REQUIRE_PG=1` };
    }
    notice(
      `PostgreSQL is not reachable at ${redact(PG_URL)}: the PostgreSQL half of the storage tests will be SKIPPED ` +
        `(SQLite still runs). Start PostgreSQL or set CABINET_TEST_PG_URL; CI sets CABINET_REQUIRE_PG=1.`,
    );
    return { status: 'skip', note: 'not reachable: PostgreSQL tests will be skipped' };
  },
});

steps.push({
  name: 'test:server',
  run: async () => {
    rmSync(SERVER_TIMINGS, { force: true });
    const r = await run(NPM, ['run', '--silent', 'test:server'], {
      tee: true,
      env: { ...process.env, CABINET_TEST_TIMINGS: SERVER_TIMINGS },
    });
    serverTimings = readTimings(SERVER_TIMINGS);
    const counts = parseNodeTestSummary(r.output) ?? undefined;
    if (r.code !== 0) return { status: 'fail', note: exitNote(r), counts };
    const problem = skipProblem(counts ?? null, 'test:server');
    return problem ? { status: 'fail', note: problem, counts } : { status: 'pass', counts };
  },
});

steps.push({
  name: 'test:web',
  run: async () => {
    rmSync(VITEST_JSON, { force: true });
    const r = await run(NPM, [
      'run',
      '--silent',
      'test:web',
      '--',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${VITEST_JSON}`,
    ]);
    const counts = vitestCounts() ?? undefined;
    if (r.code !== 0) return { status: 'fail', note: exitNote(r), counts };
    const problem = skipProblem(counts ?? null, 'test:web');
    return problem ? { status: 'fail', note: problem, counts } : { status: 'pass', counts };
  },
});

steps.push({
  name: 'browser',
  run: async () => {
    if (existsSync(CHROMIUM)) return { status: 'pass', note: `${CHROMIUM} found` };
    if (REQUIRE_BROWSER) {
      process.stderr.write(`${red('error:')} CABINET_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing (apt-get install chromium)\n`);
      return { status: 'fail', note: `${CHROMIUM} missing and CABINET_REQUIRE_BROWSER=1` };
    }
    if (REQUIRE_NO_SKIPS) {
      process.stderr.write(`${red('error:')} ${CHROMIUM} is missing, so the browser suite would be skipped (CABINET_REQUIRE_NO_SKIPS=1)\n`);
      return { status: 'fail', note: `${CHROMIUM} missing and CABINET_REQUIRE_NO_SKIPS=1` };
    }
    notice(`${CHROMIUM} is missing: the browser suite (build + e2e) is SKIPPED. Install it with: apt-get install chromium`);
    browserSkipped = true;
    return { status: 'skip', note: `${CHROMIUM} missing: build and e2e skipped` };
  },
});

steps.push({
  name: 'build',
  run: async () => {
    if (browserSkipped) return { status: 'skip', note: 'no browser' };
    const r = await run(NPM, ['run', '--silent', 'build']);
    return r.code === 0 ? { status: 'pass' } : { status: 'fail', note: exitNote(r) };
  },
});

steps.push({
  name: 'test:e2e',
  run: async () => {
    if (browserSkipped) return { status: 'skip', note: 'no browser' };
    rmSync(PLAYWRIGHT_JSON, { force: true });
    const r = await run(NPM, ['run', '--silent', 'test:e2e', '--', '--reporter=list,json'], {
      // The build step has just built dist/web; the journeys' global setup need not build it again.
      env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON, CABINET_E2E_SKIP_BUILD: '1' },
    });
    const counts = playwrightCounts() ?? undefined;
    if (r.code !== 0) return { status: 'fail', note: exitNote(r), counts };
    const problem = skipProblem(counts ?? null, 'test:e2e');
    return problem ? { status: 'fail', note: problem, counts } : { status: 'pass', counts };
  },
});

// ---------------------------------------------------------------------------------------------------
// Main

function printSummary() {
  const rows = results.map((r) => [
    r.name,
    r.status,
    r.status === 'not run' ? '' : fmtMs(r.ms),
    [r.counts && describeCounts(r.counts), r.note].filter(Boolean).join('; '),
  ]);
  const header = ['step', 'result', 'time', 'details'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const colorFor = { pass: green, skip: yellow, fail: red, 'not run': (t) => t };
  process.stdout.write(`\n${bold('npm test summary')}\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const [i, row] of rows.entries()) {
    const colored = row.map((c, j) => (j === 1 ? colorFor[results[i].status](c.padEnd(widths[1])) : c));
    process.stdout.write(`${line(colored)}\n`);
  }
}

async function main() {
  const started = performance.now();
  let failed = null;
  for (const step of steps) {
    if (failed || interrupted) {
      results.push({ name: step.name, status: 'not run', ms: 0, note: '' });
      continue;
    }
    banner(step.name);
    const t0 = performance.now();
    let outcome;
    try {
      outcome = await step.run();
    } catch (err) {
      outcome = { status: 'fail', note: `runner error: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (interrupted && outcome.status !== 'fail') outcome = { status: 'fail', note: 'interrupted' };
    results.push({ name: step.name, ms: performance.now() - t0, note: outcome.note ?? '', status: outcome.status, counts: outcome.counts });
    if (outcome.status === 'fail') failed = results.at(-1);
  }
  rmSync(reportDir, { recursive: true, force: true });

  printSummary();
  const slowest = formatSlowest(serverTimings);
  if (slowest) process.stdout.write(`\n${slowest}`);
  const total = fmtMs(performance.now() - started);
  const counted = results.filter((r) => r.counts);
  const sum = (k) => counted.reduce((n, r) => n + (r.counts?.[k] ?? 0), 0);
  if (failed) {
    if (counted.length)
      process.stdout.write(`\ntests so far: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped') + sum('todo')} skipped\n`);
    process.stdout.write(`\n${red('npm test FAILED')} at step '${failed.name}'${failed.note ? ` (${failed.note})` : ''} after ${total}\n`);
    process.exitCode = interrupted ? 130 : 1;
    return;
  }
  const skippedSteps = results.filter((r) => r.status === 'skip').map((r) => r.name);
  process.stdout.write(
    `\n${green('npm test passed')} in ${total}${skippedSteps.length ? ` (skipped: ${skippedSteps.join(', ')})` : ''}\n` +
      // NOTE: the last line is the plain "N passed, N failed, N skipped" line that CI's log reader understands.
      `Tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped') + sum('todo')} skipped\n`,
  );
}

await main();
