// Issue 4's budgets: the conflict check and the next-slot search against a schedule of realistic size.
// See bench/README.md ("Conflict check and next-slot search").
import { performance } from 'node:perf_hooks';
import { sql, type InsertObject, type Kysely } from 'kysely';
import { startCabinet, type Cabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import type { DialectHelpers } from '../src/db/dialect';
import { postgresHelpers } from '../src/db/dialect/postgres';
import { sqliteHelpers } from '../src/db/dialect/sqlite';
import type { DB } from '../src/db/schema';
import { formatChangeNumber } from '../src/domain/change/priority';
import { finalStatesOf } from '../src/services/policy.service';
import { createTestDatabase, type EngineName } from '../test/support/databases';

/** Issue 4: the conflict check of a change with 20 CIs, and the next-slot search for 20 CIs (milliseconds). */
export const SCHEDULE_BUDGETS = { checkP50: 10, checkP99: 50, nextSlotsP99: 100 } as const;

const SIZE = {
  services: 500,
  cis: 50_000,
  relations: 200_000,
  changes: 100_000,
  users: 200,
  probes: 50,
  probeCis: 20,
};
/** Every how many services one requires its changes inside a maintenance window (20 of 500). */
const REQUIRING_EVERY = 25;
const CHECK_WARMUP = 50;
const CHECK_RUNS = 250;
const SLOT_WARMUP = 20;
const SLOT_RUNS = 120;
const MARKER_WARMUP = 1;
const MARKER_RUNS = 5;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Rows per INSERT, kept under SQLite's 32,766 bound parameters for the widest table. */
const BATCH_PARAMS = 30_000;

export interface Percentiles {
  runs: number;
  p50: number;
  p99: number;
  mean: number;
}

export interface ScheduleBenchResult {
  engine: EngineName;
  seed: { services: number; requiringServices: number; cis: number; relations: number; changes: number; changeCis: number; windows: number; probes: number; seconds: number };
  /** `schedule.check` of a probe change with 20 CIs and a 2 h interval. */
  check: Percentiles & { meanConflicts: number };
  /** The probe's change_cis rows and the open changes overlapping it on its 20 CIs: two plain SELECTs. */
  baseline: Percentiles & { meanRows: number };
  /** check ÷ baseline, at p50 and at p99 (recorded, no budget). */
  ratioP50: number;
  ratioP99: number;
  /** `schedule.nextSlots` for a probe's 20 CIs, 120 minutes, 90 days ahead, limit 3. */
  nextSlots: Percentiles & { meanSlots: number };
  /**
   * The list and calendar markers (`schedule.openConflictCounts`, related-CI pairs derived as the Conflicts tab
   * derives them): the change list's first page of 50 and of 500, and a 30-day calendar (at most 2,000 changes).
   * Recorded, no budget.
   */
  markers: { page50: Percentiles; page500: Percentiles; calendar: Percentiles & { changes: number } };
}

/** A small seeded generator (mulberry32), so every run seeds the same schedule and runs compare. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const summarise = (samples: number[]): Percentiles => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { runs: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), mean: sorted.reduce((s, x) => s + x, 0) / sorted.length };
};

/** Multi-row INSERTs of as many rows as the bound-parameter limit allows (at most 1,000). */
async function insertAll<T extends keyof DB & string>(db: Kysely<DB>, table: T, rows: InsertObject<DB, T>[]): Promise<void> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.min(1000, Math.floor(BATCH_PARAMS / Object.keys(rows[0]!).length)));
  for (let i = 0; i < rows.length; i += size) await db.insertInto(table).values(rows.slice(i, i + size)).execute();
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** "YYYY-MM-DDTHH:mm" of a UTC instant, as a window's local start. */
const localStart = (ms: number) => new Date(ms).toISOString().slice(0, 16);

export interface Seeded {
  probeIds: string[];
  seed: ScheduleBenchResult['seed'];
}

/**
 * Seeds the schedule straight through Kysely in one transaction: services, CIs, relations, users, open
 * planned changes with their CIs, the probe changes and the windows. Every NOT NULL column is filled the way
 * the repositories write it (JSON and booleans through the engine's helpers).
 */
