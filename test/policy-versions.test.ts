import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startCabinet, type Cabinet } from '../src/cabinet';
import { INSTALL_DIR, loadConfig } from '../src/config';
import { compileBundle, PolicyInvalidError, readBundleFiles, type BundleIssue } from '../src/policy/loader';
import { ADMIN_TOKEN, eachEngine, ENGINES, type Harness } from './support/cabinet';
import { cabinet, show } from './support/cli';
import { createTestDatabase } from './support/databases';

const DEFAULT_DIR = path.join(INSTALL_DIR, 'policies', 'default');
const SHIPPED_TEAMS = ['cab', 'change-managers', 'compliance', 'dba', 'ecab', 'network', 'security'];

/** The shipped bundle's files as the API takes them, with `edit` applied to some of them. */
function shippedFiles(edit: Record<string, (text: string) => string> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(DEFAULT_DIR).filter((n) => /\.ya?ml$/.test(n))) {
    const text = readFileSync(path.join(DEFAULT_DIR, name), 'utf8');
    files[name] = edit[name] ? edit[name](text) : text;
  }
  return files;
}
/** Renames the normal model, which changes the bundle's content and nothing else. */
const relabel = (label: string) => ({ 'change-models.yaml': (t: string) => replaceOnce(t, 'label: Normal change\n', `label: ${label}\n`) });
/** Declares one more team at the end of teams.yaml. */
const declareTeam = (handle: string, name: string) => ({
  'teams.yaml': (t: string) => `${t.trimEnd()}\n  - handle: ${handle}\n    name: ${name}\n`,
});

function replaceOnce(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `expected exactly one "${from.trim()}" in the shipped file`);
  return text.replace(from, to);
}

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `"${needle}" not found`);
  return index + 1;
}

const apply = (h: Harness, files: Record<string, string>, token?: string) =>
  h.request('POST', '/api/v1/policy/versions', { body: { files }, token });
const versionNumbers = async (h: Harness) =>
  ((await h.request('GET', '/api/v1/policy/versions')).body.items as { number: number }[]).map((v) => v.number);

