import { Environment } from '@marcbachmann/cel-js';
import { CHANGE_CONTEXT_SHAPE, NOTICE_CONTEXT_SHAPE, OUTCOME_CONTEXT_SHAPE, RISK_CONTEXT_SHAPE, type ContextVariableShape } from './context';

/**
 * The CEL environment every policy expression runs in: the variables of the change context (documented in
 * docs/policy.md) and a few helpers. Integers in the context are BigInt (CEL `int`); rates are doubles.
 */
export const CONTEXT_VARIABLES = ['change', 'cis', 'services', 'requester', 'time', 'history'] as const;

/**
 * Approval rules also see `risk` (`score` int, `level` string): the change's assessed risk. Notice rules
 * (`notice`) see a context of their own: NOTICE_CONTEXT_SHAPE.
 */
export type ExpressionScope = 'change' | 'approvals' | 'notice' | 'review';

function buildEnvironment(scope: ExpressionScope): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false });
  for (const [name, shape] of Object.entries(shapesOf(scope))) env.registerVariable(name, shape.list ? 'list' : 'map');
  env.registerFunction('min(int, int): int', (a: bigint, b: bigint) => (a < b ? a : b));
  env.registerFunction('max(int, int): int', (a: bigint, b: bigint) => (a > b ? a : b));
  env.registerFunction('min(double, double): double', (a: number, b: number) => Math.min(a, b));
  env.registerFunction('max(double, double): double', (a: number, b: number) => Math.max(a, b));
  return env;
}

const environments: Record<ExpressionScope, Environment> = { change: buildEnvironment('change'), approvals: buildEnvironment('approvals'), notice: buildEnvironment('notice'), review: buildEnvironment('review') };

/** The variables an expression of the scope sees, with their declared shapes. */
function shapesOf(scope: ExpressionScope): Record<string, ContextVariableShape> {
  if (scope === 'notice') return { ...NOTICE_CONTEXT_SHAPE };
  // Review rules (reviews.yaml) also see what came of the change: docs/learning.md, "Post-implementation reviews".
  if (scope === 'review') return { ...CHANGE_CONTEXT_SHAPE, risk: RISK_CONTEXT_SHAPE, outcome: OUTCOME_CONTEXT_SHAPE };
  return scope === 'approvals' ? { ...CHANGE_CONTEXT_SHAPE, risk: RISK_CONTEXT_SHAPE } : { ...CHANGE_CONTEXT_SHAPE };
}

/**
 * The same environment with every variable typed by its declared shape (context.ts), used to check
 * expressions only. NOTE: expressions still run in the untyped environment above, on plain maps: typed
 * variables would wrap every context object in a class at each evaluation, and the check already proves
 * each field exists with the type used.
 */
function buildCheckingEnvironment(scope: ExpressionScope): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false });
  for (const [name, shape] of Object.entries(shapesOf(scope))) {
    const typeName = `cabinet.${name}`;
    env.registerType(typeName, { fields: { ...shape.fields } });
    env.registerVariable(name, shape.list ? `list<${typeName}>` : typeName);
  }
  env.registerFunction('min(int, int): int', (a: bigint, b: bigint) => (a < b ? a : b));
  env.registerFunction('max(int, int): int', (a: bigint, b: bigint) => (a > b ? a : b));
  env.registerFunction('min(double, double): double', (a: number, b: number) => Math.min(a, b));
  env.registerFunction('max(double, double): double', (a: number, b: number) => Math.max(a, b));
  return env;
}

const checkingEnvironments: Record<ExpressionScope, Environment> = {
  change: buildCheckingEnvironment('change'),
  approvals: buildCheckingEnvironment('approvals'),
  notice: buildCheckingEnvironment('notice'),
  review: buildCheckingEnvironment('review'),
};

export interface CompiledExpression {
  source: string;
  evaluate(context: Record<string, unknown>): unknown;
}

export class CelCompileError extends Error {
  constructor(
    message: string,
    /** 1-based column inside the expression, when the parser knows it. */
    readonly column: number | null,
  ) {
    super(message);
  }
}

export interface CompileOptions {
  /**
   * Check every field the expression reads against the declared shape of the context (default true).
   * False only for bundles stored before the check existed: they must keep loading as they were accepted.
   */
  checkFields?: boolean;
}

