import { isMap } from 'yaml';
import { z } from 'zod';
import { CRITICALITIES, ENVIRONMENTS, SERVICE_PROVIDERS } from '../contracts/cmdb';
import { ROLES } from '../domain/auth/roles';
import { findState, missingFields, transitionsFrom, type ChangeModel, type LifecycleSubject } from '../domain/change/lifecycle';
import { derivePriority, type Level } from '../domain/change/priority';
import { RISK_LEVELS, type RiskLevel } from '../domain/risk/score';
import { durationMs } from './approvals.schema';
import { buildChangeContext } from './context';
import { firedApprovalRules, gatesFor, routeChange, slaTargetFor, unsatisfiedGates } from './evaluate';
import { EVIDENCE_KINDS } from './gates.schema';
import { isTestFile, locate, parseYamlFile, PolicyInvalidError, schemaIssues, type BundleIssue, type CompiledRoutingRule, type ParsedFile, type PolicyBundle } from './loader';
import { evaluateRisk } from './risk';
import { SLA_METRICS, type SlaMetric } from './slas.schema';

/**
 * Test cases of a policy bundle (`tests/*.yaml`): example changes and the decisions the bundle must take for
 * them. The runner evaluates them with the same pure functions the services use (risk, approvals, routing,
 * gates, SLAs, the lifecycle), so a passing case proves what a live change with those facts would get.
 */

/** The instant a case is evaluated at when it does not say (a Monday, 09:00 UTC). */
export const DEFAULT_NOW = '2026-03-02T09:00:00.000Z';

const LEVELS = ['low', 'medium', 'high'] as const;
const StateId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'state ids are lowercase letters, digits and "_"');
const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'names are lowercase letters, digits and "_"');
const Handle = z.string().min(1);
const Iso = z.iso.datetime({ offset: true, message: 'an ISO date-time such as 2026-03-09T20:00:00Z' });
/** An instant: ISO, or `+DURATION` relative to something (now, or the planned start). */
const When = z.union([Iso, z.string().regex(/^\+[1-9][0-9]*[mhd]$/)], { error: 'an ISO date-time such as 2026-03-09T20:00:00Z, or +DURATION such as +3d' });

/** Fields a case may mark as filled without giving a value; the others come from their own keys. */
const FILLABLE = ['description', 'justification', 'ownerId', 'implementerId', 'actualStart', 'actualEnd', 'implementationPlan', 'testPlan', 'backoutPlan', 'closeCode', 'closeNotes'] as const;

const CiSchema = z.strictObject({
  name: z.string().min(1).optional(),
  type: z.string().min(1).default('server'),
  environment: z.enum(ENVIRONMENTS).default('production'),
  criticality: z.enum(CRITICALITIES).default('medium'),
  tags: z.array(z.string()).default([]),
  /** The name of one of the case's services. */
  service: z.string().min(1).optional(),
});

const ServiceSchema = z.strictObject({
  name: z.string().min(1),
  tier: z.number().int().min(1).max(4).default(3),
  tags: z.array(z.string()).default([]),
  provider: z.enum(SERVICE_PROVIDERS).default('on_premises'),
  /** The handle of the team that owns the service. */
  ownerTeam: Handle.optional(),
});

