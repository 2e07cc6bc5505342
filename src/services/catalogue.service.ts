import type { ChangeCheck, ChangeConversion } from '../contracts/change';
import type { TemplateOutcomes } from '../contracts/templates';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { NotFoundError, PolicyError } from '../domain/errors';
import { EVIDENCE_KIND_WORDS, type EvidenceKind } from '../domain/change/evidence';
import { impactOf } from '../domain/schedule/impact';
import { within } from '../domain/schedule/windows';
import type { ChangeRecord, Repositories, TemplateRecord } from '../db/repositories';
import type { OutcomeCounts, ScoreWeights } from '../db/repositories/template.repository';
import { compileExpression, CelCompileError } from '../policy/cel';
import { compileBundle } from '../policy/loader';
import { SCORE_DEFAULTS, SUSPENSION_DEFAULTS } from '../policy/catalogue.schema';
import { RISK_LEVELS } from '../domain/risk/score';
import { audit, type ServiceDeps } from './context';
import type { OutboxService } from './outbox.service';
import { DEFAULT_IMPACT, type ScheduleService } from './schedule.service';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { RiskService } from './risk.service';

export interface CatalogueServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  schedule: ScheduleService;
  outbox: OutboxService;
}

/** When the checks run: at filing, before `implement`, or again by hand (Run again). */
export type CheckStage = ChangeCheck['stage'];
/** What suspended an entry: its failure rule, an overdue periodic review (H4), or a person. */
export type SuspensionKind = 'failures' | 'review_overdue' | 'manual';

const NO_OUTCOMES: OutcomeCounts = { uses: 0, successful: 0, successfulWithIssues: 0, failed: 0, incidents: { p1: 0, p2: 0, p3: 0, p4: 0 } };
const RANK = new Map<string, number>(RISK_LEVELS.map((l, i) => [l, i]));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The success score: the outcomes and caused incidents weighted as the policy says. */
export function scoreOf(o: OutcomeCounts, w: ScoreWeights): number {
  return (
    o.successful * w.successful +
    o.successfulWithIssues * w.successfulWithIssues +
    o.failed * w.failed +
    o.incidents.p1 * w.incidentP1 +
    o.incidents.p2 * w.incidentP2 +
    o.incidents.p3 * w.incidentP3 +
    o.incidents.p4 * w.incidentP4
  );
}

/** The eligibility rule of an entry, checked as the policy's rules are: a problem in words, or null when it compiles. */
export function eligibilityRuleProblem(rule: string): string | null {
  if (rule.trim() === '') return null;
  try {
    compileExpression(rule, 'bool', 'change');
    return null;
  } catch (err) {
    const e = err as CelCompileError;
    return `CEL: ${e.message}${e.column ? ` (at character ${e.column} of the expression)` : ''}`;
  }
}

/**
 * The standard change catalogue at work (docs/catalogue.md): the pre-approval checks of a standard change made
 * from an entry (at filing, before implement, and again by hand), its conversion to a normal change when they
 * fail (or the entry is suspended), the success history and score, and the automatic suspension of an entry
 * whose recent uses fail.
 */
