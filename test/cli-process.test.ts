import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INSTALL_DIR } from '../src/config';
import { formatLogLine } from '../src/http/logger';
import { BIN, childEnv } from './support/cli';

// Real processes: `npm start` and `cabinet serve`, on SQLite (stopping does not depend on the engine).

let dir: string;
let counter = 0;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-process-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh database and what a server needs to start on it without building the web app. */
function serverEnv(): Record<string, string> {
  return {
    DATABASE_URL: `sqlite:${path.join(dir, `cabinet-${++counter}.db`)}`,
    PORT: '0',
    HOST: '127.0.0.1',
    CABINET_WEB_DIR: '/nonexistent',
    CABINET_ADMIN_EMAIL: 'root@example.com',
    CABINET_ADMIN_PASSWORD: 'root-password-1',
  };
}

interface Started {
  child: ChildProcess;
  output(): string;
  stdout(): string;
  stderr(): string;
  base: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a command and waits until Cabinet says it is running (45 s at most). */
async function start(command: string, args: string[], env: Record<string, string>): Promise<Started> {
  const child = spawn(command, args, { cwd: INSTALL_DIR, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 45_000;
  while (!/Cabinet is running at (http:\/\/\S+) /.test(out)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      assert.fail(`${command} ${args.join(' ')} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const base = /Cabinet is running at (http:\/\/\S+) /.exec(out)![1]!;
  return { child, output: () => out, stdout: () => stdout, stderr: () => stderr, base, exited };
}

/** The pid of the `cabinet serve` process, from its JSON "Server listening" log line. */
function serverPid(stdout: string): number {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; pid?: number };
    if (entry.msg?.startsWith('Server listening') && entry.pid) return entry.pid;
  }
  assert.fail(`no "Server listening" line with a pid:\n${stdout}`);
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

describe('stopping Cabinet', { concurrency: 2 }, () => {
  it('kill -TERM of the `npm start` process stops the server, which finishes cleanly', async () => {
    const npm = await start('npm', ['start', '--silent'], serverEnv());
    const pid = serverPid(npm.stdout());
    try {
      assert.equal((await fetch(`${npm.base}/healthz`)).status, 200);
      npm.child.kill('SIGTERM');
      await npm.exited;
      assert.ok(await waitForExit(pid, 20_000), `the server (pid ${pid}) still runs after npm start was stopped\n${npm.output()}`);
      assert.match(npm.output(), /Received SIGTERM: finishing open requests…/);
      assert.match(npm.output(), /Cabinet stopped: requests finished, worker stopped, database closed\./);
      await assert.rejects(fetch(`${npm.base}/healthz`), 'nothing listens any more');
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('Ctrl-C (SIGINT) on `cabinet serve` logs the shutdown and exits 0; logs on a pipe are JSON lines', async () => {
    const serve = await start(process.execPath, [BIN, 'serve'], serverEnv());
    // NOTE: the body is read to its end: an answer the client has not read is an open request, which a graceful
    // stop waits for (up to its limit), and the openapi document is larger than the socket's buffers.
    const res = await fetch(`${serve.base}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    serve.child.kill('SIGINT');
    const { code } = await serve.exited;
    assert.equal(code, 0, serve.output());
    assert.match(serve.output(), /Received SIGINT: finishing open requests…\n/);
    // NOTE: stdout (the JSON log) and stderr (the messages) are two pipes, read here in whatever order they
    // arrive: the order is only defined within each.
    assert.match(serve.stderr(), /\nCabinet stopped: requests finished, worker stopped, database closed\.\n$/, 'the last word is the clean stop');
    const logLines = serve.stdout().trimEnd().split('\n');
    assert.ok(logLines.length >= 3, serve.stdout());
    const entries = logLines.map((l) => JSON.parse(l) as { msg: string; signal?: string; req?: { url: string } });
    assert.ok(entries.some((e) => e.msg === 'incoming request' && e.req?.url === '/api/v1/openapi.json'));
    assert.ok(entries.some((e) => e.msg === 'shutting down' && e.signal === 'SIGINT'));
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it('on a terminal, the server logs readable lines instead of JSON', { skip: hasScript ? false : 'no `script` to give the server a terminal' }, async () => {
    // `script` runs the server on a pseudo-terminal and copies what it writes there to our pipe.
    const command = [process.execPath, BIN, 'serve'].map((a) => `'${a}'`).join(' ');
    const serve = await start('script', ['-qfec', command, '/dev/null'], { ...serverEnv(), NO_COLOR: '1' });
    await fetch(`${serve.base}/healthz`);
    // The "request completed" line is written once the answer has gone, which may be after fetch returns.
    for (let i = 0; i < 100 && !serve.output().includes('request completed'); i++) await new Promise((r) => setTimeout(r, 100));
    serve.child.kill('SIGTERM');
    await serve.exited;
    const text = serve.output().replace(/\r/g, '');
    assert.doesNotMatch(text, /^\{"level"/m, 'no JSON lines on a terminal');
    assert.match(text, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}Server listening at http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(text, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}request completed 200 in \d+\.\d ms \([0-9a-f]{8}\)$/m);
  });
});

describe('readable log lines', () => {
  it('shows time, level, message, request, status and duration, other fields as key=value, and an error stack below', () => {
    const at = new Date(2026, 0, 2, 9, 5, 7, 42).getTime();
    assert.equal(
      formatLogLine(JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'h', reqId: '0191f3c2-7b7e', req: { method: 'GET', url: '/api/v1/changes' }, msg: 'incoming request' })),
      '09:05:07.042 INFO  incoming request GET /api/v1/changes (0191f3c2)',
    );
    assert.equal(
      formatLogLine(JSON.stringify({ level: 30, time: at, reqId: 'abcdef0123', res: { statusCode: 201 }, responseTime: 12.345, msg: 'request completed' })),
      '09:05:07.042 INFO  request completed 201 in 12.3 ms (abcdef01)',
    );
    assert.equal(formatLogLine(JSON.stringify({ level: 40, time: at, msg: 'worker tick', worker: { held: 1 } })), '09:05:07.042 WARN  worker tick worker={"held":1}');
    assert.equal(
      formatLogLine(JSON.stringify({ level: 50, time: at, msg: 'boom', err: { message: 'x', stack: 'Error: x\n    at f (a.ts:1:1)' } })),
      '09:05:07.042 ERROR boom\n    Error: x\n        at f (a.ts:1:1)',
    );
    assert.equal(formatLogLine(JSON.stringify({ level: 30, time: at, msg: 'coloured' }), true), '\u001b[90m09:05:07.042\u001b[39m \u001b[32mINFO \u001b[39m coloured');
    assert.equal(formatLogLine('not json\n'), 'not json');
  });
});