const ChangeSchema = z.strictObject({
  type: Name.default('normal'),
  /** The state it is in; the model's initial state by default. */
  state: StateId.optional(),
  /** The case's name by default. */
  title: z.string().min(1).optional(),
  impact: z.enum(LEVELS).default('medium'),
  urgency: z.enum(LEVELS).default('medium'),
  /** Derived from impact and urgency by default, as for a filed change. */
  priority: z.number().int().min(1).max(4).optional(),
  /** ISO, or `+3d` from now. */
  plannedStart: When.optional(),
  /** ISO, or `+2h` from the planned start. */
  plannedEnd: When.optional(),
  implementationPlan: z.string().default(''),
  testPlan: z.string().default(''),
  backoutPlan: z.string().default(''),
  backoutTested: z.boolean().default(false),
  /** The assignment team's handle. */
  assignmentTeam: Handle.optional(),
  /** A freeze exception was requested for it (planned inside a freeze). */
  freezeException: z.boolean().default(false),
  /** Other fields that hold a value (who owns or implements it, actual times, close code…). */
  filled: z.array(z.enum(FILLABLE, { error: `one of ${FILLABLE.join(', ')} (give CIs, planned times and the assignment team by their own keys)` })).default([]),
  cis: z.array(CiSchema).default([]),
  services: z.array(ServiceSchema).default([]),
  requester: z
    .strictObject({
      email: z.string().default('requester@example.com'),
      name: z.string().default('Example Requester'),
      roles: z.array(z.enum(ROLES)).default(['requester']),
      teams: z.array(Handle).default([]),
    })
    .default({ email: 'requester@example.com', name: 'Example Requester', roles: ['requester'], teams: [] }),
  history: z
    .strictObject({
      teamChanges90d: z.number().int().min(0).default(0),
      teamFailed90d: z.number().int().min(0).default(0),
      ciChanges90d: z.number().int().min(0).default(0),
      ciFailed90d: z.number().int().min(0).default(0),
      templateChanges90d: z.number().int().min(0).default(0),
      templateFailed90d: z.number().int().min(0).default(0),
      ciIncidents30d: z.number().int().min(0).default(0),
      openReviewActions: z.number().int().min(0).default(0),
      reviewFindings90d: z.number().int().min(0).default(0),
    })
    .default({ teamChanges90d: 0, teamFailed90d: 0, ciChanges90d: 0, ciFailed90d: 0, templateChanges90d: 0, templateFailed90d: 0, ciIncidents30d: 0, openReviewActions: 0, reviewFindings90d: 0 }),
  /** The name of the template it was made from. */
  template: z.string().optional(),
  /** The kinds of evidence it holds. */
  evidence: z.array(z.enum(EVIDENCE_KINDS)).default([]),
  /** Every approval it was asked for has been granted. */
  approved: z.boolean().default(false),
  /** A change manager set the risk level by hand (approval rules and SLAs see it). */
  riskOverride: z.enum(RISK_LEVELS).optional(),
});

const ScoreSchema = z.union([z.number(), z.strictObject({ min: z.number().optional(), max: z.number().optional() })], {
  error: 'score is a number or { min, max }',
});
const RiskExpect = z.union([z.enum(RISK_LEVELS), z.strictObject({ level: z.enum(RISK_LEVELS).optional(), score: ScoreSchema.optional() })], {
  error: `risk is a level (${RISK_LEVELS.join(', ')}) or { level, score }`,
});
const ApprovalExpect = z.union([Name, z.strictObject({ rule: Name, stage: Name.optional() })], { error: 'an approval is a rule name or { rule, stage }' });
const TeamExpect = z.union([z.literal('none'), Handle, z.strictObject({ field: z.enum(['service_owner', 'ci_owner']) })], {
  error: 'team is a team handle, { field: service_owner } / { field: ci_owner }, or none',
});
const ManagerExpect = z.union([z.literal('none'), z.strictObject({ user: z.string().min(1) }), z.strictObject({ leastBusy: Handle })], {
  error: 'changeManager is { user: EMAIL }, { leastBusy: TEAM-HANDLE } or none',
});

const REFUSAL_CODES = ['invalid_transition', 'missing_fields', 'approvals_pending', 'gate_unsatisfied'] as const;
type RefusalCode = (typeof REFUSAL_CODES)[number];
const RefusalExpect = z.strictObject({
  to: StateId,
  code: z.enum(REFUSAL_CODES),
  /** missing_fields: exactly these fields are missing. */
  fields: z.array(z.string()).optional(),
  /** gate_unsatisfied: this gate is among the unsatisfied ones. */
  gate: Name.optional(),
  /** approvals_pending: exactly these rules are pending. */
  approvals: z.array(Name).optional(),
});

const ExpectSchema = z
  .strictObject({
    risk: RiskExpect.optional(),
    /** The exact set of approval rules that apply. */
    approvals: z.array(ApprovalExpect).optional(),
    routing: z.strictObject({ team: TeamExpect.optional(), changeManager: ManagerExpect.optional() }).optional(),
    /** metric → the name of the SLA target that applies, or none. */
    slas: z.partialRecord(z.enum(SLA_METRICS), z.union([Name, z.literal('none')])).optional(),
    refusals: z.array(RefusalExpect).optional(),
    /** States the change may move to from its state. */
    allowed: z.array(StateId).optional(),
  })
  .refine((e) => Object.values(e).some((v) => v !== undefined), { message: 'expect at least one of risk, approvals, routing, slas, refusals, allowed' });

const CaseSchema = z.strictObject({
  name: z.string().min(1),
  /** When the case is evaluated (lead times count from it); DEFAULT_NOW otherwise. */
  now: Iso.optional(),
  change: ChangeSchema.default(ChangeSchema.parse({})),
  expect: ExpectSchema,
});

