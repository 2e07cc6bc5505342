import type { SlaMetric } from './slas.schema';
import type { CompiledExpression } from './cel';
import type { CompiledApprovalRule, CompiledGate, CompiledRoutingRule, CompiledSlas, PolicyBundle } from './loader';

/**
 * Pure evaluation of the bundle's rule sections over a change context. The services (which read the
 * context from storage) and `cabinet policy test` (which builds it from a YAML example) share these, so a
 * test case proves exactly what a live change would get.
 */

/** A condition's outcome; `error` says why an expression could not be evaluated (then `holds` is the fallback). */
export interface ConditionOutcome {
  holds: boolean;
  error: string | null;
}

/** Evaluates a `when`; a run-time failure gives `fallback` and the reason, never an exception. */
export function evaluateCondition(when: CompiledExpression, context: Record<string, unknown>, fallback: boolean): ConditionOutcome {
  try {
    const holds = when.evaluate(context);
    if (typeof holds !== 'boolean') throw new Error(`"when" must give true or false, but gave ${typeof holds === 'bigint' ? 'a number' : typeof holds}`);
    return { holds, error: null };
  } catch (err) {
    return { holds: fallback, error: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error' };
  }
}

export interface FiredApprovalRule {
  stage: string;
  stageLabel: string;
  stageOrder: number;
  rule: CompiledApprovalRule;
  /** The rule's reason, with why it was asked when its condition could not be evaluated. */
  reason: string;
}

/**
 * The approval rules that apply, in stage order. Needs the approvals context (the change context plus
 * `risk`). NOTE: fails closed: a rule that cannot be evaluated asks for its approval rather than being skipped.
 */
export function firedApprovalRules(approvals: PolicyBundle['approvals'], context: Record<string, unknown>): FiredApprovalRule[] {
  const fired: FiredApprovalRule[] = [];
  approvals.stages.forEach((stage, stageOrder) => {
    for (const rule of stage.rules) {
      const { holds, error } = evaluateCondition(rule.when, context, true);
      if (!holds) continue;
      const reason = error ? `${rule.reason} (asked because the rule could not be evaluated: ${error})` : rule.reason;
      fired.push({ stage: stage.name, stageLabel: stage.label, stageOrder, rule, reason });
    }
  });
  return fired;
}

export interface RoutingDecision {
  /** The first rule naming a team whose condition holds, or null. */
  team: { rule: CompiledRoutingRule; target: NonNullable<CompiledRoutingRule['team']> } | null;
  changeManager: { rule: CompiledRoutingRule; target: NonNullable<CompiledRoutingRule['changeManager']> } | null;
  /** Rules that could not be evaluated, with why; they route nothing. */
  errors: { rule: string; error: string }[];
}

/** Each target is filled by the first rule whose `when` holds and that names it. NOTE: fails open (routes nothing). */
export function routeChange(routing: PolicyBundle['routing'], context: Record<string, unknown>): RoutingDecision {
  const decision: RoutingDecision = { team: null, changeManager: null, errors: [] };
  for (const rule of routing.rules) {
    if ((decision.team || !rule.team) && (decision.changeManager || !rule.changeManager)) continue;
    const { holds, error } = evaluateCondition(rule.when, context, false);
    if (error) decision.errors.push({ rule: rule.name, error });
    if (!holds) continue;
    if (!decision.team && rule.team) decision.team = { rule, target: rule.team };
    if (!decision.changeManager && rule.changeManager) decision.changeManager = { rule, target: rule.changeManager };
  }
  return decision;
}

/**
 * The gates that guard entering `state` for this change. NOTE: fails closed: a gate whose condition cannot
 * be evaluated applies.
 */
export function gatesFor(gates: CompiledGate[], state: string, context: Record<string, unknown>): { gate: CompiledGate; error: string | null }[] {
  return gates
    .filter((g) => g.before.includes(state))
    .map((gate) => ({ gate, ...evaluateCondition(gate.when, context, true) }))
    .filter((g) => g.holds)
    .map(({ gate, error }) => ({ gate, error }));
}

/** The evidence kinds each applicable gate still misses, given the kinds the change holds. */
export function unsatisfiedGates(
  applicable: { gate: CompiledGate }[],
  heldKinds: ReadonlySet<string>,
): { name: string; reason: string; missing: string[] }[] {
  return applicable
    .map(({ gate }) => ({ name: gate.name, reason: gate.reason, missing: gate.evidence.filter((k) => !heldKinds.has(k)) }))
    .filter((g) => g.missing.length > 0);
}

/** The SLA target of a metric: the first whose `when` holds (approvals context), or null. Fails open. */
export function slaTargetFor(slas: CompiledSlas, metric: SlaMetric, context: Record<string, unknown>): CompiledSlas['targets'][number] | null {
  for (const target of slas.targets) {
    if (target.metric !== metric) continue;
    if (evaluateCondition(target.when, context, false).holds) return target;
  }
  return null;
}
