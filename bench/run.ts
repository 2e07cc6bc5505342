// `npm run bench`: throughput and latency of Cabinet's routes on SQLite and PostgreSQL, each as a ratio to a
// bare Fastify route measured in the same run on the same machine. See bench/README.md.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { startCabinet, VERSION } from '../src/cabinet';
import { INSTALL_DIR, loadConfig } from '../src/config';
import { createTestDatabase, isPostgresAvailable, PG_ADMIN_URL } from '../test/support/databases';
import { measure, type Measurement } from './load';
import { benchPolicyEvaluation, type PolicyBenchResult } from './policy';
import { benchHotCi, HOT_CI_BUDGET, type HotCiBenchResult } from './hot-ci';
import { benchSchedule, SCHEDULE_BUDGETS, type ScheduleBenchResult } from './schedule';
import { benchGate, GATE_P99_BUDGET_MS, GATE_RATIO_BUDGET, type GateBenchResult } from './gate';
import { benchDora, DORA_BUDGET_MS, type DoraBenchResult } from './dora';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 1;
const CONNECTIONS = 10;
const TOKEN = `cab_bench_${randomBytes(16).toString('hex')}`;
const RESULTS = path.join(INSTALL_DIR, 'bench', 'results', 'latest.json');
const PARTS = ['create', 'policy', 'schedule', 'hot-ci', 'gate', 'dora'] as const;
/** `BENCH_ONLY=create,hot-ci`: only these parts (all when unset). A partial run still checks their budgets. */
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean),
);
const wants = (part: (typeof PARTS)[number]) => ONLY.size === 0 || ONLY.has(part);
/** `BENCH_ENGINES=sqlite`: only these engines (both when unset and PostgreSQL is reachable). */
const ENGINES = new Set(
  (process.env.BENCH_ENGINES ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean),
);

type Engine = 'sqlite' | 'postgres';

/**
 * Issue 10's budgets for filing a change at CONNECTIONS connections: at least this share of the baseline's
 * requests/s, and a p99 under P99_BUDGET_MS, on each engine.
 */
const CREATE_RATIO_BUDGET: Record<Engine, number> = { sqlite: 0.02, postgres: 0.01 };
const CREATE_P99_BUDGET_MS = 250;

interface Row extends Measurement {
  engine: Engine | 'none';
  route: string;
  /** requests/s of this route ÷ requests/s of the baseline. */
  ratio: number | null;
}

function log(line = ''): void {
  process.stdout.write(line + '\n');
}

