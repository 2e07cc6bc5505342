import { scoreOf, type FactorContribution, type RiskAssessment } from '../domain/risk/score';
import { toNumber } from './cel';
import type { CompiledRisk } from './loader';

/**
 * Scores a change: for each factor, the first case whose `when` holds contributes its points with its
 * reason. An expression that fails at run time (a missing key, a wrong type) contributes nothing and says
 * so in the reason, so a policy mistake is visible on the change instead of failing the write.
 */
export function evaluateRisk(risk: CompiledRisk, context: Record<string, unknown>): RiskAssessment {
  const factors: FactorContribution[] = [];
  for (const factor of risk.factors) {
    let contribution: FactorContribution = { name: factor.name, label: factor.label, contribution: 0, reason: 'Does not apply' };
    try {
      for (const c of factor.cases) {
        const holds = c.when.evaluate(context);
        if (typeof holds !== 'boolean') throw new Error(`"when" must give true or false, but gave ${typeof holds === 'bigint' ? 'a number' : typeof holds}`);
        if (!holds) continue;
        const points = typeof c.points === 'number' ? c.points : toNumber(c.points.evaluate(context));
        contribution = { name: factor.name, label: factor.label, contribution: points, reason: c.reason };
        break;
      }
    } catch (err) {
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      contribution = { name: factor.name, label: factor.label, contribution: 0, reason: `Could not be evaluated: ${first}` };
    }
    factors.push(contribution);
  }
  return scoreOf(factors, risk.bands);
}
