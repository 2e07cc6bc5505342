import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INSTALL_DIR } from '../src/config';
import { systemActor } from '../src/domain/actor';
import { readBundleFiles } from '../src/policy/loader';
import { eachEngine as eachHarness } from './support/cabinet';
import { cabinet, eachEngine, jsonFailure, listedFailure, show, withServices } from './support/cli';

const SHIPPED = path.join(INSTALL_DIR, 'policies', 'default');
const DECLARED = ['cab', 'change-managers', 'compliance', 'dba', 'ecab', 'network', 'security'];

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-policy-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the shipped bundle with `edits` applied: file → [search, replacement] pairs, or whole new files. */
function bundle(name: string, edits: Record<string, [string, string][] | string> = {}): string {
  const target = path.join(dir, name);
  cpSync(SHIPPED, target, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const full = path.join(target, file);
    if (typeof edit === 'string') writeFileSync(full, edit);
    else {
      let text = readFileSync(full, 'utf8');
      for (const [search, replacement] of edit) {
        assert.ok(text.includes(search), `${file} has ${search}`);
        text = text.replace(search, replacement);
      }
      writeFileSync(full, text);
    }
  }
  return target;
}

/**
 * Three kinds of problem at once: a misspelt field of a service inside a CEL macro (`s.tierr`), an
 * operation the field's type does not allow, and a shape problem (an unknown key of an approval rule),
 * which used to hide the other two until it was fixed.
 */
const broken = () =>
  bundle('broken', {
    'risk.yaml': [['services.exists(s, s.tier == 1)', 'services.exists(s, s.tierr == 1)']],
    'routing.yaml': [['when: cis.exists(c, c.type == "database")', 'when: change.priority == "high"']],
    'approvals.yaml': [['          approvers: { team: dba }', '          approvers: { team: dba }\n          colour: red']],
  });

const wrongTest = 'cases:\n  - name: Emergencies go to the CAB\n    change: { type: emergency }\n    expect:\n      approvals: [cab]\n';

describe('cabinet policy validate', { concurrency: 2 }, () => {
  it('reports shape problems and CEL references to unknown fields in one run, one per line with file, line and path', async () => {
    const r = await cabinet(['policy', 'validate', broken()]);
    const { headline, problems } = listedFailure(r);
    assert.equal(headline, 'The policy bundle has 3 problems');
    assert.equal(problems.length, 3, show(r));
    assert.match(problems.find((p) => p.includes('colour'))!, /^approvals\.yaml:\d+:\d+ approvals\.stages\.\d+\.rules\.\d+\.colour unknown field "colour"$/);
    assert.match(
      problems.find((p) => p.includes('tierr'))!,
      /^risk\.yaml:\d+:\d+ risk\.factors\.1\.cases\.0\.when CEL: unknown field "tierr" \(did you mean "tier"\?\) \(at character \d+ of the expression\)$/,
    );
    assert.match(problems.find((p) => p.startsWith('routing.yaml'))!, /^routing\.yaml:\d+:\d+ routing\.rules\.0\.when CEL: no such overload: int == string/);
    assert.equal(r.stdout, '');
  });

  it('under --json prints {"ok": false, "problems": [...]} with each problem at its place, and exits 1', async () => {
    const failure = jsonFailure(await cabinet(['policy', 'validate', broken(), '--json']));
    assert.equal(failure.code, 'invalid_policy');
    assert.equal(failure.problems.length, 3);
    const tierr = failure.problems.find((p) => p.message.includes('tierr'))!;
    assert.equal(tierr.file, 'risk.yaml');
    assert.equal(tierr.path, 'risk.factors.1.cases.0.when');
    assert.equal(readFileSync(path.join(dir, 'broken', 'risk.yaml'), 'utf8').split('\n')[tierr.line! - 1]!.includes('s.tierr'), true, 'the line is the expression');
  });

  it('under --json answers a usage error and a missing folder the same way', async () => {
    const usage = jsonFailure(await cabinet(['policy', 'validate', '--json']));
    assert.equal(usage.code, 'commander.missingArgument');
    assert.match(usage.problems[0]!.message, /missing required argument 'dir'/);
    const missing = jsonFailure(await cabinet(['policy', 'validate', path.join(dir, 'nothing-here'), '--json']));
    assert.match(missing.problems[0]!.message, /cannot read the folder/);
  });
});

describe('the API validates a bundle with the same function as the CLI', () => {
  eachHarness('POST /api/v1/policy/preview lists the same problems, shape and CEL together, as `cabinet policy validate`', async (h) => {
    const target = broken();
    const [api, cli] = await Promise.all([h.request('POST', '/api/v1/policy/preview', { body: { files: await readBundleFiles(target) } }), cabinet(['policy', 'validate', target, '--json'])]);
    assert.equal(api.status, 422, api.text);
    assert.equal(api.body.error.code, 'invalid_policy');
    const key = (p: { file?: string; line?: number; column?: number; path?: string; message: string }) => `${p.file}:${p.line}:${p.column} ${p.path} ${p.message}`;
    assert.deepEqual(
      (api.body.error.details.issues as { file: string; line: number; column: number; path: string; message: string }[]).map(key).sort(),
      jsonFailure(cli).problems.map(key).sort(),
    );
  });
});

