import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { NoticeEvent } from '../contracts/communication';
import { DEFAULT_TEMPLATES, templateProblems, type NoticeTemplate } from './notice-templates';
import type { NoticeChannel, NotificationsSectionOutput } from './notifications.schema';
import type { CatalogueSectionOutput } from './catalogue.schema';
import type { DeploymentGateSectionOutput } from './gate.schema';
import type { DeploymentsSectionOutput } from './deployments.schema';
import type { z } from 'zod';
import type { ChangeModel } from '../domain/change/lifecycle';
import { AppError } from '../domain/errors';
import { BundleSchema } from './bundle.schema';
import { CelCompileError, compileExpression, type CompiledExpression, type CompileOptions } from './cel';
import type { RiskBands } from '../domain/risk/score';
import type { Quorum } from '../domain/approval/quorum';
import type { ContentField } from '../domain/approval/content';
import { DEFAULT_LOCKED_STATES, durationMs, type ApproverInput, type BaseApproverInput } from './approvals.schema';
import type { Role } from '../domain/auth/roles';
import type { EvidenceKind } from './gates.schema';
import type { SlaMetric } from './slas.schema';
import type { ExpressionScope } from './cel';
import type { ImpactSettings } from '../domain/schedule/impact';
import { compileReviews, reviewExpressionSites, type CompiledReviews } from './reviews.compile';

/** A risk factor with its CEL compiled: the first case whose `when` holds gives the contribution. */
export interface CompiledFactor {
  name: string;
  label: string;
  cases: { when: CompiledExpression; points: number | CompiledExpression; reason: string }[];
}

export interface CompiledRisk {
  businessHours: { timeZone: string; days: number[]; start: number; end: number };
  bands: RiskBands;
  factors: CompiledFactor[];
}

/** Who may decide an approval, as the bundle names it (a team handle, a role, a user's email, a change field). */
export type BaseApproverSpec = { kind: 'team'; ref: string } | { kind: 'role'; ref: string } | { kind: 'user'; ref: string } | { kind: 'field'; ref: 'service_owner' | 'ci_owner' };
/** Boards by name (`ref`) or by kind (`boardKind`: every active one whose scope takes the change). */
export type BoardSpec = { ref: string; boardKind: null } | { ref: null; boardKind: 'cab' | 'ecab' | 'technical' };
/**
 * Or a board: `ref` names one board (by name), `boardKind` every active board of that kind whose scope takes the
 * change; `otherwise` decides when no board does (null: the rule's escalation target); `retrospective`, the boards
 * that review its approvals after the fact (left out: none).
 */
export type ApproverSpec =
  | BaseApproverSpec
  | { kind: 'board'; ref: string | null; boardKind: 'cab' | 'ecab' | 'technical' | null; otherwise: BaseApproverSpec | null; retrospective?: BoardSpec | null };

/** An approval rule with its CEL compiled: when `when` holds, the change needs this approval. */
export interface CompiledApprovalRule {
  name: string;
  when: CompiledExpression;
  approvers: ApproverSpec;
  quorum: Quorum;
  /** Milliseconds from the request to the due time, or null for no deadline. */
  dueMs: number | null;
  escalateTo: BaseApproverSpec | null;
  reason: string;
}

/** Ordered stages: a stage opens when every approval of the stage before it is approved. */
export interface CompiledApprovals {
  /** The material fields an approval is given for, and the states where editing them is refused. */
  content: { fields: ContentField[]; lockedIn: string[] };
  stages: { name: string; label: string; rules: CompiledApprovalRule[] }[];
}

/** A routing rule: when `when` holds, it names the assignment team, the change manager or both. */
export interface CompiledRoutingRule {
  name: string;
  when: CompiledExpression;
  team: { kind: 'team'; ref: string } | { kind: 'field'; ref: 'service_owner' | 'ci_owner' } | null;
  changeManager: { kind: 'user'; ref: string } | { kind: 'leastBusy'; ref: string } | null;
  reason: string;
}

/** A workflow gate: while `when` holds, the change cannot enter a `before` state without the evidence. */
export interface CompiledGate {
  name: string;
  when: CompiledExpression;
  before: string[];
  evidence: EvidenceKind[];
  reason: string;
}

