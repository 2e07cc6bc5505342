import type { Config } from '../../config';
import type { ChangeImpact, PolicyDiff } from '../../contracts/policy';
import { compileBundle, loadBundleDir, readBundleFiles, TESTS_DIR } from '../../policy/loader';
import { runPolicyTests, type PolicyTestCaseResult, type PolicyTestResults } from '../../policy/testing';
import { testReportOf } from '../../services/policy-preview.service';
import { CliError, printJson, type Problem } from '../output';
import { cliActor, withServices } from './admin';
import { stdout, setExitCode } from '../io';

/** Prints one line per case (✓ or ✗), each mismatch under its case, and a summary. */
export function formatTestResults(results: PolicyTestResults): string {
  const out: string[] = [];
  for (const c of results.cases) {
    out.push(`${c.ok ? '✓' : '✗'} ${c.file}: ${c.name}`);
    for (const m of c.mismatches) out.push(`    ${m.what}: expected ${m.expected}, got ${m.actual}`);
  }
  const total = results.cases.length;
  out.push('', `${total} test case${total === 1 ? '' : 's'}: ${results.passed} passed, ${results.failed} failed.`);
  return out.join('\n') + '\n';
}

/** A failing test case as one problem: its file, its name and every mismatch. */
function failingCase(c: PolicyTestCaseResult): Problem {
  return { message: `${c.file}: "${c.name}" fails: ${c.mismatches.map((m) => `${m.what}: expected ${m.expected}, got ${m.actual}`).join('; ')}` };
}

/**
 * Runs a bundle folder's test cases without a database: exit 0 when every case passes, 1 when one fails,
 * the bundle or a test file is invalid (every problem with file:line:column), or there is no case at all.
 */
export async function testPolicy(dir: string, opts: { json?: boolean }): Promise<void> {
  const bundle = await loadBundleDir(dir);
  const results = runPolicyTests(bundle);
  if (results.cases.length === 0) throw new CliError(`${dir} has no test cases: add YAML files with "cases:" to ${dir}/${TESTS_DIR} (see docs/policy.md, "Testing a bundle").`);
  if (opts.json) {
    const problems = results.cases.filter((c) => !c.ok).map(failingCase);
    printJson({ ok: results.failed === 0, ...(problems.length > 0 ? { problems } : {}), ...results });
  } else stdout.write(formatTestResults(results));
  if (results.failed > 0) setExitCode(1);
}

const arrow = (before: string, after: string) => (before === after ? '' : `${before} → ${after}`);

/** The cells of one changed change, empty where nothing moves. */
function impactCells(c: ChangeImpact): string[] {
  const risk = c.changed.includes('risk') ? `${c.before.risk.score} ${c.before.risk.level} → ${c.after.risk.score} ${c.after.risk.level}` : '';
  const approvals = [...c.approvalsAdded.map((r) => `+${r}`), ...c.approvalsRemoved.map((r) => `-${r}`)].join(' ');
  const routing = [arrow(c.before.team, c.after.team) && `team ${arrow(c.before.team, c.after.team)}`, arrow(c.before.changeManager, c.after.changeManager) && `manager ${arrow(c.before.changeManager, c.after.changeManager)}`]
    .filter(Boolean)
    .join('; ');
  const gates = c.changed.includes('gates') ? arrow(c.before.gates.join(', ') || 'none', c.after.gates.join(', ') || 'none') : '';
  return [c.number, `${c.type}/${c.state}`, risk, approvals, routing, gates];
}

/** A plain-text table of the changes that would change, and how many would not. */
export function formatDiff(diff: PolicyDiff): string {
  if (diff.activeVersion === null) return 'No policy version is active on this database yet, so no change can be affected.\n';
  const out = [
    `Compared with active version ${diff.activeVersion}: ${diff.openChanges} open change${diff.openChanges === 1 ? '' : 's'}, ${diff.changes.length} would change, ${diff.unchanged} would not.`,
  ];
  if (diff.changes.length > 0) {
    const rows = [['CHANGE', 'TYPE/STATE', 'RISK', 'APPROVALS', 'ROUTING', 'GATES'], ...diff.changes.map(impactCells)];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    out.push('');
    for (const row of rows) out.push(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    const warned = diff.changes.filter((c) => c.warnings.length > 0);
    if (warned.length > 0) out.push('');
    for (const c of warned) for (const w of c.warnings) out.push(`${c.number}: ${w}`);
  }
  return out.join('\n') + '\n';
}

/**
 * Shows, for every open change on DATABASE_URL, what the bundle in `dir` would decide differently from the
 * active version. Informational: exit 0 whatever it finds; 1 only when the bundle would be refused.
 */
export async function diffPolicy(config: Config, dir: string, opts: { json?: boolean }): Promise<void> {
  const files = await readBundleFiles(dir);
  await withServices(config, async (services) => {
    const bundle = await services.policy.check(files);
    const diff = await services.policyPreview.diff(cliActor(), bundle);
    if (opts.json) printJson(diff);
    else stdout.write(formatDiff(diff));
  });
}

/**
 * Applies a bundle folder as a new policy version on the database, as an admin would through the API, after
 * creating the teams it declares that do not exist yet (as the first start does). A bundle whose own test
 * cases fail (or cannot run) is refused unless `force`. A bundle identical to the active version changes
 * nothing; a refused bundle lists every problem.
 */
export async function applyPolicy(config: Config, dir: string, opts: { json?: boolean; force?: boolean }): Promise<void> {
  const files = await readBundleFiles(dir);
  const tests = testReportOf(compileBundle(files));
  const failed = tests.cases.filter((c) => !c.ok);
  if ((failed.length > 0 || tests.issues.length > 0) && !opts.force) {
    const problems: Problem[] = [
      ...tests.issues,
      ...failed.map(failingCase),
    ];
    const what = tests.issues.length > 0 ? 'its test files have problems' : `${failed.length} of its ${tests.cases.length} test cases fail`;
    throw new CliError(`Not applied: ${what} (\`cabinet policy test ${dir}\` shows them; --force applies it anyway).`, 1, problems, { tests: { passed: tests.passed, failed: tests.failed } });
  }
  await withServices(config, async (services) => {
    const result = await services.policy.applyFiles(cliActor(), files, { createDeclaredTeams: true });
    const createdTeams = result.createdTeams ?? [];
    if (opts.json) {
      printJson({ ok: true, ...result, createdTeams, tests: { passed: tests.passed, failed: tests.failed, forced: Boolean(opts.force) && failed.length + tests.issues.length > 0 } });
      return;
    }
    for (const team of createdTeams) stdout.write(`Created team ${team.handle} (${team.name}) declared by the bundle.\n`);
    if (failed.length + tests.issues.length > 0) stdout.write(`Applied with --force although ${failed.length} test case(s) fail.\n`);
    if (result.applied) stdout.write(`Applied policy version ${result.number} (hash ${result.hash}).\n`);
    else stdout.write(`Policy version ${result.number} already has this content.\n`);
  });
}
