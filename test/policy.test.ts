import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startCabinet, type Cabinet } from '../src/cabinet';
import { INSTALL_DIR, loadConfig } from '../src/config';
import type { ChangeModel } from '../src/domain/change/lifecycle';
import { compileBundle, loadBundleDir, PolicyInvalidError, readBundleFiles, type BundleIssue } from '../src/policy/loader';
import { ENGINES } from './support/cabinet';
import { createTestDatabase, type EngineName } from './support/databases';

const DEFAULT_DIR = path.join(INSTALL_DIR, 'policies', 'default');

/** Strips the first newline and the common indentation, so line 1 is the line after the opening backtick. */
function yaml(strings: TemplateStringsArray): string {
  const lines = strings.join('').replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Every transition of a model as "from->to" pairs, sorted. */
const edges = (m: ChangeModel) => m.transitions.flatMap((t) => t.from.map((f) => `${f}->${t.to}`)).sort();
const sourcesOf = (m: ChangeModel, to: string) =>
  m.transitions
    .filter((t) => t.to === to)
    .flatMap((t) => t.from)
    .sort();
const finals = (m: ChangeModel) =>
  m.states
    .filter((s) => s.final)
    .map((s) => s.id)
    .sort();
const path_ = (...states: string[]) => states.slice(1).map((s, i) => `${states[i]}->${s}`);

function compileIssues(files: Record<string, string>): BundleIssue[] {
  try {
    compileBundle(files);
  } catch (err) {
    assert.ok(err instanceof PolicyInvalidError, `expected PolicyInvalidError, got ${String(err)}`);
    assert.equal(err.code, 'invalid_policy');
    const issues = (err.details as { issues: BundleIssue[] }).issues;
    assert.match(err.message, new RegExp(`^The policy bundle has ${issues.length} problems?`));
    return issues;
  }
  assert.fail('the bundle compiled but should not have');
}

/** Issues as comparable records, ordered by file, line and column. */
const sorted = (issues: BundleIssue[]) =>
  [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));