/** One test file: `apiVersion` (optional) and its cases. */
export const PolicyTestFileSchema = z.strictObject({
  apiVersion: z.literal('cabinet/v1').optional(),
  cases: z.array(CaseSchema).min(1, 'a test file holds at least one case'),
});

export type PolicyTestCase = z.output<typeof CaseSchema> & { file: string };

export interface PolicyTestMismatch {
  /** What was checked, in words: "risk level", "approvals", "moving to implement". */
  what: string;
  expected: string;
  actual: string;
}

export interface PolicyTestCaseResult {
  file: string;
  name: string;
  ok: boolean;
  mismatches: PolicyTestMismatch[];
}

export interface PolicyTestResults {
  passed: number;
  failed: number;
  cases: PolicyTestCaseResult[];
}

/**
 * Parses and checks every test file of the bundle: its shape, and that it names only types, states, rules,
 * gates and SLA targets the bundle has (a typo would otherwise make a case that can never pass or fail for
 * the right reason). Every problem of every file is reported at once with its file, line and column.
 */
export function parsePolicyTests(bundle: PolicyBundle): PolicyTestCase[] {
  const issues: BundleIssue[] = [];
  const cases: PolicyTestCase[] = [];
  for (const [file, text] of Object.entries(bundle.files).sort(([a], [b]) => a.localeCompare(b))) {
    if (!isTestFile(file)) continue;
    const parsed = parseYamlFile(file, text, issues);
    if (!parsed) continue;
    if (!isMap(parsed.doc.contents)) {
      issues.push({ file, line: 1, column: 1, path: '', message: 'a test file is a mapping with a "cases" list' });
      continue;
    }
    const result = PolicyTestFileSchema.safeParse(parsed.doc.toJS());
    if (!result.success) {
      issues.push(...schemaIssues(result.error, (keyPath) => locate(parsed, keyPath)));
      continue;
    }
    result.data.cases.forEach((c, i) => {
      issues.push(...referenceIssues(bundle, c, parsed, ['cases', i]));
      cases.push({ ...c, file });
    });
  }
  if (issues.length > 0) throw new PolicyInvalidError(issues);
  return cases;
}

/** Names in a case that the bundle does not define, each at its place. */
function referenceIssues(bundle: PolicyBundle, c: z.output<typeof CaseSchema>, parsed: ParsedFile, at: (string | number)[]): BundleIssue[] {
  const issues: BundleIssue[] = [];
  const report = (keyPath: (string | number)[], message: string) => issues.push({ ...locate(parsed, [...at, ...keyPath]), path: [...at, ...keyPath].join('.'), message });
  const model = bundle.models[c.change.type];
  if (!model) {
    report(['change', 'type'], `the bundle has no model for "${c.change.type}" changes (it has ${Object.keys(bundle.models).join(', ')})`);
    return issues;
  }
  const states = new Set(model.states.map((s) => s.id));
  const checkState = (keyPath: (string | number)[], state: string) => {
    if (!states.has(state)) report(keyPath, `the ${c.change.type} model has no state "${state}"`);
  };
  if (c.change.state) checkState(['change', 'state'], c.change.state);
  const serviceNames = new Set(c.change.services.map((s) => s.name));
  c.change.cis.forEach((ci, i) => {
    if (ci.service && !serviceNames.has(ci.service)) report(['change', 'cis', i, 'service'], `no service "${ci.service}" in change.services`);
  });
  const rules = new Map(bundle.approvals.stages.flatMap((s) => s.rules.map((r) => [r.name, s.name] as const)));
  const stages = new Set(bundle.approvals.stages.map((s) => s.name));
  c.expect.approvals?.forEach((a, i) => {
    const rule = typeof a === 'string' ? a : a.rule;
    if (!rules.has(rule)) report(['expect', 'approvals', i], `no approval rule "${rule}" in the bundle`);
    if (typeof a !== 'string' && a.stage && !stages.has(a.stage)) report(['expect', 'approvals', i, 'stage'], `no approval stage "${a.stage}" in the bundle`);
  });
  const targets = new Map(bundle.slas.targets.map((t) => [t.name, t.metric]));
  for (const [metric, name] of Object.entries(c.expect.slas ?? {})) {
    if (name === 'none' || name === undefined) continue;
    if (!targets.has(name)) report(['expect', 'slas', metric], `no SLA target "${name}" in the bundle`);
    else if (targets.get(name) !== metric) report(['expect', 'slas', metric], `the SLA target "${name}" measures ${targets.get(name)}, not ${metric}`);
  }
  const gates = new Set(bundle.gates.map((g) => g.name));
  c.expect.refusals?.forEach((r, i) => {
    checkState(['expect', 'refusals', i, 'to'], r.to);
    if (r.gate && !gates.has(r.gate)) report(['expect', 'refusals', i, 'gate'], `no gate "${r.gate}" in the bundle`);
    r.approvals?.forEach((rule, j) => {
      if (!rules.has(rule)) report(['expect', 'refusals', i, 'approvals', j], `no approval rule "${rule}" in the bundle`);
    });
  });
  c.expect.allowed?.forEach((s, i) => checkState(['expect', 'allowed', i], s));
  return issues;
}