describe('applying policy versions through the API', { concurrency: 2 }, () => {
  eachEngine(
    'refuses a broken bundle with 422 invalid_policy listing every problem with its file, line and path, and stores nothing',
    async (h) => {
      const files = shippedFiles({
        'change-models.yaml': (t) => replaceOnce(t, 'label: Normal change\n', 'label: Normal change\n    colour: red\n'),
        'teams.yaml': (t) => replaceOnce(t, '    name: Compliance\n', '    name: Compliance\n    colour: blue\n'),
      });
      const res = await apply(h, files);
      assert.equal(res.status, 422, res.text);
      assert.equal(res.body.error.code, 'invalid_policy');
      assert.match(res.body.error.message, /^The policy bundle has 2 problems: /);
      const issues = res.body.error.details.issues as BundleIssue[];

      assert.deepEqual(
        issues.map((i) => ({ file: i.file, line: i.line, path: i.path, message: i.message })).sort((a, b) => a.file.localeCompare(b.file)),
        [
          {
            file: 'change-models.yaml',
            line: lineOf(files['change-models.yaml']!, 'colour: red'),
            path: 'models.normal.colour',
            message: 'unknown field "colour"',
          },
          {
            file: 'teams.yaml',
            line: lineOf(files['teams.yaml']!, 'colour: blue'),
            path: 'teams.6.colour',
            message: 'unknown field "colour"',
          },
        ],
      );
      for (const i of issues) assert.ok(i.column > 0, `column of ${i.path}`);
      assert.deepEqual(await versionNumbers(h), [1]);
      assert.equal((await h.request('GET', '/api/v1/policy')).body.number, 1);
    },
  );

  eachEngine(
    'applies a new bundle as the next version with 201, audits it, and changes filed afterwards record that version',
    async (h) => {
      const before = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Filed under version 1' } });
      assert.equal(before.status, 201, before.text);
      assert.equal(before.body.policyVersion, 1);

      const files = shippedFiles(relabel('Normal change (reviewed)'));
      const res = await apply(h, files);
      assert.equal(res.status, 201, res.text);
      const me = (await h.request('GET', '/api/v1/me')).body;
      assert.deepEqual(
        { ...res.body, appliedAt: typeof res.body.appliedAt },
        {
          number: 2,
          name: 'default',
          hash: compileBundle(files).hash,
          appliedAt: 'string',
          appliedBy: me.id,
          appliedByName: 'Administrator',
          active: true,
          applied: true,
        },
      );

      const active = await h.request('GET', '/api/v1/policy');
      assert.equal(active.body.number, 2);
      assert.equal(active.body.models.normal.label, 'Normal change (reviewed)');
      assert.equal(active.body.appliedByName, 'Administrator');
      const versions = (await h.request('GET', '/api/v1/policy/versions')).body.items;
      assert.deepEqual(
        versions.map((v: { number: number; active: boolean; appliedByName: string }) => [v.number, v.active, v.appliedByName]),
        [
          [2, true, 'Administrator'],
          [1, false, 'Cabinet (at start)'],
        ],
      );

      const after = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Filed under version 2' } });
      assert.equal(after.status, 201, after.text);
      assert.equal(after.body.policyVersion, 2);
      assert.equal((await h.request('GET', `/api/v1/changes/${before.body.id}`)).body.policyVersion, 1);

      const events = await h.cabinet.store.kysely
        .selectFrom('audit_events')
        .select(['action', 'actor_id', 'data'])
        .where('entity_type', '=', 'policy')
        .where('entity_id', '=', '2')
        .execute();
      assert.deepEqual(
        events.map((e) => [e.action, e.actor_id]),
        [['policy.applied', me.id]],
      );
      assert.equal(JSON.parse(events[0]!.data).hash, res.body.hash);
    },
  );

  eachEngine(
    'answers 200 with the active version and applied: false for a bundle with the same content, and makes no version',
    async (h) => {
      const same = await apply(h, await readBundleFiles(DEFAULT_DIR));
      assert.equal(same.status, 200, same.text);
      assert.equal(same.body.applied, false);
      assert.equal(same.body.number, 1);
      assert.equal(same.body.appliedByName, 'Cabinet (at start)');
      assert.deepEqual(await versionNumbers(h), [1]);

      // Going back to older content is a new version, not a no-op: only the active version counts.
      assert.equal((await apply(h, shippedFiles(relabel('Normal (v2)')))).status, 201);
      const back = await apply(h, await readBundleFiles(DEFAULT_DIR));
      assert.equal(back.status, 201, back.text);
      assert.equal(back.body.number, 3);
      const again = await apply(h, await readBundleFiles(DEFAULT_DIR));
      assert.deepEqual([again.status, again.body.number, again.body.applied], [200, 3, false]);
      assert.deepEqual(await versionNumbers(h), [3, 2, 1]);
    },
  );

  eachEngine(
    'lets only admins apply: 403 for a change manager, 401 without credentials; everyone with policy.read reads versions',
    async (h) => {
      const manager = await h.userWithToken(['change_manager']);
      const requester = await h.userWithToken(['requester']);
      const files = shippedFiles(relabel('Normal change (by a manager)'));
      const refused = await apply(h, files, manager.token);
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.error.code, 'forbidden');
      assert.equal(refused.body.error.details.permission, 'policy.write');
      // A broken bundle is refused for its sender before it is looked at.
      const brokenByManager = await apply(h, { 'bundle.yaml': 'name: [' }, manager.token);
      assert.equal(brokenByManager.status, 403);
      const anonymous = await h.request('POST', '/api/v1/policy/versions', { body: { files }, token: null });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(await versionNumbers(h), [1]);

      for (const token of [manager.token, requester.token]) {
        assert.equal((await h.request('GET', '/api/v1/policy', { token })).status, 200);
        assert.equal((await h.request('GET', '/api/v1/policy/versions', { token })).status, 200);
        assert.equal((await h.request('GET', '/api/v1/policy/versions/1', { token })).status, 200);
      }
    },
  );

  eachEngine(
    'returns a version with the exact files it was applied from, 404 for an unknown number and 400 for a malformed one',
    async (h) => {
      const files = shippedFiles(relabel('Normal change (files)'));
      assert.equal((await apply(h, files)).status, 201);
      const v2 = await h.request('GET', '/api/v1/policy/versions/2');
      assert.equal(v2.status, 200, v2.text);
      assert.deepEqual(v2.body.files, files);
      assert.equal(v2.body.number, 2);
      assert.equal(v2.body.active, true);
      assert.equal(v2.body.hash, compileBundle(files).hash);
      const v1 = await h.request('GET', '/api/v1/policy/versions/1');
      assert.deepEqual(v1.body.files, await readBundleFiles(DEFAULT_DIR));
      assert.equal(v1.body.active, false);
      assert.equal(v1.body.appliedBy, 'system:startup');

      const missing = await h.request('GET', '/api/v1/policy/versions/99');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'not_found');
      assert.equal((await h.request('GET', '/api/v1/policy/versions/latest')).status, 400);
    },
  );

  eachEngine('refuses a request that is not a bundle with 400: no files, a file name with a folder, a text instead of files', async (h) => {
    const empty = await h.request('POST', '/api/v1/policy/versions', { body: { files: {} } });
    assert.equal(empty.status, 400, empty.text);
    assert.equal(empty.body.error.code, 'invalid_input');
    const folder = await h.request('POST', '/api/v1/policy/versions', { body: { files: { '../teams.yaml': 'apiVersion: cabinet/v1\n' } } });
    assert.equal(folder.status, 400, folder.text);
    assert.match(folder.body.error.message, /file names end in \.yaml or \.yml and hold no folders/);
    const text = await h.request('POST', '/api/v1/policy/versions', { body: { files: 'apiVersion: cabinet/v1' } });
    assert.equal(text.status, 400);
    assert.deepEqual(await versionNumbers(h), [1]);
  });
});