export interface BusinessCalendar {
  timeZone: string;
  days: number[];
  start: number;
  end: number;
  holidays: string[];
}

/** SLA targets: for each metric, the first target whose `when` holds sets the clock (CEL sees `risk` too). */
export interface CompiledSlas {
  calendar: BusinessCalendar;
  /** `workingMs` is the duration counted on a business calendar (a `d` is one working day there). */
  remindBefore: { kind: 'percent'; value: number } | { kind: 'duration'; ms: number; workingMs: number };
  /**
   * `targetMs` is the duration read as elapsed time (a `d` is 24 h); `targetWorkingMs` is what the clock
   * counts: working time on the calendar for a `business` clock (a `d` is one working day), else `targetMs`.
   */
  targets: { name: string; metric: SlaMetric; when: CompiledExpression; target: string; targetMs: number; targetWorkingMs: number; clock: 'business' | 'wall' }[];
}

/** The schedule section: impact settings, the approval stage a freeze exception adds (null: none), and the pair kinds to acknowledge before scheduling. */
export interface CompiledSchedule {
  impact: ImpactSettings;
  freezeExceptions: { stage: string } | null;
  acknowledgeBeforeScheduling: ('ci_overlap' | 'related_ci_overlap' | 'assignee_busy')[];
  /** Whether an unanswered concern refuses `implement`. */
  concernsBlockImplement: boolean;
}

/** A notice rule of notifications.yaml with its audience compiled. */
export interface CompiledNoticeRule {
  name: string;
  /** null: every event. */
  events: NoticeEvent[] | null;
  audience: CompiledExpression;
  channels: NoticeChannel[];
  urgent: boolean;
}

/** notifications.yaml, compiled: the rules, the `upcoming` offsets (longest first) and every event's words. */
export interface CompiledNotifications {
  upcomingMs: number[];
  rules: CompiledNoticeRule[];
  templates: Record<NoticeEvent, NoticeTemplate>;
}

export interface CompiledBreakGlass {
  roles: Role[];
  types: string[];
  maxDurationMs: number;
}

/** A loaded, validated bundle: the compiled models plus the exact source it came from. */
export interface PolicyBundle {
  name: string;
  description: string;
  models: Record<string, ChangeModel>;
  risk: CompiledRisk;
  approvals: CompiledApprovals;
  routing: { rules: CompiledRoutingRule[] };
  gates: CompiledGate[];
  slas: CompiledSlas;
  breakGlass: CompiledBreakGlass;
  schedule: CompiledSchedule;
  teams: { handle: string; name: string; description: string }[];
  notifications: CompiledNotifications;
  /** The standard change catalogue (catalogue.yaml): what failed checks do, the score's weights, the suspension rule. */
  catalogue: CatalogueSectionOutput;
  /** reviews.yaml: which changes need a post-implementation review (docs/learning.md). */
  reviews: CompiledReviews;
  /** gate.yaml: the deployment gate's controlled environments, deadline and the changes it opens (docs/pipelines.md). */
  deploymentGate: DeploymentGateSectionOutput;
  /** deployments.yaml: production environments, unauthorized changes, DORA minimums (docs/deployments.md, docs/dora.md). */
  deployments: DeploymentsSectionOutput;
  /**
   * File name → YAML text, kept so a stored version can be reproduced byte for byte. Test cases live under
   * `tests/` (for `cabinet policy test`); they are stored and hashed with the bundle but define no section.
   */
  files: Record<string, string>;
  /** sha256 over the sorted files: the same bundle always hashes the same. */
  hash: string;
}

export interface BundleIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export class PolicyInvalidError extends AppError {
  constructor(issues: BundleIssue[]) {
    super(
      'invalid_policy',
      `The policy bundle has ${issues.length} problem${issues.length === 1 ? '' : 's'}: ` +
        issues.map((i) => `${i.file}:${i.line}:${i.column}${i.path ? ` ${i.path}` : ''} ${i.message}`).join('; '),
      { issues },
    );
  }
}