const PLACEHOLDER = '(filled)';
const list = (items: readonly string[]) => (items.length ? items.join(', ') : 'none');
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** An instant of the case: ISO as given, or `+DURATION` after `base`. */
function instant(value: string | undefined, base: number): string | null {
  if (value === undefined) return null;
  return value.startsWith('+') ? new Date(base + durationMs(value.slice(1))).toISOString() : new Date(value).toISOString();
}

/** What the bundle decides for one example change: everything the expectations may check. */
export interface CaseOutcome {
  /** The computed risk (an override in the case changes what approvals and SLAs see, not this). */
  risk: { score: number; level: RiskLevel; factors: { name: string; contribution: number }[] };
  approvals: { rule: string; stage: string }[];
  routing: { team: CompiledRoutingRule['team']; changeManager: CompiledRoutingRule['changeManager'] };
  slas: Record<SlaMetric, string | null>;
  /** Why moving to `to` is refused, in the order the change service checks; null when it is allowed. */
  refusal(to: string): Refusal | null;
}

export type Refusal =
  | { code: 'invalid_transition'; allowed: string[] }
  | { code: 'missing_fields'; fields: string[] }
  | { code: 'approvals_pending'; approvals: string[] }
  | { code: 'gate_unsatisfied'; gates: { name: string; missing: string[] }[] };

