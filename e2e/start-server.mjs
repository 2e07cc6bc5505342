#!/usr/bin/env node
// Starts one worker's Cabinet for the browser tests (e2e/support/test.ts starts it; e2e/global-setup.ts has built
// dist/web, which the server serves): deletes the previous test database (CABINET_E2E_DB_DIR, default
// test-results/e2e-db) so every run starts from the same demo data, then runs `cabinet serve` with the
// environment it is given.
// It also runs a real SMTP server (smtp-server) on the port of CABINET_SMTP_URL, which keeps every message
// it accepts in CABINET_E2E_MAIL_DIR (default test-results/e2e-mail) as <n>.json ({ to, raw }) for the journeys to read.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dbDir = path.resolve(root, process.env.CABINET_E2E_DB_DIR ?? 'test-results/e2e-db');

rmSync(dbDir, { recursive: true, force: true });
mkdirSync(dbDir, { recursive: true });


const mailDir = path.resolve(root, process.env.CABINET_E2E_MAIL_DIR ?? 'test-results/e2e-mail');
rmSync(mailDir, { recursive: true, force: true });
mkdirSync(mailDir, { recursive: true });
if (process.env.CABINET_SMTP_URL) {
  const { SMTPServer } = await import('smtp-server');
  let n = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        writeFileSync(path.join(mailDir, `${String(++n).padStart(5, '0')}.json`), JSON.stringify({ to, raw: Buffer.concat(chunks).toString('utf8') }));
        callback();
      });
    },
  });
  const url = new URL(process.env.CABINET_SMTP_URL);
  await new Promise((resolve) => smtp.listen(Number(url.port), url.hostname, resolve));
}

const server = spawn(process.execPath, [path.join(root, 'bin', 'cabinet.js'), 'serve'], { cwd: root, stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