/** Reads every `*.yaml`/`*.yml` file directly in `dir`, and the test cases in `dir/tests` as `tests/NAME.yaml`. */
export async function readBundleFiles(dir: string): Promise<Record<string, string>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    throw new PolicyInvalidError([
      { file: dir, line: 0, column: 0, path: '', message: `cannot read the folder: ${(err as Error).message}` },
    ]);
  }
  if (names.length === 0) {
    throw new PolicyInvalidError([{ file: dir, line: 0, column: 0, path: '', message: 'the folder holds no .yaml files' }]);
  }
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await readFile(path.join(dir, name), 'utf8');
  let testNames: string[] = [];
  try {
    testNames = (await readdir(path.join(dir, TESTS_DIR))).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    // A bundle without tests is still a bundle.
  }
  for (const name of testNames) files[`${TESTS_DIR}/${name}`] = await readFile(path.join(dir, TESTS_DIR, name), 'utf8');
  return files;
}

/** The folder of a bundle that holds its test cases; its files are keyed `tests/NAME.yaml`. */
export const TESTS_DIR = 'tests';

/** Whether a bundle file is a test case file rather than a section file. */
export const isTestFile = (name: string): boolean => name.startsWith(`${TESTS_DIR}/`);

export async function loadBundleDir(dir: string): Promise<PolicyBundle> {
  return compileBundle(await readBundleFiles(dir));
}

/** One parsed YAML file of a bundle, kept so problems can be reported at their line and column. */
export interface ParsedFile {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Parses one YAML file; records its syntax errors at their line and column and returns null when it has any. */
export function parseYamlFile(file: string, text: string, issues: BundleIssue[]): ParsedFile | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length === 0) return { file, doc, lines };
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    issues.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.message });
  }
  return null;
}

/**
 * The problems of a failed zod parse, each at its place. An unknown field is reported at the field itself
 * (one issue per field), not at the object holding it.
 */
export function schemaIssues(error: z.ZodError, at: (keyPath: (string | number)[]) => { file: string; line: number; column: number }): BundleIssue[] {
  return error.issues.flatMap((issue) => {
    const parentPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const targets = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => ({ keyPath: [...parentPath, k], message: `unknown field "${k}"` })) : [{ keyPath: parentPath, message: issue.message }];
    return targets.map(({ keyPath, message }) => ({ ...at(keyPath), path: keyPath.join('.'), message }));
  });
}

/**
 * Parses and validates a bundle given as file name → YAML text. Every problem in every file is reported
 * at once with its file, line and column; nothing partial is ever returned. When the bundle's shape is
 * wrong, its CEL expressions are still checked, so one run lists both kinds of problem.
 * `opts.checkFields: false` is for versions already stored (see `CompileOptions`).
 */
