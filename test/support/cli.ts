import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { openCabinetStore } from '../../src/cabinet';
import { runCommand } from '../../src/cli/main';
import { INSTALL_DIR, loadConfig } from '../../src/config';
import type { Services } from '../../src/services';
import { ENGINES } from './cabinet';
import { createTestDatabase, type EngineName } from './databases';

// The CLI tests run the real command line through `runCommand` inside the test's process (its own environment,
// output and exit code; starting Node and tsx once per command made these files the slowest of the suite).
// `cabinetProcess` runs `node bin/cabinet.js …` in a child process, for what only a process shows: the exit
// itself, signals, options read from the process's environment (`--url` from CABINET_URL), and the entry point.
export const BIN = path.join(INSTALL_DIR, 'bin', 'cabinet.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a child: ours without any Cabinet configuration or test-runner variables, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([k]) => !/^(CABINET_|NODE_TEST|PORT$|HOST$|DATABASE_URL$)/.test(k));
  return { ...Object.fromEntries(inherited), ...env };
}

/** Runs `cabinet ARGS` to its end, inside this process. */
export function cabinet(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCommand(args, childEnv(env));
}

/** Runs `cabinet ARGS` to its end in a child process. */
export function cabinetProcess(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: INSTALL_DIR, env: childEnv(env), timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

/** Asserts a failure with exactly one line on stderr, prefixed like every CLI error, and returns that line. */
export function oneLineFailure(r: Run, code = 1): string {
  assert.equal(r.code, code, show(r));
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `expected one line on stderr\n${show(r)}`);
  assert.match(lines[0]!, /^cabinet: /);
  return lines[0]!;
}

/**
 * Asserts a failure whose stderr is `cabinet: HEADLINE:` and then one indented line per problem, and
 * returns the headline and the problem lines (without their indent).
 */
export function listedFailure(r: Run, code = 1): { headline: string; problems: string[] } {
  assert.equal(r.code, code, show(r));
  const [first = '', ...rest] = r.stderr.trimEnd().split('\n');
  assert.match(first, /^cabinet: .*:$/, show(r));
  assert.ok(rest.length > 0, show(r));
  for (const line of rest) assert.match(line, /^ {2}\S/, `each problem on its own indented line\n${show(r)}`);
  return { headline: first.replace(/^cabinet: /, '').replace(/:$/, ''), problems: rest.map((l) => l.slice(2)) };
}

/** The `{"ok": false, "problems": [...]}` a --json command prints on stdout when it fails. */
export function jsonFailure(r: Run, code = 1): { ok: false; code?: string; message: string; problems: { message: string; file?: string; line?: number; column?: number; path?: string }[] } & Record<string, unknown> {
  assert.equal(r.code, code, show(r));
  let body: unknown;
  try {
    body = JSON.parse(r.stdout);
  } catch {
    assert.fail(`stdout is not JSON\n${show(r)}`);
  }
  const failure = body as ReturnType<typeof jsonFailure>;
  assert.equal(failure.ok, false, show(r));
  assert.ok(Array.isArray(failure.problems) && failure.problems.length > 0, show(r));
  for (const p of failure.problems) assert.equal(typeof p.message, 'string');
  return failure;
}

/** Opens the database in this process to look at what a command did. */
export async function withServices<T>(url: string, work: (services: Services) => Promise<T>): Promise<T> {
  const { store, services } = await openCabinetStore(loadConfig({ DATABASE_URL: url }));
  try {
    return await work(services);
  } finally {
    await store.close();
  }
}

/** Declares the test once per engine, each on a fresh empty database that is dropped afterwards. */
export function eachEngine(name: string, body: (url: string, engine: EngineName) => Promise<void>): void {
  for (const { engine, skip } of ENGINES) {
    it(`${name} [${engine}]`, { skip }, async () => {
      const db = await createTestDatabase(engine);
      try {
        await body(db.url, engine);
      } finally {
        await db.drop();
      }
    });
  }
}
