import { Environment } from '@marcbachmann/cel-js';

/**
 * The CEL environment every policy expression runs in: the variables of the change context (documented in
 * docs/policy.md) and a few helpers. Integers in the context are BigInt (CEL `int`); rates are doubles.
 */
export const CONTEXT_VARIABLES = ['change', 'cis', 'services', 'requester', 'time', 'history'] as const;

/** Approval rules also see `risk` (`score` int, `level` string): the change's assessed risk. */
export type ExpressionScope = 'change' | 'approvals';

function buildEnvironment(scope: ExpressionScope): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false });
  env.registerVariable('change', 'map');
  env.registerVariable('cis', 'list');
  env.registerVariable('services', 'list');
  env.registerVariable('requester', 'map');
  env.registerVariable('time', 'map');
  env.registerVariable('history', 'map');
  if (scope === 'approvals') env.registerVariable('risk', 'map');
  env.registerFunction('min(int, int): int', (a: bigint, b: bigint) => (a < b ? a : b));
  env.registerFunction('max(int, int): int', (a: bigint, b: bigint) => (a > b ? a : b));
  env.registerFunction('min(double, double): double', (a: number, b: number) => Math.min(a, b));
  env.registerFunction('max(double, double): double', (a: number, b: number) => Math.max(a, b));
  return env;
}

const environments: Record<ExpressionScope, Environment> = { change: buildEnvironment('change'), approvals: buildEnvironment('approvals') };

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

/** Parses and type-checks an expression once; throws `CelCompileError` with a one-line reason. */
export function compileExpression(source: string, expected?: 'bool' | 'number', scope: ExpressionScope = 'change'): CompiledExpression {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environments[scope].parse(source);
  } catch (err) {
    throw toCompileError(err);
  }
  const checked = parsed.check();
  if (!checked.valid) throw toCompileError(checked.error);
  const type = String(checked.type);
  if (expected === 'bool' && type !== 'bool' && type !== 'dyn') throw new CelCompileError(`must be true or false, but gives ${type}`, null);
  if (expected === 'number' && !['int', 'double', 'uint', 'dyn'].includes(type)) throw new CelCompileError(`must give a number, but gives ${type}`, null);
  return { source, evaluate: (context) => parsed(context) };
}

function toCompileError(err: unknown): CelCompileError {
  const text = err instanceof Error ? err.message : String(err);
  const [first = text, ...rest] = text.split('\n');
  // cel-js points at the failing character with a caret line under the echoed expression.
  const caret = rest.find((l) => /^\s*\^/.test(l));
  const echo = rest.find((l) => /^>\s+\d+ \| /.test(l));
  const column = caret && echo ? caret.indexOf('^') - echo.indexOf('|') - 1 : null;
  return new CelCompileError(first.trim(), column !== null && column > 0 ? column : null);
}

/** CEL numbers come back as bigint or number; scores are plain numbers. */
export function toNumber(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new Error(`expected a number, got ${typeof value}`);
}