export function compileBundle(files: Record<string, string>, opts: CompileOptions = {}): PolicyBundle {
  const issues: BundleIssue[] = [];
  const merged: Record<string, unknown> = {};
  const owner = new Map<string, ParsedFile>();

  for (const [file, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    if (isTestFile(file)) continue;
    const parsed = parseYamlFile(file, text, issues);
    if (!parsed) continue;
    const { doc } = parsed;
    if (doc.contents === null) continue;
    if (!isMap(doc.contents)) {
      issues.push({ file, line: 1, column: 1, path: '', message: 'a bundle file must be a mapping of sections' });
      continue;
    }
    const value = doc.toJS() as Record<string, unknown>;
    for (const [key, section] of Object.entries(value)) {
      const previous = owner.get(key);
      if (previous && key !== 'apiVersion') {
        issues.push({ ...locate(parsed, [key]), path: key, message: `section "${key}" is already defined in ${previous.file}` });
        continue;
      }
      if (previous && key === 'apiVersion' && merged.apiVersion !== section) {
        issues.push({ ...locate(parsed, [key]), path: key, message: 'every file must declare the same apiVersion' });
      }
      owner.set(key, parsed);
      merged[key] = section;
    }
  }
  if (issues.length > 0) throw new PolicyInvalidError(issues);

  const result = BundleSchema.safeParse(merged);
  if (!result.success) {
    issues.push(
      ...schemaIssues(result.error, (keyPath) => {
        const top = typeof keyPath[0] === 'string' ? owner.get(keyPath[0]) : undefined;
        return top ? locate(top, keyPath) : { file: Object.keys(files)[0] ?? '?', line: 1, column: 1 };
      }),
    );
    const misshapen = new Set(issues.map((i) => i.path));
    for (const site of expressionSites(merged)) {
      if (misshapen.has(site.at.join('.'))) continue;
      compileAt(owner.get(String(site.at[0])), site.at, site.source, site.expected, site.scope, issues, opts);
    }
    throw new PolicyInvalidError(issues);
  }

  const bundle = result.data;
  const models: Record<string, ChangeModel> = {};
  for (const [type, m] of Object.entries(bundle.models)) {
    const where = (p: (string | number)[]) => locate(owner.get('models')!, ['models', type, ...p]);
    const ids = new Set<string>();
    m.states.forEach((s, i) => {
      if (ids.has(s.id)) issues.push({ ...where(['states', i, 'id']), path: `models.${type}.states.${i}.id`, message: `duplicate state "${s.id}"` });
      ids.add(s.id);
    });
    if (!ids.has(m.initial)) issues.push({ ...where(['initial']), path: `models.${type}.initial`, message: `unknown state "${m.initial}"` });
    const seen = new Set<string>();
    m.transitions.forEach((t, i) => {
      t.from.forEach((f) => {
        if (!ids.has(f)) issues.push({ ...where(['transitions', i, 'from']), path: `models.${type}.transitions.${i}.from`, message: `unknown state "${f}"` });
        const key = `${f}->${t.to}`;
        if (seen.has(key)) issues.push({ ...where(['transitions', i]), path: `models.${type}.transitions.${i}`, message: `transition ${key} is defined twice` });
        seen.add(key);
      });
      if (!ids.has(t.to)) issues.push({ ...where(['transitions', i, 'to']), path: `models.${type}.transitions.${i}.to`, message: `unknown state "${t.to}"` });
      if (t.by.roles.length === 0 && t.by.relations.length === 0) {
        issues.push({ ...where(['transitions', i, 'by']), path: `models.${type}.transitions.${i}.by`, message: 'name at least one role or relation that may fire this transition' });
      }
    });
    const stateLabel = new Map(m.states.map((s) => [s.id, s.label]));
    models[type] = {
      type,
      label: m.label,
      initial: m.initial,
      // The approval hooks are set only where true, so models without approvals read as before.
      states: m.states.map((s) => ({
        id: s.id,
        label: s.label,
        requires: s.requires,
        final: s.final,
        ...(s.requestApprovals ? { requestApprovals: true } : {}),
        ...(s.requiresApprovals ? { requiresApprovals: true } : {}),
      })),
      transitions: m.transitions.map((t) => ({
        from: t.from,
        to: t.to,
        label: t.label ?? `Move to ${stateLabel.get(t.to) ?? t.to}`,
        roles: t.by.roles,
        relations: t.by.relations,
      })),
    };
  }
  const risk = compileRisk(bundle.risk, owner.get('risk'), issues, opts);
  const approvals = compileApprovals(bundle.approvals, owner.get('approvals'), issues, opts);
  const routing = compileRouting(bundle.routing, owner.get('routing'), issues, opts);
  const gates = compileGates(bundle.gates, owner.get('gates'), models, issues, opts);
  const slas = compileSlas(bundle.slas, bundle.risk.businessHours, owner.get('slas'), issues, opts);
  const breakGlass = { roles: bundle.breakGlass.roles, types: bundle.breakGlass.types, maxDurationMs: durationMs(bundle.breakGlass.maxDuration) };
  bundle.breakGlass.types.forEach((type, i) => {
    if (!models[type]) issues.push({ ...where(owner.get('breakGlass'), ['breakGlass', 'types', i]), path: `breakGlass.types.${i}`, message: `no model for "${type}" changes` });
  });
  const schedule: CompiledSchedule = { impact: { ...bundle.schedule.impact, relationTypes: [...new Set(bundle.schedule.impact.relationTypes)] }, freezeExceptions: bundle.schedule.freezeExceptions, acknowledgeBeforeScheduling: [...bundle.schedule.acknowledgeBeforeScheduling], concernsBlockImplement: bundle.schedule.concernsBlockImplement };
  if (schedule.freezeExceptions && !approvals.stages.some((s) => s.name === schedule.freezeExceptions!.stage)) {
    issues.push({
      ...where(owner.get('schedule'), ['schedule', 'freezeExceptions', 'stage']),
      path: 'schedule.freezeExceptions.stage',
      message: `no approval stage "${schedule.freezeExceptions.stage}" (the stages are: ${approvals.stages.map((s) => s.name).join(', ')})`,
    });
  }
  const stateIds = new Set(Object.values(models).flatMap((m) => m.states.map((st) => st.id)));
  if (!bundle.approvals.content.lockedIn) approvals.content.lockedIn = DEFAULT_LOCKED_STATES.filter((st) => stateIds.has(st));
  approvals.content.lockedIn.forEach((state, i) => {
    if (!stateIds.has(state)) {
      issues.push({
        ...where(owner.get('approvals'), ['approvals', 'content', 'lockedIn', i]),
        path: `approvals.content.lockedIn.${i}`,
        message: `no model has a state "${state}" (the states are: ${[...stateIds].join(', ')})`,
      });
    }
  });
  if (issues.length > 0) throw new PolicyInvalidError(issues);

  const notifications = compileNotifications(bundle.notifications, owner.get('notifications'), issues, opts);
  const reviews = compileReviews(bundle.reviews, stateIds, (at, source, expected) => compileAt(owner.get('reviews'), at, source, expected, 'review', issues, opts), (at, message) => issues.push({ ...where(owner.get('reviews'), at), path: at.join('.'), message }));
  if (issues.length > 0) throw new PolicyInvalidError(issues);

  return { name: bundle.name, description: bundle.description, models, risk, approvals, routing, gates, slas, breakGlass, schedule, teams: bundle.teams, notifications, reviews, catalogue: bundle.catalogue, deploymentGate: bundle.deploymentGate, deployments: bundle.deployments, files, hash: hashFiles(files) };
}

/** Compiles one CEL expression of the bundle, or records the error at its place and returns a stand-in never run. */
function compileAt(
  parsed: ParsedFile | undefined,
  at: (string | number)[],
  source: string,
  expected: 'bool' | 'number',
  scope: ExpressionScope,
  issues: BundleIssue[],
  opts: CompileOptions,
): CompiledExpression {
  try {
    return compileExpression(source, expected, scope, opts);
  } catch (err) {
    const e = err as CelCompileError;
    issues.push({ ...where(parsed, at), path: at.join('.'), message: `CEL: ${e.message}${e.column ? ` (at character ${e.column} of the expression)` : ''}` });
    return { source, evaluate: () => null };
  }
}

interface ExpressionSite {
  at: (string | number)[];
  source: string;
  expected: 'bool' | 'number';
  scope: ExpressionScope;
}

/**
 * The CEL expressions of a bundle that did not pass its schema, read from the YAML as it is: the same
 * places the compile functions below compile (and nothing where the shape is too broken to tell).
 */
function expressionSites(merged: Record<string, unknown>): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  const items = (value: unknown): [number, Record<string, unknown>][] =>
    Array.isArray(value) ? value.flatMap((v, i) => (v && typeof v === 'object' && !Array.isArray(v) ? [[i, v as Record<string, unknown>] as [number, Record<string, unknown>]] : [])) : [];
  const field = (value: unknown, key: string): unknown => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined);
  const add = (at: (string | number)[], source: unknown, expected: 'bool' | 'number', scope: ExpressionScope) => {
    if (typeof source === 'string' && source.trim() !== '') sites.push({ at, source, expected, scope });
  };
  for (const [i, factor] of items(field(merged.risk, 'factors'))) {
    for (const [j, c] of items(factor.cases)) {
      add(['risk', 'factors', i, 'cases', j, 'when'], c.when, 'bool', 'change');
      add(['risk', 'factors', i, 'cases', j, 'points'], c.points, 'number', 'change');
    }
  }
  for (const [i, stage] of items(field(merged.approvals, 'stages'))) {
    for (const [j, rule] of items(stage.rules)) add(['approvals', 'stages', i, 'rules', j, 'when'], rule.when, 'bool', 'approvals');
  }
  for (const [i, rule] of items(field(merged.routing, 'rules'))) add(['routing', 'rules', i, 'when'], rule.when, 'bool', 'change');
  for (const [i, gate] of items(merged.gates)) add(['gates', i, 'when'], gate.when, 'bool', 'change');
  for (const [i, target] of items(field(merged.slas, 'targets'))) add(['slas', 'targets', i, 'when'], target.when, 'bool', 'approvals');
  for (const [i, rule] of items(field(merged.notifications, 'rules'))) add(['notifications', 'rules', i, 'audience'], rule.audience, 'bool', 'notice');
  for (const site of reviewExpressionSites(merged.reviews)) add(site.at, site.source, 'bool', 'review');
  return sites;
}