/** Evaluates a parsed case against the bundle with the services' own evaluators. */
export function evaluateCase(bundle: PolicyBundle, c: PolicyTestCase): CaseOutcome {
  const model = bundle.models[c.change.type] as ChangeModel;
  const ch = c.change;
  const now = new Date(c.now ?? DEFAULT_NOW);
  const plannedStart = instant(ch.plannedStart, now.getTime());
  const plannedEnd = instant(ch.plannedEnd, plannedStart ? Date.parse(plannedStart) : now.getTime());
  const filled = new Set<string>(ch.filled);
  const text = (field: 'implementationPlan' | 'testPlan' | 'backoutPlan') => ch[field] || (filled.has(field) ? PLACEHOLDER : '');
  const state = ch.state ?? model.initial;
  const context = buildChangeContext({
    change: {
      type: ch.type,
      state,
      title: ch.title ?? c.name,
      impact: ch.impact,
      urgency: ch.urgency,
      priority: ch.priority ?? derivePriority(ch.impact as Level, ch.urgency as Level),
      plannedStart,
      plannedEnd,
      implementationPlan: text('implementationPlan'),
      testPlan: text('testPlan'),
      backoutPlan: text('backoutPlan'),
      backoutTested: ch.backoutTested,
      assignmentTeamHandle: ch.assignmentTeam ?? null,
      freezeException: ch.freezeException,
      templateName: ch.template ?? null,
    },
    cis: ch.cis.map((ci, i) => ({ name: ci.name ?? `ci-${i + 1}`, type: ci.type, environment: ci.environment, criticality: ci.criticality, tags: ci.tags, serviceName: ci.service ?? null })),
    services: ch.services.map((s) => ({ name: s.name, tier: s.tier, tags: s.tags, provider: s.provider, ownerTeamHandle: s.ownerTeam ?? null })),
    requester: { email: ch.requester.email, name: ch.requester.name, roles: ch.requester.roles, teamHandles: ch.requester.teams },
    history: ch.history,
    businessHours: bundle.risk.businessHours,
    now,
  });
  const risk = evaluateRisk(bundle.risk, context);
  const approvalsContext = { ...context, risk: { score: BigInt(risk.score), level: ch.riskOverride ?? risk.level } };
  const fired = firedApprovalRules(bundle.approvals, approvalsContext);
  const routed = routeChange(bundle.routing, context);
  const slas = Object.fromEntries(SLA_METRICS.map((m) => [m, slaTargetFor(bundle.slas, m, approvalsContext)?.name ?? null])) as Record<SlaMetric, string | null>;

  // The change as the lifecycle sees it: ids and times only need to be there or not.
  const subject: LifecycleSubject = {
    state,
    requesterId: 'requester',
    ownerId: filled.has('ownerId') ? 'owner' : null,
    implementerId: filled.has('implementerId') ? 'implementer' : null,
    assignmentTeamId: ch.assignmentTeam ?? null,
    title: ch.title ?? c.name,
    description: filled.has('description') ? PLACEHOLDER : '',
    justification: filled.has('justification') ? PLACEHOLDER : '',
    ciIds: ch.cis.map((_, i) => `ci-${i + 1}`),
    plannedStart,
    plannedEnd,
    actualStart: filled.has('actualStart') ? now.toISOString() : null,
    actualEnd: filled.has('actualEnd') ? now.toISOString() : null,
    implementationPlan: text('implementationPlan'),
    testPlan: text('testPlan'),
    backoutPlan: text('backoutPlan'),
    closeCode: filled.has('closeCode') ? 'successful' : null,
    closeNotes: filled.has('closeNotes') ? PLACEHOLDER : '',
  };
  const held = new Set<string>(ch.evidence);

  return {
    risk: { score: risk.score, level: risk.level, factors: risk.factors.filter((f) => f.contribution !== 0).map((f) => ({ name: f.name, contribution: f.contribution })) },
    approvals: fired.map((f) => ({ rule: f.rule.name, stage: f.stage })),
    routing: { team: routed.team?.target ?? null, changeManager: routed.changeManager?.target ?? null },
    slas,
    refusal(to) {
      const options = transitionsFrom(model, state);
      if (!options.some((t) => t.to === to)) return { code: 'invalid_transition', allowed: options.map((t) => t.to) };
      const target = findState(model, to);
      const missing = missingFields(subject, target?.requires ?? []);
      if (missing.length > 0) return { code: 'missing_fields', fields: missing };
      if (target?.requiresApprovals && !ch.approved && fired.length > 0) return { code: 'approvals_pending', approvals: fired.map((f) => f.rule.name) };
      const gates = unsatisfiedGates(gatesFor(bundle.gates, to, context), held);
      if (gates.length > 0) return { code: 'gate_unsatisfied', gates: gates.map((g) => ({ name: g.name, missing: g.missing })) };
      return null;
    },
  };
}

function describeRefusal(refusal: Refusal | null): string {
  if (!refusal) return 'allowed';
  switch (refusal.code) {
    case 'invalid_transition':
      return `refused with invalid_transition (it can move to: ${list(refusal.allowed)})`;
    case 'missing_fields':
      return `refused with missing_fields: ${list(refusal.fields)}`;
    case 'approvals_pending':
      return `refused with approvals_pending: ${list(refusal.approvals)}`;
    case 'gate_unsatisfied':
      return `refused with gate_unsatisfied: ${refusal.gates.map((g) => `${g.name} (missing ${g.missing.join(', ')})`).join(', ')}`;
  }
}

function describeExpectedRefusal(r: z.output<typeof RefusalExpect>): string {
  const detail = r.fields ? list(r.fields) : r.approvals ? list(r.approvals) : r.gate ?? null;
  return `refused with ${r.code}${detail ? `: ${detail}` : ''}`;
}

function refusalMatches(r: z.output<typeof RefusalExpect>, actual: Refusal | null): boolean {
  if (!actual || actual.code !== (r.code as RefusalCode)) return false;
  if (actual.code === 'missing_fields' && r.fields) return sameSet(r.fields, actual.fields);
  if (actual.code === 'approvals_pending' && r.approvals) return sameSet(r.approvals, actual.approvals);
  if (actual.code === 'gate_unsatisfied' && r.gate) return actual.gates.some((g) => g.name === r.gate);
  return true;
}

/** An assignment-team target in words: a handle, `field service_owner`, or `none`. */
export const describeTeamTarget = (t: CompiledRoutingRule['team'] | 'none' | string | { field: string }): string => {
  if (t === null || t === 'none') return 'none';
  if (typeof t === 'string') return t;
  if ('field' in t) return `field ${t.field}`;
  return t.kind === 'team' ? t.ref : `field ${t.ref}`;
};
/** A change-manager target in words: `user EMAIL`, `least busy of HANDLE`, or `none`. */
export const describeManagerTarget = (m: CompiledRoutingRule['changeManager'] | 'none' | { user: string } | { leastBusy: string }): string => {
  if (m === null || m === 'none') return 'none';
  if ('user' in m) return `user ${m.user.toLowerCase()}`;
  if ('leastBusy' in m) return `least busy of ${m.leastBusy}`;
  return m.kind === 'user' ? `user ${m.ref}` : `least busy of ${m.ref}`;
};

