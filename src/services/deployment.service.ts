import {
  DeploymentInput,
  DeploymentListQuery,
  type DeploymentShape,
  type DeploymentView,
  type ParsedDeploymentInput,
} from '../contracts/deployments';
import type { Actor } from '../domain/actor';
import { systemActor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { findState, transitionsFrom } from '../domain/change/lifecycle';
import { mapDeploymentPayload, senderPath } from '../domain/dora/ingest';
import { AppError, ConflictError, ForbiddenError, NotFoundError, type Issue } from '../domain/errors';
import type { DeploymentRecord, Repositories } from '../db/repositories';
import type { ActivePolicy } from './policy.service';
import type { ChangeService } from './change.service';
import { asObject, audit, decodeInstantCursor, encodeInstantCursor, issuesOfZod, throwIfIssues, type ServiceDeps } from './context';
import type { UnauthorizedChangeService } from './unauthorized-change.service';

/** What the deployment service needs of the gate (services/gate.service.ts): the change of a run's check. */
export interface GateChangeLookup {
  changeForDeployment(input: { source: string; repository: string; sha?: string; runId?: string }): Promise<string | null>;
}

export interface DeploymentServiceDeps extends ServiceDeps {
  policy: { active(): Promise<ActivePolicy> };
  changes: ChangeService;
  unauthorized: UnauthorizedChangeService;
  /** Absent in a build without the gate: a deployment then belongs to the change it names, or none. */
  gate?: GateChangeLookup;
}

const FINISHED = ['success', 'failure', 'cancelled'];

/** Whether an environment counts as production under the policy (deployments.yaml, else gate.yaml's list), without case. */
export function isProduction(active: ActivePolicy, environment: string): boolean {
  const names = active.bundle.deployments.productionEnvironments ?? active.bundle.deploymentGate?.controlledEnvironments ?? ['production', 'prod'];
  const env = environment.trim().toLowerCase();
  return names.some((n) => n.trim().toLowerCase() === env);
}

/**
 * Deployments on record (issue 14 point 7, docs/deployments.md): recorded by pipelines in Cabinet's shape, or in
 * DevLake's or Datadog's; upserted on (source, externalId); tied to their change (named, or through the run's
 * gate check); checked for an authorising change (unauthorized-change.service.ts); and, when they finish, they
 * move the change a pipeline opened on with its close code.
 */
export function createDeploymentService(deps: DeploymentServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();

  async function load(repos: Repositories, id: string): Promise<DeploymentRecord> {
    const found = await repos.deployments.findById(id);
    if (!found) throw new NotFoundError('Deployment', id);
    return found;
  }

  async function present(repos: Repositories, records: DeploymentRecord[]): Promise<DeploymentView[]> {
    const services = new Map((await repos.cmdb.findServicesByIds([...new Set(records.flatMap((r) => (r.serviceId ? [r.serviceId] : [])))])).map((s) => [s.id, s.name]));
    const cis = new Map((await repos.cmdb.findCisByIds([...new Set(records.flatMap((r) => r.ciIds))])).map((c) => [c.id, c.name]));
    const changes = new Map((await repos.changes.findManyByIds([...new Set(records.flatMap((r) => (r.changeId ? [r.changeId] : [])))])).map((c) => [c.id, c]));
    const incidents = await repos.deployments.incidentsOf(records);
    const unauthorized = await repos.deployments.unauthorizedOfDeployments(records.map((r) => r.id));
    return records.map((r) => {
      const change = r.changeId ? changes.get(r.changeId) : undefined;
      return {
        id: r.id,
        source: r.source,
        externalId: r.externalId,
        shape: r.shape,
        service: r.serviceId && services.has(r.serviceId) ? { id: r.serviceId, name: services.get(r.serviceId)! } : null,
        cis: r.ciIds.flatMap((id) => (cis.has(id) ? [{ id, name: cis.get(id)! }] : [])),
        environment: r.environment,
        production: r.production,
        repository: r.repository,
        ref: r.ref,
        sha: r.sha,
        url: r.url,
        pipeline: r.pipeline,
        pullRequests: r.pullRequests.map(({ leadSeconds, ...p }) => ({ ...p, leadTimeSeconds: leadSeconds })),
        actor: r.actor,
        status: r.status,
        result: r.result,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        change: change ? { id: change.id, number: change.number, title: change.title, state: change.state, link: r.changeLink ?? 'explicit' } : null,
        unauthorizedChanges: unauthorized.get(r.id) ?? [],
        incidents: incidents.get(r.id) ?? [],
        version: r.version,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      };
    });
  }

  /** The service, CIs and change a body names, each resolved; each unknown one is an issue. */
  async function resolveRefs(repos: Repositories, raw: Record<string, unknown>, issues: Issue[]) {
    const target = asObject(raw.target);
    let serviceId: string | null = null;
    if (typeof target.serviceId === 'string' && target.serviceId.length > 0) {
      const service = await repos.cmdb.findService(target.serviceId);
      if (service) serviceId = service.id;
      else issues.push({ path: 'target.serviceId', message: `unknown service ${target.serviceId}` });
    }
    const ciIds: string[] = [];
    const ciServices = new Set<string>();
    if (Array.isArray(target.ciIds) && target.ciIds.length <= 200) {
      const wanted = target.ciIds.filter((v): v is string => typeof v === 'string' && v.length > 0);
      const byId = new Map((await repos.cmdb.findCisByIds(wanted)).map((c) => [c.id, c]));
      const byName = new Map((await repos.cmdb.findCisByNames(wanted.filter((v) => !byId.has(v)))).map((c) => [c.name.toLowerCase(), c]));
      target.ciIds.forEach((v, i) => {
        if (typeof v !== 'string' || v.length === 0) return;
        const ci = byId.get(v) ?? byName.get(v.toLowerCase());
        if (!ci) issues.push({ path: `target.ciIds.${i}`, message: `unknown CI ${v}` });
        else {
          ciIds.push(ci.id);
          if (ci.serviceId) ciServices.add(ci.serviceId);
        }
      });
    }
    let changeId: string | null = null;
    if (typeof raw.changeNumber === 'string' && raw.changeNumber.length > 0) {
      const change = await repos.changes.findById(raw.changeNumber);
      if (change) changeId = change.id;
      else issues.push({ path: 'changeNumber', message: `unknown change ${raw.changeNumber}` });
    }
    // A deployment to CIs of one service counts for that service's DORA figures.
    if (serviceId === null && ciServices.size === 1) serviceId = [...ciServices][0]!;
    return { serviceId, ciIds: [...new Set(ciIds)].sort(), changeId };
  }

  /** The next state of a change in `implement` that takes a close code (review, or closed in a model without one). */
  function completionOf(active: ActivePolicy, type: string): string | null {
    const model = active.bundle.models[type];
    if (!model) return null;
    const next = transitionsFrom(model, 'implement').find((t) => (findState(model, t.to)?.requires ?? []).includes('closeCode'));
    return next?.to ?? null;
  }

  /**
   * Moves the change of a finished deployment on from `implement` with its close code, as policy says
   * (`completeChanges`), through the change service so every rule (reviews, catalogue score, problems) sees it.
   * As the recorder when they may; otherwise as Cabinet on their behalf (the policy says deployments complete
   * it). A refusal is audited on the deployment and does not undo the record.
   */
  async function completeChange(actor: Actor, d: DeploymentRecord, active: ActivePolicy): Promise<void> {
    const mode = active.bundle.deployments.completeChanges;
    if (!d.changeId || mode === 'never' || (mode === 'pipeline' && d.changeLink !== 'gate')) return;
    if (d.status !== 'success' && d.status !== 'failure') return;
    const change = await store.repos.changes.findById(d.changeId);
    if (!change || change.state !== 'implement') return;
    const to = completionOf(active, change.type);
    if (!to) return;
    const closeCode = d.status === 'success' ? 'successful' : 'unsuccessful';
    const comment = `Deployment of ${d.sha.slice(0, 12)} to ${d.environment} ${d.status === 'success' ? 'succeeded' : 'failed'} (${d.source}${d.pipeline ? ` run ${d.pipeline.runId}` : ''}).`;
    const move = async (as: Actor) => {
      const fresh = await deps.changes.get(as, change.id);
      await deps.changes.update(as, change.id, {
        closeCode,
        actualEnd: d.finishedAt ?? nowIso(),
        ...(fresh.actualStart ? {} : { actualStart: d.startedAt }),
        ...(fresh.closeNotes ? {} : { closeNotes: comment }),
      } as never);
      await deps.changes.transition(as, change.id, to, { comment });
    };
    try {
      try {
        await move(actor);
      } catch (err) {
        if (!(err instanceof ForbiddenError)) throw err;
        await move({ ...systemActor(actor.requestId), name: `Cabinet, for ${actor.name}` });
      }
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await store.transaction((repos) =>
        audit(repos, actor, nowIso(), 'deployment.change_not_completed', 'deployment', d.id, { changeId: change.id, number: change.number, to, code: err.code, message: err.message }),
      );
    }
  }

  /** Records (or updates) one deployment from a body in Cabinet's shape; `mapped` tells the paths of a foreign shape. */
  async function recordParsed(actor: Actor, raw: unknown, shape: DeploymentShape, pathOf: (p: string) => string): Promise<{ view: DeploymentView; created: boolean }> {
    assertPermission(actor, 'deployment.write');
    const parsed = DeploymentInput.safeParse(raw);
    const body = asObject(raw);
    const active = await deps.policy.active();
    // NOTE: asked before the transaction opens (the gate reads outside any transaction).
    const pipeline = asObject(body.pipeline);
    const gateChangeId =
      deps.gate && !body.changeNumber && typeof body.source === 'string' && typeof body.repository === 'string'
        ? await deps.gate.changeForDeployment({
            source: body.source,
            repository: body.repository,
            ...(typeof body.sha === 'string' ? { sha: body.sha } : {}),
            ...(typeof pipeline.runId === 'string' ? { runId: pipeline.runId } : {}),
          })
        : null;
    const outcome = await store.transaction(async (repos) => {
      const issues = parsed.success ? [] : issuesOfZod(parsed.error);
      const refs = await resolveRefs(repos, body, issues);
      throwIfIssues(
        issues.map((i) => ({ ...i, path: pathOf(i.path) })),
        'The deployment has invalid values.',
      );
      const input: ParsedDeploymentInput = parsed.data!;
      const at = nowIso();
      const before = input.externalId ? await repos.deployments.findByExternal(input.source, input.externalId, { lock: true }) : null;
      let status = input.status ?? input.result!;
      // A report that arrives after the deployment finished (a late "started") does not reopen it.
      if (before && FINISHED.includes(before.status) && status === 'in_progress') status = before.status;
      const finished = status !== 'in_progress';
      const finishedAt = finished ? (input.finishedAt ?? before?.finishedAt ?? at) : null;
      const pullRequests = input.pullRequests
        ? input.pullRequests.map((p) => ({
            number: p.number,
            url: p.url ?? null,
            title: p.title ?? null,
            author: p.author ?? null,
            firstCommitAt: p.firstCommitAt ?? null,
            mergedAt: p.mergedAt ?? null,
            leadSeconds: p.firstCommitAt && finishedAt && status === 'success' ? Math.max(0, Math.round((Date.parse(finishedAt) - Date.parse(p.firstCommitAt)) / 1000)) : null,
          }))
        : (before?.pullRequests ?? []);
      const changeId = refs.changeId ?? before?.changeId ?? gateChangeId;
      const changeLink = refs.changeId ? 'explicit' : (before?.changeLink ?? (gateChangeId ? 'gate' : null));
      const record: DeploymentRecord = {
        id: before?.id ?? deps.newId(),
        source: input.source,
        externalId: input.externalId ?? null,
        shape,
        serviceId: refs.serviceId ?? before?.serviceId ?? null,
        ciIds: refs.ciIds.length > 0 ? refs.ciIds : (before?.ciIds ?? []),
        environment: input.target.environment,
        production: isProduction(active, input.target.environment),
        repository: input.repository,
        ref: input.ref ?? before?.ref ?? null,
        sha: input.sha.toLowerCase(),
        url: input.url ?? before?.url ?? null,
        pipeline: input.pipeline ? { id: input.pipeline.id, runId: input.pipeline.runId, attempt: input.pipeline.attempt, url: input.pipeline.url ?? null } : (before?.pipeline ?? null),
        actor: input.actor ?? before?.actor ?? null,
        status,
        result: status === 'success' || status === 'failure' ? status : null,
        startedAt: before && before.startedAt < input.startedAt ? before.startedAt : input.startedAt,
        finishedAt,
        changeId,
        changeLink: changeId ? changeLink : null,
        coverage: before?.coverage ?? null,
        pullRequests,
        version: (before?.version ?? 0) + 1,
        createdBy: before?.createdBy ?? actor.userId,
        createdAt: before?.createdAt ?? at,
        updatedAt: at,
      };
      const assess = record.production && (record.coverage === null || record.coverage === 'not_production');
      if (!record.production) record.coverage = 'not_production';
      if (before) {
        if (!(await repos.deployments.update(record, before.version))) throw new ConflictError('conflict', 'The deployment was recorded by someone else meanwhile; send it again.');
      } else await repos.deployments.insert(record);
      // Checked once it is on record, so an unauthorized change can name it; once per deployment.
      if (assess) {
        record.coverage = await deps.unauthorized.deploymentRecorded(repos, actor, record, active);
        await repos.deployments.setCoverage(record.id, record.coverage);
      }
      await audit(repos, actor, at, before ? 'deployment.updated' : 'deployment.recorded', 'deployment', record.id, {
        source: record.source,
        externalId: record.externalId,
        shape,
        serviceId: record.serviceId,
        environment: record.environment,
        repository: record.repository,
        sha: record.sha,
        status: record.status,
        changeId: record.changeId,
        coverage: record.coverage,
        ...(before ? { from: before.status } : {}),
      });
      return { record, before, created: before === null };
    });
    const { record, before } = outcome;
    const justFinished = (record.status === 'success' || record.status === 'failure') && (!before || !FINISHED.includes(before.status) || before.changeId !== record.changeId);
    if (justFinished) await completeChange(actor, record, active);
    const view = (await present(store.repos, [await load(store.repos, record.id)]))[0]!;
    return { view, created: outcome.created };
  }

  const service = {
    /**
     * Records a deployment in Cabinet's shape (contracts/deployments.ts `DeploymentInput`); with `externalId`, a
     * second report of the same (source, externalId) updates the first. 400 lists every problem of the body.
     */
    async record(actor: Actor, input: DeploymentInput): Promise<DeploymentView> {
      return (await recordParsed(actor, input, 'cabinet', (p) => p)).view;
    },

    /**
     * `POST /api/v1/deployments`: a body in Cabinet's shape, DevLake's or Datadog's (recognised by shape; a
     * problem is reported at the path the sender wrote). `created` is false when an earlier report was updated.
     */
    async ingest(actor: Actor, raw: unknown, defaults: { serviceId?: string; environment?: string } = {}): Promise<{ view: DeploymentView; created: boolean }> {
      const mapped = mapDeploymentPayload(raw, defaults);
      return recordParsed(actor, mapped.body, mapped.shape, (p) => senderPath(mapped, p));
    },

    async get(actor: Actor, id: string): Promise<DeploymentView> {
      assertPermission(actor, 'deployment.read');
      return (await present(store.repos, [await load(store.repos, id)]))[0]!;
    },

    /** Newest started first; filter by service, CI, environment, change, result, production, ids and start. */
    async list(actor: Actor, query: Partial<DeploymentListQuery>): Promise<{ items: DeploymentView[]; nextCursor: string | null }> {
      assertPermission(actor, 'deployment.read');
      const q = DeploymentListQuery.parse(query);
      const repos = store.repos;
      const issues: Issue[] = [];
      const lookup = async <T extends { id: string }>(value: string | undefined, path: string, what: string, find: (v: string) => Promise<T | null>) => {
        if (!value) return undefined;
        const found = await find(value);
        if (!found) issues.push({ path, message: `unknown ${what} ${value}` });
        return found?.id;
      };
      const serviceId = await lookup(q.serviceId, 'query.serviceId', 'service', (v) => repos.cmdb.findService(v));
      const ciId = await lookup(q.ciId, 'query.ciId', 'CI', (v) => repos.cmdb.findCi(v));
      const changeId = await lookup(q.changeId, 'query.changeId', 'change', (v) => repos.changes.findById(v));
      throwIfIssues(issues, 'The filter has invalid values.');
      const cursor = decodeInstantCursor(q.cursor);
      const rows = await repos.deployments.list({
        serviceId,
        ciId,
        changeId,
        environment: q.environment,
        status: q.result,
        production: q.production === undefined ? undefined : q.production === 'true',
        ids: q.ids ? q.ids.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        from: q.from,
        to: q.to,
        after: cursor ? { startedAt: cursor.at, id: cursor.id } : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return { items: await present(repos, page), nextCursor: rows.length > q.limit && last ? encodeInstantCursor(last.startedAt, last.id) : null };
    },

    /** The deployments of a change, newest first. */
    async forChange(actor: Actor, changeIdOrNumber: string): Promise<DeploymentView[]> {
      assertPermission(actor, 'deployment.read');
      const change = await store.repos.changes.findById(changeIdOrNumber);
      if (!change) throw new NotFoundError('Change', changeIdOrNumber);
      return present(store.repos, await store.repos.deployments.list({ changeId: change.id, limit: 500 }));
    },

    /** Links an incident to a deployment explicitly (DORA counts it first, docs/dora.md). */
    async linkIncident(actor: Actor, id: string, incidentIdOrNumber: string): Promise<DeploymentView> {
      assertPermission(actor, 'deployment.write');
      assertPermission(actor, 'incident.write');
      return store.transaction(async (repos) => {
        const d = await load(repos, id);
        const incident = await repos.incidents.findById(incidentIdOrNumber);
        if (!incident) throw new NotFoundError('Incident', incidentIdOrNumber);
        const at = nowIso();
        if (await repos.deployments.linkIncident(d.id, incident.id, actor.userId, at)) {
          await audit(repos, actor, at, 'deployment.incident_linked', 'deployment', d.id, { incidentId: incident.id, incident: incident.number });
        }
        return (await present(repos, [d]))[0]!;
      });
    },
  };
  return service;
}
export type DeploymentService = ReturnType<typeof createDeploymentService>;