describe('teams in policy', { concurrency: 2 }, () => {
  eachEngine(
    'refuses a bundle declaring a team that does not exist at the line of its handle, and applies it once the team exists',
    async (h) => {
      const files = shippedFiles(declareTeam('release-managers', 'Release Managers'));
      const refused = await apply(h, files);
      assert.equal(refused.status, 422, refused.text);
      assert.equal(refused.body.error.code, 'invalid_policy');
      assert.deepEqual(refused.body.error.details.issues, [
        {
          file: 'teams.yaml',
          line: lineOf(files['teams.yaml']!, 'handle: release-managers'),
          column: 13,
          path: 'teams.7.handle',
          message: 'unknown team handle "release-managers"; create the team first',
        },
      ]);
      assert.match(
        refused.body.error.message,
        /teams\.yaml:\d+:13 teams\.7\.handle unknown team handle "release-managers"; create the team first/,
      );
      assert.deepEqual(await versionNumbers(h), [1]);

      const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Release Managers', handle: 'release-managers' } });
      assert.equal(team.status, 201, team.text);
      const applied = await apply(h, files);
      assert.equal(applied.status, 201, applied.text);
      const active = await h.request('GET', '/api/v1/policy');
      assert.deepEqual(
        active.body.teams.map((t: { handle: string }) => t.handle),
        ['change-managers', 'cab', 'ecab', 'security', 'dba', 'network', 'compliance', 'release-managers'],
      );
      assert.deepEqual(active.body.teams[7], { handle: 'release-managers', name: 'Release Managers', description: '' });
    },
  );

  eachEngine('the first start creates the seven shipped teams, empty, and GET /api/v1/policy declares them', async (h) => {
    const teams = (await h.request('GET', '/api/v1/teams')).body.items as {
      handle: string;
      name: string;
      memberIds: string[];
      description: string;
    }[];
    assert.deepEqual(teams.map((t) => t.handle).sort(), SHIPPED_TEAMS);
    for (const t of teams) {
      assert.deepEqual(t.memberIds, [], t.handle);
      assert.ok(t.description.length > 0, t.handle);
    }
    assert.equal(teams.find((t) => t.handle === 'cab')!.name, 'Change Advisory Board');
    const declared = (await h.request('GET', '/api/v1/policy')).body.teams as { handle: string }[];
    assert.deepEqual(declared.map((t) => t.handle).sort(), SHIPPED_TEAMS);
  });

  eachEngine('declaring a team twice or with a bad handle is refused at the line of each problem', async (h) => {
    const files = shippedFiles({
      'teams.yaml': (t) => `${t.trimEnd()}\n  - handle: cab\n    name: Another CAB\n  - handle: Release Managers\n    name: Release\n`,
    });
    const res = await apply(h, files);
    assert.equal(res.status, 422, res.text);
    const issues = (res.body.error.details.issues as BundleIssue[]).map(({ line, path, message }) => ({ line, path, message }));
    assert.deepEqual(
      issues.sort((a, b) => a.line - b.line),
      [
        { line: lineOf(files['teams.yaml']!, 'name: Another CAB') - 1, path: 'teams.7.handle', message: 'team "cab" is declared twice' },
        {
          line: lineOf(files['teams.yaml']!, 'Release Managers'),
          path: 'teams.8.handle',
          message: 'team handles are lowercase letters, digits, "-" or "_"',
        },
      ],
    );
  });
});

