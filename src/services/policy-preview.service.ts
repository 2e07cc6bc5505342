import type { ChangeImpact, PolicyDiff, PolicyPreview, PolicyTestReport, PolicyVersionTests } from '../contracts/policy';
import type { ChangeRecord, Repositories } from '../db/repositories';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { findState } from '../domain/change/lifecycle';
import { NotFoundError } from '../domain/errors';
import { firedApprovalRules, gatesFor, routeChange } from '../policy/evaluate';
import { compileBundle, PolicyInvalidError, type BundleIssue, type PolicyBundle } from '../policy/loader';
import { evaluateRisk } from '../policy/risk';
import { describeManagerTarget, describeTeamTarget, runPolicyTests } from '../policy/testing';
import type { ServiceDeps } from './context';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { RiskService } from './risk.service';

export interface PolicyPreviewDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
}

type Outcome = ChangeImpact['before'];

/** Open changes are read in pages of this many. */
const PAGE = 500;

/**
 * Runs a bundle's test cases, turning problems in its test files into `issues` (the tests did not run)
 * instead of an error: a stored version or a candidate bundle is still worth showing.
 */
export function testReportOf(bundle: PolicyBundle): PolicyTestReport {
  try {
    return { ...runPolicyTests(bundle), issues: [] };
  } catch (err) {
    if (!(err instanceof PolicyInvalidError)) throw err;
    return { passed: 0, failed: 0, cases: [], issues: (err.details as { issues: BundleIssue[] }).issues };
  }
}

/** A version-like wrapper so the risk service builds a change's context for any bundle. */
const asPolicy = (bundle: PolicyBundle, number = 0): ActivePolicy => ({ number, name: bundle.name, hash: bundle.hash, appliedAt: '', appliedBy: '', bundle });

/** What `bundle` decides for a change, given its context; a risk level set by hand stays in force. */
function outcomeOf(bundle: PolicyBundle, change: ChangeRecord, context: Record<string, unknown>): Outcome {
  const risk = evaluateRisk(bundle.risk, context);
  const level = change.risk?.overridden ? change.risk.level : risk.level;
  const fired = firedApprovalRules(bundle.approvals, { ...context, risk: { score: BigInt(risk.score), level } });
  const routed = routeChange(bundle.routing, context);
  const states = bundle.models[change.type]?.states.map((s) => s.id) ?? [];
  const gates = bundle.gates.filter((g) => g.before.some((s) => states.includes(s) && gatesFor([g], s, context).length > 0)).map((g) => g.name);
  return {
    risk: { score: risk.score, level: risk.level },
    approvals: fired.map((f) => f.rule.name),
    team: describeTeamTarget(routed.team?.target ?? null),
    changeManager: describeManagerTarget(routed.changeManager?.target ?? null),
    gates,
  };
}

const sameList = (a: string[], b: string[]) => a.join('\n') === b.join('\n');

/**
 * Previews a policy bundle before it is applied: its test results, and for every open change what it would
 * decide differently from the active version (risk, approvals, routing, gates). Reads only; changes nothing.
 */