/** Names must be unique within a list: one issue for each repeat, at its name. */
function uniqueNames(items: { name: string }[], parsed: ParsedFile | undefined, at: (string | number)[], what: string, issues: BundleIssue[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) issues.push({ ...where(parsed, [...at, i, 'name']), path: [...at, i, 'name'].join('.'), message: `duplicate ${what} "${item.name}"` });
    seen.add(item.name);
  });
}

/**
 * notifications.yaml: each rule's audience compiled in the notice scope, each template checked (no raw
 * output, no partials, only known values) and laid over the default words of its event.
 */
function compileNotifications(section: NotificationsSectionOutput, parsed: ParsedFile | undefined, issues: BundleIssue[], opts: CompileOptions): CompiledNotifications {
  uniqueNames(section.rules, parsed, ['notifications', 'rules'], 'notice rule', issues);
  const rules = section.rules.map((rule, i) => ({
    name: rule.name,
    events: rule.events ? [...new Set(rule.events)] : null,
    audience: compileAt(parsed, ['notifications', 'rules', i, 'audience'], rule.audience, 'bool', 'notice', issues, opts),
    channels: [...new Set(rule.channels)],
    urgent: rule.urgent,
  }));
  const templates = { ...DEFAULT_TEMPLATES };
  for (const [event, template] of Object.entries(section.templates) as [NoticeEvent, NoticeTemplate][]) {
    for (const part of ['title', 'body'] as const) {
      for (const problem of templateProblems(template[part])) {
        issues.push({ ...where(parsed, ['notifications', 'templates', event, part]), path: `notifications.templates.${event}.${part}`, message: problem });
      }
    }
    templates[event] = { title: template.title, body: template.body };
  }
  const upcomingMs = [...new Set(section.upcoming.map(durationMs))].sort((a, b) => b - a);
  return { upcomingMs, rules, templates };
}

