import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { INSTALL_DIR } from '../src/config';
import { compileBundle, PolicyInvalidError, readBundleFiles, type BundleIssue } from '../src/policy/loader';
import { runPolicyTests, type PolicyTestResults } from '../src/policy/testing';
import { eachEngine, type Harness } from './support/cabinet';

const DEFAULT_DIR = path.join(INSTALL_DIR, 'policies', 'default');

/** Strips the first newline and the common indentation, so line 1 is the line after the opening backtick. */
function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((all, s, i) => all + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** The shipped bundle's section files, without its tests, plus `extra` files. */
async function shippedWith(extra: Record<string, string>): Promise<Record<string, string>> {
  const files = Object.fromEntries(Object.entries(await readBundleFiles(DEFAULT_DIR)).filter(([name]) => !name.startsWith('tests/')));
  return { ...files, ...extra };
}

async function run(tests: string): Promise<PolicyTestResults> {
  return runPolicyTests(compileBundle(await shippedWith({ 'tests/cases.yaml': tests })));
}

function testIssues(files: Record<string, string>): BundleIssue[] {
  try {
    runPolicyTests(compileBundle(files));
  } catch (err) {
    assert.ok(err instanceof PolicyInvalidError, `expected PolicyInvalidError, got ${String(err)}`);
    return (err.details as { issues: BundleIssue[] }).issues;
  }
  assert.fail('the test files were accepted but should not have been');
}

/** A normal change touching a critical payments server on a tier 1 service, with no backout plan: 60, high. */
const RISKY =
  '{ type: normal, cis: [{ name: pay-api-1, type: server, criticality: critical, service: Payments }], services: [{ name: Payments, tier: 1, ownerTeam: payments }], ' +
  'plannedStart: "2026-03-10T10:00:00Z", plannedEnd: +2h, implementationPlan: Deploy }';

describe('policy test cases (pure)', () => {
  it('passes every case shipped with the default bundle, which covers each kind of decision', async () => {
    const bundle = compileBundle(await readBundleFiles(DEFAULT_DIR));
    const results = runPolicyTests(bundle);
    assert.deepEqual(
      results.cases.filter((c) => !c.ok),
      [],
    );
    assert.equal(results.failed, 0);
    assert.equal(results.passed, results.cases.length);
    assert.ok(results.cases.length >= 10, `only ${results.cases.length} cases`);
    const names = results.cases.map((c) => c.name).join('\n');
    for (const topic of [
      /standard change .* no approval/,
      /low risk .* change manager/,
      /high risk .* CAB/,
      /Emergency CAB/,
      /PCI .* Security and Compliance/,
      /database .* DBAs/,
      /network/,
      /cannot leave draft/,
    ])
      assert.match(names, topic);
  });

  it('fails a case whose expectations are wrong, naming each mismatch with what was expected and what the bundle decided', async () => {
    const results = await run(yaml`
      cases:
        - name: A risky change
          change: ${RISKY}
          expect:
            risk: { level: very_high, score: { min: 70 } }
            approvals: [change_manager]
            routing: { team: dba, changeManager: { user: ada@example.com } }
            slas: { approval_response: approval_response }
            refusals:
              - { to: assess, code: approvals_pending }
            allowed: [authorize]
        - name: The same change, expected right
          change: ${RISKY}
          expect:
            risk: { level: high, score: 60 }
            approvals: [cab]
    `);
    assert.equal(results.passed, 1);
    assert.equal(results.failed, 1);
    const [wrong, right] = results.cases;
    assert.deepEqual(right, { file: 'tests/cases.yaml', name: 'The same change, expected right', ok: true, mismatches: [] });
    const factors = 'high (score 60: ci_criticality +20, service_tier +15, complexity +4, rollback +15, timing +6)';
    assert.deepEqual(wrong!.mismatches, [
      { what: 'risk level', expected: 'very_high', actual: factors },
      { what: 'risk score', expected: 'at least 70', actual: factors },
      { what: 'approvals', expected: 'change_manager', actual: 'cab' },
      { what: 'assignment team (routing)', expected: 'dba', actual: 'field service_owner' },
      { what: 'change manager (routing)', expected: 'user ada@example.com', actual: 'least busy of change-managers' },
      { what: 'SLA target for approval_response', expected: 'approval_response', actual: 'urgent_approval_response' },
      {
        what: 'moving to assess',
        expected: 'refused with approvals_pending',
        actual: 'refused with missing_fields: description, justification, testPlan, backoutPlan',
      },
      { what: 'moving to authorize', expected: 'allowed', actual: 'refused with invalid_transition (it can move to: assess, cancelled)' },
    ]);
  });

  it('checks stages, missing fields and gates exactly, and a risk override reaches approvals but not the computed level', async () => {
    const results = await run(yaml`
      cases:
        - name: Stages and gates
          change:
            type: normal
            state: scheduled
            riskOverride: low
            approved: true
            filled: [implementerId]
            assignmentTeam: payments
            cis:
              - { name: vault, type: database, criticality: critical, tags: [pci] }
            evidence: [test_evidence]
          expect:
            risk: moderate
            approvals: [{ rule: dba, stage: authority }, security, compliance, change_manager]
            refusals:
              - { to: implement, code: missing_fields, fields: [implementerId] }
              - { to: closed, code: invalid_transition }
        - name: With the start recorded, the gate speaks
          change:
            type: normal
            state: scheduled
            approved: true
            filled: [implementerId, actualStart]
            cis:
              - { name: vault, type: database, criticality: critical, tags: [pci] }
            evidence: [test_evidence]
          expect:
            refusals:
              - { to: implement, code: gate_unsatisfied, gate: regulated_evidence }
    `);
    assert.deepEqual(
      results.cases.map((c) => [c.name, c.mismatches]),
      [
        [
          'Stages and gates',
          [
            {
              what: 'approvals',
              expected: 'dba (authority), security, compliance, change_manager',
              actual: 'security (specialists), dba (specialists), compliance (compliance), change_manager (authority)',
            },
            {
              what: 'moving to implement',
              expected: 'refused with missing_fields: implementerId',
              actual: 'refused with missing_fields: actualStart',
            },
          ],
        ],
        ['With the start recorded, the gate speaks', []],
      ],
    );
  });

  it('counts relative planned times from now, and derives the priority from impact and urgency', async () => {
    const results = await run(yaml`
      cases:
        - name: Tomorrow morning, urgent
          now: 2026-03-03T09:00:00Z
          change:
            type: normal
            impact: high
            urgency: high
            plannedStart: +20h
            plannedEnd: +30m
            backoutPlan: Undo
            backoutTested: true
          expect:
            risk: { score: 3 }
            slas: { approval_response: urgent_approval_response }
    `);
    // Less than a day ahead: timing 8, tested backout −5; priority 1 makes the approval SLA urgent.
    assert.deepEqual(results.cases[0]!.mismatches, []);
  });

  it('reports every problem of every test file at once, with its file, line and column', async () => {
    const files = await shippedWith({
      'tests/broken.yaml': 'cases:\n  - name: [unclosed\n',
      'tests/shape.yaml': yaml`
        cases:
          - name: Unknown field and a bad level
            change:
              colour: red
            expect:
              risk: extreme
          - name: Nothing expected
            expect: {}
      `,
      'tests/names.yaml': yaml`
        apiVersion: cabinet/v1
        cases:
          - name: Names the bundle does not have
            change:
              type: normal
              state: limbo
              cis:
                - { name: db, service: Billing }
            expect:
              approvals: [dba, ghost]
              slas: { approval_response: time_to_schedule }
              refusals:
                - { to: heaven, code: gate_unsatisfied, gate: nope }
          - name: A type without a model
            change: { type: minor }
            expect: { approvals: [] }
      `,
    });
    const issues = testIssues(files).map((i) => `${i.file}:${i.line}:${i.column} ${i.path} ${i.message}`);
    assert.deepEqual(issues, [
      'tests/broken.yaml:3:1  Flow sequence in block collection must be sufficiently indented and end with a ]',
      'tests/names.yaml:6:14 cases.0.change.state the normal model has no state "limbo"',
      'tests/names.yaml:8:32 cases.0.change.cis.0.service no service "Billing" in change.services',
      'tests/names.yaml:10:24 cases.0.expect.approvals.1 no approval rule "ghost" in the bundle',
      'tests/names.yaml:11:34 cases.0.expect.slas.approval_response the SLA target "time_to_schedule" measures time_to_schedule, not approval_response',
      'tests/names.yaml:13:17 cases.0.expect.refusals.0.to the normal model has no state "heaven"',
      'tests/names.yaml:13:55 cases.0.expect.refusals.0.gate no gate "nope" in the bundle',
      'tests/names.yaml:15:21 cases.1.change.type the bundle has no model for "minor" changes (it has normal, emergency, standard)',
      'tests/shape.yaml:4:15 cases.0.change.colour unknown field "colour"',
      'tests/shape.yaml:6:13 cases.0.expect.risk risk is a level (low, moderate, high, very_high) or { level, score }',
      'tests/shape.yaml:8:13 cases.1.expect expect at least one of risk, approvals, routing, slas, refusals, allowed',
    ]);
  });

  it('runs no case for a bundle without test files', async () => {
    assert.deepEqual(runPolicyTests(compileBundle(await shippedWith({}))), { passed: 0, failed: 0, cases: [] });
  });
});

// --- API ---------------------------------------------------------------------------------------------

/** A rule asking the DBAs again as "storage", in the specialists stage: database changes get one more approval. */
const withStorageRule = (approvals: string) =>
  approvals.replace(
    '    - name: compliance\n',
    [
      '        - name: storage',
      '          when: cis.exists(c, c.type == "database")',
      '          approvers: { team: dba }',
      '          reason: Storage is affected',
      '    - name: compliance',
      '',
    ].join('\n'),
  );

async function ci(h: Harness, name: string, type: string): Promise<string> {
  const res = await h.request('POST', '/api/v1/cis', { body: { name, type, environment: 'production', criticality: 'low' } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function fileChange(h: Harness, title: string, ciIds: string[]): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title, ciIds } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

describe('policy tests and previews through the API', { concurrency: 2 }, () => {
  eachEngine('runs the test cases of a stored version: every shipped case passes; 404 for a version that does not exist', async (h) => {
    const res = await h.request('GET', '/api/v1/policy/versions/1/tests');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.number, 1);
    assert.equal(res.body.failed, 0);
    assert.ok(res.body.passed >= 10);
    assert.equal(res.body.cases.length, res.body.passed);
    assert.deepEqual(res.body.issues, []);
    assert.deepEqual(Object.keys(res.body.cases[0]).sort(), ['file', 'mismatches', 'name', 'ok']);
    const missing = await h.request('GET', '/api/v1/policy/versions/99/tests');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });

  eachEngine(
    'previews an edited bundle: the open database change gains an approval, the others are counted, a closed one is left out, the failing case is shown, and nothing is applied',
    async (h) => {
      const db = await fileChange(h, 'Add an index', [await ci(h, 'orders-db', 'database')]);
      await fileChange(h, 'Resize the web tier', [await ci(h, 'web-01', 'server')]);
      const cancelled = await fileChange(h, 'Forget it', [await ci(h, 'orders-db-2', 'database')]);
      const cancel = await h.request('POST', `/api/v1/changes/${cancelled.id}/transitions`, { body: { to: 'cancelled', comment: 'Not needed any more' } });
      assert.equal(cancel.status, 200, cancel.text);

      const files = await readBundleFiles(DEFAULT_DIR);
      files['approvals.yaml'] = withStorageRule(files['approvals.yaml']!);
      const res = await h.request('POST', '/api/v1/policy/preview', { body: { files } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.valid, true);
      assert.equal(res.body.sameAsActive, false);
      assert.equal(res.body.diff.activeVersion, 1);
      assert.equal(res.body.diff.openChanges, 2);
      assert.equal(res.body.diff.unchanged, 1);
      assert.deepEqual(
        res.body.diff.changes.map((c: { number: string; changed: string[]; approvalsAdded: string[]; approvalsRemoved: string[] }) => [
          c.number,
          c.changed,
          c.approvalsAdded,
          c.approvalsRemoved,
        ]),
        [[db.number, ['approvals'], ['storage'], []]],
      );
      const impact = res.body.diff.changes[0];
      assert.deepEqual(impact.after.approvals, [...impact.before.approvals.slice(0, 1), 'storage', ...impact.before.approvals.slice(1)]);
      assert.deepEqual(impact.after.risk, impact.before.risk);

      // The shipped case about database changes expects exactly dba and change_manager: the edit breaks it.
      assert.equal(res.body.tests.failed, 1);
      const failing = res.body.tests.cases.filter((c: { ok: boolean }) => !c.ok);
      assert.deepEqual(failing, [
        {
          file: 'tests/specialists.yaml',
          name: 'A database change needs the DBAs and is carried out by them',
          ok: false,
          mismatches: [
            {
              what: 'approvals',
              expected: 'dba (specialists), change_manager (authority)',
              actual: 'dba (specialists), storage (specialists), change_manager (authority)',
            },
          ],
        },
      ]);
      const versions = await h.request('GET', '/api/v1/policy/versions');
      assert.equal(versions.body.items.length, 1, 'a preview applies nothing');

      // The active bundle itself changes nothing and says so.
      const same = await h.request('POST', '/api/v1/policy/preview', { body: { files: await readBundleFiles(DEFAULT_DIR) } });
      assert.equal(same.status, 200, same.text);
      assert.equal(same.body.sameAsActive, true);
      assert.deepEqual([same.body.diff.changes, same.body.diff.unchanged], [[], 2]);
    },
  );

  eachEngine(
    'refuses to preview a broken bundle with 422 and every problem at its line; a broken test file is reported in the results instead',
    async (h) => {
      const files = await readBundleFiles(DEFAULT_DIR);
      const broken = await h.request('POST', '/api/v1/policy/preview', {
        body: {
          files: {
            ...files,
            'gates.yaml':
              'apiVersion: cabinet/v1\ngates:\n  - name: g\n    before: [limbo]\n    evidence: [test_evidence]\n    reason: r\n',
          },
        },
      });
      assert.equal(broken.status, 422, broken.text);
      assert.equal(broken.body.error.code, 'invalid_policy');
      assert.deepEqual(
        broken.body.error.details.issues.map((i: BundleIssue) => [i.file, i.line, i.path]),
        [['gates.yaml', 4, 'gates.0.before.0']],
      );

      const badTests = await h.request('POST', '/api/v1/policy/preview', {
        body: { files: { ...files, 'tests/extra.yaml': 'cases:\n  - name: x\n    expect: { approvals: [ghost] }\n' } },
      });
      assert.equal(badTests.status, 200, badTests.text);
      assert.deepEqual(
        [
          badTests.body.tests.passed,
          badTests.body.tests.cases,
          badTests.body.tests.issues.map((i: BundleIssue) => `${i.file}:${i.line} ${i.message}`),
        ],
        [0, [], ['tests/extra.yaml:3 no approval rule "ghost" in the bundle']],
      );
    },
  );

  eachEngine('lets only people who read policy and changes run tests or preview: 403 for a user without roles', async (h) => {
    const nobody = await h.userWithToken([]);
    const tests = await h.request('GET', '/api/v1/policy/versions/1/tests', { token: nobody.token });
    assert.equal(tests.status, 403, tests.text);
    assert.equal(tests.body.error.code, 'forbidden');
    const preview = await h.request('POST', '/api/v1/policy/preview', {
      token: nobody.token,
      body: { files: await readBundleFiles(DEFAULT_DIR) },
    });
    assert.equal(preview.status, 403, preview.text);
    const requester = await h.userWithToken(['requester']);
    const allowed = await h.request('GET', '/api/v1/policy/versions/1/tests', { token: requester.token });
    assert.equal(allowed.status, 200, allowed.text);
  });
});
