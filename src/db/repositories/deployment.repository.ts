import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
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

/** A failed deployment and why: its result, its change's close code, or an incident (explicit, through its change, or inferred). */
export interface FailureRow {
  deploymentId: string;
  finishedAt: string;
}

export interface IncidentLinkRow extends FailureRow {
  /** Only on inferred links (the service filter of an environment scope applies to them afterwards). */
  environment?: string;
  incidentId: string;
  incidentNumber: string;
  openedAt: string;
  resolvedAt: string | null;
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

  /** A pull request at a service and environment: the rows among which one is its first deployment (migration 0035). */
  const firstKeyOf = (repository: string, number: number, serviceId: string | null, environment: string) =>
    `${repository.toLowerCase()}#${number}#${serviceId ?? ''}#${environment}`;

  /** Replaces the CIs and pull requests of `d`; a pull request's lead time and finish count only once it deployed successfully. */
  async function writeChildren(d: DeploymentRecord): Promise<void> {
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
    await recount([...keys].sort());
  }

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

  return {
    async insert(d: DeploymentRecord): Promise<void> {
      await db.insertInto('deployments').values(toRow(d)).execute();
      await writeChildren(d);
    },

    /** Writes `d` (its version already bumped) if the stored version is still `expectedVersion`. */
    async update(d: DeploymentRecord, expectedVersion: number): Promise<boolean> {
      const { id: _id, created_at: _c, created_by: _b, ...rest } = toRow(d);
      const res = await db.updateTable('deployments').set(rest).where('id', '=', d.id).where('version', '=', expectedVersion).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await writeChildren(d);
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

    /** Finished deployments per UTC day: all of them, and the successful ones. */
    async dailyCounts(scope: DoraScope): Promise<{ day: number; total: number; successes: number }[]> {
      const q = db
        .selectFrom('deployments as d')
        .select(['d.finished_day', sql<number>`count(*)`.as('total'), sql<number>`sum(case when d.status = 'success' then 1 else 0 end)`.as('successes')])
        .where('d.status', 'in', ['success', 'failure'])
        .where(inScope(scope, 'd'));
      const rows = await q.groupBy('d.finished_day').orderBy('d.finished_day').execute();
      return rows.map((r) => ({ day: Number(r.finished_day), total: Number(r.total), successes: Number(r.successes) }));
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

    /**
     * Lead time per UTC day: the seconds of every pull request counted that day (at its first successful
     * deployment to the service and environment, migration 0035) and how many deployments they came with.
     * NOTE (speed): one row per day with the day's seconds joined into a string, parsed here: a year of
     * 100,000 pull requests is 365 rows instead of 100,000.
     */
    async leadTimeDays(scope: DoraScope): Promise<{ day: number; seconds: number[]; deployments: number }[]> {
      const joined = h.name === 'postgres' ? sql<string>`string_agg(cast(p.lead_seconds as text), ',')` : sql<string>`group_concat(p.lead_seconds, ',')`;
      const rows = await db
        .selectFrom('deployment_pull_requests as p')
        .select(['p.finished_day', joined.as('seconds'), sql<number>`sum(p.deployment_mark)`.as('deployments')])
        .where('p.first_deployment', '=', 1)
        .where('p.lead_seconds', 'is not', null)
        .where(inScope(scope, 'p'))
        .groupBy('p.finished_day')
        .orderBy('p.finished_day')
        .execute();
      return rows.map((r) => ({ day: Number(r.finished_day), seconds: String(r.seconds).split(',').map(Number), deployments: Number(r.deployments) }));
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

    /** Deployments in scope that failed themselves (result failure). */
    async failedDeployments(scope: DoraScope): Promise<FailureRow[]> {
      const rows = await db
        .selectFrom('deployments as d')
        .select(['d.id', 'd.finished_at'])
        .where('d.status', '=', 'failure')
        .where(inScope(scope, 'd'))
        .execute();
      return rows.map((r) => ({ deploymentId: r.id, finishedAt: h.readInstant(r.finished_at)! }));
    },

    /** Finished deployments in scope whose change closed as failed (unsuccessful, rolled back). */
    async failedChangeDeployments(scope: DoraScope): Promise<FailureRow[]> {
      const rows = await db
        .selectFrom('deployments as d')
        .innerJoin('changes as c', 'c.id', 'd.change_id')
        .select(['d.id', 'd.finished_at'])
        .where('d.change_id', 'is not', null)
        .where('d.status', 'in', ['success', 'failure'])
        .where('c.close_code', 'in', FAILED_CLOSE_CODES)
        .where(inScope(scope, 'd'))
        .execute();
      return rows.map((r) => ({ deploymentId: r.id, finishedAt: h.readInstant(r.finished_at)! }));
    },

    /** Incidents linked to finished deployments in scope: explicitly (`deployment_incidents`) and through the deployment's change. */
    async incidentLinks(scope: DoraScope): Promise<{ explicit: IncidentLinkRow[]; change: IncidentLinkRow[] }> {
      const cols = ['d.id', 'd.finished_at', 'i.id as incident_id', 'i.number', 'i.opened_at', 'i.resolved_at'] as const;
      const explicit = await db
        .selectFrom('deployment_incidents as di')
        .innerJoin('deployments as d', 'd.id', 'di.deployment_id')
        .innerJoin('incidents as i', 'i.id', 'di.incident_id')
        .select(cols)
        .where('d.status', 'in', ['success', 'failure'])
        .where(inScope(scope, 'd', { probe: true }))
        .execute();
      const change = await db
        .selectFrom('incidents as i')
        .innerJoin('deployments as d', 'd.change_id', 'i.caused_by_change_id')
        .select(cols)
        .where('d.status', 'in', ['success', 'failure'])
        .where(inScope(scope, 'd'))
        .execute();
      const map = (r: (typeof explicit)[number]): IncidentLinkRow => ({
        deploymentId: r.id,
        finishedAt: h.readInstant(r.finished_at)!,
        incidentId: r.incident_id,
        incidentNumber: r.number,
        openedAt: h.readInstant(r.opened_at)!,
        resolvedAt: h.readInstant(r.resolved_at),
      });
      return { explicit: explicit.map(map), change: change.map(map) };
    },

    /**
     * Incidents with no explicit link (no deployment names them, no change is named as their cause) on the
     * services in scope, opened in the period, each with the last production deployment of its service that
     * finished before it opened (DevLake's attribution).
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
        // NOTE (speed): PostgreSQL takes the deployment with the incident in one lateral join (SQLite has none).
        const rows = await base
          .innerJoinLateral((eb) => lastBefore(eb).select(['l.id', 'l.finished_at', 'l.environment']).as('d'), (join) => join.onTrue())
          .select(['i.id', 'i.number', 'i.opened_at', 'i.resolved_at', 'd.id as deployment_id', 'd.finished_at', 'd.environment'])
          .where('d.finished_at', '>=', scope.from)
          .where('d.finished_at', '<', scope.to)
          .execute();
        return rows.map((r) => ({
          deploymentId: r.deployment_id,
          finishedAt: h.readInstant(r.finished_at)!,
          environment: r.environment,
          incidentId: r.id,
          incidentNumber: r.number,
          openedAt: h.readInstant(r.opened_at)!,
          resolvedAt: h.readInstant(r.resolved_at),
        }));
      }
      const q = base.select(['i.id', 'i.number', 'i.opened_at', 'i.resolved_at', (eb) => lastBefore(eb).select('l.id').as('deployment_id')]);
      const incidents = (await q.execute()).filter((r) => r.deployment_id !== null);
      const deployments = new Map<string, { finished_at: string | null; environment: string }>();
      for (const chunk of chunks([...new Set(incidents.map((r) => r.deployment_id!))], CHUNK)) {
        for (const d of await db.selectFrom('deployments').select(['id', 'finished_at', 'environment']).where('id', 'in', chunk).execute()) deployments.set(d.id, d);
      }
      return incidents.flatMap((r) => {
        const d = deployments.get(r.deployment_id!);
        const finishedAt = d ? h.readInstant(d.finished_at) : null;
        if (!d || !finishedAt || finishedAt < scope.from || finishedAt >= scope.to) return [];
        return [{ deploymentId: r.deployment_id!, finishedAt, environment: d.environment, incidentId: r.id, incidentNumber: r.number, openedAt: h.readInstant(r.opened_at)!, resolvedAt: h.readInstant(r.resolved_at) }];
      });
    },

    /**
     * For each failed deployment, the first successful deployment after it to the same service (or, without a
     * service, the same repository) and environment.
     */
    async nextSuccesses(failed: FailureRow[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (const chunk of chunks(failed.map((f) => f.deploymentId), CHUNK)) {
        const ofService = await db
          .selectFrom('deployments as d')
          .select([
            'd.id',
            (eb) =>
              eb
                .selectFrom('deployments as n')
                .select((e) => e.fn.min('n.finished_at').as('m'))
                .whereRef('n.service_id', '=', 'd.service_id')
                // NOTE (speed): production too, so (service_id, production, finished_at) finds the next one by seeking.
                .whereRef('n.production', '=', 'd.production')
                .whereRef('n.environment', '=', 'd.environment')
                .where('n.status', '=', 'success')
                .whereRef('n.finished_at', '>', 'd.finished_at')
                .as('next_at'),
          ])
          .where('d.id', 'in', chunk)
          .where('d.service_id', 'is not', null)
          .execute();
        const ofRepository = await db
          .selectFrom('deployments as d')
          .select([
            'd.id',
            (eb) =>
              eb
                .selectFrom('deployments as n')
                .select((e) => e.fn.min('n.finished_at').as('m'))
                .where('n.service_id', 'is', null)
                .whereRef('n.repository', '=', 'd.repository')
                .whereRef('n.environment', '=', 'd.environment')
                .where('n.status', '=', 'success')
                .whereRef('n.finished_at', '>', 'd.finished_at')
                .as('next_at'),
          ])
          .where('d.id', 'in', chunk)
          .where('d.service_id', 'is', null)
          .execute();
        for (const r of [...ofService, ...ofRepository]) if (r.next_at) out.set(r.id, h.readInstant(r.next_at)!);
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