function compileRouting(
  section: ReturnType<typeof BundleSchema.parse>['routing'],
  parsed: ParsedFile | undefined,
  issues: BundleIssue[],
  opts: CompileOptions,
): { rules: CompiledRoutingRule[] } {
  uniqueNames(section.rules, parsed, ['routing', 'rules'], 'routing rule', issues);
  return {
    rules: section.rules.map((rule, i) => {
      const { team, changeManager } = rule.assign;
      return {
        name: rule.name,
        when: compileAt(parsed, ['routing', 'rules', i, 'when'], rule.when, 'bool', 'change', issues, opts),
        team: team === undefined ? null : typeof team === 'string' ? { kind: 'team', ref: team } : { kind: 'field', ref: team.field },
        changeManager: changeManager === undefined ? null : 'user' in changeManager ? { kind: 'user', ref: changeManager.user.toLowerCase() } : { kind: 'leastBusy', ref: changeManager.leastBusy },
        reason: rule.reason,
      };
    }),
  };
}

function compileGates(
  section: ReturnType<typeof BundleSchema.parse>['gates'],
  parsed: ParsedFile | undefined,
  models: Record<string, ChangeModel>,
  issues: BundleIssue[],
  opts: CompileOptions,
): CompiledGate[] {
  uniqueNames(section, parsed, ['gates'], 'gate', issues);
  const states = new Set(Object.values(models).flatMap((m) => m.states.map((s) => s.id)));
  return section.map((gate, i) => {
    gate.before.forEach((state, j) => {
      if (!states.has(state)) issues.push({ ...where(parsed, ['gates', i, 'before', j]), path: `gates.${i}.before.${j}`, message: `no model has a state "${state}"` });
    });
    return { name: gate.name, when: compileAt(parsed, ['gates', i, 'when'], gate.when, 'bool', 'change', issues, opts), before: gate.before, evidence: [...new Set(gate.evidence)], reason: gate.reason };
  });
}