describe('cabinet policy apply', { concurrency: 2 }, () => {
  eachEngine('applies the shipped bundle to a fresh database, creating the teams it declares first, as `serve` does', async (url) => {
    const r = await cabinet(['policy', 'apply', 'policies/default'], { DATABASE_URL: url });
    assert.equal(r.code, 0, show(r));
    const lines = r.stdout.trimEnd().split('\n');
    const created = lines.slice(0, -1).map((l) => /^Created team (\S+) \(.+\) declared by the bundle\.$/.exec(l)?.[1]);
    assert.deepEqual(created.sort(), DECLARED);
    assert.match(lines.at(-1)!, /^Applied policy version 1 \(hash [0-9a-f]{64}\)\.$/);
    const teams = await withServices(url, async (s) => (await s.accounts.listTeams(systemActor())).map((t) => [t.handle, t.memberIds.length]));
    assert.deepEqual(teams.map(([h]) => h).sort(), DECLARED);
    assert.ok(teams.every(([, members]) => members === 0), 'the teams are created empty');

    const again = await cabinet(['policy', 'apply', 'policies/default', '--json'], { DATABASE_URL: url });
    assert.equal(again.code, 0, show(again));
    const result = JSON.parse(again.stdout) as { ok: boolean; applied: boolean; number: number; createdTeams: unknown[] };
    assert.deepEqual([result.ok, result.applied, result.number, result.createdTeams], [true, false, 1, []]);
  });

  eachEngine("refuses a bundle whose own test cases fail, naming each failing case; --force applies it anyway", async (url, engine) => {
    const target = bundle(`failing-${engine}`, { 'tests/wrong.yaml': wrongTest });
    const r = await cabinet(['policy', 'apply', target], { DATABASE_URL: url });
    const { headline, problems } = listedFailure(r);
    assert.match(headline, /^Not applied: 1 of its \d+ test cases fail/);
    assert.deepEqual(problems, ['tests/wrong.yaml: "Emergencies go to the CAB" fails: approvals: expected cab, got ecab']);
    const stored = () => withServices(url, async (s) => ({ versions: (await s.policy.versions(systemActor())).length, teams: (await s.accounts.listTeams(systemActor())).length }));
    assert.deepEqual(await stored(), { versions: 0, teams: 0 }, 'nothing is applied or created');

    const json = jsonFailure(await cabinet(['policy', 'apply', target, '--json'], { DATABASE_URL: url }));
    assert.deepEqual(json.problems, [{ message: 'tests/wrong.yaml: "Emergencies go to the CAB" fails: approvals: expected cab, got ecab' }]);
    assert.equal((json.tests as { failed: number }).failed, 1);

    const forced = await cabinet(['policy', 'apply', target, '--force'], { DATABASE_URL: url });
    assert.equal(forced.code, 0, show(forced));
    assert.match(forced.stdout, /^Applied with --force although 1 test case\(s\) fail\.$/m);
    assert.match(forced.stdout, /^Applied policy version 1 /m);
    assert.deepEqual(await stored(), { versions: 1, teams: DECLARED.length });
  });

  eachEngine('under --json prints {"ok": false, "problems": [...]} for a bundle that does not compile, and applies nothing', async (url, engine) => {
    const r = await cabinet(['policy', 'apply', bundle(`invalid-${engine}`, { 'risk.yaml': [['services.exists(s, s.tier == 1)', 'services.exists(s, s.tierr == 1)']] }), '--json'], { DATABASE_URL: url });
    const failure = jsonFailure(r);
    assert.equal(failure.code, 'invalid_policy');
    assert.deepEqual(
      failure.problems.map((p) => [p.file, p.path]),
      [['risk.yaml', 'risk.factors.1.cases.0.when']],
    );
    assert.match(r.stderr, /^cabinet: The policy bundle has 1 problem:\n {2}risk\.yaml:\d+:\d+ /);
    assert.equal(await withServices(url, async (s) => (await s.policy.versions(systemActor())).length), 0);
  });
});

describe('cabinet policy test --json', () => {
  it('says ok: false with each failing case as a problem, beside the results', async () => {
    const r = await cabinet(['policy', 'test', bundle('test-json', { 'tests/wrong.yaml': wrongTest }), '--json']);
    assert.equal(r.code, 1, show(r));
    const body = JSON.parse(r.stdout) as { ok: boolean; problems: { message: string }[]; failed: number; passed: number };
    assert.equal(body.ok, false);
    assert.equal(body.failed, 1);
    assert.ok(body.passed > 0);
    assert.deepEqual(body.problems, [{ message: 'tests/wrong.yaml: "Emergencies go to the CAB" fails: approvals: expected cab, got ecab' }]);
  });
});
