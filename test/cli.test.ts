import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCabinet } from '../src/cabinet';
import { INSTALL_DIR, loadConfig } from '../src/config';
import { systemActor } from '../src/domain/actor';
import { GENESIS_HASH, hashEvent, type ChainedEvent } from '../src/domain/audit/chain';
import { BIN, cabinet, childEnv, eachEngine, listedFailure, oneLineFailure, show, withServices } from './support/cli';

const TOKEN = 'cab_cli_test_bootstrap_token_0123456789';

async function findUser(url: string, email: string) {
  return withServices(
    url,
    async (s) => (await s.accounts.listUsers(systemActor(), { q: email, limit: 50 })).items.find((u) => u.email === email) ?? null,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

interface Server {
  base: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then the exit code (SIGKILL after 15 s). */
  stop(): Promise<number | null>;
}

/** Runs `cabinet serve` on the database and waits until it listens. */
async function serve(url: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: INSTALL_DIR,
    env: childEnv({
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      CABINET_WEB_DIR: '/nonexistent',
      CABINET_LOG_LEVEL: 'warn',
      CABINET_ADMIN_EMAIL: 'root@example.com',
      CABINET_ADMIN_PASSWORD: 'root-password-1',
      CABINET_BOOTSTRAP_TOKEN: TOKEN,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (out.includes('Cabinet is running at')) {
          child.stderr!.off('data', check);
          resolve(true);
        }
      };
      child.stderr!.on('data', check);
    }),
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 45_000).unref()),
  ]);
  const server: Server = {
    base: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  if (!ready) {
    await server.stop();
    assert.fail(`cabinet serve did not start:\n${out}`);
  }
  assert.ok(out.includes(`Cabinet is running at http://127.0.0.1:${port}`), out);
  return server;
}