function compileSlas(
  section: ReturnType<typeof BundleSchema.parse>['slas'],
  riskHours: CompiledRisk['businessHours'],
  parsed: ParsedFile | undefined,
  issues: BundleIssue[],
  opts: CompileOptions,
): CompiledSlas {
  uniqueNames(section.targets, parsed, ['slas', 'targets'], 'SLA target', issues);
  const calendar: BusinessCalendar = section.businessHours ?? { ...riskHours, holidays: [] };
  if (section.businessHours) {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: calendar.timeZone });
    } catch {
      issues.push({ ...where(parsed, ['slas', 'businessHours', 'timeZone']), path: 'slas.businessHours.timeZone', message: `unknown time zone "${calendar.timeZone}" (use an IANA name such as Europe/Paris)` });
    }
    if (calendar.start >= calendar.end) issues.push({ ...where(parsed, ['slas', 'businessHours', 'end']), path: 'slas.businessHours.end', message: 'the working day must end after it starts' });
  }
  const remind = section.remindBefore;
  // In business time a day is one working day, not 24 hours.
  const workingMs = (d: string) => (d.endsWith('d') ? Number(d.slice(0, -1)) * Math.max(calendar.end - calendar.start, 0) * 3_600_000 : durationMs(d));
  return {
    calendar,
    remindBefore: remind.endsWith('%') ? { kind: 'percent', value: Number(remind.slice(0, -1)) } : { kind: 'duration', ms: durationMs(remind), workingMs: workingMs(remind) },
    targets: section.targets.map((t, i) => ({
      name: t.name,
      metric: t.metric,
      when: compileAt(parsed, ['slas', 'targets', i, 'when'], t.when, 'bool', 'approvals', issues, opts),
      target: t.target,
      targetMs: durationMs(t.target),
      targetWorkingMs: t.clock === 'business' ? workingMs(t.target) : durationMs(t.target),
      clock: t.clock,
    })),
  };
}

/** Compiles every CEL expression of the risk section once, collecting every error with its place. */
function compileRisk(section: ReturnType<typeof BundleSchema.parse>['risk'], parsed: ParsedFile | undefined, issues: BundleIssue[], opts: CompileOptions): CompiledRisk {
  const { timeZone } = section.businessHours;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
  } catch {
    issues.push({ ...where(parsed, ['risk', 'businessHours', 'timeZone']), path: 'risk.businessHours.timeZone', message: `unknown time zone "${timeZone}" (use an IANA name such as Europe/Paris)` });
  }
  const names = new Set<string>();
  const factors = section.factors.map((factor, i) => {
    if (names.has(factor.name)) issues.push({ ...where(parsed, ['risk', 'factors', i, 'name']), path: `risk.factors.${i}.name`, message: `duplicate factor "${factor.name}"` });
    names.add(factor.name);
    return {
      name: factor.name,
      label: factor.label,
      cases: factor.cases.map((c, j) => {
        const compile = (field: 'when' | 'points', source: string, expected: 'bool' | 'number'): CompiledExpression =>
          compileAt(parsed, ['risk', 'factors', i, 'cases', j, field], source, expected, 'change', issues, opts);
        return { when: compile('when', c.when, 'bool'), points: typeof c.points === 'number' ? c.points : compile('points', c.points, 'number'), reason: c.reason };
      }),
    };
  });
  return { businessHours: section.businessHours, bands: section.bands, factors };
}