/**
 * Parses and type-checks an expression once; throws `CelCompileError` with a one-line reason. Unless
 * `checkFields` is false, a field the context does not have (`s.tierr`) or an operation its type does not
 * allow (`change.priority == "high"`) is refused here rather than failing each time the expression runs.
 */
const stored = new Map<string, CompiledExpression | null>();

/**
 * A condition over a change's context stored in the database (a board's scope, a condition's check), compiled
 * once per source and remembered (at most 500 at a time); null when it does not compile (any more). Whoever
 * evaluates it decides what a broken or failing expression means.
 */
export function compileStoredCondition(source: string): CompiledExpression | null {
  let found = stored.get(source);
  if (found === undefined) {
    try {
      found = compileExpression(source, 'bool', 'change');
    } catch {
      found = null;
    }
    if (stored.size >= 500) stored.clear();
    stored.set(source, found);
  }
  return found;
}

/** Whether a stored condition (compileStoredCondition) is true over the context; `fallback` when it does not compile or fails. */
export function evaluateStoredCondition(source: string, context: Record<string, unknown>, fallback: boolean): boolean {
  const compiled = compileStoredCondition(source);
  if (compiled === null) return fallback;
  try {
    return compiled.evaluate(context) === true;
  } catch {
    return fallback;
  }
}

export function compileExpression(source: string, expected?: 'bool' | 'number', scope: ExpressionScope = 'change', opts: CompileOptions = {}): CompiledExpression {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environments[scope].parse(source);
  } catch (err) {
    throw toCompileError(err, scope);
  }
  const checked = opts.checkFields === false ? parsed.check() : checkingEnvironments[scope].check(source);
  if (!checked.valid) throw toCompileError(checked.error, scope);
  const type = String(checked.type);
  if (expected === 'bool' && type !== 'bool' && type !== 'dyn') throw new CelCompileError(`must be true or false, but gives ${type}`, null);
  if (expected === 'number' && !['int', 'double', 'uint', 'dyn'].includes(type)) throw new CelCompileError(`must give a number, but gives ${type}`, null);
  return { source, evaluate: (context) => parsed(context) };
}

function toCompileError(err: unknown, scope: ExpressionScope): CelCompileError {
  const text = err instanceof Error ? err.message : String(err);
  const [first = text, ...rest] = text.split('\n');
  // cel-js points at the failing character with a caret line under the echoed expression.
  const caret = rest.find((l) => /^\s*\^/.test(l));
  const echo = rest.find((l) => /^>\s+\d+ \| /.test(l));
  const column = caret && echo ? caret.indexOf('^') - echo.indexOf('|') - 1 : null;
  return new CelCompileError(explain(first.trim(), scope), column !== null && column > 0 ? column : null);
}

/** cel-js's reasons for the references people get wrong, in the policy's words, with the likely intended name. */
function explain(reason: string, scope: ExpressionScope): string {
  const shapes = shapesOf(scope);
  const key = /^No such key: (\S+)$/.exec(reason)?.[1];
  if (key !== undefined) {
    const fields = [...new Set(Object.values(shapes).flatMap((s) => Object.keys(s.fields)))];
    const where = scope === 'notice' ? 'docs/communication.md, "Who hears of what"' : 'docs/policy.md, "The change context"';
    return `unknown field "${key}"${suggestion(key, fields) || ` (${where}, lists every field)`}`;
  }
  const variable = /^Unknown variable: (\S+)$/.exec(reason)?.[1];
  if (variable !== undefined) {
    const names = Object.keys(shapes);
    const onlyInApprovals = scope === 'change' && variable === 'risk' ? ' (only approval rules and SLA targets see the risk)' : '';
    return `${reason}${onlyInApprovals || suggestion(variable, names)}; the variables are ${names.join(', ')}`;
  }
  return reason;
}

/** ` (did you mean "tier"?)` when one name is within two edits of `name`, else nothing. */
function suggestion(name: string, candidates: string[]): string {
  let best: { name: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best ? ` (did you mean "${best.name}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** CEL numbers come back as bigint or number; scores are plain numbers. */
export function toNumber(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new Error(`expected a number, got ${typeof value}`);
}