async function call(base: string, method: string, url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(base + url, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** A complete normal change, as a requester would file it. */
const changeBody = (ciId: string) => ({
  type: 'normal',
  title: 'Upgrade the payments database to PostgreSQL 16',
  description: 'Upgrade the primary and both replicas with pg_upgrade --link during the Sunday window.',
  justification: 'PostgreSQL 15 leaves community support next year.',
  ciIds: [ciId],
  plannedStart: '2027-03-07T01:00:00Z',
  plannedEnd: '2027-03-07T03:00:00Z',
  implementationPlan: 'Stop writers, pg_upgrade --link, analyze, start writers.',
  testPlan: 'Run the payments smoke suite.',
  backoutPlan: 'Fail over to the untouched replica.',
  impact: 'high',
  urgency: 'medium',
});

/**
 * Each change filed is planned this many minutes after the one before (each lasts two hours): changes in slots
 * of their own, as real ones are. NOTE: one slot for all would make every change conflict with every earlier
 * one, so the run would measure the conflict fan-out of thousands of changes on one CI at one time.
 */
const SLOT_MINUTES = 180;

const jsonHeaders = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

/** Load, after a short warm-up whose numbers are thrown away. */
async function run(url: string, body: string): Promise<Measurement> {
  await measure({
    url,
    method: 'POST',
    headers: jsonHeaders,
    body,
    connections: CONNECTIONS,
    seconds: WARMUP_SECONDS,
    shiftMinutes: SLOT_MINUTES,
  });
  return measure({
    url,
    method: 'POST',
    headers: jsonHeaders,
    body,
    connections: CONNECTIONS,
    seconds: SECONDS,
    shiftMinutes: SLOT_MINUTES,
  });
}

/** The baseline: a bare Fastify 5 app in this process, one POST route answering 201 with `reply`. */
async function measureBaseline(reply: unknown, body: string): Promise<Measurement> {
  const app = Fastify({ logger: false });
  app.post('/baseline', async (_request, res) => res.status(201).send(reply));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await run(`${base}/baseline`, body);
  } finally {
    await app.close();
  }
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

function printTable(rows: Row[]): void {
  const header = ['engine', 'route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', '× baseline'];
  const cells = rows.map((r) => [
    r.engine,
    r.route,
    fmt(r.requestsPerSecond),
    fmt(r.p50, 1),
    fmt(r.p99, 1),
    String(r.non2xx),
    String(r.errors),
    r.ratio === null ? '1 (baseline)' : fmt(r.ratio, 3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => '| ' + c.map((v, i) => (i >= 2 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ') + ' |';
  log(line(header));
  log('|' + widths.map((w, i) => (i >= 2 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|');
  for (const c of cells) log(line(c));
}

async function main(): Promise<void> {
  log(
    `Cabinet ${VERSION} bench: ${CONNECTIONS} connections, ${SECONDS} s per route (after ${WARMUP_SECONDS} s of warm-up), Node ${process.version}, ${cpus().length} CPU(s).`,
  );
  const unknown = [...ONLY]
    .filter((p) => !(PARTS as readonly string[]).includes(p))
    .concat([...ENGINES].filter((e) => e !== 'sqlite' && e !== 'postgres'));
  if (unknown.length)
    throw new Error(
      `unknown BENCH_ONLY part or BENCH_ENGINES engine: ${unknown.join(', ')} (parts: ${PARTS.join(', ')}; engines: sqlite, postgres)`,
    );
  const engines: Engine[] = [];
  const notices: string[] = [];
  if (ENGINES.size === 0 || ENGINES.has('sqlite')) engines.push('sqlite');
  if (ENGINES.size === 0 || ENGINES.has('postgres')) {
    if (await isPostgresAvailable()) engines.push('postgres');
    else notices.push(`NOTICE PostgreSQL is not reachable at ${PG_ADMIN_URL}; its measurements are skipped (set CABINET_TEST_PG_URL).`);
  }
  if (ONLY.size) notices.push(`NOTICE only ${[...ONLY].join(', ')} (BENCH_ONLY)`);
  for (const n of notices) log(n);

  const rows: Row[] = [];
  let baseline: Row | null = null;
  let sample: { requestBytes: number; responseBytes: number; baselineResponseBytes: number } | null = null;

  for (const engine of wants('create') ? engines : []) {
    const db = await createTestDatabase(engine);
    const cabinet = await startCabinet(
      loadConfig({ DATABASE_URL: db.url, CABINET_BOOTSTRAP_TOKEN: TOKEN, CABINET_WEB_DIR: '/nonexistent', CABINET_GROUP_COMMIT: process.env.CABINET_GROUP_COMMIT ?? 'on' }),
    );
    try {
      const base = await cabinet.app.listen({ port: 0, host: '127.0.0.1' });
      const service = await call(base, 'POST', '/api/v1/services', { name: 'Payments', tier: 1, tags: ['pci'] });
      if (service.status !== 201) throw new Error(`[${engine}] creating the service answered ${service.status}: ${service.text}`);
      const ci = await call(base, 'POST', '/api/v1/cis', {
        name: 'pay-db-1',
        type: 'database',
        environment: 'production',
        serviceId: JSON.parse(service.text).id,
        criticality: 'critical',
        tags: ['pci'],
      });
      if (ci.status !== 201) throw new Error(`[${engine}] creating the CI answered ${ci.status}: ${ci.text}`);
      const body = JSON.stringify(changeBody(JSON.parse(ci.text).id));
      const first = await call(base, 'POST', '/api/v1/changes', JSON.parse(body));
      if (first.status !== 201) throw new Error(`[${engine}] creating a change answered ${first.status}: ${first.text}`);

      if (!baseline) {
        // The baseline answers a body the size and shape of a real change response, serialised per request.
        const reply = JSON.parse(first.text) as unknown;
        sample = {
          requestBytes: Buffer.byteLength(body),
          responseBytes: Buffer.byteLength(first.text),
          baselineResponseBytes: Buffer.byteLength(JSON.stringify(reply)),
        };
        const m = await measureBaseline(reply, body);
        baseline = { engine: 'none', route: 'POST bare Fastify (baseline)', ...m, ratio: null };
        rows.push(baseline);
      }

      const m = await run(`${base}/api/v1/changes`, body);
      rows.push({ engine, route: 'POST /api/v1/changes', ...m, ratio: m.requestsPerSecond / baseline.requestsPerSecond });
      const groups = cabinet.store.groupCommitStats();
      if (groups) log(`INFO [${engine}] group commit: ${groups.members} filings in ${groups.transactions} transactions (${groups.shared} shared)`);
    } finally {
      await cabinet.close();
      await db.drop();
    }
  }

  log();
  printTable(rows);
  log();
  if (sample)
    log(
      `Bodies: request ${sample.requestBytes} bytes; response ${sample.responseBytes} bytes from Cabinet, ${sample.baselineResponseBytes} from the baseline.`,
    );

  let failed = false;
  for (const r of rows) {
    const bad = r.errors + r.non2xx;
    if (bad > 0) {
      failed = true;
      log(
        `FAIL [${r.engine}] ${r.route}: ${r.non2xx} non-2xx response(s) and ${r.errors} error(s); status codes ${JSON.stringify(r.statusCodes)}`,
      );
    } else {
      log(`PASS [${r.engine}] ${r.route}: ${r.requests} requests, all 2xx, no errors`);
    }
    // Issue 10's budgets (DESIGN.md, "Budgets"): a share of the baseline's req/s and a p99, per engine.
    if (r.ratio !== null && r.engine !== 'none') {
      const share = CREATE_RATIO_BUDGET[r.engine];
      if (r.ratio >= share) log(`PASS [${r.engine}] ${r.route}: ${fmt(r.ratio, 4)} × baseline req/s meets the ${share} budget`);
      else {
        failed = true;
        log(`FAIL [${r.engine}] ${r.route}: ${fmt(r.ratio, 4)} × baseline req/s is under the ${share} budget`);
      }
      if (r.p99 < CREATE_P99_BUDGET_MS)
        log(`PASS [${r.engine}] ${r.route}: p99 ${fmt(r.p99, 1)} ms is within the ${CREATE_P99_BUDGET_MS} ms budget`);
      else {
        failed = true;
        log(`FAIL [${r.engine}] ${r.route}: p99 ${fmt(r.p99, 1)} ms is over the ${CREATE_P99_BUDGET_MS} ms budget`);
      }
    }
  }

  // Issue 3's budget: one change against a bundle of 200 rules, p99 under 1 ms.
  const policy: PolicyBenchResult | null = wants('policy') ? await benchPolicyEvaluation() : null;
  if (policy) {
    log();
    log(
      `Policy evaluation, ${policy.rules} rules, ${policy.iterations} runs: p50 ${fmt(policy.p50, 3)} ms, p99 ${fmt(policy.p99, 3)} ms ` +
        `(the same conditions as plain JavaScript: p50 ${fmt(policy.baselineP50, 4)} ms, p99 ${fmt(policy.baselineP99, 4)} ms)`,
    );
    if (policy.p99 < 1) log(`PASS policy evaluation p99 ${fmt(policy.p99, 3)} ms is within the 1 ms budget`);
    else {
      failed = true;
      log(`FAIL policy evaluation p99 ${fmt(policy.p99, 3)} ms is over the 1 ms budget`);
    }
  }

  // Issue 4's budgets: the conflict check (p50 under 10 ms, p99 under 50 ms) and the next-slot search (p99
  // under 100 ms) for 20 CIs against a year of schedule, on each engine.
  const schedule: ScheduleBenchResult[] = [];
  log();
  for (const engine of wants('schedule') ? engines : []) schedule.push(await benchSchedule(engine, log));
  for (const s of schedule) {
    const { check: c, baseline: b, nextSlots: n } = s;
    log();
    log(
      `Conflict check [${s.engine}], 20 CIs, ${c.runs} runs: p50 ${fmt(c.p50, 2)} ms, p99 ${fmt(c.p99, 2)} ms, ${fmt(c.meanConflicts, 1)} conflicts on average ` +
        `(reading the same rows: p50 ${fmt(b.p50, 2)} ms, p99 ${fmt(b.p99, 2)} ms)`,
    );
    const budgets: [string, number, number][] = [
      ['conflict check p50', c.p50, SCHEDULE_BUDGETS.checkP50],
      ['conflict check p99', c.p99, SCHEDULE_BUDGETS.checkP99],
      ['next-slot search p99', n.p99, SCHEDULE_BUDGETS.nextSlotsP99],
    ];
    log(
      `Next-slot search [${s.engine}], 20 CIs, 120 min, 90 days, 3 slots, ${n.runs} runs: p50 ${fmt(n.p50, 2)} ms, p99 ${fmt(n.p99, 2)} ms, ${fmt(n.meanSlots, 1)} slots found on average`,
    );
    for (const [what, ms, budget] of budgets) {
      if (ms < budget) log(`PASS [${s.engine}] ${what} ${fmt(ms, 2)} ms is within the ${budget} ms budget`);
      else {
        failed = true;
        log(`FAIL [${s.engine}] ${what} ${fmt(ms, 2)} ms is over the ${budget} ms budget`);
      }
    }
    log(
      `INFO [${s.engine}] conflict check: ${fmt(s.ratioP50, 1)} × the cost of reading the same rows at p50, ${fmt(s.ratioP99, 1)} × at p99 (no budget; recorded only)`,
    );
    const m = s.markers;
    log(
      `INFO [${s.engine}] list and calendar markers (related-CI pairs derived): a page of 50 p50 ${fmt(m.page50.p50, 0)} ms, of 500 p50 ${fmt(m.page500.p50, 0)} ms, ` +
        `a 30-day calendar of ${m.calendar.changes} changes p50 ${fmt(m.calendar.p50, 0)} ms (no budget; recorded only)`,
    );
  }

  // Issue 10's hot-CI budget: filing the 500th change that overlaps on one CI costs at most HOT_CI_BUDGET × filing
  // on a free CI (p50), on each engine.
  const hotCi: HotCiBenchResult[] = [];
  log();
  for (const engine of wants('hot-ci') ? engines : []) hotCi.push(await benchHotCi(engine, log));
  for (const r of hotCi) {
    log(
      `Filing on a hot CI [${r.engine}], ${r.hot.runs} runs after ${r.overlapping} overlapping changes: p50 ${fmt(r.hot.p50, 2)} ms, p99 ${fmt(r.hot.p99, 2)} ms ` +
        `(on a free CI: p50 ${fmt(r.free.p50, 2)} ms, p99 ${fmt(r.free.p99, 2)} ms); ${r.queued} follow-up item(s) queued for the worker`,
    );
    if (r.ratio <= HOT_CI_BUDGET)
      log(`PASS [${r.engine}] filing on a hot CI: ${fmt(r.ratio, 2)} × filing on a free CI (p50) is within the ${HOT_CI_BUDGET} × budget`);
    else {
      failed = true;
      log(`FAIL [${r.engine}] filing on a hot CI: ${fmt(r.ratio, 2)} × filing on a free CI (p50) is over the ${HOT_CI_BUDGET} × budget`);
    }
  }

  // Issue 14's gate budget: a repeated gate check on a target an authorised change covers, at CONNECTIONS
  // connections: at least GATE_RATIO_BUDGET of a bare route's req/s (measured just before it) and a p99 under
  // GATE_P99_BUDGET_MS, on each engine.
  const gate: GateBenchResult[] = [];
  log();
  for (const engine of wants('gate') ? engines : []) gate.push(await benchGate(engine, { connections: CONNECTIONS, seconds: SECONDS }));
  for (const g of gate) {
    log(
      `Gate check [${g.engine}], ${CONNECTIONS} connections: ${fmt(g.gate.requestsPerSecond)} req/s, p50 ${fmt(g.gate.p50, 1)} ms, p99 ${fmt(g.gate.p99, 1)} ms ` +
        `(bare route answering the same ${g.responseBytes} bytes: ${fmt(g.baseline.requestsPerSecond)} req/s, p99 ${fmt(g.baseline.p99, 1)} ms)`,
    );
    const bad = g.gate.errors + g.gate.non2xx;
    if (bad > 0) {
      failed = true;
      log(`FAIL [${g.engine}] gate check: ${g.gate.non2xx} non-2xx response(s) and ${g.gate.errors} error(s); status codes ${JSON.stringify(g.gate.statusCodes)}`);
    }
    if (g.ratio >= GATE_RATIO_BUDGET) log(`PASS [${g.engine}] gate check: ${fmt(g.ratio, 3)} × the bare route's req/s meets the ${GATE_RATIO_BUDGET} budget`);
    else {
      failed = true;
      log(`FAIL [${g.engine}] gate check: ${fmt(g.ratio, 3)} × the bare route's req/s is under the ${GATE_RATIO_BUDGET} budget`);
    }
    if (g.gate.p99 < GATE_P99_BUDGET_MS) log(`PASS [${g.engine}] gate check: p99 ${fmt(g.gate.p99, 1)} ms is within the ${GATE_P99_BUDGET_MS} ms budget`);
    else {
      failed = true;
      log(`FAIL [${g.engine}] gate check: p99 ${fmt(g.gate.p99, 1)} ms is over the ${GATE_P99_BUDGET_MS} ms budget`);
    }
  }

  // Issue 14's DORA budget: the four keys for one service over a year of 100k deployments and 10k incidents
  // under DORA_BUDGET_MS (the slowest of the timed runs), on each engine.
  const dora: DoraBenchResult[] = [];
  log();
  for (const engine of wants('dora') ? engines : []) dora.push(await benchDora(engine, log));
  for (const d of dora) {
    log(`DORA [${d.engine}], one service, a year: p50 ${fmt(d.p50, 1)} ms, p99 ${fmt(d.p99, 1)} ms, max ${fmt(d.max, 1)} ms`);
    if (d.max < DORA_BUDGET_MS) log(`PASS [${d.engine}] DORA: ${fmt(d.max, 1)} ms is within the ${DORA_BUDGET_MS} ms budget`);
    else {
      failed = true;
      log(`FAIL [${d.engine}] DORA: ${fmt(d.max, 1)} ms is over the ${DORA_BUDGET_MS} ms budget`);
    }
  }

  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        version: VERSION,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? null,
        connections: CONNECTIONS,
        seconds: SECONDS,
        notices,
        sample,
        rows,
        policy,
        schedule,
        hotCi,
        gate,
        dora,
        ok: !failed,
      },
      null,
      2,
    ) + '\n',
  );
  log(`Results written to ${path.relative(process.cwd(), RESULTS) || RESULTS}.`);
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
