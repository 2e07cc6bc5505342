import type { CompiledExpression } from './cel';
import { DEFAULT_EXEMPT_STATES, type ReviewsSectionOutput } from './reviews.schema';

/** reviews.yaml compiled: each rule's `when`, and `blockClose` as a constant or an expression. */
export interface CompiledReviews {
  rules: { name: string; when: CompiledExpression; reason: string }[];
  dueDays: number;
  blockClose: boolean | CompiledExpression;
  exemptStates: string[];
}

type Compile = (at: (string | number)[], source: string, expected: 'bool') => CompiledExpression;
type Report = (at: (string | number)[], message: string) => void;

/** Compiles the section in the `review` scope; rule names must be unique and exempt states must exist. */
export function compileReviews(section: ReviewsSectionOutput, stateIds: Set<string>, compile: Compile, report: Report): CompiledReviews {
  const seen = new Set<string>();
  const rules = section.rules.map((rule, i) => {
    if (seen.has(rule.name)) report(['reviews', 'rules', i, 'name'], `duplicate review rule "${rule.name}"`);
    seen.add(rule.name);
    return { name: rule.name, when: compile(['reviews', 'rules', i, 'when'], rule.when, 'bool'), reason: rule.reason };
  });
  // Named by the policy, each must exist; left out, the usual ones that the models have.
  const exempt = section.exemptStates ?? DEFAULT_EXEMPT_STATES.filter((s) => stateIds.has(s));
  section.exemptStates?.forEach((state, i) => {
    if (!stateIds.has(state)) report(['reviews', 'exemptStates', i], `no model has a state "${state}" (the states are: ${[...stateIds].join(', ')})`);
  });
  const blockClose = typeof section.blockClose === 'boolean' ? section.blockClose : compile(['reviews', 'blockClose'], section.blockClose, 'bool');
  return { rules, dueDays: section.dueDays, blockClose, exemptStates: [...new Set(exempt)] };
}

/** The CEL of a `reviews` section that did not pass its schema, so one run still reports its expressions' problems. */
export function reviewExpressionSites(section: unknown): { at: (string | number)[]; source: unknown }[] {
  if (!section || typeof section !== 'object' || Array.isArray(section)) return [];
  const { rules, blockClose } = section as { rules?: unknown; blockClose?: unknown };
  const sites: { at: (string | number)[]; source: unknown }[] = [];
  if (Array.isArray(rules)) {
    rules.forEach((rule, i) => {
      if (rule && typeof rule === 'object' && !Array.isArray(rule)) sites.push({ at: ['reviews', 'rules', i, 'when'], source: (rule as { when?: unknown }).when });
    });
  }
  if (typeof blockClose === 'string') sites.push({ at: ['reviews', 'blockClose'], source: blockClose });
  return sites;
}
