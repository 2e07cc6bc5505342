import { sql, type ExpressionBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { DeploymentShape, DeploymentSource, DeploymentStatus } from '../../contracts/deployments';
import type { DialectHelpers } from '../dialect';
import type { DB, DeploymentsTable, IncidentsTable, UnauthorizedChangesTable } from '../schema';
import { FAILED_CLOSE_CODES } from './change.repository';

/** A pull request a deployment shipped, as stored. */
export interface DeploymentPullRequestRecord {
  number: number;
  url: string | null;
  title: string | null;
  author: string | null;
  firstCommitAt: string | null;
  mergedAt: string | null;
  leadSeconds: number | null;
}

export type Coverage = 'covered' | 'unauthorized' | 'not_production';

/** A deployment as stored. */
export interface DeploymentRecord {
  id: string;
  source: DeploymentSource;
  externalId: string | null;
  shape: DeploymentShape;
  serviceId: string | null;
  ciIds: string[];
  environment: string;
  production: boolean;
  repository: string;
  ref: string | null;
  sha: string;
  url: string | null;
  pipeline: { id: string; runId: string; attempt: number; url: string | null } | null;
  actor: string | null;
  status: DeploymentStatus;
  result: 'success' | 'failure' | null;
  startedAt: string;
  finishedAt: string | null;
  changeId: string | null;
  changeLink: 'explicit' | 'gate' | null;
  coverage: Coverage | null;
  pullRequests: DeploymentPullRequestRecord[];
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeploymentFilter {
  serviceId?: string;
  ciId?: string;
  environment?: string;
  changeId?: string;
  status?: string;
  production?: boolean;
  ids?: string[];
  from?: string;
  to?: string;
  /** Keyset: deployments strictly after this one in the order newest started first, then id descending. */
  after?: { startedAt: string; id: string };
  limit: number;
}

export const UNAUTHORIZED_STATES = ['open', 'closed'] as const;
export type UnauthorizedState = (typeof UNAUTHORIZED_STATES)[number];

/** An unauthorized change and its review, as stored. */
export interface UnauthorizedRecord {
  id: string;
  number: string;
  state: UnauthorizedState;
  scopeKey: string;
  serviceId: string | null;
  ciId: string | null;
  repository: string;
  environment: string;
  firstSeenAt: string;
  lastSeenAt: string;
  quietUntil: string;
  deploymentCount: number;
  cause: string | null;
  causeText: string;
  fixKind: string | null;
  fixText: string;
  fixLinkKind: string | null;
  fixLinkId: string | null;
  outcome: string | null;
  authorisedChangeId: string | null;
  notes: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Which deployments a DORA figure is over: services (none: every one), an environment (none: production), a period. */
export interface DoraScope {
  serviceIds: string[] | null;
  environment: string | null;
  from: string;
  to: string;
}

/** A failed deployment (by its result or its change's close code), with the next success after it (migration 0040). */
export interface FailureRow {
  deploymentId: string;
  /** Instants in milliseconds since 1970: read once, compared and subtracted as numbers. */
  finishedMs: number;
  nextSuccessMs: number | null;
}

/** An incident linked to a finished deployment: explicitly, through the deployment's change, or inferred. */
export interface IncidentLinkRow {
  deploymentId: string;
  finishedMs: number;
  incidentId: string;
  resolvedMs: number | null;
}

/** Finished deployments of a UTC day (days since 1970): all of them, and the successful ones. */
export interface DailyCountRow {
  day: number;
  total: number;
  successes: number;
}

/** The lead times (seconds) counted on a UTC day, and how many deployments they came with. */
export interface LeadTimeDayRow {
  day: number;
  seconds: Float64Array;
  deployments: number;
}

const CHUNK = 500;
const DAY_MS = 86_400_000;
const COUNTER = 'unauthorized_change';
const NUMBER_DIGITS = 7;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The UTC day an instant falls on, as days since 1970-01-01. */
export const dayOf = (iso: string): number => Math.floor(Date.parse(iso) / DAY_MS);

/** An instant as read (an ISO string from SQLite, a Date from PostgreSQL) in milliseconds since 1970, parsed once. */
const msOf = (value: unknown): number => (value instanceof Date ? value.getTime() : Date.parse(String(value)));
const msOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : msOf(value));

/** What DORA's rollups need to know of a deployment written, before and after the write. */
interface DoraPoint {
  id: string;
  serviceId: string | null;
  repository: string;
  environment: string;
  production: number;
  status: string;
  /** As stored or about to be (a Date from PostgreSQL, passed back as it came). */
  finishedAt: unknown;
  day: number | null;
  /** Counted by DORA: finished as a success or a failure. */
  finished: boolean;
}
const POINT_COLUMNS = ['id', 'service_id', 'repository', 'environment', 'production', 'status', 'finished_at', 'finished_day'] as const;
const pointOf = (r: Pick<DeploymentsTable, (typeof POINT_COLUMNS)[number]>): DoraPoint => ({
  id: r.id,
  serviceId: r.service_id,
  repository: r.repository,
  environment: r.environment,
  production: Number(r.production),
  status: r.status,
  finishedAt: r.finished_at,
  day: r.finished_day === null ? null : Number(r.finished_day),
  finished: (r.status === 'success' || r.status === 'failure') && r.finished_at !== null,
});

/** A row of `deployment_days`: `serviceId` is `''` for deployments of no service. */
interface DayKey {
  serviceId: string;
  environment: string;
  production: number;
  day: number;
}

/** The first key of PostgreSQL's two-key advisory locks taken for DORA's rollups (the second: a key's hash). */
const DORA_LOCK_CLASS = 37;
/** A 32-bit FNV-1a hash, signed (an advisory lock's key is an int4); computed here so locks are taken in one order. */
function lockHash(key: string): number {
  let x = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) x = Math.imul(x ^ key.charCodeAt(i), 0x01000193);
  return x | 0;
}

/**
 * Comma-joined whole numbers (the lead times of a day, as the rollup keeps them) appended to `out` from `at`,
 * without a string per number. Returns the next free index.
 */
function parseJoined(text: string, out: Float64Array, at: number): number {
  let i = at;
  let n = 0;
  let digits = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 44) {
      if (digits) out[i++] = n;
      n = 0;
      digits = false;
    } else {
      n = n * 10 + (c - 48);
      digits = true;
    }
  }
  if (digits) out[i++] = n;
  return i;
}
/** How many numbers a comma-joined list holds. */
function countJoined(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let k = text.indexOf(','); k !== -1; k = text.indexOf(',', k + 1)) n++;
  return n;
}

