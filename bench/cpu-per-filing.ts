// `node --import tsx bench/cpu-per-filing.ts [sqlite|postgres] [filings]`: what one filing costs in CPU, measured
// with counters that other work on the machine does not move (bench/README.md, "Why change creation is far below
// the baseline"): the server's CPU (`process.cpuUsage`) and, on PostgreSQL, the CPU of the database's backends
// (`/proc/PID/stat`), each divided by the number of filings. Wall-clock numbers on a shared machine are noise.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startCabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { createTestDatabase, type EngineName } from '../test/support/databases';

const TOKEN = `cab_bench_${randomBytes(16).toString('hex')}`;
const CONNECTIONS = 10;
const TICKS_PER_SECOND = 100;

/** User + system CPU in ms of the PostgreSQL backends serving `database`, from /proc (Linux only). */
async function backendCpuMs(admin: pg.Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
    database,
  ]);
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      // Fields 14 and 15 (utime, stime) after the command name in parentheses.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The backend ended between the two reads.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

async function main(): Promise<void> {
  const engine = (process.argv[2] ?? 'sqlite') as EngineName;
  const filings = Number(process.argv[3] ?? 2000);
  const db = await createTestDatabase(engine);
  const cabinet = await startCabinet(loadConfig({ DATABASE_URL: db.url, CABINET_BOOTSTRAP_TOKEN: TOKEN, CABINET_WEB_DIR: '/nonexistent', CABINET_GROUP_COMMIT: process.env.CABINET_GROUP_COMMIT ?? 'on' }));
  const admin = engine === 'postgres' ? new pg.Client({ connectionString: db.url }) : null;
  await admin?.connect();
  const database = engine === 'postgres' ? new URL(db.url).pathname.slice(1) : '';
  try {
    await cabinet.worker.stop();
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const post = async (url: string, payload: unknown) => {
      const res = await cabinet.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
      if (res.statusCode !== 201) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`);
      return res.json<{ id: string }>();
    };
    const service = await post('/api/v1/services', { name: 'Payments', tier: 1, tags: ['pci'] });
    const ci = await post('/api/v1/cis', {
      name: 'pay-db-1',
      type: 'database',
      environment: 'production',
      serviceId: service.id,
      criticality: 'critical',
      tags: ['pci'],
    });
    let slot = 0;
    const file = () => {
      const start = Date.parse('2027-03-07T01:00:00Z') + slot++ * 3 * 3600_000;
      return post('/api/v1/changes', {
        type: 'normal',
        title: 'Upgrade the payments database to PostgreSQL 16',
        description: 'Upgrade the primary and both replicas with pg_upgrade --link during the Sunday window.',
        justification: 'PostgreSQL 15 leaves community support next year.',
        ciIds: [ci.id],
        plannedStart: new Date(start).toISOString(),
        plannedEnd: new Date(start + 2 * 3600_000).toISOString(),
        implementationPlan: 'Stop writers, pg_upgrade --link, analyze, start writers.',
        testPlan: 'Run the payments smoke suite.',
        backoutPlan: 'Fail over to the untouched replica.',
        impact: 'high',
        urgency: 'medium',
      });
    };
    const burst = async (n: number) => {
      let left = n;
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (left-- > 0) await file();
        }),
      );
    };
    await burst(300); // warm-up: JIT, prepared statements, caches
    const cpuBefore = process.cpuUsage();
    const pgBefore = admin ? await backendCpuMs(admin, database) : 0;
    await burst(filings);
    const cpu = process.cpuUsage(cpuBefore);
    const pgAfter = admin ? await backendCpuMs(admin, database) : 0;
    const serverMs = (cpu.user + cpu.system) / 1000 / filings;
    const pgMs = (pgAfter - pgBefore) / filings;
    process.stdout.write(`${JSON.stringify(cabinet.store.groupCommitStats())}\n`);
    process.stdout.write(
      `[${engine}] ${filings} filings, ${CONNECTIONS} at a time: server CPU ${serverMs.toFixed(3)} ms/filing` +
        (admin ? `, PostgreSQL backends ${pgMs.toFixed(3)} ms/filing, together ${(serverMs + pgMs).toFixed(3)} ms` : '') +
        '\n',
    );
  } finally {
    await admin?.end();
    await cabinet.close();
    await db.drop();
  }
}

await main();
