// Issue 14's gate budget: a pipeline asking the deployment gate about a target an authorised change covers, at
// 10 connections, must reach half of a bare Fastify route's requests/s with a p99 under 10 ms, on each engine.
// See bench/README.md ("Deployment gate check").
import Fastify from 'fastify';
import { startCabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { createTestDatabase, type EngineName } from '../test/support/databases';
import { measure, type Measurement } from './load';

/** At least this share of the bare route's req/s, and a p99 under GATE_P99_BUDGET_MS. */
export const GATE_RATIO_BUDGET = 0.5;
export const GATE_P99_BUDGET_MS = 10;

const TOKEN = 'cab_bench_gate_0123456789abcdef0123456789';
const HOUR = 3_600_000;

export interface GateBenchResult {
  engine: EngineName;
  gate: Measurement;
  /** The bare route measured just before, on the same machine, answering a body of the same size. */
  baseline: Measurement;
  ratio: number;
  responseBytes: number;
}

/** The question a pipeline repeats while it deploys (the same run and attempt, as CI tools poll). */
const question = (ciId: string) => ({
  target: { ciIds: [ciId], environment: 'production' },
  source: 'github',
  repository: 'acme/payments',
  ref: 'refs/heads/main',
  sha: '3f2c1e9a7b6d5c4e3f2a1b0c9d8e7f6a5b4c3d2e',
  pipeline: { id: 'deploy.yml', runId: '8123456789', attempt: 1, url: 'https://github.com/acme/payments/actions/runs/8123456789' },
  actor: 'octocat',
});

async function load(url: string, body: string, connections: number, seconds: number): Promise<Measurement> {
  const opts = { url, method: 'POST' as const, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body, connections };
  await measure({ ...opts, seconds: 1 });
  return measure({ ...opts, seconds });
}

/**
 * On a fresh Cabinet: a service, a CI and a standard change from a catalogue entry planned around now
 * (authorised); the first check allows and starts it; then the same check under load, and a bare Fastify route
 * answering the same response body under the same load.
 */
export async function benchGate(engine: EngineName, opts: { connections: number; seconds: number }): Promise<GateBenchResult> {
  const db = await createTestDatabase(engine);
  const cabinet = await startCabinet(loadConfig({ DATABASE_URL: db.url, CABINET_BOOTSTRAP_TOKEN: TOKEN, CABINET_WEB_DIR: '/nonexistent' }));
  try {
    const base = await cabinet.app.listen({ port: 0, host: '127.0.0.1' });
    const call = async (url: string, body: unknown, status = 201): Promise<{ id: string } & Record<string, unknown>> => {
      const res = await fetch(base + url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status !== status) throw new Error(`[${engine}] POST ${url} answered ${res.status}: ${text}`);
      return JSON.parse(text) as { id: string };
    };
    const service = await call('/api/v1/services', { name: 'Payments', tier: 2, tags: [] });
    const ci = await call('/api/v1/cis', { name: 'pay-web-1', type: 'application', environment: 'production', serviceId: service.id, criticality: 'low', tags: [] });
    const entry = await call('/api/v1/templates', { name: 'Deploy payments web', type: 'standard', category: 'Deployments', fields: { title: 'Deploy', implementationPlan: 'The pipeline deploys.' } });
    const now = Date.now();
    const change = await call('/api/v1/changes', {
      type: 'standard',
      templateId: entry.id,
      title: 'Deploy payments web',
      description: 'Release 42',
      ciIds: [ci.id],
      plannedStart: new Date(now - HOUR).toISOString(),
      plannedEnd: new Date(now + 4 * HOUR).toISOString(),
      implementationPlan: 'The pipeline deploys.',
    });
    await call(`/api/v1/changes/${change.id}/transitions`, { to: 'scheduled' }, 200);
    const body = JSON.stringify(question(ci.id));
    const first = await fetch(`${base}/api/v1/gate/checks`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
    const text = await first.text();
    const answer = JSON.parse(text) as { decision: string };
    if (first.status !== 200 || answer.decision !== 'allow') throw new Error(`[${engine}] the first gate check answered ${first.status}: ${text}`);

    const baselineApp = Fastify({ logger: false });
    baselineApp.post('/baseline', async () => answer);
    const baselineUrl = await baselineApp.listen({ port: 0, host: '127.0.0.1' });
    let baseline: Measurement;
    try {
      baseline = await load(`${baselineUrl}/baseline`, body, opts.connections, opts.seconds);
    } finally {
      await baselineApp.close();
    }
    const gate = await load(`${base}/api/v1/gate/checks`, body, opts.connections, opts.seconds);
    return { engine, gate, baseline, ratio: gate.requestsPerSecond / baseline.requestsPerSecond, responseBytes: Buffer.byteLength(text) };
  } finally {
    await cabinet.close();
    await db.drop();
  }
}