/** The expectations of a case that the outcome does not meet; empty when the case passes. */
export function checkCase(c: PolicyTestCase, outcome: CaseOutcome): PolicyTestMismatch[] {
  const mismatches: PolicyTestMismatch[] = [];
  const e = c.expect;
  const riskWords = `${outcome.risk.level} (score ${outcome.risk.score}${outcome.risk.factors.length ? `: ${outcome.risk.factors.map((f) => `${f.name} ${f.contribution > 0 ? '+' : ''}${f.contribution}`).join(', ')}` : ''})`;
  if (e.risk !== undefined) {
    const { level, score } = typeof e.risk === 'string' ? { level: e.risk, score: undefined } : e.risk;
    if (level && level !== outcome.risk.level) mismatches.push({ what: 'risk level', expected: level, actual: riskWords });
    if (score !== undefined) {
      const [min, max] = typeof score === 'number' ? [score, score] : [score.min ?? -Infinity, score.max ?? Infinity];
      if (outcome.risk.score < min || outcome.risk.score > max) {
        const expected = typeof score === 'number' ? String(score) : score.min !== undefined && score.max !== undefined ? `${score.min} to ${score.max}` : score.min !== undefined ? `at least ${score.min}` : `at most ${score.max}`;
        mismatches.push({ what: 'risk score', expected, actual: riskWords });
      }
    }
  }
  if (e.approvals !== undefined) {
    const expected = e.approvals.map((a) => (typeof a === 'string' ? { rule: a, stage: undefined } : a));
    const matches =
      sameSet(
        expected.map((a) => a.rule),
        outcome.approvals.map((a) => a.rule),
      ) && expected.every((x) => !x.stage || outcome.approvals.some((a) => a.rule === x.rule && a.stage === x.stage));
    if (!matches) {
      // Stages are shown when the case names any.
      const withStages = expected.some((a) => a.stage);
      const word = (a: { rule: string; stage?: string }) => (withStages && a.stage ? `${a.rule} (${a.stage})` : a.rule);
      mismatches.push({ what: 'approvals', expected: list(expected.map(word)), actual: list(outcome.approvals.map(word)) });
    }
  }
  if (e.routing?.team !== undefined) {
    const expected = describeTeamTarget(e.routing.team);
    const actual = describeTeamTarget(outcome.routing.team);
    if (expected !== actual) mismatches.push({ what: 'assignment team (routing)', expected, actual });
  }
  if (e.routing?.changeManager !== undefined) {
    const expected = describeManagerTarget(e.routing.changeManager);
    const actual = describeManagerTarget(outcome.routing.changeManager);
    if (expected !== actual) mismatches.push({ what: 'change manager (routing)', expected, actual });
  }
  for (const [metric, target] of Object.entries(e.slas ?? {}) as [SlaMetric, string][]) {
    const actual = outcome.slas[metric] ?? 'none';
    if (actual !== target) mismatches.push({ what: `SLA target for ${metric}`, expected: target, actual });
  }
  for (const r of e.refusals ?? []) {
    const actual = outcome.refusal(r.to);
    if (!refusalMatches(r, actual)) mismatches.push({ what: `moving to ${r.to}`, expected: describeExpectedRefusal(r), actual: describeRefusal(actual) });
  }
  for (const to of e.allowed ?? []) {
    const actual = outcome.refusal(to);
    if (actual) mismatches.push({ what: `moving to ${to}`, expected: 'allowed', actual: describeRefusal(actual) });
  }
  return mismatches;
}

/**
 * Runs every test case of the bundle. Throws `PolicyInvalidError` (every problem with its file and line)
 * when a test file is not valid; a bundle without test files gives no cases.
 */
export function runPolicyTests(bundle: PolicyBundle): PolicyTestResults {
  const cases = parsePolicyTests(bundle).map((c): PolicyTestCaseResult => {
    const mismatches = checkCase(c, evaluateCase(bundle, c));
    return { file: c.file, name: c.name, ok: mismatches.length === 0, mismatches };
  });
  const passed = cases.filter((c) => c.ok).length;
  return { passed, failed: cases.length - passed, cases };
}