/** Deployments, their CIs, pull requests and incidents; unauthorized changes; and the reads behind DORA. */
export function createDeploymentRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRow = (d: DeploymentRecord): DeploymentsTable => ({
    id: d.id,
    source: d.source,
    external_id: d.externalId,
    shape: d.shape,
    service_id: d.serviceId,
    environment: d.environment,
    production: d.production ? 1 : 0,
    repository: d.repository,
    ref: d.ref,
    sha: d.sha,
    url: d.url,
    pipeline_id: d.pipeline?.id ?? null,
    pipeline_run_id: d.pipeline?.runId ?? null,
    pipeline_attempt: d.pipeline?.attempt ?? null,
    pipeline_url: d.pipeline?.url ?? null,
    actor: d.actor,
    status: d.status,
    result: d.result,
    started_at: d.startedAt,
    finished_at: d.finishedAt,
    finished_day: d.finishedAt ? dayOf(d.finishedAt) : null,
    change_id: d.changeId,
    change_link: d.changeLink,
    coverage: d.coverage,
    version: d.version,
    created_by: d.createdBy,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  });

  async function hydrate(rows: DeploymentsTable[]): Promise<DeploymentRecord[]> {
    const ids = rows.map((r) => r.id);
    const cis = new Map<string, string[]>();
    const prs = new Map<string, DeploymentPullRequestRecord[]>();
    for (const chunk of chunks(ids, CHUNK)) {
      for (const r of await db.selectFrom('deployment_cis').selectAll().where('deployment_id', 'in', chunk).orderBy('ci_id').execute()) {
        cis.set(r.deployment_id, [...(cis.get(r.deployment_id) ?? []), r.ci_id]);
      }
      for (const r of await db.selectFrom('deployment_pull_requests').selectAll().where('deployment_id', 'in', chunk).orderBy('number').execute()) {
        prs.set(r.deployment_id, [
          ...(prs.get(r.deployment_id) ?? []),
          {
            number: r.number,
            url: r.url,
            title: r.title,
            author: r.author,
            firstCommitAt: h.readInstant(r.first_commit_at),
            mergedAt: h.readInstant(r.merged_at),
            leadSeconds: r.lead_seconds === null ? null : Number(r.lead_seconds),
          },
        ]);
      }
    }
    return rows.map((r) => ({
      id: r.id,
      source: r.source as DeploymentSource,
      externalId: r.external_id,
      shape: r.shape as DeploymentShape,
      serviceId: r.service_id,
      ciIds: cis.get(r.id) ?? [],
      environment: r.environment,
      production: Number(r.production) === 1,
      repository: r.repository,
      ref: r.ref,
      sha: r.sha,
      url: r.url,
      pipeline: r.pipeline_id && r.pipeline_run_id ? { id: r.pipeline_id, runId: r.pipeline_run_id, attempt: Number(r.pipeline_attempt ?? 1), url: r.pipeline_url } : null,
      actor: r.actor,
      status: r.status as DeploymentStatus,
      result: r.result as DeploymentRecord['result'],
      startedAt: h.readInstant(r.started_at)!,
      finishedAt: h.readInstant(r.finished_at),
      changeId: r.change_id,
      changeLink: r.change_link as DeploymentRecord['changeLink'],
      coverage: r.coverage as Coverage | null,
      pullRequests: prs.get(r.id) ?? [],
      version: r.version,
      createdBy: r.created_by,
      createdAt: h.readInstant(r.created_at)!,
      updatedAt: h.readInstant(r.updated_at)!,
    }));
  }

  /**
   * The next success after a deployment (alias `d`), kept on write (migration 0040). NOTE (speed): a lookup by id
   * per failure; as a join, PostgreSQL would hash every deployment's row to meet a few thousand failures.
   */
  const nextSuccessOf = (eb: ExpressionBuilder<DB & { d: DeploymentsTable }, 'd'>) =>
    eb.selectFrom('deployment_next_successes as n').select('n.next_success_at').whereRef('n.deployment_id', '=', 'd.id').as('next_success_at');

  /** A day's counted lead times (alias `p`), joined by commas. */
  const joinedLeads = h.name === 'postgres' ? sql<string>`string_agg(cast(p.lead_seconds as text), ',')` : sql<string>`group_concat(p.lead_seconds, ',')`;

  /** A pull request at a service and environment: the rows among which one is its first deployment (migration 0035). */
  const firstKeyOf = (repository: string, number: number, serviceId: string | null, environment: string) =>
    `${repository.toLowerCase()}#${number}#${serviceId ?? ''}#${environment}`;

  /** Replaces the CIs and pull requests of `d`, then DORA's rollups; a pull request's lead time and finish count only once it deployed successfully. */
  async function writeChildren(d: DeploymentRecord, stored: DoraPoint | null): Promise<void> {
    const before = await db.selectFrom('deployment_pull_requests').select('first_key').where('deployment_id', '=', d.id).execute();
    await db.deleteFrom('deployment_cis').where('deployment_id', '=', d.id).execute();
    await db.deleteFrom('deployment_pull_requests').where('deployment_id', '=', d.id).execute();
    if (d.ciIds.length > 0) await db.insertInto('deployment_cis').values(d.ciIds.map((ci_id) => ({ deployment_id: d.id, ci_id }))).execute();
    const done = d.status === 'success' && d.finishedAt !== null;
    if (d.pullRequests.length > 0) {
      await db
        .insertInto('deployment_pull_requests')
        .values(
          d.pullRequests.map((p) => ({
            deployment_id: d.id,
            number: p.number,
            repository: d.repository,
            url: p.url,
            title: p.title,
            author: p.author,
            first_commit_at: p.firstCommitAt,
            merged_at: p.mergedAt,
            lead_seconds: done ? p.leadSeconds : null,
            service_id: d.serviceId,
            environment: d.environment,
            production: d.production ? 1 : 0,
            finished_at: done ? d.finishedAt : null,
            finished_day: done ? dayOf(d.finishedAt!) : null,
            first_key: firstKeyOf(d.repository, p.number, d.serviceId, d.environment),
            first_deployment: 0,
            deployment_mark: 0,
          })),
        )
        .execute();
    }
    const keys = new Set(before.map((r) => r.first_key).filter((k): k is string => k !== null));
    for (const p of d.pullRequests) keys.add(firstKeyOf(d.repository, p.number, d.serviceId, d.environment));
    const firstKeys = [...keys].sort();
    await recount(firstKeys);
    await refreshDora(stored, pointOf(toRow(d)), firstKeys);
  }

  /**
   * Brings DORA's rollups (migration 0040) up to date with a deployment written: the days it left and joined and
   * the days whose first deployments of a pull request moved (`firstKeys`) recomputed from the base tables, and
   * the next successes of the deployments it may have become, or stopped being, the next success of.
   * NOTE (concurrency): on PostgreSQL a transaction lock per service (or no service) and environment, taken in
   * one order after `recount`'s, makes two writers of one service and environment recompute one after the
   * other, the second seeing the first's rows (read committed), so no increment is lost; SQLite has one writer.
   */
  async function refreshDora(before: DoraPoint | null, after: DoraPoint, firstKeys: string[]): Promise<void> {
    const points = before ? [before, after] : [after];
    if (h.name === 'postgres') {
      const locks = [...new Set(points.map((p) => lockHash(`${p.serviceId ?? ''}#${p.environment}`)))].sort((a, b) => a - b);
      for (const lock of locks) await sql`select pg_advisory_xact_lock(${DORA_LOCK_CLASS}, ${lock})`.execute(db);
    }
    const days = new Map<string, DayKey>();
    const addDay = (k: DayKey) => days.set(`${k.serviceId}#${k.production}#${k.environment}#${k.day}`, k);
    for (const p of points) if (p.finished && p.day !== null) addDay({ serviceId: p.serviceId ?? '', environment: p.environment, production: p.production, day: p.day });
    for (const chunk of chunks(firstKeys, CHUNK)) {
      const rows = await db
        .selectFrom('deployment_pull_requests')
        .select(['service_id', 'environment', 'production', 'finished_day'])
        .distinct()
        .where('first_key', 'in', chunk)
        .where('finished_day', 'is not', null)
        .execute();
      for (const r of rows) addDay({ serviceId: r.service_id ?? '', environment: r.environment, production: Number(r.production), day: Number(r.finished_day) });
    }
    for (const k of days.values()) await refreshDay(k);
    for (const p of points) if (p.status === 'success' && p.finishedAt !== null) await refreshNextBefore(p);
    if (after.finished) await writeNext(after, sql`d.id = ${after.id}`);
  }

  /** One day of the rollup recomputed from the base tables (no row when nothing finished that day). */
  async function refreshDay(k: DayKey): Promise<void> {
    const start = new Date(k.day * DAY_MS).toISOString();
    const end = new Date((k.day + 1) * DAY_MS).toISOString();
    const of = (alias: 'd' | 'p') =>
      sql.join(
        [
          k.serviceId === '' ? sql`${sql.ref(`${alias}.service_id`)} is null` : sql`${sql.ref(`${alias}.service_id`)} = ${k.serviceId}`,
          sql`${sql.ref(`${alias}.production`)} = ${k.production}`,
          sql`${sql.ref(`${alias}.environment`)} = ${k.environment}`,
          sql`${sql.ref(`${alias}.finished_at`)} >= ${start}`,
          sql`${sql.ref(`${alias}.finished_at`)} < ${end}`,
        ],
        sql` and `,
      );
    const counted = sql`from deployment_pull_requests p where ${of('p')} and p.first_deployment = 1 and p.lead_seconds is not null`;
    await db.deleteFrom('deployment_days').where('service_id', '=', k.serviceId).where('production', '=', k.production).where('environment', '=', k.environment).where('day', '=', k.day).execute();
    await sql`
      insert into deployment_days (service_id, environment, production, day, total, successes, lead_seconds, lead_deployments)
      select cast(${k.serviceId} as text), cast(${k.environment} as text), cast(${k.production} as integer), cast(${k.day} as integer),
        count(*), sum(case when d.status = 'success' then 1 else 0 end),
        coalesce((select ${joinedLeads} ${counted}), ''), coalesce((select sum(p.deployment_mark) ${counted}), 0)
      from deployments d where ${of('d')} and d.status in ('success', 'failure')
      having count(*) > 0`.execute(db);
  }

  /** The deployments of `p`'s service and environment whose next success a success at `p`'s finish may be: from the last success before it. */
  async function refreshNextBefore(p: DoraPoint): Promise<void> {
    const last = await db
      .selectFrom('deployments as s')
      .select((eb) => eb.fn.max('s.finished_at').as('at'))
      .where(sameLine(p, 's'))
      .where('s.status', '=', 'success')
      .where('s.finished_at', '<', p.finishedAt as string)
      .executeTakeFirst();
    const from = last?.at ?? null;
    await writeNext(p, sql`${sameLine(p, 'd')} and d.finished_at < ${p.finishedAt} ${from === null ? sql`` : sql`and d.finished_at >= ${from}`}`);
  }

  /** Stores the next success of the finished deployments of `p`'s line that `where` (on alias `d`) selects. */
  async function writeNext(p: DoraPoint, where: RawBuilder<unknown>): Promise<void> {
    await sql`
      insert into deployment_next_successes (deployment_id, next_success_at)
      select d.id, (select min(n.finished_at) from deployments n where ${sameLine(p, 'n')} and n.status = 'success' and n.finished_at > d.finished_at)
      from deployments d where ${where} and d.status in ('success', 'failure') and d.finished_at is not null
      on conflict (deployment_id) do update set next_success_at = excluded.next_success_at`.execute(db);
  }

  /** The deployments whose successes restore each other: one service, production flag and environment; without a service, one repository and environment. */
  const sameLine = (p: DoraPoint, alias: string) =>
    p.serviceId === null
      ? sql<boolean>`${sql.ref(`${alias}.service_id`)} is null and ${sql.ref(`${alias}.repository`)} = ${p.repository} and ${sql.ref(`${alias}.environment`)} = ${p.environment}`
      : sql<boolean>`${sql.ref(`${alias}.service_id`)} = ${p.serviceId} and ${sql.ref(`${alias}.production`)} = ${p.production} and ${sql.ref(`${alias}.environment`)} = ${p.environment}`;

  /**
   * Decides again which row of each key is the pull request's first deployment (the first finished successful
   * one: finish, then deployment id), and which row counts each deployment touched (`deployment_mark`).
   * NOTE (concurrency): on PostgreSQL a transaction lock per key, taken in key order, makes two deployments of
   * the same pull request decide one after the other, the second seeing the first's rows; SQLite has one writer.
   */
  async function recount(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    if (h.name === 'postgres') for (const key of keys) await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(db);
    for (const chunk of chunks(keys, CHUNK)) {
      await sql`
        update deployment_pull_requests as p set first_deployment = case when p.deployment_id = (
          select q.deployment_id from deployment_pull_requests q
          where q.first_key = p.first_key and q.lead_seconds is not null and q.finished_at is not null
          order by q.finished_at, q.deployment_id limit 1
        ) then 1 else 0 end
        where p.first_key in (${sql.join(chunk)})`.execute(db);
      await sql`
        update deployment_pull_requests as p set deployment_mark = case when p.first_deployment = 1 and p.number = (
          select min(q.number) from deployment_pull_requests q where q.deployment_id = p.deployment_id and q.first_deployment = 1
        ) then 1 else 0 end
        where p.deployment_id in (select r.deployment_id from deployment_pull_requests r where r.first_key in (${sql.join(chunk)}))`.execute(db);
    }
  }

  const toUnauthorized = (r: UnauthorizedChangesTable): UnauthorizedRecord => ({
    id: r.id,
    number: r.number,
    state: r.state as UnauthorizedState,
    scopeKey: r.scope_key,
    serviceId: r.service_id,
    ciId: r.ci_id,
    repository: r.repository,
    environment: r.environment,
    firstSeenAt: h.readInstant(r.first_seen_at)!,
    lastSeenAt: h.readInstant(r.last_seen_at)!,
    quietUntil: h.readInstant(r.quiet_until)!,
    deploymentCount: Number(r.deployment_count),
    cause: r.cause,
    causeText: r.cause_text,
    fixKind: r.fix_kind,
    fixText: r.fix_text,
    fixLinkKind: r.fix_link_kind,
    fixLinkId: r.fix_link_id,
    outcome: r.outcome,
    authorisedChangeId: r.authorised_change_id,
    notes: r.notes,
    reviewedBy: r.reviewed_by,
    reviewedAt: h.readInstant(r.reviewed_at),
    version: r.version,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });
  const unauthorizedRow = (u: UnauthorizedRecord): UnauthorizedChangesTable => ({
    id: u.id,
    number: u.number,
    state: u.state,
    scope_key: u.scopeKey,
    service_id: u.serviceId,
    ci_id: u.ciId,
    repository: u.repository,
    environment: u.environment,
    first_seen_at: u.firstSeenAt,
    last_seen_at: u.lastSeenAt,
    quiet_until: u.quietUntil,
    deployment_count: u.deploymentCount,
    cause: u.cause,
    cause_text: u.causeText,
    fix_kind: u.fixKind,
    fix_text: u.fixText,
    fix_link_kind: u.fixLinkKind,
    fix_link_id: u.fixLinkId,
    outcome: u.outcome,
    authorised_change_id: u.authorisedChangeId,
    notes: u.notes,
    reviewed_by: u.reviewedBy,
    reviewed_at: u.reviewedAt,
    version: u.version,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  });

  /**
   * The deployments (alias `d`) or pull-request rows (alias `p`) a DORA scope covers, as one condition. `probe`: the rows are reached from a
   * smaller table joined to them (incident links), so on SQLite the conditions must not make the planner start
   * from the scope's index range, which it does without statistics (a unary `+` keeps a column off indexes).
   */
  function inScope(scope: DoraScope, alias: 'd' | 'p', opts: { probe?: boolean } = {}) {
    const plus = opts.probe && h.name === 'sqlite' ? sql.raw('+') : sql.raw('');
    const col = (c: string) => sql`${plus}${sql.ref(`${alias}.${c}`)}`;
    const parts = [];
    if (scope.serviceIds) parts.push(sql`${col('service_id')} in (${sql.join(scope.serviceIds.length > 0 ? scope.serviceIds : [''])})`);
    parts.push(scope.environment ? sql`${col('environment')} = ${scope.environment}` : sql`${col('production')} = 1`);
    parts.push(sql`${col('finished_at')} >= ${scope.from}`, sql`${col('finished_at')} < ${scope.to}`);
    return sql<boolean>`${sql.join(parts, sql` and `)}`;
  }

  /** Finished deployments in scope per UTC day, read from the deployments themselves. */
  async function dailyCountsOfRows(scope: DoraScope): Promise<DailyCountRow[]> {
    const rows = await db
      .selectFrom('deployments as d')
      .select(['d.finished_day', sql<number>`count(*)`.as('total'), sql<number>`sum(case when d.status = 'success' then 1 else 0 end)`.as('successes')])
      .where('d.status', 'in', ['success', 'failure'])
      .where(inScope(scope, 'd'))
      .groupBy('d.finished_day')
      .orderBy('d.finished_day')
      .execute();
    return rows.map((r) => ({ day: Number(r.finished_day), total: Number(r.total), successes: Number(r.successes) }));
  }

  /** The lead times counted in scope per UTC day, read from the pull requests themselves (one row per day, the seconds joined). */
  async function leadTimeDaysOfRows(scope: DoraScope): Promise<LeadTimeDayRow[]> {
    const rows = await db
      .selectFrom('deployment_pull_requests as p')
      .select(['p.finished_day', joinedLeads.as('seconds'), sql<number>`sum(p.deployment_mark)`.as('deployments')])
      .where('p.first_deployment', '=', 1)
      .where('p.lead_seconds', 'is not', null)
      .where(inScope(scope, 'p'))
      .groupBy('p.finished_day')
      .orderBy('p.finished_day')
      .execute();
    return rows.map((r) => {
      const text = String(r.seconds);
      const seconds = new Float64Array(countJoined(text));
      parseJoined(text, seconds, 0);
      return { day: Number(r.finished_day), seconds, deployments: Number(r.deployments) };
    });
  }

  return {
    async insert(d: DeploymentRecord): Promise<void> {
      await db.insertInto('deployments').values(toRow(d)).execute();
      await writeChildren(d, null);
    },

    /** Writes `d` (its version already bumped) if the stored version is still `expectedVersion`. */
    async update(d: DeploymentRecord, expectedVersion: number): Promise<boolean> {
      const { id: _id, created_at: _c, created_by: _b, ...rest } = toRow(d);
      const stored = await db.selectFrom('deployments').select(POINT_COLUMNS).where('id', '=', d.id).executeTakeFirst();
      const res = await db.updateTable('deployments').set(rest).where('id', '=', d.id).where('version', '=', expectedVersion).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1 || !stored) return false;
      await writeChildren(d, pointOf(stored));
      return true;
    },

    async setCoverage(id: string, coverage: Coverage): Promise<void> {
      await db.updateTable('deployments').set({ coverage }).where('id', '=', id).execute();
    },

    async findById(id: string): Promise<DeploymentRecord | null> {
      const row = await db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? (await hydrate([row]))[0]! : null;
    },

    /** The deployment reported earlier under this (source, external id); `lock` holds it until commit on PostgreSQL. */
    async findByExternal(source: string, externalId: string, opts: { lock?: boolean } = {}): Promise<DeploymentRecord | null> {
      let q = db.selectFrom('deployments').selectAll().where('source', '=', source).where('external_id', '=', externalId);
      if (opts.lock && h.name === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      return row ? (await hydrate([row]))[0]! : null;
    },

    async findManyByIds(ids: string[]): Promise<DeploymentRecord[]> {
      const rows: DeploymentsTable[] = [];
      for (const chunk of chunks([...new Set(ids)], CHUNK)) rows.push(...(await db.selectFrom('deployments').selectAll().where('id', 'in', chunk).execute()));
      return hydrate(rows);
    },

    /** Newest started first. */
    async list(f: DeploymentFilter): Promise<DeploymentRecord[]> {
      let q = db.selectFrom('deployments as d').selectAll('d');
      if (f.serviceId) q = q.where('d.service_id', '=', f.serviceId);
      if (f.ciId) q = q.where('d.id', 'in', db.selectFrom('deployment_cis').select('deployment_id').where('ci_id', '=', f.ciId));
      if (f.environment) q = q.where('d.environment', '=', f.environment);
      if (f.changeId) q = q.where('d.change_id', '=', f.changeId);
      if (f.status) q = q.where('d.status', '=', f.status);
      if (f.production !== undefined) q = q.where('d.production', '=', f.production ? 1 : 0);
      if (f.ids) q = q.where('d.id', 'in', f.ids.length > 0 ? f.ids : ['']);
      if (f.from) q = q.where('d.started_at', '>=', f.from);
      if (f.to) q = q.where('d.started_at', '<', f.to);
      if (f.after) {
        const { startedAt, id } = f.after;
        q = q.where((eb) => eb.or([eb('d.started_at', '<', startedAt), eb.and([eb('d.started_at', '=', startedAt), eb('d.id', '<', id)])]));
      }
      const rows = await q.orderBy('d.started_at', 'desc').orderBy('d.id', 'desc').limit(f.limit).execute();
      return hydrate(rows);
    },

    /** The incidents linked to each deployment: explicitly, or as caused by its change. */
    async incidentsOf(deployments: Pick<DeploymentRecord, 'id' | 'changeId'>[]): Promise<Map<string, { id: string; number: string; title: string; link: 'explicit' | 'change' }[]>> {
      const out = new Map<string, { id: string; number: string; title: string; link: 'explicit' | 'change' }[]>();
      const add = (deploymentId: string, item: { id: string; number: string; title: string; link: 'explicit' | 'change' }) => {
        const list = out.get(deploymentId) ?? [];
        if (!list.some((i) => i.id === item.id)) list.push(item);
        out.set(deploymentId, list);
      };
      for (const chunk of chunks(deployments.map((d) => d.id), CHUNK)) {
        const rows = await db
          .selectFrom('deployment_incidents as di')
          .innerJoin('incidents as i', 'i.id', 'di.incident_id')
          .select(['di.deployment_id', 'i.id', 'i.number', 'i.title'])
          .where('di.deployment_id', 'in', chunk)
          .orderBy('i.number')
          .execute();
        for (const r of rows) add(r.deployment_id, { id: r.id, number: r.number, title: r.title, link: 'explicit' });
      }
      const byChange = new Map<string, string[]>();
      for (const d of deployments) if (d.changeId) byChange.set(d.changeId, [...(byChange.get(d.changeId) ?? []), d.id]);
      for (const chunk of chunks([...byChange.keys()], CHUNK)) {
        const rows = await db.selectFrom('incidents').select(['id', 'number', 'title', 'caused_by_change_id']).where('caused_by_change_id', 'in', chunk).orderBy('number').execute();
        for (const r of rows) for (const d of byChange.get(r.caused_by_change_id!) ?? []) add(d, { id: r.id, number: r.number, title: r.title, link: 'change' });
      }
      return out;
    },

    /** Links an incident to a deployment; false when it was linked already. */
    async linkIncident(deploymentId: string, incidentId: string, by: string, at: string): Promise<boolean> {
      const res = await db
        .insertInto('deployment_incidents')
        .values({ deployment_id: deploymentId, incident_id: incidentId, created_by: by, created_at: at })
        .onConflict((oc) => oc.columns(['deployment_id', 'incident_id']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /**
     * The changes that authorise work at `at`: in one of `states`, on the CI (`ciId`) or on a CI of the service
     * (`serviceId`), with `at` inside their planned window.
     */
    async authorisingChanges(opts: { states: string[]; ciId?: string; serviceId?: string; at: string }): Promise<{ id: string; number: string }[]> {
      let q = db
        .selectFrom('changes as c')
        .select(['c.id', 'c.number'])
        .where('c.state', 'in', opts.states.length > 0 ? opts.states : [''])
        .where('c.planned_start', '<=', opts.at)
        .where('c.planned_end', '>=', opts.at);
      if (opts.ciId) q = q.where('c.id', 'in', db.selectFrom('change_cis').select('change_id').where('ci_id', '=', opts.ciId));
      else if (opts.serviceId) {
        q = q.where(
          'c.id',
          'in',
          db.selectFrom('change_cis as cc').innerJoin('cis', 'cis.id', 'cc.ci_id').select('cc.change_id').where('cis.service_id', '=', opts.serviceId!),
        );
      } else return [];
      return q.orderBy('c.number').limit(10).execute();
    },

    // ---- unauthorized changes ----

    async nextUnauthorizedNumber(): Promise<string> {
      await db.insertInto('counters').values({ name: COUNTER, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const row = await db.updateTable('counters').set((eb) => ({ value: eb('value', '+', 1) })).where('name', '=', COUNTER).returning('value').executeTakeFirstOrThrow();
      return `UNA${String(Number(row.value)).padStart(NUMBER_DIGITS, '0')}`;
    },

    /** The open record of this scope whose quiet period holds `at`; held until commit on PostgreSQL. */
    async openUnauthorizedFor(scopeKey: string, at: string): Promise<UnauthorizedRecord | null> {
      let q = db
        .selectFrom('unauthorized_changes')
        .selectAll()
        .where('scope_key', '=', scopeKey)
        .where('quiet_until', '>', at)
        .where('first_seen_at', '<=', at)
        .where('state', '=', 'open')
        .orderBy('first_seen_at', 'desc')
        .limit(1);
      if (h.name === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      return row ? toUnauthorized(row) : null;
    },

    async insertUnauthorized(u: UnauthorizedRecord): Promise<void> {
      await db.insertInto('unauthorized_changes').values(unauthorizedRow(u)).execute();
    },

    async updateUnauthorized(u: UnauthorizedRecord, expectedVersion: number): Promise<boolean> {
      const { id: _id, created_at: _c, ...rest } = unauthorizedRow(u);
      const res = await db.updateTable('unauthorized_changes').set(rest).where('id', '=', u.id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    async attachDeployment(unauthorizedId: string, deploymentId: string): Promise<boolean> {
      const res = await db
        .insertInto('unauthorized_change_deployments')
        .values({ unauthorized_id: unauthorizedId, deployment_id: deploymentId })
        .onConflict((oc) => oc.columns(['unauthorized_id', 'deployment_id']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async findUnauthorized(idOrNumber: string, opts: { lock?: boolean } = {}): Promise<UnauthorizedRecord | null> {
      let q = db
        .selectFrom('unauthorized_changes')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrNumber), eb('number', '=', idOrNumber.toUpperCase())]));
      if (opts.lock && h.name === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      return row ? toUnauthorized(row) : null;
    },

    /** Newest first; by state and service. */
    async listUnauthorized(f: { states?: string[]; serviceId?: string; ciId?: string; after?: { createdAt: string; id: string }; limit: number }): Promise<UnauthorizedRecord[]> {
      let q = db.selectFrom('unauthorized_changes').selectAll();
      if (f.states) q = q.where('state', 'in', f.states.length > 0 ? f.states : ['']);
      if (f.serviceId) q = q.where('service_id', '=', f.serviceId);
      if (f.ciId) q = q.where('ci_id', '=', f.ciId);
      if (f.after) {
        const { createdAt, id } = f.after;
        q = q.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]));
      }
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
      return rows.map(toUnauthorized);
    },

    /** The deployments of each unauthorized change, oldest first. */
    async deploymentIdsOfUnauthorized(ids: string[]): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>();
      for (const chunk of chunks(ids, CHUNK)) {
        const rows = await db
          .selectFrom('unauthorized_change_deployments as u')
          .innerJoin('deployments as d', 'd.id', 'u.deployment_id')
          .select(['u.unauthorized_id', 'd.id'])
          .where('u.unauthorized_id', 'in', chunk)
          .orderBy('d.started_at')
          .execute();
        for (const r of rows) out.set(r.unauthorized_id, [...(out.get(r.unauthorized_id) ?? []), r.id]);
      }
      return out;
    },

    /** The unauthorized changes each deployment raised or joined. */
    async unauthorizedOfDeployments(ids: string[]): Promise<Map<string, { id: string; number: string; state: string }[]>> {
      const out = new Map<string, { id: string; number: string; state: string }[]>();
      for (const chunk of chunks(ids, CHUNK)) {
        const rows = await db
          .selectFrom('unauthorized_change_deployments as u')
          .innerJoin('unauthorized_changes as c', 'c.id', 'u.unauthorized_id')
          .select(['u.deployment_id', 'c.id', 'c.number', 'c.state'])
          .where('u.deployment_id', 'in', chunk)
          .orderBy('c.number')
          .execute();
        for (const r of rows) out.set(r.deployment_id, [...(out.get(r.deployment_id) ?? []), { id: r.id, number: r.number, state: r.state }]);
      }
      return out;
    },

    // ---- DORA (docs/dora.md) ----

    /**
     * Finished deployments per UTC day (all of them, and the successful ones) and, with `leads`, the lead times
     * counted each day (at a pull request's first successful deployment to the service and environment, migration
     * 0035) and how many deployments they came with. NOTE (speed): the period's whole days come from the daily
     * rollup (migration 0040), its partial first and last days from the base tables, so the figures are exact for
     * any period and a year is a few hundred rows.
     */
    async doraDays(scope: DoraScope, opts: { leads: boolean }): Promise<{ days: DailyCountRow[]; leads: LeadTimeDayRow[] }> {
      const fromMs = Date.parse(scope.from);
      const toMs = Date.parse(scope.to);
      const fromDay = Math.ceil(fromMs / DAY_MS);
      const toDay = Math.floor(toMs / DAY_MS);
      if (fromDay >= toDay) return { days: await dailyCountsOfRows(scope), leads: opts.leads ? await leadTimeDaysOfRows(scope) : [] };
      const edges: DoraScope[] = [];
      if (fromDay * DAY_MS > fromMs) edges.push({ ...scope, to: new Date(fromDay * DAY_MS).toISOString() });
      if (toDay * DAY_MS < toMs) edges.push({ ...scope, from: new Date(toDay * DAY_MS).toISOString() });
      const days: DailyCountRow[] = [];
      const leads: LeadTimeDayRow[] = [];
      for (const edge of edges) {
        days.push(...(await dailyCountsOfRows(edge)));
        if (opts.leads) leads.push(...(await leadTimeDaysOfRows(edge)));
      }
      if (scope.serviceIds && scope.serviceIds.length === 0) return { days, leads };
      let q = db.selectFrom('deployment_days').select(['day', 'total', 'successes', 'lead_deployments']).where('day', '>=', fromDay).where('day', '<', toDay);
      if (opts.leads) q = q.select('lead_seconds');
      if (scope.serviceIds) q = q.where('service_id', 'in', scope.serviceIds);
      q = scope.environment ? q.where('environment', '=', scope.environment) : q.where('production', '=', 1);
      const rows = (await q.orderBy('day').execute()) as { day: number; total: number; successes: number; lead_deployments: number; lead_seconds?: string }[];
      // Several services or environments share a day: their rows are summed, their lead times put together.
      for (let i = 0; i < rows.length; ) {
        const day = Number(rows[i]!.day);
        let j = i;
        let total = 0;
        let successes = 0;
        let marks = 0;
        let count = 0;
        for (; j < rows.length && Number(rows[j]!.day) === day; j++) {
          total += Number(rows[j]!.total);
          successes += Number(rows[j]!.successes);
          marks += Number(rows[j]!.lead_deployments);
          if (opts.leads) count += countJoined(rows[j]!.lead_seconds!);
        }
        days.push({ day, total, successes });
        if (count > 0) {
          const seconds = new Float64Array(count);
          let at = 0;
          for (let k = i; k < j; k++) at = parseJoined(rows[k]!.lead_seconds!, seconds, at);
          leads.push({ day, seconds, deployments: marks });
        }
        i = j;
      }
      days.sort((a, b) => a.day - b.day);
      leads.sort((a, b) => a.day - b.day);
      return { days, leads };
    },

    /** `doraDays` read from the base tables alone (what the rollup must always agree with). */
    dailyCountsOfRows: (scope: DoraScope) => dailyCountsOfRows(scope),
    leadTimeDaysOfRows: (scope: DoraScope) => leadTimeDaysOfRows(scope),

    /**
     * Recomputes DORA's rollups (migration 0040) from the base tables, as the migration filled them: for rows
     * written around the repository (a bulk load), and to check the rollups kept on write.
     */
    async rebuildDoraRollups(): Promise<void> {
      await db.deleteFrom('deployment_days').execute();
      await db.deleteFrom('deployment_next_successes').execute();
      await sql`
        insert into deployment_days (service_id, environment, production, day, total, successes, lead_seconds, lead_deployments)
        select coalesce(service_id, ''), environment, production, finished_day, count(*), sum(case when status = 'success' then 1 else 0 end), '', 0
        from deployments where status in ('success', 'failure') and finished_day is not null
        group by coalesce(service_id, ''), environment, production, finished_day`.execute(db);
      await sql`
        update deployment_days set lead_seconds = l.seconds, lead_deployments = l.marks
        from (
          select coalesce(p.service_id, '') as service_id, p.environment, p.production, p.finished_day, ${joinedLeads} as seconds, sum(p.deployment_mark) as marks
          from deployment_pull_requests p where p.first_deployment = 1 and p.lead_seconds is not null and p.finished_day is not null
          group by coalesce(p.service_id, ''), p.environment, p.production, p.finished_day
        ) l
        where deployment_days.service_id = l.service_id and deployment_days.environment = l.environment
          and deployment_days.production = l.production and deployment_days.day = l.finished_day`.execute(db);
      const lines = [
        { of: sql`d.service_id is not null`, line: sql`n.service_id = d.service_id and n.production = d.production` },
        { of: sql`d.service_id is null`, line: sql`n.service_id is null and n.repository = d.repository` },
      ];
      for (const { of, line } of lines) {
        await sql`
          insert into deployment_next_successes (deployment_id, next_success_at)
          select d.id, (select min(n.finished_at) from deployments n where ${line} and n.environment = d.environment and n.status = 'success' and n.finished_at > d.finished_at)
          from deployments d where ${of} and d.status in ('success', 'failure') and d.finished_at is not null`.execute(db);
      }
    },

    /** Successful deployments in scope, oldest finished first, a page of ids (the records behind deployment frequency). */
    async successIds(scope: DoraScope, offset: number, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('deployments as d')
        .select('d.id')
        .where('d.status', '=', 'success')
        .where(inScope(scope, 'd'))
        .orderBy('d.finished_at')
        .orderBy('d.id')
        .offset(offset)
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /** How many deployments are behind lead time in scope (each counted once, by its mark). */
    async leadTimeDeploymentCount(scope: DoraScope): Promise<number> {
      const row = await db
        .selectFrom('deployment_pull_requests as p')
        .select(sql<number>`count(*)`.as('n'))
        .where('p.deployment_mark', '=', 1)
        .where('p.lead_seconds', 'is not', null)
        .where(inScope(scope, 'p'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The deployments behind lead time in scope, oldest finished first, a page of ids. */
    async leadTimeIds(scope: DoraScope, offset: number, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('deployment_pull_requests as p')
        .select('p.deployment_id')
        .where('p.deployment_mark', '=', 1)
        .where('p.lead_seconds', 'is not', null)
        .where(inScope(scope, 'p'))
        .orderBy('p.finished_at')
        .orderBy('p.deployment_id')
        .offset(offset)
        .limit(limit)
        .execute();
      return rows.map((r) => r.deployment_id);
    },

    /** Deployments in scope that failed themselves (result failure), each with the next success after it. */
    async failedDeployments(scope: DoraScope): Promise<FailureRow[]> {
      const rows = await db
        .selectFrom('deployments as d')
        .select(['d.id', 'd.finished_at', nextSuccessOf])
        // NOTE (speed): a literal, so both engines use the partial index of failed deployments (migration 0040).
        .where(sql<boolean>`d.status = 'failure'`)
        .where(inScope(scope, 'd'))
        .execute();
      return rows.map((r) => ({ deploymentId: r.id, finishedMs: msOf(r.finished_at), nextSuccessMs: msOrNull(r.next_success_at) }));
    },

    /** Finished deployments in scope whose change closed as failed (unsuccessful, rolled back), each with the next success after it. */
    async failedChangeDeployments(scope: DoraScope): Promise<FailureRow[]> {
      const rows = await db
        .selectFrom('deployments as d')
        .innerJoin('changes as c', 'c.id', 'd.change_id')
        .select(['d.id', 'd.finished_at', nextSuccessOf])
        // NOTE (speed): a literal, so both engines use the partial index of deployments with a change (migration 0040).
        .where(sql<boolean>`d.change_id is not null`)
        .where('d.status', 'in', ['success', 'failure'])
        .where('c.close_code', 'in', FAILED_CLOSE_CODES)
        .where(inScope(scope, 'd'))
        .execute();
      return rows.map((r) => ({ deploymentId: r.id, finishedMs: msOf(r.finished_at), nextSuccessMs: msOrNull(r.next_success_at) }));
    },

    /** Incidents linked to finished deployments in scope: explicitly (`deployment_incidents`) and through the deployment's change. */
    async incidentLinks(scope: DoraScope): Promise<{ explicit: IncidentLinkRow[]; change: IncidentLinkRow[] }> {
      // NOTE (speed): from the links, each deployment's finish (when in scope) a lookup by id, so neither engine
      // walks the scope's deployments to join them to a few links (PostgreSQL would hash a year of them).
      const explicit = await db
        .selectFrom('deployment_incidents as di')
        .innerJoin('incidents as i', 'i.id', 'di.incident_id')
        .select([
          'di.deployment_id as id',
          (eb) =>
            eb
              .selectFrom('deployments as d')
              .select('d.finished_at')
              .whereRef('d.id', '=', 'di.deployment_id')
              .where('d.status', 'in', ['success', 'failure'])
              .where(inScope(scope, 'd', { probe: true }))
              .as('finished_at'),
          'i.id as incident_id',
          'i.resolved_at',
        ])
        .execute();
      const change = await db
        .selectFrom('incidents as i')
        .innerJoin('deployments as d', 'd.change_id', 'i.caused_by_change_id')
        .select(['d.id', 'd.finished_at', 'i.id as incident_id', 'i.resolved_at'])
        .where(sql<boolean>`d.change_id is not null`)
        .where('d.status', 'in', ['success', 'failure'])
        .where(inScope(scope, 'd'))
        .execute();
      const map = (r: { id: string; finished_at: unknown; incident_id: string; resolved_at: unknown }): IncidentLinkRow => ({
        deploymentId: r.id,
        finishedMs: msOf(r.finished_at),
        incidentId: r.incident_id,
        resolvedMs: msOrNull(r.resolved_at),
      });
      return { explicit: explicit.filter((r) => r.finished_at !== null).map(map), change: change.map(map) };
    },

    /**
     * Incidents with no explicit link (no deployment names them, no change is named as their cause) on the
     * services in scope, opened in the period, each with the last production deployment of its service that
     * finished before it opened (DevLake's attribution); in an environment's scope, only those whose deployment
     * is of that environment.
     */
    async inferredIncidentLinks(scope: DoraScope): Promise<IncidentLinkRow[]> {
      let base = db
        .selectFrom('incidents as i')
        .where('i.caused_by_change_id', 'is', null)
        .where('i.opened_at', '>=', scope.from)
        .where('i.opened_at', '<', scope.to)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('deployment_incidents as di').select('di.incident_id').whereRef('di.incident_id', '=', 'i.id'))));
      base = scope.serviceIds ? base.where('i.service_id', 'in', scope.serviceIds.length > 0 ? scope.serviceIds : ['']) : base.where('i.service_id', 'is not', null);
      // The last production deployment of the incident's service that finished before it opened.
      const lastBefore = (eb: ExpressionBuilder<DB & { i: IncidentsTable }, 'i'>) =>
        eb
          .selectFrom('deployments as l')
          .whereRef('l.service_id', '=', 'i.service_id')
          .where('l.production', '=', 1)
          .whereRef('l.finished_at', '<=', 'i.opened_at')
          .where('l.status', 'in', ['success', 'failure'])
          .orderBy('l.finished_at', 'desc')
          .limit(1);
      if (h.name === 'postgres') {
        // NOTE (speed): PostgreSQL takes the deployment with the incident in one lateral join (SQLite has none),
        // from the index alone unless an environment is asked for.
        const env = scope.environment;
        const rows = await base
          .innerJoinLateral((eb) => lastBefore(eb).select(env ? ['l.id', 'l.finished_at', 'l.environment'] : ['l.id', 'l.finished_at']).as('d'), (join) => join.onTrue())
          .select(['i.id', 'i.resolved_at', 'd.id as deployment_id', 'd.finished_at'])
          .where('d.finished_at', '>=', scope.from)
          .where('d.finished_at', '<', scope.to)
          .$if(env !== null, (q) => q.where(sql.ref('d.environment'), '=', env))
          .execute();
        return rows.map((r) => ({ deploymentId: r.deployment_id, finishedMs: msOf(r.finished_at), incidentId: r.id, resolvedMs: msOrNull(r.resolved_at) }));
      }
      // NOTE (speed): SQLite finds each incident's deployment, and its finish, in the index alone. Its environment
      // is not there: in an environment's scope the deployments are then read by id, in chunks (the ids sorted).
      const rows = await base
        .select(['i.id', 'i.resolved_at', (eb) => lastBefore(eb).select('l.id').as('deployment_id'), (eb) => lastBefore(eb).select('l.finished_at').as('finished_at')])
        .execute();
      const environments = new Map<string, string>();
      if (scope.environment) {
        for (const chunk of chunks([...new Set(rows.flatMap((r) => (r.deployment_id ? [r.deployment_id] : [])))], CHUNK)) {
          for (const d of await db.selectFrom('deployments').select(['id', 'environment']).where('id', 'in', chunk).execute()) environments.set(d.id, d.environment);
        }
      }
      const out: IncidentLinkRow[] = [];
      for (const r of rows) {
        const finishedAt = h.readInstant(r.finished_at);
        if (!r.deployment_id || !finishedAt || finishedAt < scope.from || finishedAt >= scope.to) continue;
        if (scope.environment && environments.get(r.deployment_id) !== scope.environment) continue;
        out.push({ deploymentId: r.deployment_id, finishedMs: msOf(finishedAt), incidentId: r.id, resolvedMs: msOrNull(r.resolved_at) });
      }
      return out;
    },

    /** The services a team owns (a DORA scope by team). */
    async servicesOfTeam(teamId: string): Promise<string[]> {
      return (await db.selectFrom('services').select('id').where('owner_team_id', '=', teamId).orderBy('id').execute()).map((r) => r.id);
    },
  };
}
export type DeploymentRepository = ReturnType<typeof createDeploymentRepository>;