describe('the shipped policy bundle', () => {
  it('loads with the standard, normal and emergency models, each starting in draft', async () => {
    const bundle = await loadBundleDir(DEFAULT_DIR);
    assert.equal(bundle.name, 'default');
    assert.deepEqual(Object.keys(bundle.models).sort(), ['emergency', 'normal', 'standard']);
    for (const m of Object.values(bundle.models)) assert.equal(m.initial, 'draft');
    assert.deepEqual(Object.keys(bundle.files).sort(), [
      'approvals.yaml',
      'break-glass.yaml',
      'bundle.yaml',
      'catalogue.yaml',
      'change-models.yaml',
      'deployments.yaml',
      'gate.yaml',
      'gates.yaml',
      'notifications.yaml',
      'reviews.yaml',
      'risk.yaml',
      'routing.yaml',
      'schedule.yaml',
      'slas.yaml',
      'teams.yaml',
      'tests/authority.yaml',
      'tests/history.yaml',
      'tests/lifecycle.yaml',
      'tests/specialists.yaml',
    ]);
  });

  it('gives the normal model draft→assess→authorize→scheduled→implement→review→closed, cancel before implementation and reject from assess or authorize', async () => {
    const m = (await loadBundleDir(DEFAULT_DIR)).models.normal!;
    const all = edges(m);
    for (const e of path_('draft', 'assess', 'authorize', 'scheduled', 'implement', 'review', 'closed'))
      assert.ok(all.includes(e), `missing ${e}`);
    assert.deepEqual(sourcesOf(m, 'cancelled'), ['assess', 'authorize', 'draft', 'scheduled']);
    assert.deepEqual(sourcesOf(m, 'rejected'), ['assess', 'authorize']);
    assert.deepEqual(finals(m), ['cancelled', 'closed', 'rejected']);
    // The only way back is the change manager returning an assessment to the requester.
    assert.deepEqual(
      all,
      [
        ...path_('draft', 'assess', 'authorize', 'scheduled', 'implement', 'review', 'closed'),
        'assess->draft',
        'assess->cancelled',
        'authorize->cancelled',
        'draft->cancelled',
        'scheduled->cancelled',
        'assess->rejected',
        'authorize->rejected',
      ].sort(),
    );
  });

  it('gives the emergency model draft→authorize→implement→review→closed with cancel before implementation and reject from authorize', async () => {
    const m = (await loadBundleDir(DEFAULT_DIR)).models.emergency!;
    assert.deepEqual(
      edges(m),
      [
        ...path_('draft', 'authorize', 'implement', 'review', 'closed'),
        'authorize->cancelled',
        'draft->cancelled',
        'authorize->rejected',
      ].sort(),
    );
    assert.deepEqual(finals(m), ['cancelled', 'closed', 'rejected']);
  });

  it('gives the standard model draft→scheduled→implement→closed with cancel before implementation and no rejection', async () => {
    const m = (await loadBundleDir(DEFAULT_DIR)).models.standard!;
    assert.deepEqual(edges(m), [...path_('draft', 'scheduled', 'implement', 'closed'), 'draft->cancelled', 'scheduled->cancelled'].sort());
    assert.equal(
      m.states.some((s) => s.id === 'rejected'),
      false,
    );
    assert.deepEqual(finals(m), ['cancelled', 'closed']);
  });

  it('requires the full plan before a normal change leaves draft', async () => {
    const m = (await loadBundleDir(DEFAULT_DIR)).models.normal!;
    const leaving = m.transitions.filter((t) => t.from.includes('draft') && t.to !== 'cancelled');
    assert.deepEqual(
      leaving.map((t) => t.to),
      ['assess'],
    );
    assert.deepEqual(m.states.find((s) => s.id === 'assess')!.requires, [
      'title',
      'description',
      'justification',
      'ciIds',
      'plannedStart',
      'plannedEnd',
      'implementationPlan',
      'testPlan',
      'backoutPlan',
    ]);
    assert.deepEqual(m.states.find((s) => s.id === 'cancelled')!.requires, []);
  });

  it('lets only change managers authorize and schedule a normal change, and the requester or owner submit it', async () => {
    const m = (await loadBundleDir(DEFAULT_DIR)).models.normal!;
    const by = (from: string, to: string) => m.transitions.find((t) => t.from.includes(from) && t.to === to)!;
    assert.deepEqual([by('draft', 'assess').roles, by('draft', 'assess').relations], [['change_manager'], ['requester', 'owner']]);
    assert.deepEqual([by('assess', 'authorize').roles, by('assess', 'authorize').relations], [['change_manager'], []]);
    assert.deepEqual([by('authorize', 'scheduled').roles, by('authorize', 'scheduled').relations], [['change_manager'], []]);
    assert.equal(by('draft', 'assess').label, 'Submit for assessment');
  });
});

// A valid bundle small enough to count lines in. Faults are put into the `standard` model; normal and
// emergency follow it unchanged.
const BUNDLE_YAML = yaml`
  apiVersion: cabinet/v1
  name: tiny
`;
const OTHER_MODELS = yaml`
    normal:
      label: Normal
      initial: draft
      states:
        - id: draft
          label: Draft
        - id: done
          label: Done
          final: true
      transitions:
        - from: draft
          to: done
          by: { roles: [change_manager] }
    emergency:
      label: Emergency
      initial: draft
      states:
        - id: draft
          label: Draft
        - id: done
          label: Done
          final: true
      transitions:
        - from: draft
          to: done
          by: { relations: [requester] }
`.replace(/^(?=.)/gm, '  ');
const VALID_STANDARD = yaml`
  apiVersion: cabinet/v1
  models:
    standard:
      label: Standard
      initial: draft
      states:
        - id: draft
          label: Draft
        - id: done
          label: Done
          requires: [title, ciIds]
          final: true
      transitions:
        - from: draft
          to: done
          by: { roles: [change_manager], relations: [owner] }
`;
const tiny = (models: string, extra: Record<string, string> = {}) => ({
  'bundle.yaml': BUNDLE_YAML,
  'models.yaml': models + OTHER_MODELS,
  ...extra,
});