/** Starts Cabinet on an existing database; the log lines it writes are collected. */
async function start(url: string, env: Record<string, string> = {}, log: string[] = []): Promise<Cabinet> {
  const config = loadConfig({ DATABASE_URL: url, CABINET_WEB_DIR: '/nonexistent', CABINET_BOOTSTRAP_TOKEN: ADMIN_TOKEN, ...env });
  return startCabinet(config, { log: (m) => log.push(m) });
}

async function teamsOf(cabinet: Cabinet): Promise<{ handle: string; memberIds: string[] }[]> {
  const res = await cabinet.app.inject({ method: 'GET', url: '/api/v1/teams', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return res.json().items;
}

/** Like eachEngine, for tests that start and stop Cabinet themselves on one database. */
function eachDatabase(name: string, body: (url: string) => Promise<void>) {
  for (const { engine, skip } of ENGINES) {
    it(`${name} [${engine}]`, { skip }, async () => {
      const db = await createTestDatabase(engine);
      try {
        await body(db.url);
      } finally {
        await db.drop();
      }
    });
  }
}

describe('teams at start', { concurrency: 2 }, () => {
  eachDatabase('logs each team it creates, audits it as done by Cabinet, and creates none on the next start', async (url) => {
    const first: string[] = [];
    const a = await start(url, {}, first);
    try {
      assert.ok(first.includes('Created team cab (Change Advisory Board) declared by the policy bundle.'), first.join('\n'));
      assert.equal(first.filter((l) => l.startsWith('Created team ')).length, 7, first.join('\n'));
      // Teams come first: the version that names them is applied after they exist.
      assert.ok(first.findIndex((l) => l.startsWith('Created team ')) < first.findIndex((l) => l.startsWith('Applied policy bundle')));
      const events = await a.store.kysely
        .selectFrom('audit_events')
        .select(['actor_id', 'data'])
        .where('action', '=', 'team.created')
        .execute();
      assert.equal(events.length, 7);
      for (const e of events) {
        assert.equal(e.actor_id, 'system');
        assert.equal(JSON.parse(e.data).requestId, 'startup');
      }
    } finally {
      await a.close();
    }
    const second: string[] = [];
    const b = await start(url, {}, second);
    try {
      assert.deepEqual(
        second.filter((l) => l.startsWith('Created team ')),
        [],
      );
      assert.deepEqual((await teamsOf(b)).map((t) => t.handle).sort(), SHIPPED_TEAMS);
    } finally {
      await b.close();
    }
  });

  eachDatabase('the demo reuses the policy teams it shares handles with and fills them with people', async (url) => {
    const a = await start(url, { CABINET_DEMO: '1' });
    try {
      const teams = await teamsOf(a);
      assert.deepEqual(teams.map((t) => t.handle).sort(), [...SHIPPED_TEAMS, 'payments-team', 'platform'].sort());
      assert.equal(teams.find((t) => t.handle === 'dba')!.memberIds.length, 1);
      assert.equal(teams.find((t) => t.handle === 'security')!.memberIds.length, 1);
    } finally {
      await a.close();
    }
  });

  eachDatabase('keeps a version an admin applied when Cabinet restarts with the shipped bundle', async (url) => {
    const a = await start(url);
    try {
      const res = await a.app.inject({
        method: 'POST',
        url: '/api/v1/policy/versions',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: { files: shippedFiles(relabel('Normal change (admin)')) },
      });
      assert.equal(res.statusCode, 201, res.body);
    } finally {
      await a.close();
    }
    const log: string[] = [];
    const b = await start(url, {}, log);
    try {
      assert.ok(log.includes('Policy version 2 is active.'), log.join('\n'));
      const active = await b.app.inject({ method: 'GET', url: '/api/v1/policy', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(active.json().models.normal.label, 'Normal change (admin)');
    } finally {
      await b.close();
    }
  });
});


/** A copy of the shipped bundle in a temporary folder, with `edit` applied. */
function bundleDir(edit: Record<string, (text: string) => string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-policy-apply-'));
  cpSync(DEFAULT_DIR, dir, { recursive: true });
  for (const [name, text] of Object.entries(shippedFiles(edit))) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('cabinet policy apply', { concurrency: 2 }, () => {
  eachDatabase('applies a folder as the next version, says so, and says when the content is already active', async (url) => {
    await (await start(url)).close();
    const dir = bundleDir(relabel('Normal change (from the CLI)'));
    try {
      const hash = compileBundle(await readBundleFiles(dir)).hash;
      const first = await cabinet(['policy', 'apply', dir], { DATABASE_URL: url });
      assert.equal(first.code, 0, show(first));
      assert.equal(first.stdout, `Applied policy version 2 (hash ${hash}).\n`);
      assert.equal(first.stderr, '');
      const again = await cabinet(['policy', 'apply', dir], { DATABASE_URL: url });
      assert.equal(again.code, 0, show(again));
      assert.equal(again.stdout, 'Policy version 2 already has this content.\n');
      const json = await cabinet(['policy', 'apply', dir, '--json'], { DATABASE_URL: url });
      assert.equal(json.code, 0, show(json));
      assert.deepEqual(
        (({ number, hash: h, applied, appliedBy, appliedByName }) => ({ number, hash: h, applied, appliedBy, appliedByName }))(
          JSON.parse(json.stdout),
        ),
        { number: 2, hash, applied: false, appliedBy: 'system:cli', appliedByName: 'cabinet CLI' },
      );

      // A server starting afterwards keeps the version applied from the command line.
      const log: string[] = [];
      const b = await start(url, {}, log);
      try {
        assert.ok(log.includes('Policy version 2 is active.'), log.join('\n'));
        const audit = await b.store.kysely
          .selectFrom('audit_events')
          .select(['actor_name', 'data'])
          .where('action', '=', 'policy.applied')
          .orderBy('seq')
          .execute();
        assert.deepEqual(
          audit.map((e) => [e.actor_name, JSON.parse(e.data).via]),
          [
            ['Cabinet', 'system'],
            ['cabinet CLI', 'cli'],
          ],
        );
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  eachDatabase(
    'refuses a broken bundle or an unknown team with exit 1, naming each problem at its file and line on a line of its own',
    async (url) => {
      await (await start(url)).close();
      const broken = bundleDir({
        'change-models.yaml': (t) =>
          replaceOnce(t, 'label: Normal change\n    initial: draft\n', 'label: Normal change\n    initial: drafty\n'),
      });
      // A team the bundle declares is created by `policy apply`; one that a rule names without declaring it must exist.
      // (--force: with the routing changed, one of the bundle's own test cases fails too.)
      const ghost = bundleDir({ 'routing.yaml': (t) => replaceOnce(t, 'assign: { team: dba }', 'assign: { team: ghosts }') });
      try {
        for (const [dir, pattern] of [
          [
            broken,
            /^ {2}change-models\.yaml:\d+:\d+ models\.normal\.initial unknown state "drafty"$/,
          ],
          [
            ghost,
            /^ {2}routing\.yaml:\d+:\d+ routing\.rules\.0\.assign\.team unknown team handle "ghosts"; create the team first$/,
          ],
          [
            path.join(tmpdir(), 'no-such-bundle-folder'),
            /^ {2}.*no-such-bundle-folder:0:0 cannot read the folder/,
          ],
        ] as const) {
          const r = await cabinet(['policy', 'apply', dir, ...(dir === ghost ? ['--force'] : [])], { DATABASE_URL: url });
          assert.equal(r.code, 1, show(r));
          assert.equal(r.stdout, '');
          const lines = r.stderr.split('\n').filter(Boolean);
          assert.deepEqual(lines.length, 2, show(r));
          assert.equal(lines[0], 'cabinet: The policy bundle has 1 problem:');
          assert.match(lines[1]!, pattern);
        }
        const b = await start(url);
        try {
          const versions = await b.app.inject({
            method: 'GET',
            url: '/api/v1/policy/versions',
            headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          });
          assert.deepEqual(
            versions.json().items.map((v: { number: number }) => v.number),
            [1],
          );
        } finally {
          await b.close();
        }
      } finally {
        rmSync(broken, { recursive: true, force: true });
        rmSync(ghost, { recursive: true, force: true });
      }
    },
  );
});

describe('the teams section', () => {
  it('compiles to the declared teams with an empty description by default, and is optional', () => {
    const files = shippedFiles();
    const bundle = compileBundle(files);
    assert.deepEqual(
      bundle.teams.map((t) => t.handle),
      ['change-managers', 'cab', 'ecab', 'security', 'dba', 'network', 'compliance'],
    );
    const withoutTeams = compileBundle({ ...files, 'teams.yaml': 'apiVersion: cabinet/v1\n' });
    assert.deepEqual(withoutTeams.teams, []);
    const bare = compileBundle({ ...files, 'teams.yaml': 'apiVersion: cabinet/v1\nteams:\n  - handle: ops\n    name: Ops\n' });
    assert.deepEqual(bare.teams, [{ handle: 'ops', name: 'Ops', description: '' }]);
  });

  it('reports a team without a name and a teams section that is not a list, at their lines', () => {
    const issuesOf = (teams: string) => {
      try {
        compileBundle({ ...shippedFiles(), 'teams.yaml': teams });
      } catch (err) {
        assert.ok(err instanceof PolicyInvalidError);
        return (err.details.issues as BundleIssue[]).map(({ file, line, path }) => ({ file, line, path }));
      }
      assert.fail('compiled');
    };
    assert.deepEqual(issuesOf('apiVersion: cabinet/v1\nteams:\n  - handle: ops\n'), [
      { file: 'teams.yaml', line: 3, path: 'teams.0.name' },
    ]);
    assert.deepEqual(issuesOf('apiVersion: cabinet/v1\nteams:\n  ops: Ops\n'), [{ file: 'teams.yaml', line: 3, path: 'teams' }]);
  });
});
