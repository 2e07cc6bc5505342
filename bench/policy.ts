import { performance } from 'node:perf_hooks';
import { compileBundle, readBundleFiles, type CompiledRisk } from '../src/policy/loader';
import { buildChangeContext, type ChangeContextInput } from '../src/policy/context';
import { evaluateRisk } from '../src/policy/risk';
import { INSTALL_DIR } from '../src/config';
import path from 'node:path';

export interface PolicyBenchResult {
  rules: number;
  iterations: number;
  p50: number;
  p99: number;
  baselineP50: number;
  baselineP99: number;
  /** buildChangeContext alone: the share of p50/p99 that is not CEL evaluation. */
  contextP50: number;
  contextP99: number;
}

const RULES = 200;

/** 200 rules of the kinds a real bundle has: list searches, comparisons, history rates, computed points. */
function riskYaml(): string {
  const factors = Array.from({ length: RULES / 2 }, (_, i) =>
    [
      `    - name: f${i}`,
      `      label: Factor ${i}`,
      '      cases:',
      `        - when: cis.exists(c, c.criticality == "critical" && "pci" in c.tags) && change.ciCount > ${i % 5}`,
      `          points: ${i % 7}`,
      '          reason: critical PCI CIs',
      `        - when: services.exists(s, s.tier <= ${1 + (i % 4)}) || history.teamFailureRate > 0.${i % 9}`,
      '          points: min(size(cis) * 2, 9)',
      '          reason: tier or team history',
    ].join('\n'),
  );
  return `apiVersion: cabinet/v1\nrisk:\n  factors:\n${factors.join('\n')}\n`;
}

function input(risk: CompiledRisk): ChangeContextInput {
  const ci = { name: 'pay-db', type: 'database', environment: 'production', criticality: 'high', tags: ['pci'], serviceName: 'Payments' };
  return {
    change: {
      type: 'normal', state: 'assess', title: 'Upgrade', impact: 'high', urgency: 'medium', priority: 2, plannedStart: '2030-01-05T22:00:00Z',
      plannedEnd: '2030-01-05T23:00:00Z', implementationPlan: 'a\nb\nc', testPlan: 't', backoutPlan: 'b', backoutTested: false, assignmentTeamHandle: 'dba',
    },
    cis: Array.from({ length: 20 }, (_, i) => ({ ...ci, name: `ci-${i}`, criticality: i === 19 ? 'critical' : 'high' })),
    services: [{ name: 'Payments', tier: 1, tags: ['pci'], provider: 'aws', ownerTeamHandle: 'payments' }],
    requester: { email: 'bob@example.com', name: 'Bob', roles: ['requester'], teamHandles: ['payments'] },
    history: { teamChanges90d: 12, teamFailed90d: 1, ciChanges90d: 4, ciFailed90d: 0 },
    businessHours: risk.businessHours,
    now: new Date('2029-12-01T00:00:00Z'),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

function time(work: () => void, iterations: number): number[] {
  for (let i = 0; i < Math.min(500, iterations); i++) work();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    work();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b);
}

/**
 * Policy evaluation of one change against a bundle of 200 rules: building the CEL context and evaluating
 * every factor. The baseline is the same 200 conditions written as plain JavaScript closures over the same
 * input, measured the same way in the same run: what a hard-coded rules engine would cost. Building the
 * context alone is timed too, so a regression shows whether it came from the context or from CEL.
 */
export async function benchPolicyEvaluation(iterations = 5000): Promise<PolicyBenchResult> {
  const files = await readBundleFiles(path.join(INSTALL_DIR, 'policies', 'default'));
  files['risk.yaml'] = riskYaml();
  const bundle = compileBundle(files);
  const data = input(bundle.risk);
  let sink = 0;
  const cel = time(() => {
    sink += evaluateRisk(bundle.risk, buildChangeContext(data)).score;
  }, iterations);
  const contextOnly = time(() => {
    sink += (buildChangeContext(data).cis as unknown[]).length;
  }, iterations);
  const closures = Array.from({ length: RULES / 2 }, (_, i) => (d: ChangeContextInput) => {
    if (d.cis.some((c) => c.criticality === 'critical' && c.tags.includes('pci')) && d.cis.length > i % 5) return i % 7;
    const rate = d.history.teamChanges90d ? d.history.teamFailed90d / d.history.teamChanges90d : 0;
    if (d.services.some((s) => s.tier <= 1 + (i % 4)) || rate > (i % 9) / 10) return Math.min(d.cis.length * 2, 9);
    return 0;
  });
  const plain = time(() => {
    sink += closures.reduce((sum, f) => sum + f(data), 0);
  }, iterations);
  if (sink === -1) console.log(sink);
  return {
    rules: RULES,
    iterations,
    p50: percentile(cel, 0.5),
    p99: percentile(cel, 0.99),
    baselineP50: percentile(plain, 0.5),
    baselineP99: percentile(plain, 0.99),
    contextP50: percentile(contextOnly, 0.5),
    contextP99: percentile(contextOnly, 0.99),
  };
}