describe('compileBundle', () => {
  it('compiles a valid bundle with default labels and empty requirements filled in', () => {
    const b = compileBundle(tiny(VALID_STANDARD));
    assert.equal(b.name, 'tiny');
    assert.equal(b.description, '');
    assert.deepEqual(b.models.standard, {
      type: 'standard',
      label: 'Standard',
      initial: 'draft',
      states: [
        { id: 'draft', label: 'Draft', requires: [], final: false },
        { id: 'done', label: 'Done', requires: ['title', 'ciIds'], final: true },
      ],
      transitions: [{ from: ['draft'], to: 'done', label: 'Move to Done', roles: ['change_manager'], relations: ['owner'] }],
    });
  });

  it('reports a YAML syntax error with its file, line and column, together with problems in other files', () => {
    const issues = compileIssues({
      'a.yaml': 'apiVersion: cabinet/v1\nname: a: b\n',
      'b.yaml': 'apiVersion: cabinet/v1\ndescription: one\n',
      'c.yaml': 'apiVersion: cabinet/v1\n\ndescription: two\n',
      'd.yaml': 'apiVersion: cabinet/v1\nmodels: {}\nmodels: {}\n',
    });
    assert.deepEqual(sorted(issues), [
      { file: 'a.yaml', line: 2, column: 7, path: '', message: 'Nested mappings are not allowed in compact mappings' },
      { file: 'c.yaml', line: 3, column: 14, path: 'description', message: 'section "description" is already defined in b.yaml' },
      { file: 'd.yaml', line: 3, column: 1, path: '', message: 'Map keys must be unique' },
    ]);
  });

  it('reports a section defined in two files at the second definition', () => {
    const issues = compileIssues(
      tiny(VALID_STANDARD, {
        'z-extra.yaml': yaml`
      apiVersion: cabinet/v1
      # a second copy of the models
      models: {}
    `,
      }),
    );
    assert.deepEqual(issues, [
      { file: 'z-extra.yaml', line: 3, column: 9, path: 'models', message: 'section "models" is already defined in models.yaml' },
    ]);
  });

  it('reports files that disagree on apiVersion', () => {
    const issues = compileIssues(tiny(VALID_STANDARD.replace('apiVersion: cabinet/v1', 'apiVersion: cabinet/v2')));
    assert.deepEqual(
      issues.map((i) => [i.file, i.line, i.path]),
      [['models.yaml', 1, 'apiVersion']],
    );
  });

  it('reports a file that is not a mapping', () => {
    assert.deepEqual(compileIssues({ ...tiny(VALID_STANDARD), 'list.yaml': '- a\n- b\n' }), [
      { file: 'list.yaml', line: 1, column: 1, path: '', message: 'a bundle file must be a mapping of sections' },
    ]);
  });

  it('reports every schema problem at once: unknown fields at the field itself and an unknown requirable field', () => {
    const models = yaml`
      apiVersion: cabinet/v1
      models:
        standard:
          label: Standard
          initial: draft
          colour: blue
          states:
            - id: draft
              label: Draft
              sla: 4h
            - id: done
              label: Done
              requires: [title, favouriteColour]
              final: true
          transitions:
            - from: draft
              to: done
              by: { roles: [change_manager], groups: [ops] }
    `;
    const issues = compileIssues(tiny(models, { 'bundle.yaml': BUNDLE_YAML + 'owner: me\n' }));
    assert.deepEqual(
      sorted(issues).map(({ message, ...where }) => ({ ...where, message: message.slice(0, 40) })),
      [
        { file: 'bundle.yaml', line: 3, column: 8, path: 'owner', message: 'unknown field "owner"' },
        { file: 'models.yaml', line: 6, column: 13, path: 'models.standard.colour', message: 'unknown field "colour"' },
        { file: 'models.yaml', line: 10, column: 14, path: 'models.standard.states.0.sla', message: 'unknown field "sla"' },
        {
          file: 'models.yaml',
          line: 13,
          column: 27,
          path: 'models.standard.states.1.requires.1',
          message: 'Invalid option: expected one of "title"|',
        },
        { file: 'models.yaml', line: 18, column: 48, path: 'models.standard.transitions.0.by.groups', message: 'unknown field "groups"' },
      ],
    );
  });

  it('reports an unknown role in a transition at the role', () => {
    const issues = compileIssues(tiny(VALID_STANDARD.replace('roles: [change_manager]', 'roles: [change_manager, janitor]')));
    assert.deepEqual(
      issues.map(({ file, line, column, path }) => ({ file, line, column, path })),
      [{ file: 'models.yaml', line: 16, column: 39, path: 'models.standard.transitions.0.by.roles.1' }],
    );
  });

  it('reports missing models, and a bundle that lacks one of the three required models', () => {
    const noModels = compileIssues({ 'bundle.yaml': BUNDLE_YAML });
    assert.deepEqual(
      noModels.map(({ file, line, path }) => ({ file, line, path })),
      [{ file: 'bundle.yaml', line: 1, path: 'models' }],
    );

    const onlyStandard = compileIssues({ 'bundle.yaml': BUNDLE_YAML, 'models.yaml': VALID_STANDARD });
    assert.deepEqual(onlyStandard, [
      { file: 'models.yaml', line: 3, column: 3, path: 'models', message: 'models must define standard, normal and emergency' },
    ]);
  });

  it('reports every lifecycle problem at once: unknown states, duplicate state, duplicate transition and a transition nobody may fire', () => {
    const models = yaml`
      apiVersion: cabinet/v1
      models:
        standard:
          label: Standard
          initial: start
          states:
            - id: draft
              label: Draft
            - id: draft
              label: Draft again
          transitions:
            - from: draft
              to: nowhere
              by: { roles: [change_manager] }
            - from: [draft, limbo]
              to: nowhere
            - from: draft
              to: draft
              by: { relations: [] }
    `;
    assert.deepEqual(sorted(compileIssues(tiny(models))), [
      { file: 'models.yaml', line: 5, column: 14, path: 'models.standard.initial', message: 'unknown state "start"' },
      { file: 'models.yaml', line: 9, column: 13, path: 'models.standard.states.1.id', message: 'duplicate state "draft"' },
      { file: 'models.yaml', line: 13, column: 13, path: 'models.standard.transitions.0.to', message: 'unknown state "nowhere"' },
      {
        file: 'models.yaml',
        line: 15,
        column: 9,
        path: 'models.standard.transitions.1',
        message: 'transition draft->nowhere is defined twice',
      },
      {
        file: 'models.yaml',
        line: 15,
        column: 9,
        path: 'models.standard.transitions.1.by',
        message: 'name at least one role or relation that may fire this transition',
      },
      { file: 'models.yaml', line: 15, column: 15, path: 'models.standard.transitions.1.from', message: 'unknown state "limbo"' },
      { file: 'models.yaml', line: 16, column: 13, path: 'models.standard.transitions.1.to', message: 'unknown state "nowhere"' },
      {
        file: 'models.yaml',
        line: 19,
        column: 13,
        path: 'models.standard.transitions.2.by',
        message: 'name at least one role or relation that may fire this transition',
      },
    ]);
  });

  const single: { name: string; from: string; to: string; issue: Omit<BundleIssue, 'file'> }[] = [
    {
      name: 'a transition to an unknown state',
      from: '        to: done\n',
      to: '        to: finished\n',
      issue: { line: 15, column: 13, path: 'models.standard.transitions.0.to', message: 'unknown state "finished"' },
    },
    {
      name: 'an unknown initial state',
      from: 'initial: draft',
      to: 'initial: new',
      issue: { line: 5, column: 14, path: 'models.standard.initial', message: 'unknown state "new"' },
    },
    {
      name: 'a duplicate state',
      from: '        final: true\n',
      to: '        final: true\n      - id: draft\n        label: Again\n',
      issue: { line: 13, column: 13, path: 'models.standard.states.2.id', message: 'duplicate state "draft"' },
    },
    {
      name: 'a duplicate transition',
      from: '        by: { roles: [change_manager], relations: [owner] }\n',
      to: '        by: { roles: [change_manager], relations: [owner] }\n      - from: [draft]\n        to: done\n        by: { relations: [requester] }\n',
      issue: { line: 17, column: 9, path: 'models.standard.transitions.1', message: 'transition draft->done is defined twice' },
    },
    {
      name: 'a transition without `by`',
      from: '        by: { roles: [change_manager], relations: [owner] }\n',
      to: '',
      issue: {
        line: 14,
        column: 9,
        path: 'models.standard.transitions.0.by',
        message: 'name at least one role or relation that may fire this transition',
      },
    },
    {
      name: 'an unknown requirable field',
      from: 'requires: [title, ciIds]',
      to: 'requires: [title, cis]',
      issue: { line: 11, column: 27, path: 'models.standard.states.1.requires.1', message: '' },
    },
    {
      name: 'an unknown field',
      from: '    label: Standard\n',
      to: '    label: Standard\n    owner: ops\n',
      issue: { line: 5, column: 12, path: 'models.standard.owner', message: 'unknown field "owner"' },
    },
  ];
  for (const c of single) {
    it(`reports ${c.name} with its file, line and column`, () => {
      assert.ok(VALID_STANDARD.includes(c.from), `test setup: "${c.from}" is not in the valid bundle`);
      const issues = compileIssues(tiny(VALID_STANDARD.replace(c.from, c.to)));
      assert.equal(issues.length, 1, JSON.stringify(issues));
      const { message, ...where } = issues[0]!;
      assert.deepEqual(where, { file: 'models.yaml', line: c.issue.line, column: c.issue.column, path: c.issue.path });
      if (c.issue.message) assert.equal(message, c.issue.message);
    });
  }

  it('reports a folder with no YAML files and a folder that does not exist', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'cabinet-policy-'));
    try {
      await assert.rejects(loadBundleDir(empty), (err: PolicyInvalidError) => {
        assert.equal((err.details.issues as BundleIssue[])[0]!.message, 'the folder holds no .yaml files');
        return true;
      });
      await assert.rejects(loadBundleDir(path.join(empty, 'missing')), (err: PolicyInvalidError) => {
        assert.match((err.details.issues as BundleIssue[])[0]!.message, /^cannot read the folder/);
        return true;
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('bundle hash', () => {
  it('is the same for the same bundle every time, whether read from disk or given as text, in any key order', async () => {
    const files = await readBundleFiles(DEFAULT_DIR);
    const fromDisk = (await loadBundleDir(DEFAULT_DIR)).hash;
    assert.match(fromDisk, /^[0-9a-f]{64}$/);
    assert.equal(compileBundle(files).hash, fromDisk);
    assert.equal(compileBundle(Object.fromEntries(Object.entries(files).reverse())).hash, fromDisk);
    assert.equal((await loadBundleDir(DEFAULT_DIR)).hash, fromDisk);
  });

  it('changes with any edit: a label, a comment, whitespace, a file name or a moved section', () => {
    const base = tiny(VALID_STANDARD);
    const hash = compileBundle(base).hash;
    const edits: Record<string, Record<string, string>> = {
      label: { ...base, 'models.yaml': base['models.yaml'].replace('label: Standard', 'label: Standard!') },
      comment: { ...base, 'bundle.yaml': base['bundle.yaml'] + '# note\n' },
      whitespace: { ...base, 'bundle.yaml': base['bundle.yaml'] + '\n' },
      rename: { 'bundle.yml': base['bundle.yaml'], 'models.yaml': base['models.yaml'] },
      // Same bytes overall but split differently between files: still another bundle.
      moved: { 'bundle.yaml': '', 'models.yaml': base['models.yaml'] + base['bundle.yaml'].replace('apiVersion: cabinet/v1\n', '') },
    };
    const seen = new Set([hash]);
    for (const [what, files] of Object.entries(edits)) {
      const h = compileBundle(files).hash;
      assert.ok(!seen.has(h), `the ${what} edit kept a hash already seen`);
      seen.add(h);
    }
  });
});

/** Starts Cabinet on an existing database with a policy folder; the log lines it writes are collected. */
async function start(url: string, policyDir: string, log: string[] = []): Promise<Cabinet> {
  const config = loadConfig({
    DATABASE_URL: url,
    CABINET_POLICY_DIR: policyDir,
    CABINET_WEB_DIR: '/nonexistent',
    CABINET_BOOTSTRAP_TOKEN: TOKEN,
  });
  return startCabinet(config, { log: (m) => log.push(m) });
}
const TOKEN = 'cab_policy_test_token_0123456789abcdef';
/** The parts of the API's answers these tests read. */
interface Answer {
  id: string;
  number: number;
  policyVersion: number;
  models: Record<string, { label: string }>;
  items: { number: number; active: boolean; hash: string }[];
}
async function api(cabinet: Cabinet, method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await cabinet.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${TOKEN}` },
    ...(body ? { payload: body as object } : {}),
  });
  return { status: res.statusCode, body: res.json() as Answer, text: res.body };
}

function eachEngine(name: string, body: (url: string, engine: EngineName) => Promise<void>) {
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

describe('policy versions at start', () => {
  eachEngine('keeps version 1 when Cabinet starts twice with the same bundle', async (url) => {
    const first: string[] = [];
    const a = await start(url, DEFAULT_DIR, first);
    await a.close();
    assert.ok(first.includes(`Applied policy bundle ${DEFAULT_DIR} as version 1.`), first.join('\n'));
    const second: string[] = [];
    const b = await start(url, DEFAULT_DIR, second);
    try {
      assert.ok(second.includes('Policy version 1 is active.'), second.join('\n'));
      const versions = await api(b, 'GET', '/api/v1/policy/versions');
      assert.equal(versions.status, 200, versions.text);
      assert.deepEqual(
        versions.body.items.map((v) => [v.number, v.active]),
        [[1, true]],
      );
    } finally {
      await b.close();
    }
  });

  eachEngine(
    'applies an edited bundle as version 2 on restart while older changes keep the version they were created under',
    async (url) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-policy-'));
      try {
        cpSync(DEFAULT_DIR, dir, { recursive: true });
        const a = await start(url, dir);
        let before: { id: string; policyVersion: number };
        try {
          const created = await api(a, 'POST', '/api/v1/changes', { type: 'normal', title: 'Under version 1' });
          assert.equal(created.status, 201, created.text);
          assert.equal(created.body.policyVersion, 1);
          before = created.body;
        } finally {
          await a.close();
        }

        const file = path.join(dir, 'change-models.yaml');
        const text = readFileSync(file, 'utf8');
        assert.ok(text.includes('label: Normal change\n'));
        writeFileSync(file, text.replace('label: Normal change\n', 'label: Normal change (reviewed)\n'));

        const log: string[] = [];
        const b = await start(url, dir, log);
        try {
          assert.ok(log.includes(`Applied policy bundle ${dir} as version 2.`), log.join('\n'));
          const active = await api(b, 'GET', '/api/v1/policy');
          assert.equal(active.body.number, 2);
          assert.equal(active.body.models.normal!.label, 'Normal change (reviewed)');
          const versions = await api(b, 'GET', '/api/v1/policy/versions');
          assert.deepEqual(
            versions.body.items.map((v) => [v.number, v.active]),
            [
              [2, true],
              [1, false],
            ],
          );
          assert.notEqual(versions.body.items[0]!.hash, versions.body.items[1]!.hash);

          const old = await api(b, 'GET', `/api/v1/changes/${before.id}`);
          assert.equal(old.body.policyVersion, 1);
          const created = await api(b, 'POST', '/api/v1/changes', { type: 'normal', title: 'Under version 2' });
          assert.equal(created.status, 201, created.text);
          assert.equal(created.body.policyVersion, 2);
        } finally {
          await b.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  eachEngine('refuses to start with a broken bundle and leaves the active version in force', async (url) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-policy-'));
    try {
      cpSync(DEFAULT_DIR, dir, { recursive: true });
      await (await start(url, dir)).close();
      const file = path.join(dir, 'change-models.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('initial: draft', 'initial: nowhere'));
      await assert.rejects(start(url, dir), (err: PolicyInvalidError) => {
        assert.equal(err.code, 'invalid_policy');
        const [issue] = err.details.issues as BundleIssue[];
        assert.deepEqual(
          { file: issue!.file, line: issue!.line, path: issue!.path },
          { file: 'change-models.yaml', line: 8, path: 'models.normal.initial' },
        );
        return true;
      });
      const c = await start(url, DEFAULT_DIR);
      try {
        // The shipped bundle is byte-identical to the copy applied first, so version 1 is still the one in force.
        const versions = await api(c, 'GET', '/api/v1/policy/versions');
        assert.deepEqual(
          versions.body.items.map((v) => v.number),
          [1],
        );
      } finally {
        await c.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