export function createCatalogueService(deps: CatalogueServiceDeps) {
  const { store, policy, risk, schedule, outbox } = deps;
  const nowIso = () => deps.now().toISOString();
  const weightsOf = (active: ActivePolicy | null): ScoreWeights => active?.bundle.catalogue?.score ?? SCORE_DEFAULTS;

  /** Outcomes with their score. */
  const withScore = (o: OutcomeCounts | undefined, w: ScoreWeights): TemplateOutcomes => {
    const counts = o ?? NO_OUTCOMES;
    return { ...counts, incidents: { ...counts.incidents }, score: scoreOf(counts, w) };
  };

  /** A standard change made from a standard entry: the ones the checks apply to. */
  async function entryOf(repos: Repositories, change: Pick<ChangeRecord, 'templateId' | 'type'>): Promise<TemplateRecord | null> {
    if (!change.templateId || change.type !== 'standard') return null;
    const template = await repos.templates.findById(change.templateId);
    return template && template.type === 'standard' ? template : null;
  }

  /** Every check of a change against its entry, at the stage. */
  async function runChecks(repos: Repositories, change: ChangeRecord, template: TemplateRecord, stage: CheckStage, active: ActivePolicy): Promise<ChangeCheck[]> {
    const at = nowIso();
    const e = template.eligibility;
    const cis = await repos.cmdb.findCisByIds(change.ciIds);
    const checks: ChangeCheck[] = [];
    const add = (name: ChangeCheck['name'], result: ChangeCheck['result'], reason: string) => checks.push({ name, result, reason, checkedAt: at, stage });

    // Eligibility: where and how the entry may run.
    const problems: string[] = [];
    if ((e.services.length || e.ciTypes.length || e.environments.length) && cis.length === 0) problems.push('it names no CI, and the entry is limited to certain services, CI types or environments');
    if (e.services.length) {
      const names = new Map((await repos.cmdb.findServicesByIds(e.services)).map((s) => [s.id, s.name]));
      const outside = cis.filter((c) => !c.serviceId || !e.services.includes(c.serviceId));
      if (outside.length) problems.push(`${outside.map((c) => c.name).join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in the entry's services (${e.services.map((id) => names.get(id) ?? id).join(', ')})`);
    }
    if (e.ciTypes.length) {
      const outside = cis.filter((c) => !e.ciTypes.includes(c.type));
      if (outside.length) problems.push(`${outside.map((c) => `${c.name} (${c.type})`).join(', ')}: the entry covers only CI types ${e.ciTypes.join(', ')}`);
    }
    if (e.environments.length) {
      const outside = cis.filter((c) => !e.environments.includes(c.environment));
      if (outside.length) problems.push(`${outside.map((c) => `${c.name} (${c.environment})`).join(', ')}: the entry covers only ${e.environments.join(', ')}`);
    }
    if (e.maxRisk && change.risk && (RANK.get(change.risk.level) ?? 0) > (RANK.get(e.maxRisk) ?? 0)) {
      problems.push(`its risk is ${change.risk.level.replace('_', ' ')}, above the entry's limit of ${e.maxRisk.replace('_', ' ')}`);
    }
    if (e.windows.length) {
      if (!change.plannedStart || !change.plannedEnd) problems.push(`it has no planned time, and the entry may run only in ${e.windows.join(', ')}`);
      else {
        const windows = (await repos.windows.listWindows()).filter((w) => w.kind === 'maintenance' && e.windows.includes(w.name));
        const fits = windows.some((w) => within(w, new Date(change.plannedStart!), new Date(change.plannedEnd!)));
        if (!fits) problems.push(`its planned time is not inside one of the entry's maintenance windows (${e.windows.join(', ')})`);
      }
    }
    if (e.rule.trim() !== '') {
      try {
        const held = compileExpression(e.rule, 'bool', 'change').evaluate(await risk.contextOf(repos, change, active));
        if (held !== true) problems.push(`the entry's rule does not hold: ${e.rule}`);
      } catch (err) {
        problems.push(`the entry's rule could not be evaluated: ${(err as Error).message}`);
      }
    }
    add('eligibility', problems.length ? 'fail' : 'pass', problems.length ? `Not eligible: ${problems.join('; ')}.` : 'Within the entry’s services, CI types, environments, risk, windows and rule.');

    // Schedule: freezes and conflicts that would stop it (stored by the filing or the last write).
    const conflicts = await schedule.current(repos, change, active);
    const blocking = conflicts.filter((c) => c.blocking);
    if (blocking.length) add('schedule', 'fail', blocking.map((c) => c.message).join(' '));
    else if (conflicts.length) add('schedule', 'warn', `${plural(conflicts.length, 'schedule conflict')} that ${conflicts.length === 1 ? 'does' : 'do'} not block it: ${conflicts.map((c) => c.message).join(' ')}`);
    else add('schedule', 'pass', change.plannedStart ? 'No freeze or conflict at its planned time.' : 'No planned time yet: nothing to conflict with.');

    // Open incidents on its CIs: P1 and P2 fail, P3 and P4 warn.
    const incidents = await repos.templates.openIncidentsOnCis(change.ciIds);
    const severe = incidents.filter((i) => i.priority <= 2);
    const words = (list: typeof incidents) => list.map((i) => `${i.number} (P${i.priority}) ${i.title}`).join('; ');
    if (severe.length) add('incidents', 'fail', `Open P1/P2 incidents on its CIs: ${words(severe)}.`);
    else if (incidents.length) add('incidents', 'warn', `Open incidents on its CIs: ${words(incidents)}.`);
    else add('incidents', 'pass', 'No open incident on its CIs.');

    // Known errors on its CIs (problems and known errors, docs/learning.md).
    const known = await repos.problems.knownErrorsOnCis(change.ciIds);
    if (known.length) {
      add('known_errors', e.knownErrors, `Known errors on its CIs: ${known.map((k) => `${k.number} ${k.title}`).join('; ')}. Read the workaround before you start.`);
    } else add('known_errors', 'pass', 'No known error on its CIs.');

    // Dependencies: how far its impact reaches over the CMDB graph.
    const settings = active.bundle.schedule.impact ?? DEFAULT_IMPACT;
    const impacted = change.ciIds.length ? await impactOf(change.ciIds, settings, (ids, direction, types) => repos.schedule.edges(ids, direction, types)) : [];
    if (e.maxImpact !== null && impacted.length > e.maxImpact) add('dependencies', 'fail', `Its impact reaches ${plural(impacted.length, 'CI')} over the CMDB graph, more than the entry's limit of ${e.maxImpact}.`);
    else add('dependencies', 'pass', `Its impact reaches ${plural(impacted.length, 'other CI')}${e.maxImpact !== null ? ` (the entry allows ${e.maxImpact})` : ''}.`);

    // Evidence the entry requires before implement.
    if (e.requiredEvidence.length === 0) add('evidence', 'pass', 'The entry requires no evidence.');
    else {
      const held = await repos.governance.evidenceKinds(change.id);
      const missing = e.requiredEvidence.filter((k) => !held.has(k));
      const words = (kinds: readonly EvidenceKind[]) => kinds.map((k) => EVIDENCE_KIND_WORDS[k]).join(', ');
      if (missing.length === 0) add('evidence', 'pass', `Carries the evidence the entry requires: ${words(e.requiredEvidence)}.`);
      else if (stage === 'filing') add('evidence', 'warn', `Needed before implement: ${words(missing)}.`);
      else add('evidence', 'fail', `Missing the evidence the entry requires before implement: ${words(missing)}.`);
    }
    return checks;
  }

  const failing = (checks: ChangeCheck[]) => checks.filter((c) => c.result === 'fail');

  /** Whether a filing asks for a standard change without naming a catalogue entry: nothing to pre-authorise it. */
  const withoutEntry = (change: Pick<ChangeRecord, 'templateId' | 'type'>) => change.type === 'standard' && !change.templateId;
  const NO_ENTRY_HOW = 'To file a pre-authorised standard change, pick an entry from the catalogue (Templates, Standard change catalogue) and file the change from it';

  /**
   * Files the change as a normal one (inside the filing's transaction), as its model starts, and records why:
   * the conversion beside its checks, `change.converted` after `change.created`, its risk assessed again.
   */
  async function convert(repos: Repositories, actor: Actor, filed: ChangeRecord, checks: ChangeCheck[], conversion: ChangeConversion, templateId: string | null, active: ActivePolicy): Promise<ChangeRecord> {
    const at = nowIso();
    await repos.templates.saveChecks(filed.id, checks, conversion, at);
    const normal = active.bundle.models.normal;
    const after: ChangeRecord = { ...filed, type: 'normal', state: normal?.initial ?? filed.state };
    await repos.changes.update(after, filed.version);
    await audit(repos, actor, at, 'change.converted', 'change', filed.id, { number: filed.number, from: 'standard', to: 'normal', reason: conversion.reason, message: conversion.message, templateId });
    const assessment = await risk.reassess(repos, actor, after, active);
    return { ...after, risk: after.risk ? { ...after.risk, score: assessment.score, computedLevel: assessment.level, level: after.risk.overridden ? after.risk.level : assessment.level } : after.risk };
  }
  const failMessage = (checks: ChangeCheck[]) => failing(checks).map((c) => `${c.name}: ${c.reason}`).join(' ');

  /** Suspends the entry (only if active: one of several racing suspensions wins); false when it was not active. */
  async function suspend(repos: Repositories, actor: Actor, templateId: string, reason: string, kind: SuspensionKind, numbers: Record<string, unknown> = {}): Promise<boolean> {
    const at = nowIso();
    const template = await repos.templates.findById(templateId);
    if (!template) throw new NotFoundError('Template', templateId);
    if (!(await repos.templates.setState(templateId, ['active'], 'suspended', at))) return false;
    await repos.templates.insertSuspension({ id: deps.newId(), templateId, kind: 'suspended', reason, cause: kind, automatic: kind !== 'manual', by: actor.userId, at, numbers });
    await audit(repos, actor, at, 'template.suspended', 'template', templateId, { name: template.name, reason, cause: kind, automatic: kind !== 'manual', numbers });
    const recipients = [...(template.ownerTeamId ? [{ kind: 'team' as const, ref: template.ownerTeamId }] : []), { kind: 'role' as const, ref: 'change_manager' }];
    await outbox.notify(repos, {
      recipients,
      kind: 'template_suspended',
      title: `The catalogue entry "${template.name}" is suspended.`,
      body: `${reason} While it is suspended, changes asked for from it are filed as normal changes, with approvals. A change manager may reinstate it, with a reason.`,
    });
    return true;
  }

  /**
   * The policy's suspension rule, read inside a transaction: from `active` when the caller holds it, else from
   * the active version (compiled once per version number and remembered).
   */
  let remembered: { number: number; rule: typeof SUSPENSION_DEFAULTS } | null = null;
  async function suspensionRule(repos: Repositories, active?: ActivePolicy | null): Promise<typeof SUSPENSION_DEFAULTS> {
    if (active) return active.bundle.catalogue?.suspension ?? SUSPENSION_DEFAULTS;
    const num = await repos.policy.activeNumber();
    if (num === null) return SUSPENSION_DEFAULTS;
    if (remembered?.number !== num) {
      const version = await repos.policy.find(num);
      remembered = { number: num, rule: version ? (compileBundle(version.files, { checkFields: false }).catalogue?.suspension ?? SUSPENSION_DEFAULTS) : SUSPENSION_DEFAULTS };
    }
    return remembered.rule;
  }

  /** The failure rule over the entry's recent uses (since its last reinstatement); suspends it when met. */
  async function evaluate(repos: Repositories, actor: Actor, templateId: string, trigger: string, active?: ActivePolicy | null): Promise<boolean> {
    const template = await repos.templates.findById(templateId);
    if (!template || template.state !== 'active') return false;
    const rule = await suspensionRule(repos, active);
    const lastReinstated = (await repos.templates.suspensionsOf(templateId)).find((s) => s.kind === 'reinstated')?.at ?? null;
    const uses = await repos.templates.lastUses(templateId, rule.lastUses, lastReinstated);
    const failed = uses.filter((u) => u.closeCode === 'unsuccessful' || u.closeCode === 'rolled_back');
    const severe = uses.filter((u) => u.incidentPriorities.some((p) => rule.incidentPriorities.includes(p)));
    const byFailures = rule.failures > 0 && failed.length >= rule.failures;
    if (!byFailures && severe.length === 0) return false;
    const because: string[] = [];
    if (byFailures) because.push(`${plural(failed.length, 'failure')} (${failed.map((u) => u.number).join(', ')})`);
    if (severe.length) because.push(`incidents of priority ${rule.incidentPriorities.join(' or ')} caused by ${severe.map((u) => u.number).join(', ')}`);
    const reason = `Suspended automatically: ${because.join(' and ')} among its last ${plural(uses.length, 'use')} (the policy suspends an entry at ${plural(rule.failures, 'failure')} or any caused incident of priority ${rule.incidentPriorities.join(' or ')} within the last ${rule.lastUses} uses).`;
    return suspend(repos, actor, templateId, reason, 'failures', {
      trigger,
      lastUses: uses.length,
      window: rule.lastUses,
      failures: failed.length,
      failedChanges: failed.map((u) => u.number),
      incidentChanges: severe.map((u) => ({ number: u.number, priorities: u.incidentPriorities })),
    });
  }

  /** Tells the owner team and the change managers that an entry was reinstated. */
  async function tellReinstated(repos: Repositories, template: TemplateRecord, reason: string): Promise<void> {
    await outbox.notify(repos, {
      recipients: [...(template.ownerTeamId ? [{ kind: 'team' as const, ref: template.ownerTeamId }] : []), { kind: 'role' as const, ref: 'change_manager' }],
      kind: 'template_reinstated',
      title: `The catalogue entry "${template.name}" is reinstated.`,
      body: `${reason} Standard changes can be made from it again, pre-authorised when their checks pass.`,
    });
  }

  return {
    scoreOf,
    tellReinstated,
    withScore,
    weightsOf,
    suspend,
    evaluate,

    /**
     * Before a change is stored (inside the filing's transaction, before it takes a number): a standard change
     * that names no catalogue entry is refused with 422 `no_entry` when `catalogue.withoutEntry` is `refuse`
     * (otherwise `afterFiling` files it as a normal change). NOTE (governance): every filing goes through
     * here; a standard change is pre-authorised only when an active standard entry's checks pass.
     */
    beforeFiling(change: Pick<ChangeRecord, 'templateId' | 'type'>, active: ActivePolicy): void {
      if (!withoutEntry(change) || (active.bundle.catalogue?.withoutEntry ?? 'convert') !== 'refuse') return;
      throw new PolicyError('no_entry', `A standard change is pre-authorised only when it is made from an active entry of the standard change catalogue, and the policy refuses one without it. ${NO_ENTRY_HOW}, or file a normal change.`, {
        issues: [{ path: 'templateId', message: 'a standard change must be made from an active entry of the standard change catalogue' }],
      });
    },

    /**
     * After a change is stored by the filing (inside its transaction): a standard change that names no entry
     * becomes a normal one (reason `no_entry`); otherwise it pins the entry's content version; for a
     * standard change from a standard entry, runs the checks and, when one fails or the entry is suspended,
     * converts it to a normal change (or refuses: 422 `checks_failed` / `template_suspended`, as the policy
     * says). Gives back the change as it now stands.
     */
    async afterFiling(repos: Repositories, actor: Actor, filed: ChangeRecord, active: ActivePolicy): Promise<ChangeRecord> {
      // Without an entry nothing pre-authorises it: a normal change (refused before it was stored when the
      // policy says so: beforeFiling). Filing refuses a template of another type, so this is the no-template case.
      const noEntry = () => {
        const message = `Filed as a normal change, with approvals: a standard change is pre-authorised only when it is made from an active entry of the standard change catalogue, and this one named none. ${NO_ENTRY_HOW}.`;
        return convert(repos, actor, filed, [], { from: 'standard', reason: 'no_entry', message }, null, active);
      };
      if (withoutEntry(filed)) return noEntry();
      if (!filed.templateId) return filed;
      const template = await repos.templates.findById(filed.templateId);
      if (!template) return filed.type === 'standard' ? noEntry() : filed;
      await repos.templates.pinChangeVersion(filed.id, template.contentVersion);
      const entry = await entryOf(repos, filed);
      if (!entry) return filed.type === 'standard' ? noEntry() : filed;
      const refuse = (active.bundle.catalogue?.onFailedChecks ?? 'convert') === 'refuse';
      const checks = await runChecks(repos, filed, entry, 'filing', active);
      let conversion: ChangeConversion | null = null;
      if (entry.state === 'suspended') {
        const message = `The catalogue entry "${entry.name}" is suspended: changes from it are filed as normal changes, with approvals, until a change manager reinstates it.`;
        if (refuse) throw new PolicyError('template_suspended', `The catalogue entry "${entry.name}" is suspended; the policy refuses changes from it until a change manager reinstates it.`, { templateId: entry.id });
        conversion = { from: 'standard', reason: 'template_suspended', message };
      } else if (failing(checks).length) {
        if (refuse) {
          throw new PolicyError('checks_failed', `The pre-approval checks of the catalogue entry "${entry.name}" failed, and the policy refuses such changes: ${failMessage(checks)}`, {
            templateId: entry.id,
            checks: failing(checks),
          });
        }
        conversion = { from: 'standard', reason: 'checks_failed', message: `Filed as a normal change because pre-approval checks failed: ${failMessage(checks)}` };
      }
      if (conversion) return convert(repos, actor, filed, checks, conversion, entry.id, active);
      await repos.templates.saveChecks(filed.id, checks, null, nowIso());
      return filed;
    },

    /**
     * Before a standard change from an entry enters `implement` (inside the move's transaction): the checks run
     * again and are stored; any failure refuses the move (422 `checks_failed`, listing every failing check).
     */
    async beforeImplement(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy): Promise<void> {
      const entry = await entryOf(repos, change);
      if (!entry) return;
      const checks = await runChecks(repos, change, entry, 'implement', active);
      await repos.templates.saveChecks(change.id, checks, undefined, nowIso());
      if (failing(checks).length) {
        throw new PolicyError('checks_failed', `${change.number} cannot start: its pre-approval checks failed. ${failMessage(checks)}`, { from: change.state, to: 'implement', checks: failing(checks) });
      }
    },

    /** After a change from an entry closed with a code (inside the move's transaction): the failure rule. */
    async afterClose(repos: Repositories, actor: Actor, change: ChangeRecord, active?: ActivePolicy | null): Promise<void> {
      if (change.templateId && change.closeCode) await evaluate(repos, actor, change.templateId, `${change.number} closed ${change.closeCode}`, active);
    },

    /** After an incident names a change as its cause (inside the incident's transaction): the failure rule of the change's entry. */
    async changeCausedIncident(repos: Repositories, actor: Actor, changeId: string): Promise<void> {
      const change = await repos.changes.findById(changeId);
      if (change?.templateId) await evaluate(repos, actor, change.templateId, `an incident names ${change.number} as its cause`);
    },

    /** What a change shows of the catalogue (ChangeDetail): its pinned version, latest checks and conversion. */
    async changeFields(repos: Repositories, changeId: string) {
      return repos.templates.catalogueFieldsOf(changeId);
    },

    /** Runs a change's checks again and stores them (the panel's Run again); 409 for a change not made from a standard entry. */
    async rerun(actor: Actor, changeId: string): Promise<ChangeCheck[]> {
      assertPermission(actor, 'change.update');
      const active = await policy.active();
      return store.transaction(async (repos) => {
        const change = await repos.changes.findById(changeId, { lock: true });
        if (!change) throw new NotFoundError('Change', changeId);
        const entry = await entryOf(repos, change);
        if (!entry) throw new PolicyError('not_from_catalogue', `${change.number} is not a standard change made from a catalogue entry; it has no pre-approval checks.`, { changeId: change.id });
        const checks = await runChecks(repos, change, entry, 'manual', active);
        const at = nowIso();
        await repos.templates.saveChecks(change.id, checks, undefined, at);
        await audit(repos, actor, at, 'change.checks_run', 'change', change.id, { number: change.number, results: Object.fromEntries(checks.map((c) => [c.name, c.result])) });
        return checks;
      });
    },
  };
}
export type CatalogueService = ReturnType<typeof createCatalogueService>;