/** Compiles every `when` of the approvals section once; stage and rule names must be unique. */
function compileApprovals(
  section: ReturnType<typeof BundleSchema.parse>['approvals'],
  parsed: ParsedFile | undefined,
  issues: BundleIssue[],
  opts: CompileOptions,
): CompiledApprovals {
  const stageNames = new Set<string>();
  const ruleNames = new Set<string>();
  const stages = section.stages.map((stage, i) => {
    if (stageNames.has(stage.name)) issues.push({ ...where(parsed, ['approvals', 'stages', i, 'name']), path: `approvals.stages.${i}.name`, message: `duplicate stage "${stage.name}"` });
    stageNames.add(stage.name);
    const rules = stage.rules.map((rule, j): CompiledApprovalRule => {
      const at = ['approvals', 'stages', i, 'rules', j];
      if (ruleNames.has(rule.name)) issues.push({ ...where(parsed, [...at, 'name']), path: `${at.join('.')}.name`, message: `duplicate rule "${rule.name}"` });
      ruleNames.add(rule.name);
      const when = compileAt(parsed, [...at, 'when'], rule.when, 'bool', 'approvals', issues, opts);
      const quorum: Quorum =
        typeof rule.quorum === 'string' ? { kind: rule.quorum, value: null } : 'n' in rule.quorum ? { kind: 'n', value: rule.quorum.n } : { kind: 'percent', value: rule.quorum.percent };
      return {
        name: rule.name,
        when,
        approvers: approverSpec(rule.approvers),
        quorum,
        dueMs: rule.due ? durationMs(rule.due) : null,
        escalateTo: rule.escalateTo ? baseApproverSpec(rule.escalateTo) : null,
        reason: rule.reason,
      };
    });
    return { name: stage.name, label: stage.label, rules };
  });
  return { content: { fields: [...new Set(section.content.fields)], lockedIn: [...new Set(section.content.lockedIn ?? [])] }, stages };
}

function approverSpec(a: ApproverInput): ApproverSpec {
  const retrospective = (r: { board: string } | { boards: 'cab' | 'ecab' | 'technical' } | undefined): BoardSpec | null =>
    !r ? null : 'board' in r ? { ref: r.board, boardKind: null } : { ref: null, boardKind: r.boards };
  if ('board' in a) return { kind: 'board', ref: a.board, boardKind: null, otherwise: a.otherwise ? baseApproverSpec(a.otherwise) : null, retrospective: retrospective(a.retrospective) };
  if ('boards' in a) return { kind: 'board', ref: null, boardKind: a.boards, otherwise: a.otherwise ? baseApproverSpec(a.otherwise) : null, retrospective: retrospective(a.retrospective) };
  return baseApproverSpec(a);
}

function baseApproverSpec(a: BaseApproverInput): BaseApproverSpec {
  if ('team' in a) return { kind: 'team', ref: a.team };
  if ('role' in a) return { kind: 'role', ref: a.role };
  if ('user' in a) return { kind: 'user', ref: a.user.toLowerCase() };
  return { kind: 'field', ref: a.field };
}

function where(parsed: ParsedFile | undefined, keyPath: (string | number)[]): { file: string; line: number; column: number } {
  return parsed ? locate(parsed, keyPath) : { file: '?', line: 1, column: 1 };
}

export function hashFiles(files: Record<string, string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) h.update(name).update('\0').update(files[name]!).update('\0');
  return h.digest('hex');
}

/** The line and column of the deepest node that exists along `keyPath`. */
export function locate(parsed: ParsedFile, keyPath: (string | number)[]): { file: string; line: number; column: number } {
  for (let depth = keyPath.length; depth >= 0; depth--) {
    const node = parsed.doc.getIn(keyPath.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && node.range) {
      const pos = parsed.lines.linePos(node.range[0]);
      return { file: parsed.file, line: pos.line, column: pos.col };
    }
    if (depth > 0) {
      // A key whose value is missing: point at the key of the parent pair instead.
      const parent = parsed.doc.getIn(keyPath.slice(0, depth - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === keyPath[depth - 1]);
        const keyNode = pair?.key as { range?: [number, number, number] } | undefined;
        if (keyNode?.range) {
          const pos = parsed.lines.linePos(keyNode.range[0]);
          return { file: parsed.file, line: pos.line, column: pos.col };
        }
      }
    }
  }
  return { file: parsed.file, line: 1, column: 1 };
}