export function createPolicyPreviewService(deps: PolicyPreviewDeps) {
  const { store, policy, risk } = deps;

  /** Both sides are computed now from the change as it is, so only the bundle differs. */
  async function impactOf(repos: Repositories, change: ChangeRecord, active: ActivePolicy, candidate: PolicyBundle): Promise<ChangeImpact | null> {
    const context = await risk.contextOf(repos, change, active);
    const sameHours = JSON.stringify(active.bundle.risk.businessHours) === JSON.stringify(candidate.risk.businessHours);
    const candidateContext = sameHours ? context : await risk.contextOf(repos, change, asPolicy(candidate));
    const before = outcomeOf(active.bundle, change, context);
    const after = outcomeOf(candidate, change, candidateContext);
    const warnings: string[] = [];
    const model = candidate.models[change.type];
    if (!model) warnings.push(`The new bundle has no model for ${change.type} changes.`);
    else if (!findState(model, change.state)) warnings.push(`The new ${change.type} model has no state "${change.state}".`);
    const changed: ChangeImpact['changed'] = [];
    if (before.risk.score !== after.risk.score || before.risk.level !== after.risk.level) changed.push('risk');
    if (!sameList([...before.approvals].sort(), [...after.approvals].sort())) changed.push('approvals');
    if (before.team !== after.team || before.changeManager !== after.changeManager) changed.push('routing');
    if (!sameList(before.gates, after.gates)) changed.push('gates');
    if (warnings.length > 0) changed.push('model');
    if (changed.length === 0) return null;
    return {
      id: change.id,
      number: change.number,
      title: change.title,
      type: change.type,
      state: change.state,
      changed,
      before,
      after,
      approvalsAdded: after.approvals.filter((r) => !before.approvals.includes(r)),
      approvalsRemoved: before.approvals.filter((r) => !after.approvals.includes(r)),
      warnings,
    };
  }

  /** Compares the candidate with the active version for every open change, newest first. */
  async function diffAgainstActive(candidate: PolicyBundle): Promise<PolicyDiff> {
    const active = await policy.activeOrNull();
    if (!active) return { activeVersion: null, openChanges: 0, unchanged: 0, changes: [] };
    const models = active.bundle.models;
    const openStates = [...new Set(Object.values(models).flatMap((m) => m.states.filter((s) => !s.final).map((s) => s.id)))];
    const isOpen = (c: ChangeRecord) => {
      const state = models[c.type] ? findState(models[c.type]!, c.state) : undefined;
      return state !== undefined && !state.final;
    };
    // NOTE: read-only, so no transaction: the store's own repositories, outside any transaction (see db/database.ts).
    const repos = store.repos;
    const changes: ChangeImpact[] = [];
    let open = 0;
    let beforeSeq: number | undefined;
    for (;;) {
      const page = openStates.length ? await repos.changes.list({ state: openStates.join(','), beforeSeq, limit: PAGE }) : [];
      for (const change of page.filter(isOpen)) {
        open++;
        const impact = await impactOf(repos, change, active, candidate);
        if (impact) changes.push(impact);
      }
      if (page.length < PAGE) break;
      beforeSeq = page[page.length - 1]!.seq;
    }
    return { activeVersion: active.number, openChanges: open, unchanged: open - changes.length, changes };
  }

  return {
    /** The test results of a stored version. */
    async versionTests(actor: Actor, num: number): Promise<PolicyVersionTests> {
      assertPermission(actor, 'policy.read');
      const active = await policy.activeOrNull();
      let bundle: PolicyBundle;
      if (active?.number === num) bundle = active.bundle;
      else {
        const version = await store.repos.policy.find(num);
        if (!version) throw new NotFoundError('Policy version', String(num));
        // A stored version loads as it was accepted, before expressions were checked against the context's fields.
        bundle = compileBundle(version.files, { checkFields: false });
      }
      return { number: num, ...testReportOf(bundle) };
    },

    /**
     * Checks a bundle as applying would (422 `invalid_policy` otherwise), runs its tests and shows its impact
     * on every open change.
     */
    async preview(actor: Actor, files: Record<string, string>): Promise<PolicyPreview> {
      assertPermission(actor, 'policy.read');
      assertPermission(actor, 'change.read');
      const bundle = await policy.check(files);
      const diff = await diffAgainstActive(bundle);
      const active = await policy.activeOrNull();
      return { valid: true, name: bundle.name, hash: bundle.hash, sameAsActive: active?.hash === bundle.hash, tests: testReportOf(bundle), diff };
    },

    /** The impact of a bundle (already checked) on every open change: for `cabinet policy diff`. */
    async diff(actor: Actor, bundle: PolicyBundle): Promise<PolicyDiff> {
      assertPermission(actor, 'policy.read');
      assertPermission(actor, 'change.read');
      return diffAgainstActive(bundle);
    },
  };
}
export type PolicyPreviewService = ReturnType<typeof createPolicyPreviewService>;