export async function seedSchedule(db: Kysely<DB>, h: DialectHelpers, policyVersion: number, now: number): Promise<Seeded> {
  const started = performance.now();
  const rand = random(4);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const int = (n: number) => Math.floor(rand() * n);
  const at = new Date(now).toISOString();
  const base = Math.ceil(now / HOUR) * HOUR;
  const json = (v: unknown) => h.writeJson(v);

  // Ids shaped like the random UUIDs Cabinet gives out (index sizes and row widths as in production), from
  // their own generator so the rest of the seed does not depend on how many were drawn.
  const idRand = random(7);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(idRand() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(idRand() * 4)]}${hex(3)}-${hex(12)}`;
  const serviceIds = Array.from({ length: SIZE.services }, uuid);
  const ciIds = Array.from({ length: SIZE.cis }, uuid);
  const userIds = Array.from({ length: SIZE.users }, uuid);
  const changeIds = Array.from({ length: SIZE.changes + SIZE.probes + 1 }, uuid);
  const requiring = serviceIds.filter((_, i) => i % REQUIRING_EVERY === 0);
  const probeIds: string[] = [];
  let changeCis = 0;
  let windows = 0;

  await db.transaction().execute(async (trx) => {
    await insertAll(
      trx,
      'users',
      userIds.map((id, i) => ({ id, email: `bench-user-${pad(i, 4)}@bench.example`, name: `Bench User ${i}`, password_hash: null, disabled: h.writeBool(false), created_at: at, updated_at: at })),
    );
    await insertAll(
      trx,
      'services',
      serviceIds.map((id, i) => ({
        id,
        name: `Bench service ${pad(i, 4)}`,
        description: '',
        tier: 1 + (i % 4),
        owner_team_id: null,
        tags: json(i % 10 === 0 ? ['pci'] : []),
        provider: pick(['on_premises', 'aws', 'azure', 'gcp']),
        requires_maintenance_window: h.writeBool(i % REQUIRING_EVERY === 0),
        version: 1,
        created_at: at,
        updated_at: at,
      })),
    );
    await insertAll(
      trx,
      'cis',
      ciIds.map((id, i) => ({
        id,
        name: `bench-ci-${pad(i, 6)}`,
        type: pick(['server', 'database', 'application', 'network', 'storage']),
        environment: rand() < 0.7 ? 'production' : pick(['staging', 'test', 'development']),
        service_id: serviceIds[i % SIZE.services]!,
        owner_team_id: null,
        criticality: pick(['low', 'medium', 'high', 'critical']),
        tags: json(rand() < 0.05 ? ['pci'] : []),
        attributes: json({}),
        version: 1,
        created_at: at,
        updated_at: at,
      })),
    );

    // Relations between random CIs: no self-relations, (from, to, type) unique.
    const types = ['depends_on', 'runs_on', 'connects_to'] as const;
    const seen = new Set<number>();
    const relations: InsertObject<DB, 'ci_relations'>[] = [];
    while (relations.length < SIZE.relations) {
      const from = int(SIZE.cis);
      const to = int(SIZE.cis);
      const type = int(types.length);
      const key = (from * SIZE.cis + to) * types.length + type;
      if (from === to || seen.has(key)) continue;
      seen.add(key);
      relations.push({ id: uuid(), from_ci_id: ciIds[from]!, to_ci_id: ciIds[to]!, type: types[type]!, created_at: at });
    }
    await insertAll(trx, 'ci_relations', relations);

    // Open planned changes over the next year: 1 to 4 hours on a quarter hour, 1 to 5 CIs, ~200 implementers.
    const changeId = (seq: number) => changeIds[seq]!;
    const changeRow = (seq: number, start: number, end: number, state: string, implementer: string): InsertObject<DB, 'changes'> => ({
      id: changeId(seq),
      number: formatChangeNumber(seq),
      seq,
      type: 'normal',
      state,
      title: `Bench change ${seq}`,
      description: 'Seeded by the benchmark.',
      justification: 'Benchmark.',
      requester_id: userIds[0]!,
      owner_id: null,
      assignment_team_id: null,
      change_manager_id: null,
      implementer_id: implementer,
      planned_start: new Date(start).toISOString(),
      planned_end: new Date(end).toISOString(),
      actual_start: null,
      actual_end: null,
      implementation_plan: 'Apply.',
      test_plan: 'Test.',
      backout_plan: 'Revert.',
      impact: 'medium',
      urgency: 'medium',
      priority: 3,
      close_code: null,
      close_notes: '',
      links: json([]),
      backout_tested: h.writeBool(false),
      policy_version: policyVersion,
      routing: null,
      review_required: h.writeBool(false),
      hold_window_id: null,
      hold_until: null,
      version: 1,
      created_at: at,
      updated_at: at,
    });
    const quarter = 15 * MINUTE;
    const randomStart = () => base + HOUR + Math.floor((rand() * 364 * DAY) / quarter) * quarter;
    const distinctCis = (n: number) => {
      const set = new Set<string>();
      while (set.size < n) set.add(ciIds[int(SIZE.cis)]!);
      return [...set];
    };
    const changes: InsertObject<DB, 'changes'>[] = [];
    const links: InsertObject<DB, 'change_cis'>[] = [];
    for (let seq = 1; seq <= SIZE.changes; seq++) {
      const start = randomStart();
      const row = changeRow(seq, start, start + HOUR + int(13) * quarter, rand() < 0.6 ? 'scheduled' : pick(['assess', 'authorize']), pick(userIds));
      changes.push(row);
      for (const ci of distinctCis(1 + int(5))) links.push({ change_id: changeId(seq), ci_id: ci });
    }
    // The probes: 20 random CIs, 2 hours at a random time in the year, filed but not yet authorised.
    for (let p = 1; p <= SIZE.probes; p++) {
      const seq = SIZE.changes + p;
      const start = randomStart();
      const row = changeRow(seq, start, start + 2 * HOUR, 'assess', pick(userIds));
      changes.push(row);
      probeIds.push(changeId(seq));
      for (const ci of distinctCis(SIZE.probeCis)) links.push({ change_id: changeId(seq), ci_id: ci });
    }
    await insertAll(trx, 'changes', changes);
    await insertAll(trx, 'change_cis', links);
    changeCis = links.length;
    await trx.updateTable('counters').set({ value: SIZE.changes + SIZE.probes }).where('name', '=', 'change').execute();

    // Windows defined two years ago: a global year-end freeze, a PCI audit freeze this year, and a weekly
    // Saturday-night maintenance window for each service that requires one (and for a few that do not).
    const twoYearsAgo = base - 730 * DAY;
    const year = new Date(twoYearsAgo).getUTCFullYear();
    const win = (id: string, name: string, kind: string, start: string, timeZone: string, minutes: number, rrule: string | null, scope: unknown): InsertObject<DB, 'windows'> => ({
      id,
      name,
      kind,
      description: '',
      start_local: start,
      time_zone: timeZone,
      duration_minutes: minutes,
      rrule,
      scope: json(scope),
      urgent: h.writeBool(false),
      version: 1,
      created_by: userIds[0]!,
      created_at: at,
      updated_at: at,
      source_uid: null,
    });
    const rows = [
      win(uuid(), 'Year-end freeze', 'freeze', `${year}-12-15T00:00`, 'Europe/London', 21 * 24 * 60, 'FREQ=YEARLY', { global: true }),
      win(uuid(), 'PCI audit freeze', 'freeze', localStart(base + 150 * DAY).slice(0, 11) + '00:00', 'UTC', 7 * 24 * 60, null, { tags: ['pci'] }),
    ];
    const zones = ['UTC', 'Europe/London', 'Europe/Berlin'];
    const maintained = [...requiring, ...serviceIds.filter((_, i) => i % REQUIRING_EVERY === 7).slice(0, 10)];
    for (const [i, serviceId] of maintained.entries()) {
      rows.push(win(uuid(), `Maintenance ${i}`, 'maintenance', `${localStart(twoYearsAgo).slice(0, 11)}${pad(20 + (i % 3), 2)}:00`, zones[i % zones.length]!, 6 * 60, 'FREQ=WEEKLY;BYDAY=SA', { serviceIds: [serviceId] }));
    }
    await insertAll(trx, 'windows', rows);
    windows = rows.length;
  });
  return {
    probeIds,
    seed: {
      services: SIZE.services,
      requiringServices: requiring.length,
      cis: SIZE.cis,
      relations: SIZE.relations,
      changes: SIZE.changes,
      changeCis,
      windows,
      probes: SIZE.probes,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

/**
 * Seeds a fresh database of the engine with a year of schedule (50,000 CIs in 500 services, 200,000
 * relations, 100,000 open changes) and times, on a real Cabinet:
 * - `schedule.check` for 50 probe changes with 20 CIs each, and beside each run the baseline: the two plain
 *   SELECTs that read the probe's change_cis rows and the open changes overlapping it on those CIs;
 * - `schedule.nextSlots` for a probe's 20 CIs, 120 minutes, 90 days ahead, limit 3.
 */
export async function benchSchedule(engine: EngineName, log: (line: string) => void): Promise<ScheduleBenchResult> {
  const database = await createTestDatabase(engine);
  let cabinet: Cabinet | null = null;
  try {
    cabinet = await startCabinet(loadConfig({ DATABASE_URL: database.url, CABINET_WEB_DIR: '/nonexistent' }));
    const { store, services } = cabinet;
    const db = store.kysely;
    const h = store.dialect === 'postgres' ? postgresHelpers : sqliteHelpers;
    const active = await services.policy.active();
    const finalStates = finalStatesOf(active);
    const { probeIds, seed: seeded } = await seedSchedule(db, h, active.number, Date.now());
    // NOTE: on PostgreSQL, what autovacuum does within a minute or two of a bulk load (statistics for the
    // planner, the visibility map for index-only scans). SQLite gets no ANALYZE: Cabinet never runs one, so
    // its planner works without statistics, as on a real installation.
    if (engine === 'postgres') await sql`vacuum analyze`.execute(db);
    log(
      `[${engine}] seeded ${seeded.cis} CIs in ${seeded.services} services (${seeded.requiringServices} requiring maintenance windows), ${seeded.relations} relations, ` +
        `${seeded.changes} open changes with ${seeded.changeCis} CI links, ${seeded.windows} windows, ${seeded.probes} probes in ${seeded.seconds.toFixed(1)} s`,
    );

    const probes = await store.repos.changes.findManyByIds(probeIds);
    if (probes.length !== probeIds.length || probes.some((p) => p.ciIds.length !== SIZE.probeCis)) throw new Error(`[${engine}] the probe changes were not seeded as expected`);

    /** The cost of reading the same rows: the probe's CIs, then the open changes overlapping it on them. */
    const readRows = async (probe: (typeof probes)[number]): Promise<number> => {
      const own = await db.selectFrom('change_cis').select('ci_id').where('change_id', '=', probe.id).execute();
      let q = db
        .selectFrom('change_cis')
        .innerJoin('changes', 'changes.id', 'change_cis.change_id')
        .select(['change_cis.change_id', 'change_cis.ci_id', 'changes.planned_start', 'changes.planned_end', 'changes.implementer_id', 'changes.state'])
        .where('change_cis.ci_id', 'in', own.map((r) => r.ci_id))
        .where('changes.planned_start', '<', probe.plannedEnd!)
        .where('changes.planned_end', '>', probe.plannedStart!)
        .where('changes.id', '!=', probe.id);
      if (finalStates.length) q = q.where('changes.state', 'not in', finalStates);
      return own.length + (await q.execute()).length;
    };

    const checkTimes: number[] = [];
    const baseTimes: number[] = [];
    let conflicts = 0;
    let rowsRead = 0;
    for (let i = 0; i < CHECK_WARMUP + CHECK_RUNS; i++) {
      const probe = probes[i % probes.length]!;
      let t = performance.now();
      const found = await services.schedule.check(store.repos, probe, active);
      const checkMs = performance.now() - t;
      t = performance.now();
      const rows = await readRows(probe);
      const baseMs = performance.now() - t;
      if (i < CHECK_WARMUP) continue;
      checkTimes.push(checkMs);
      baseTimes.push(baseMs);
      conflicts += found.length;
      rowsRead += rows;
    }

    const slotTimes: number[] = [];
    let slots = 0;
    for (let i = 0; i < SLOT_WARMUP + SLOT_RUNS; i++) {
      const probe = probes[i % probes.length]!;
      const t = performance.now();
      const found = await services.schedule.nextSlots(
        store.repos,
        { ciIds: probe.ciIds, durationMinutes: 120, limit: 3, excludeChangeId: probe.id, implementerId: probe.implementerId ?? undefined },
        active,
      );
      const ms = performance.now() - t;
      if (i < SLOT_WARMUP) continue;
      slotTimes.push(ms);
      slots += found.slots.length;
    }

    const markersOf = async (ids: string[]): Promise<Percentiles> => {
      const times: number[] = [];
      for (let i = 0; i < MARKER_WARMUP + MARKER_RUNS; i++) {
        const t = performance.now();
        await services.schedule.openConflictCounts(ids, active);
        if (i >= MARKER_WARMUP) times.push(performance.now() - t);
      }
      return summarise(times);
    };
    const newest = (await store.repos.changes.list({ limit: 500 })).map((c) => c.id);
    const from = new Date(Date.now() + 30 * DAY).toISOString();
    const month = (await store.repos.changes.list({ limit: 2000, plannedFrom: from, plannedTo: new Date(Date.parse(from) + 30 * DAY).toISOString() })).map((c) => c.id);
    const markers = { page50: await markersOf(newest.slice(0, 50)), page500: await markersOf(newest), calendar: { ...(await markersOf(month)), changes: month.length } };

    const check = summarise(checkTimes);
    const baseline = summarise(baseTimes);
    return {
      engine,
      seed: seeded,
      check: { ...check, meanConflicts: conflicts / CHECK_RUNS },
      baseline: { ...baseline, meanRows: rowsRead / CHECK_RUNS },
      ratioP50: check.p50 / baseline.p50,
      ratioP99: check.p99 / baseline.p99,
      nextSlots: { ...summarise(slotTimes), meanSlots: slots / SLOT_RUNS },
      markers,
    };
  } finally {
    await cabinet?.close();
    await database.drop();
  }
}