// Spawning node + tsx is CPU-bound start-up work; two suites at a time keeps both cores busy.
describe('cabinet CLI', { concurrency: 2 }, () => {
  describe('cabinet --help', () => {
    it('describes the program and every command, and exits 0', async () => {
      const commands: [string[], RegExp[]][] = [
        [[], [/^Usage: cabinet \[options\] \[command\]/m, /serve/, /migrate/, /user/, /team/, /token/, /window/, /import/, /policy/, /audit/, /--version/]],
        [['serve'], [/^Usage: cabinet serve/m, /--demo/, /--no-worker/]],
        [['migrate'], [/^Usage: cabinet migrate/m, /--json/]],
        [
          ['user', 'create'],
          [/^Usage: cabinet user create/m, /--email <email>/, /--name <name>/, /--role <role>/, /change_manager/, /--password <password>/],
        ],
        [
          ['user', 'list'],
          [/^Usage: cabinet user list/m, /--query <text>/, /--json/],
        ],
        [
          ['team', 'create'],
          [/^Usage: cabinet team create/m, /--name <name>/, /--handle <handle>/, /--member <email>/],
        ],
        [
          ['team', 'list'],
          [/^Usage: cabinet team list/m, /--json/],
        ],
        [
          ['token', 'create'],
          [/^Usage: cabinet token create/m, /--user <email>/, /--expires <iso>/],
        ],
        [
          ['token', 'list'],
          [/^Usage: cabinet token list/m, /--user <email>/],
        ],
        [
          ['token', 'revoke'],
          [/^Usage: cabinet token revoke \[options\] <id>/m],
        ],
        [
          ['window', 'list'],
          [/^Usage: cabinet window list/m, /--kind <kind>/, /--service <id>/],
        ],
        [
          ['worker'],
          [/^Usage: cabinet worker/m, /--once/],
        ],
        [
          ['import', 'windows'],
          [/^Usage: cabinet import windows \[options\] <file>/m, /--kind <kind>/],
        ],
        [
          ['import', 'cis'],
          [/^Usage: cabinet import cis \[options\] <file>/m, /--atomic/, /--dry-run/, /name,type,environment,service,criticality,tags/],
        ],
        [
          ['incidents', 'import'],
          [/^Usage: cabinet incidents import \[options\] <file>/m, /--dry-run/, /ServiceNow incident event log/],
        ],
        [
          ['policy', 'validate'],
          [/^Usage: cabinet policy validate \[options\] <dir>/m, /file and line/],
        ],
        [
          ['policy', 'apply'],
          [/^Usage: cabinet policy apply \[options\] <dir>/m, /new active version/, /--force/, /--json/],
        ],
        [
          ['policy', 'test'],
          [/^Usage: cabinet policy test \[options\] <dir>/m, /test cases/, /--json/],
        ],
        [
          ['policy', 'diff'],
          [/^Usage: cabinet policy diff \[options\] <dir>/m, /for every\s+open change/, /--json/],
        ],
        [
          ['audit', 'verify'],
          [/^Usage: cabinet audit verify \[options\] <file>/m, /JSON lines/],
        ],
        [
          ['audit', 'export'],
          [/^Usage: cabinet audit export/m, /--from <iso>/, /--to <iso>/, /--output <file>/],
        ],
      ];
      // Four at a time: all at once, on a loaded machine, some would not start within the child's timeout.
      const runs = [];
      for (let i = 0; i < commands.length; i += 4) runs.push(...(await Promise.all(commands.slice(i, i + 4).map(([args]) => cabinet([...args, '--help'])))));
      runs.forEach((r, i) => {
        const [args, patterns] = commands[i]!;
        assert.equal(r.code, 0, `${args.join(' ')} --help\n${show(r)}`);
        assert.equal(r.stderr, '');
        for (const p of patterns) assert.match(r.stdout, p, `${args.join(' ')} --help`);
        // Every command shows how it is used, after its options.
        assert.match(r.stdout, /\nExamples?:\n {2}\$ .*\bcabinet /, `${args.join(' ') || 'cabinet'} --help has an example`);
      });
    });

    it('prints the package version for --version and -V', async () => {
      const { version } = JSON.parse(readFileSync(path.join(INSTALL_DIR, 'package.json'), 'utf8')) as { version: string };
      for (const flag of ['--version', '-V']) {
        const r = await cabinet([flag]);
        assert.equal(r.code, 0, show(r));
        assert.equal(r.stdout, `${version}\n`);
        assert.equal(r.stderr, '');
      }
    });
  });

  describe('cabinet migrate', () => {
    eachEngine('applies the migrations, then says the database is up to date', async (url) => {
      const first = await cabinet(['migrate'], { DATABASE_URL: url });
      assert.equal(first.code, 0, show(first));
      assert.match(first.stdout, /^Applied \d+ migration\(s\): 0001-core/);
      const second = await cabinet(['migrate', '--json'], { DATABASE_URL: url });
      assert.equal(second.code, 0, show(second));
      assert.deepEqual(JSON.parse(second.stdout), { applied: [] });
    });
  });

  describe('cabinet user create', () => {
    eachEngine('creates a user with every role given, and refuses the same email again', async (url) => {
      const r = await cabinet(
        [
          'user',
          'create',
          '--email',
          'Dana@Example.com',
          '--name',
          'Dana Scully',
          '--role',
          'change_manager',
          '--role',
          'approver',
          '--password',
          'dana-password-1',
        ],
        { DATABASE_URL: url },
      );
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /^Created dana@example\.com \(\S+\) with roles approver, change_manager\.\n$/);
      assert.doesNotMatch(r.stdout, /password/i);
      const user = await findUser(url, 'dana@example.com');
      assert.ok(user);
      assert.equal(user.name, 'Dana Scully');
      assert.deepEqual(user.roles.map((g) => g.role).sort(), ['approver', 'change_manager']);

      const again = await cabinet(
        ['user', 'create', '--email', 'dana@example.com', '--name', 'Another Dana', '--password', 'dana-password-2'],
        { DATABASE_URL: url },
      );
      assert.deepEqual(listedFailure(again).problems, ['email: a user with this email already exists']);
      assert.equal((await findUser(url, 'dana@example.com'))!.name, 'Dana Scully');
    });

    eachEngine('prints a generated password when none is given, and that password signs in', async (url) => {
      const r = await cabinet(['user', 'create', '--email', 'fox@example.com', '--name', 'Fox', '--role', 'requester'], {
        DATABASE_URL: url,
      });
      assert.equal(r.code, 0, show(r));
      const match = /^Password \(shown only now\): (\S+)$/m.exec(r.stdout);
      assert.ok(match, show(r));
      const password = match[1]!;
      assert.ok(password.length >= 10);

      const app = await startCabinet(loadConfig({ DATABASE_URL: url, CABINET_WEB_DIR: '/nonexistent' }));
      try {
        const login = await app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'fox@example.com', password } });
        assert.equal(login.statusCode, 200, login.body);
        assert.equal(login.json().email, 'fox@example.com');
        assert.deepEqual(
          login.json().roles.map((g: { role: string }) => g.role),
          ['requester'],
        );
      } finally {
        await app.close();
      }
    });

    eachEngine('refuses a bad role and a bad email, each on its own line, and creates nobody', async (url) => {
      const r = await cabinet(
        [
          'user',
          'create',
          '--email',
          'not-an-email',
          '--name',
          'Nobody',
          '--role',
          'overlord',
          '--role',
          'approver',
          '--password',
          'long-enough-1',
        ],
        { DATABASE_URL: url },
      );
      const { headline, problems } = listedFailure(r);
      assert.equal(headline, 'The user is not valid');
      assert.equal(problems.length, 2, show(r));
      assert.ok(problems.some((p) => /^email: must be an email address/.test(p)), show(r));
      assert.ok(problems.some((p) => /^roles\.0: /.test(p)), show(r));
      assert.ok(!problems.some((p) => /roles\.1/.test(p)), 'the valid role is not reported');
      const count = await withServices(url, async (s) => (await s.accounts.listUsers(systemActor(), { limit: 10 })).items.length);
      assert.equal(count, 0);
    });
  });

  describe('cabinet beside a running server', () => {
    eachEngine(
      'creates users and tokens while `cabinet serve` writes to the same database, and the server accepts the token',
      async (url) => {
        const server = await serve(url);
        let stopped = false;
        try {
          // Keep the server writing while the CLI writes, so both compete for the database.
          let writing = true;
          const statuses: number[] = [];
          const load = (async () => {
            let i = 0;
            while (writing) {
              const res = await fetch(`${server.base}/api/v1/changes`, {
                method: 'POST',
                headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
                body: JSON.stringify({ type: 'normal', title: `Load ${i++}` }),
              });
              statuses.push(res.status);
              await res.body?.cancel();
            }
          })();

          const [created, adminToken] = await Promise.all([
            cabinet(
              [
                'user',
                'create',
                '--email',
                'mulder@example.com',
                '--name',
                'Fox Mulder',
                '--role',
                'implementer',
                '--password',
                'mulder-password-1',
              ],
              { DATABASE_URL: url },
            ),
            cabinet(['token', 'create', '--user', 'root@example.com', '--name', 'deploys'], { DATABASE_URL: url }),
          ]);
          assert.equal(created.code, 0, show(created));
          assert.equal(adminToken.code, 0, show(adminToken));
          const userToken = await cabinet(['token', 'create', '--user', 'mulder@example.com', '--name', 'laptop'], { DATABASE_URL: url });
          assert.equal(userToken.code, 0, show(userToken));
          writing = false;
          await load;

          for (const [run, email] of [
            [adminToken, 'root@example.com'],
            [userToken, 'mulder@example.com'],
          ] as const) {
            assert.match(run.stdout, /^cab_[A-Za-z0-9_-]{43}\n$/, 'only the token, on one line');
            assert.equal(run.stderr, '');
            const me = await fetch(`${server.base}/api/v1/me`, { headers: { authorization: `Bearer ${run.stdout.trim()}` } });
            assert.equal(me.status, 200);
            assert.equal(((await me.json()) as { email: string }).email, email);
          }
          assert.ok(statuses.length > 0);
          assert.deepEqual([...new Set(statuses)], [201], 'every write of the server succeeded while the CLI wrote');

          // The audit trail both wrote to is one intact chain, and the offline verifier agrees.
          const exported = await fetch(`${server.base}/api/v1/audit/export`, { headers: { authorization: `Bearer ${TOKEN}` } });
          assert.equal(exported.status, 200);
          const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-'));
          try {
            const file = path.join(dir, 'audit.jsonl');
            writeFileSync(file, await exported.text());
            const verified = await cabinet(['audit', 'verify', file]);
            assert.equal(verified.code, 0, show(verified));
            assert.match(verified.stdout, /^OK: \d+ audit events checked; the chain is intact/);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }

          stopped = true;
          assert.equal(await server.stop(), 0, `serve stops cleanly on SIGTERM\n${server.output()}`);
        } finally {
          if (!stopped) await server.stop();
        }
      },
    );
  });

  describe('cabinet import cis', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    async function seedService(url: string): Promise<string> {
      return withServices(
        url,
        async (s) =>
          (
            await s.cmdb.createService(systemActor(), {
              name: 'Payments',
              description: '',
              requiresMaintenanceWindow: false,
              tier: 1,
              ownerTeamId: null,
              tags: [],
              provider: 'on_premises',
            })
          ).id,
      );
    }
    const cis = (url: string) => withServices(url, async (s) => (await s.cmdb.listCis(systemActor(), { limit: 100 })).items);

    eachEngine('imports every row of a clean CSV, prints the summary and exits 0', async (url, engine) => {
      const serviceId = await seedService(url);
      const file = path.join(dir, `clean-${engine}.csv`);
      writeFileSync(
        file,
        [
          'name,type,environment,service,criticality,tags',
          'pay-db-1,database,production,Payments,critical,pci;db',
          'pay-web-1,web_server,production,payments,high,',
          'cache-1,cache,staging,,low,',
        ].join('\n') + '\n',
      );
      const r = await cabinet(['import', 'cis', file], { DATABASE_URL: url });
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, 'Created 3, updated 0, left 0 unchanged, added 0 relation(s); 0 row(s) refused.\n');
      const byName = new Map((await cis(url)).map((c) => [c.name, c]));
      assert.deepEqual([...byName.keys()].sort(), ['cache-1', 'pay-db-1', 'pay-web-1']);
      assert.equal(byName.get('pay-db-1')!.serviceId, serviceId);
      assert.equal(byName.get('pay-web-1')!.serviceId, serviceId, 'service names match whatever their case');
      assert.equal(byName.get('cache-1')!.serviceId, null);
      assert.deepEqual(byName.get('pay-db-1')!.tags, ['pci', 'db']);
      assert.equal(byName.get('pay-db-1')!.criticality, 'critical');
    });

    eachEngine('imports the good rows, lists every refused row and exits 2; --json gives the same as JSON', async (url, engine) => {
      await seedService(url);
      const file = path.join(dir, `mixed-${engine}.csv`);
      writeFileSync(
        file,
        [
          'name,type,environment,service,criticality,tags',
          'good-1,database,production,Payments,high,',
          'bad-env,database,prod,Payments,high,',
          'bad-service,database,production,Billing,high,',
          'good-2,queue,test,,medium,',
          ',database,production,,low,',
        ].join('\n') + '\n',
      );
      const r = await cabinet(['import', 'cis', file], { DATABASE_URL: url });
      assert.equal(r.code, 2, show(r));
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines[0], 'Created 2, updated 0, left 0 unchanged, added 0 relation(s); 3 row(s) refused.');
      assert.deepEqual(
        lines.slice(1).map((l) => /^ {2}row (\d+): /.exec(l)?.[1]),
        ['2', '3', '5'],
      );
      assert.match(lines[1]!, /environment/);
      assert.match(lines[2]!, /unknown service "Billing"/);
      assert.match(lines[3]!, /name/);
      assert.deepEqual((await cis(url)).map((c) => c.name).sort(), ['good-1', 'good-2']);

      // The same file again, as JSON: the good rows are now unchanged and the same rows are refused.
      const json = await cabinet(['import', 'cis', file, '--json'], { DATABASE_URL: url });
      assert.equal(json.code, 2, show(json));
      const result = JSON.parse(json.stdout) as {
        created: number;
        updated: number;
        unchanged: number;
        errors: { row: number; message: string }[];
        dryRun: boolean;
      };
      assert.deepEqual(
        { created: result.created, updated: result.updated, unchanged: result.unchanged, dryRun: result.dryRun },
        { created: 0, updated: 0, unchanged: 2, dryRun: false },
      );
      assert.deepEqual(
        result.errors.map((e) => e.row),
        [2, 3, 5],
      );
    });
  });

  describe('cabinet incidents import', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    eachEngine('imports the good incidents, lists every refused one and exits 2; --dry-run writes nothing', async (url, engine) => {
      await withServices(url, (s) => s.cmdb.createCi(systemActor(), { name: 'db-1', type: 'database', environment: 'production', criticality: 'low', serviceId: null, ownerTeamId: null, tags: [], attributes: {} }));
      const file = path.join(dir, `incidents-${engine}.csv`);
      writeFileSync(
        file,
        [
          'number,title,priority,state,opened_at,ci,caused_by',
          'INC0000001,Disk full,2,closed,2026-01-05T10:00:00Z,db-1,',
          'INC0000002,Slow login,3,sideways,2026-01-06T10:00:00Z,db-9,',
        ].join('\n') + '\n',
      );
      const dry = await cabinet(['incidents', 'import', file, '--dry-run', '--json'], { DATABASE_URL: url });
      assert.equal(dry.code, 2, show(dry));
      const report = JSON.parse(dry.stdout) as { incidents: number; created: number; dryRun: boolean; errors: { row: number; number: string }[] };
      assert.deepEqual([report.incidents, report.created, report.dryRun, report.errors.map((e) => [e.row, e.number])], [2, 1, true, [[2, 'INC0000002']]]);
      const count = () => withServices(url, async (s) => (await s.incidents.list(systemActor(), { limit: 50 })).items.map((i) => i.number));
      assert.deepEqual(await count(), []);

      const r = await cabinet(['incidents', 'import', file], { DATABASE_URL: url });
      assert.equal(r.code, 2, show(r));
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines[0], 'Read 2 incident(s): created 1, updated 0; 1 refused.');
      assert.deepEqual(lines.slice(1), ['  row 2 INC0000002: state: unknown state "sideways"']);
      assert.deepEqual(await count(), ['INC0000001']);
    });
  });

  describe('cabinet policy validate', () => {
    it('accepts the shipped bundle and exits 0', async () => {
      const r = await cabinet(['policy', 'validate', 'policies/default']);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, 'policies/default: valid bundle "default" with 3 change models (normal, emergency, standard).\n');
    });

    it('lists every problem of a broken bundle with file:line:column, one per line, and exits 1', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-'));
      try {
        writeFileSync(path.join(dir, 'bundle.yaml'), 'apiVersion: cabinet/v1\nname: broken\nname: twice\n');
        writeFileSync(path.join(dir, 'models.yaml'), 'apiVersion: cabinet/v1\nmodels:\n  standard:\n    label: [unclosed\n');
        const r = await cabinet(['policy', 'validate', dir]);
        const { headline, problems } = listedFailure(r);
        assert.equal(headline, 'The policy bundle has 2 problems');
        assert.equal(problems.length, 2);
        assert.match(problems[0]!, /^bundle\.yaml:3:1 Map keys must be unique/);
        assert.match(problems[1]!, /^models\.yaml:5:1 /);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('cabinet policy test', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    /** A copy of the shipped bundle with `edit` applied to its test files. */
    const copyWith = (name: string, tests: Record<string, string>) => {
      const target = path.join(dir, name);
      cpSync(path.join(INSTALL_DIR, 'policies', 'default'), target, { recursive: true });
      for (const [file, text] of Object.entries(tests)) writeFileSync(path.join(target, 'tests', file), text);
      return target;
    };

    it('runs the shipped cases, one ✓ line each and a summary, and exits 0', async () => {
      const r = await cabinet(['policy', 'test', 'policies/default']);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stderr, '');
      const lines = r.stdout.trimEnd().split('\n');
      const cases = lines.slice(0, -2);
      assert.ok(cases.length >= 10);
      for (const line of cases) assert.match(line, /^✓ tests\/[a-z-]+\.yaml: \S/);
      assert.equal(lines.at(-1), `${cases.length} test cases: ${cases.length} passed, 0 failed.`);
    });

    it('marks a failing case ✗ with each mismatch in words, and exits 1; --json gives the same results', async () => {
      const bundle = copyWith('failing', {
        'wrong.yaml':
          'cases:\n  - name: Emergencies go to the CAB\n    change: { type: emergency }\n    expect:\n      approvals: [cab]\n      slas: { approval_response: approval_response }\n',
      });
      const r = await cabinet(['policy', 'test', bundle]);
      assert.equal(r.code, 1, show(r));
      const lines = r.stdout.trimEnd().split('\n');
      const at = lines.indexOf('✗ tests/wrong.yaml: Emergencies go to the CAB');
      assert.ok(at >= 0, show(r));
      assert.deepEqual(lines.slice(at + 1, at + 3), [
        '    approvals: expected cab, got ecab',
        '    SLA target for approval_response: expected approval_response, got ecab_response',
      ]);
      assert.match(lines.at(-1)!, /^\d+ test cases: \d+ passed, 1 failed\.$/);

      const json = await cabinet(['policy', 'test', bundle, '--json']);
      assert.equal(json.code, 1, show(json));
      const results = JSON.parse(json.stdout) as {
        passed: number;
        failed: number;
        cases: { file: string; ok: boolean; mismatches: unknown[] }[];
      };
      assert.equal(results.failed, 1);
      assert.deepEqual(
        results.cases.filter((c) => !c.ok).map((c) => [c.file, c.mismatches.length]),
        [['tests/wrong.yaml', 2]],
      );
    });

    it('refuses an invalid test file with file:line:column, and a bundle without cases, exiting 1', async () => {
      const invalid = copyWith('invalid', {
        'bad.yaml': 'cases:\n  - name: Typo\n    change: { type: normal, colour: red }\n    expect: { approvals: [dbaa] }\n',
      });
      const invalidRun = await cabinet(['policy', 'test', invalid]);
      const { problems } = listedFailure(invalidRun);
      assert.ok(problems.some((p) => /^tests\/bad\.yaml:3:\d+ cases\.0\.change\.colour unknown field "colour"/.test(p)), show(invalidRun));
      assert.doesNotMatch(invalidRun.stdout + invalidRun.stderr, /✓/);

      const none = path.join(dir, 'none');
      cpSync(path.join(INSTALL_DIR, 'policies', 'default'), none, { recursive: true });
      rmSync(path.join(none, 'tests'), { recursive: true });
      assert.match(oneLineFailure(await cabinet(['policy', 'test', none])), /has no test cases/);
    });
  });

  describe('cabinet policy diff', () => {
    eachEngine(
      'lists the open changes the bundle would treat differently in a table, counts the others, and exits 0',
      async (url, engine) => {
        const started = await startCabinet(
          loadConfig({
            DATABASE_URL: url,
            CABINET_WEB_DIR: '/nonexistent',
            CABINET_ADMIN_EMAIL: 'root@example.com',
            CABINET_ADMIN_PASSWORD: 'root-password-1',
            CABINET_BOOTSTRAP_TOKEN: TOKEN,
          }),
        );
        let number: string;
        try {
          const post = async (route: string, body: object) => {
            const res = await started.app.inject({
              method: 'POST',
              url: route,
              headers: { authorization: `Bearer ${TOKEN}` },
              payload: body,
            });
            assert.equal(res.statusCode, 201, res.body);
            return res.json() as { id: string; number: string };
          };
          const ci = async (name: string, type: string) => (await post('/api/v1/cis', { name, type, environment: 'production' })).id;
          number = (await post('/api/v1/changes', { type: 'normal', title: 'Add an index', ciIds: [await ci('orders-db', 'database')] }))
            .number;
          await post('/api/v1/changes', { type: 'normal', title: 'Resize the web tier', ciIds: [await ci('web-01', 'server')] });
        } finally {
          await started.close();
        }
        const bundle = mkdtempSync(path.join(tmpdir(), `cabinet-diff-${engine}-`));
        try {
          cpSync(path.join(INSTALL_DIR, 'policies', 'default'), bundle, { recursive: true });
          const approvals = path.join(bundle, 'approvals.yaml');
          writeFileSync(
            approvals,
            readFileSync(approvals, 'utf8').replace(
              '    - name: compliance\n',
              '        - name: storage\n          when: cis.exists(c, c.type == "database")\n          approvers: { team: dba }\n          reason: Storage\n    - name: compliance\n',
            ),
          );
          const r = await cabinet(['policy', 'diff', bundle], { DATABASE_URL: url });
          assert.equal(r.code, 0, show(r));
          const lines = r.stdout.trimEnd().split('\n');
          assert.equal(lines[0], 'Compared with active version 1: 2 open changes, 1 would change, 1 would not.');
          assert.match(lines[2]!, /^CHANGE\s+TYPE\/STATE\s+RISK\s+APPROVALS\s+ROUTING\s+GATES$/);
          assert.match(lines[3]!, new RegExp(`^${number!}\\s+normal/draft\\s+\\+storage$`));
          assert.equal(lines.length, 4);

          const json = await cabinet(['policy', 'diff', bundle, '--json'], { DATABASE_URL: url });
          assert.equal(json.code, 0, show(json));
          const diff = JSON.parse(json.stdout) as {
            openChanges: number;
            unchanged: number;
            changes: { number: string; approvalsAdded: string[] }[];
          };
          assert.deepEqual(
            [diff.openChanges, diff.unchanged, diff.changes.map((c) => [c.number, c.approvalsAdded])],
            [2, 1, [[number!, ['storage']]]],
          );

          const same = await cabinet(['policy', 'diff', 'policies/default'], { DATABASE_URL: url });
          assert.equal(same.stdout, 'Compared with active version 1: 2 open changes, 0 would change, 2 would not.\n', show(same));
        } finally {
          rmSync(bundle, { recursive: true, force: true });
        }
      },
    );
  });

  describe('cabinet audit verify', () => {
    it('fails with a one-line reason for a file that does not exist', async () => {
      const r = await cabinet(['audit', 'verify', '/nonexistent/audit.jsonl']);
      assert.match(oneLineFailure(r), /^cabinet: Cannot read \/nonexistent\/audit\.jsonl: ENOENT/);
    });

    it('names the first altered event of a tampered export and exits 1', async () => {
      const events: ChainedEvent[] = [];
      let prevHash = GENESIS_HASH;
      for (let seq = 1; seq <= 3; seq++) {
        const content = {
          seq,
          at: '2026-01-01T00:00:00.000Z',
          actorId: 'u1',
          actorName: 'Ada',
          action: 'change.created',
          entityType: 'change',
          entityId: `c${seq}`,
          data: { n: seq },
        };
        const hash = hashEvent(prevHash, content);
        events.push({ ...content, prevHash, hash });
        prevHash = hash;
      }
      events[1] = { ...events[1]!, data: { n: 42 } };
      const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-'));
      try {
        const file = path.join(dir, 'audit.jsonl');
        writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
        const r = await cabinet(['audit', 'verify', file]);
        assert.equal(
          oneLineFailure(r),
          'cabinet: Audit chain broken at event 2: its content does not match its hash (the event was altered). 1 event(s) before it check out.',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
