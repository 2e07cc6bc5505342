#!/usr/bin/env node
// `npm start`: builds the web app when it is missing or older than its sources, then runs `cabinet serve`.
// Arguments after `--` go to serve, e.g. `npm start -- --demo`. With CABINET_WEB_DIR set to another folder,
// the server serves that one and nothing is built.
//
// Stopping: SIGINT and SIGTERM are passed on to the build or the server, and this process exits with the
// server's exit code once it has closed. NOTE: `npm start` runs this script through `sh -c`; on a
// `kill -TERM <npm>`, npm signals that shell, which dies without passing the signal on. So this process
// also watches its parent: when it is orphaned, it stops the server as if it had received SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'dist', 'web');
const built = path.join(webDir, 'index.html');
const servesOtherDir = process.env.CABINET_WEB_DIR !== undefined && path.resolve(root, process.env.CABINET_WEB_DIR) !== webDir;

/** The running child (the build, then the server), and the signal that asked us to stop, if any. */
let child = null;
let stopSignal = null;

function stop(signal) {
  if (stopSignal) return;
  stopSignal = signal;
  if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
  else process.exit(signal === 'SIGINT' ? 130 : 143);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal === 'SIGHUP' ? 'SIGTERM' : signal));

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 500).unref();

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Runs a child to its end with our stdio; resolves with its exit code (null when a signal ended it). */
function run(args) {
  child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const sources = [path.join(root, 'web'), path.join(root, 'src', 'contracts')].filter(existsSync);
const stale = !servesOtherDir && (!existsSync(built) || sources.some((dir) => newestMtime(dir) > statSync(built).mtimeMs));
if (stale && existsSync(path.join(root, 'web', 'vite.config.ts'))) {
  process.stderr.write('Building the web app…\n');
  const code = await run([path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
  if (stopSignal) process.exit(stopSignal === 'SIGINT' ? 130 : 143);
  if (code !== 0) process.stderr.write('The web app did not build; starting the API only.\n');
}

const code = await run([path.join(root, 'bin', 'cabinet.js'), 'serve', ...process.argv.slice(2)]);
process.exit(code ?? (stopSignal ? 0 : 1));
