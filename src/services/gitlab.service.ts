import { timingSafeEqual, createHash } from 'node:crypto';
import { z } from 'zod';
import type { GateCheckView } from '../contracts/gate';
import type { GitLabFreezePeriods, GitLabFreezeSyncResult, WebhookReceipt } from '../contracts/integrations';
import type { GateRequestRecord } from '../db/repositories';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { AuthenticationError, InputError, NotFoundError } from '../domain/errors';
import { callForge, ForgeCallError } from '../integrations/forge-http';
import type { ApprovalService } from './approval.service';
import { audit, issuesOfZod, type ServiceDeps } from './context';
import { environmentOf, recordCodeReview, refusal, verdictOf, type DeploymentsPort, type GatePort, type Verdict } from './forge-review';
import type { IntegrationSettingsService, LoadedSettings } from './integration-settings.service';
import { appliesTo, exportWindows, serviceTarget } from './window-export';

export interface GitLabServiceDeps extends ServiceDeps {
  settings: IntegrationSettingsService;
  approvals: ApprovalService;
  gate: GatePort | null;
  deployments: DeploymentsPort | null;
}

export interface GitLabDelivery {
  event: string | undefined;
  token: string | undefined;
  /** X-Gitlab-Event-UUID (GitLab 15.x+): a redelivery carries the same one. */
  deliveryId: string | undefined;
  requestId: string;
}

type Settings = LoadedSettings<'gitlab'>;

/** GitLab's deployment statuses as Cabinet's. */
const STATUS: Record<string, 'in_progress' | 'success' | 'failure' | 'cancelled'> = {
  running: 'in_progress',
  success: 'success',
  failed: 'failure',
  canceled: 'cancelled',
};

const Project = z.looseObject({ id: z.number(), path_with_namespace: z.string().optional() });
const User = z.looseObject({ id: z.number().optional(), username: z.string(), email: z.string().nullish() });

const DeploymentHook = z.looseObject({
  status: z.string(),
  status_changed_at: z.string(),
  deployment_id: z.number(),
  deployable_id: z.number(),
  deployable_url: z.string().nullish(),
  environment: z.string().min(1),
  project: Project,
  short_sha: z.string(),
  commit_url: z.string(),
  ref: z.string(),
  user: User.nullish(),
});

const JobHook = z.looseObject({
  ref: z.string(),
  sha: z.string(),
  build_id: z.number(),
  build_name: z.string().nullish(),
  build_status: z.string(),
  build_started_at: z.string().nullish(),
  build_created_at: z.string().nullish(),
  build_finished_at: z.string().nullish(),
  pipeline_id: z.number(),
  project_id: z.number(),
  project_name: z.string().nullish(),
  user: User.nullish(),
  environment: z.looseObject({ name: z.string(), action: z.string().nullish() }).nullish(),
});

const PipelineHook = z.looseObject({
  object_attributes: z.looseObject({ id: z.number(), ref: z.string(), sha: z.string(), status: z.string(), url: z.string().nullish() }),
  project: Project,
  user: User.nullish(),
  builds: z
    .array(
      z.looseObject({
        id: z.number(),
        name: z.string().nullish(),
        status: z.string(),
        started_at: z.string().nullish(),
        created_at: z.string().nullish(),
        finished_at: z.string().nullish(),
        environment: z.looseObject({ name: z.string(), action: z.string().nullish() }).nullish(),
      }),
    )
    .default([]),
});

const MergeRequestHook = z.looseObject({
  user: User,
  project: Project,
  object_attributes: z.looseObject({
    iid: z.number(),
    title: z.string(),
    url: z.string().nullish(),
    action: z.string().nullish(),
    author_id: z.number(),
    last_commit: z.looseObject({ id: z.string() }),
    updated_at: z.string().nullish(),
  }),
});

function parse<S extends z.ZodType>(schema: S, payload: unknown, event: string): z.output<S> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new InputError(`The ${event} payload is not one GitLab sends.`, issuesOfZod(result.error));
  return result.data;
}

/** GitLab's "2021-04-28 21:50:00 +0200" and "2016-08-12 15:23:28 UTC" as an ISO instant. */
export function gitlabTime(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(UTC|Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!m) return new Date(value).toISOString();
  const zone = !m[3] || m[3] === 'UTC' || m[3] === 'Z' ? 'Z' : m[3].includes(':') ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
  return new Date(`${m[1]}T${m[2]}${zone}`).toISOString();
}

/** Equal in constant time, whatever the lengths (compared as digests). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * GitLab (docs/integrations.md#gitlab): Deployment, Job and Pipeline hooks record deployments (one record per
 * deploy job, whichever hook tells of it), Merge Request hooks record approvals as code review evidence, a
 * deployment blocked for approval asks the gate and is approved or rejected through GitLab's deployment approval
 * API (again when the decision changes), and Cabinet's freezes are exported as the projects' freeze periods.
 */
export function createGitLabService(deps: GitLabServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();
  const api = (s: Settings) => `${String(s.config.baseUrl).replace(/\/+$/, '')}/api/v4`;
  const headers = (s: Settings) => {
    const token = s.secret('accessToken');
    if (!token) throw new ForgeCallError('The GitLab settings have no access token.', null);
    return { 'private-token': token };
  };
  const projectOf = (s: Settings, projectId: number) => s.config.projects?.find((p) => p.projectId === projectId) ?? null;

  async function answer(s: Settings, request: GateRequestRecord, verdict: Verdict, requestId: string): Promise<'approved' | 'rejected' | 'unchanged'> {
    // GitLab has no progress report for a blocked deployment: a pending one waits for the next decision.
    if (verdict.decision === 'pending') return 'unchanged';
    const state = verdict.decision === 'allow' ? 'approved' : 'rejected';
    const at = nowIso();
    if (!(await store.repos.integrations.settleGateRequest(request.id, state, verdict.decision, at))) return 'unchanged';
    try {
      await callForge({
        method: 'POST',
        url: `${api(s)}/projects/${request.projectId}/deployments/${request.deploymentId}/approval`,
        headers: headers(s),
        body: { status: state, comment: verdict.comment },
      });
    } catch (err) {
      await store.repos.integrations.reopenGateRequest(request.id);
      throw err;
    }
    const actor = await deps.settings.machineActor('gitlab', requestId);
    await store.transaction((repos) =>
      audit(repos, actor, at, 'integration.gate_answered', 'integration', 'gitlab', {
        kind: 'gitlab',
        gateRequestId: request.id,
        checkId: request.checkId,
        repository: request.repository,
        environment: request.environment,
        deploymentId: request.deploymentId,
        state,
        ...(verdict.change ? { changeId: verdict.change.id, number: verdict.change.number } : {}),
      }),
    );
    return state;
  }

  async function record(s: Settings, requestId: string, d: { projectId: number; path: string; jobId: number; environment: string; status: string; sha: string; ref: string; startedAt: string; finishedAt: string | null; url: string | null; actor: string | null; pipelineId: number | null }) {
    const project = projectOf(s, d.projectId);
    const status = STATUS[d.status];
    if (!project || !status || !deps.deployments) return null;
    return deps.deployments.record(await deps.settings.machineActor('gitlab', requestId), {
      source: 'gitlab',
      // NOTE: keyed by the deploy job, which the Deployment, Job and Pipeline hooks all name: one record each.
      externalId: `job:${d.projectId}:${d.jobId}`,
      target: { serviceId: project.serviceId, environment: environmentOf(s.config.environments, d.environment) },
      repository: d.path,
      sha: d.sha,
      ref: d.ref,
      startedAt: d.startedAt,
      ...(status === 'in_progress' ? { status } : status === 'cancelled' ? { status, finishedAt: d.finishedAt ?? nowIso() } : { result: status, finishedAt: d.finishedAt ?? nowIso() }),
      ...(d.url ? { url: d.url } : {}),
      ...(d.pipelineId ? { pipeline: { id: d.path, runId: String(d.pipelineId), attempt: 1 } } : {}),
      ...(d.actor ? { actor: d.actor } : {}),
    });
  }

  async function deploymentHook(s: Settings, payload: unknown, requestId: string): Promise<WebhookReceipt> {
    const p = parse(DeploymentHook, payload, 'Deployment Hook');
    const sha = /\/commit\/([0-9a-f]{7,64})/i.exec(p.commit_url)?.[1] ?? p.short_sha;
    const path = p.project.path_with_namespace ?? String(p.project.id);
    const project = projectOf(s, p.project.id);
    if (!project) return { received: true, outcome: 'ignored', detail: { reason: 'unmapped_project', projectId: p.project.id } };
    if (p.status === 'blocked') {
      if (!deps.gate) return { received: true, outcome: 'ignored', detail: { reason: 'gate_unavailable' } };
      const check = await deps.gate.check(await deps.settings.machineActor('gitlab', requestId), {
        target: { serviceId: project.serviceId, environment: environmentOf(s.config.environments, p.environment) },
        source: 'gitlab',
        repository: path,
        ref: p.ref,
        sha,
        pipeline: { id: path, runId: String(p.deployable_id), attempt: 1, ...(p.deployable_url ? { url: p.deployable_url } : {}) },
        actor: p.user?.username ?? 'gitlab',
        ...(project.templateId ? { templateId: project.templateId } : {}),
      });
      const request = await store.repos.integrations.insertGateRequest({
        id: deps.newId(),
        kind: 'gitlab',
        checkId: check.id,
        repository: path,
        environment: p.environment,
        installationId: null,
        callbackUrl: null,
        runId: String(p.deployable_id),
        projectId: String(p.project.id),
        deploymentId: String(p.deployment_id),
        state: 'waiting',
        reports: 0,
        lastDecision: null,
        deadline: check.deadline ?? new Date(deps.now().getTime() + (s.config.deadlineMinutes ?? 1440) * 60_000).toISOString(),
        createdAt: nowIso(),
        decidedAt: null,
      });
      const outcome = await answer(s, request, verdictOf(check, 4000), requestId);
      return { received: true, outcome, detail: { checkId: check.id, decision: check.decision, ...(check.change ? { changeNumber: check.change.number } : {}) } };
    }
    const at = gitlabTime(p.status_changed_at);
    const recorded = await record(s, requestId, {
      projectId: p.project.id,
      path,
      jobId: p.deployable_id,
      environment: p.environment,
      status: p.status,
      sha,
      ref: p.ref,
      startedAt: at,
      finishedAt: STATUS[p.status] === 'in_progress' ? null : at,
      url: p.deployable_url ?? null,
      actor: p.user?.username ?? null,
      pipelineId: null,
    });
    return recorded ? { received: true, outcome: 'deployment_recorded', detail: { deploymentId: recorded.id } } : { received: true, outcome: 'ignored', detail: { status: p.status } };
  }

  async function jobHook(s: Settings, payload: unknown, requestId: string): Promise<WebhookReceipt> {
    const p = parse(JobHook, payload, 'Job Hook');
    if (!p.environment || (p.environment.action ?? 'start') !== 'start') return { received: true, outcome: 'ignored', detail: { reason: 'not_a_deploy_job' } };
    const recorded = await record(s, requestId, {
      projectId: p.project_id,
      path: p.project_name?.replace(/\s+\/\s+/g, '/') ?? String(p.project_id),
      jobId: p.build_id,
      environment: p.environment.name,
      status: p.build_status,
      sha: p.sha,
      ref: p.ref,
      startedAt: gitlabTime(p.build_started_at ?? p.build_created_at ?? nowIso()),
      finishedAt: p.build_finished_at ? gitlabTime(p.build_finished_at) : null,
      url: null,
      actor: p.user?.username ?? null,
      pipelineId: p.pipeline_id,
    });
    return recorded ? { received: true, outcome: 'deployment_recorded', detail: { deploymentId: recorded.id } } : { received: true, outcome: 'ignored', detail: { status: p.build_status } };
  }

  async function pipelineHook(s: Settings, payload: unknown, requestId: string): Promise<WebhookReceipt> {
    const p = parse(PipelineHook, payload, 'Pipeline Hook');
    const ids: string[] = [];
    for (const b of p.builds.filter((b) => b.environment && (b.environment.action ?? 'start') === 'start')) {
      const recorded = await record(s, requestId, {
        projectId: p.project.id,
        path: p.project.path_with_namespace ?? String(p.project.id),
        jobId: b.id,
        environment: b.environment!.name,
        status: b.status,
        sha: p.object_attributes.sha,
        ref: p.object_attributes.ref,
        startedAt: gitlabTime(b.started_at ?? b.created_at ?? nowIso()),
        finishedAt: b.finished_at ? gitlabTime(b.finished_at) : null,
        url: p.object_attributes.url ?? null,
        actor: p.user?.username ?? null,
        pipelineId: p.object_attributes.id,
      });
      if (recorded) ids.push(recorded.id);
    }
    return { received: true, outcome: ids.length ? 'deployment_recorded' : 'ignored', detail: { deploymentIds: ids } };
  }

  async function mergeRequestHook(s: Settings, payload: unknown, requestId: string): Promise<WebhookReceipt> {
    const p = parse(MergeRequestHook, payload, 'Merge Request Hook');
    const mr = p.object_attributes;
    if (mr.action !== 'approved') return { received: true, outcome: 'ignored', detail: { action: mr.action ?? null } };
    const path = p.project.path_with_namespace ?? String(p.project.id);
    const changeId = deps.gate ? await deps.gate.changeForDeployment({ source: 'gitlab', repository: path, sha: mr.last_commit.id }) : null;
    if (!changeId) return { received: true, outcome: 'no_change', detail: { sha: mr.last_commit.id } };
    const outcome = await recordCodeReview(
      deps,
      await deps.settings.machineActor('gitlab', requestId),
      changeId,
      {
        source: 'gitlab',
        repository: path,
        number: mr.iid,
        title: mr.title,
        url: mr.url ?? null,
        author: `id:${mr.author_id}`,
        reviewer: p.user.username,
        reviewerEmail: p.user.email ?? null,
        selfReview: p.user.id === mr.author_id,
        sha: mr.last_commit.id,
        submittedAt: mr.updated_at ? gitlabTime(mr.updated_at) : nowIso(),
      },
      null,
    );
    return { received: true, outcome: 'review_recorded', detail: { ...outcome } };
  }

  async function desiredPeriods(projectId: number, s: Settings): Promise<GitLabFreezePeriods> {
    const project = projectOf(s, projectId);
    if (!project) throw new NotFoundError('GitLab project in the settings', String(projectId));
    const target = await serviceTarget(store.repos, project.serviceId, undefined);
    const { exported, skipped } = await exportWindows(store.repos, 'freeze', appliesTo(target), deps.now());
    return {
      projectId,
      items: exported.map(({ window, cron }) => ({ freeze_start: cron.start, freeze_end: cron.end!, cron_timezone: cron.timeZone, windowId: window.id, name: window.name })),
      skipped,
    };
  }

  async function loadOrFail(): Promise<Settings> {
    const s = await deps.settings.load('gitlab');
    if (!s) throw new NotFoundError('Integration settings', 'gitlab');
    return s;
  }

  const service = {
    /**
     * Handles one webhook: 401 `invalid_token` unless X-Gitlab-Token is the webhook token (compared in constant
     * time), `duplicate` for a delivery already handled (X-Gitlab-Event-UUID), 400 listing the problems of a
     * payload GitLab would not send.
     */
    async receive(delivery: GitLabDelivery, body: unknown): Promise<WebhookReceipt> {
      const s = await deps.settings.load('gitlab');
      const expected = s?.secret('webhookToken');
      if (!s || !expected) throw new AuthenticationError('The GitLab integration is not configured: Cabinet cannot verify this webhook.', 'invalid_token');
      if (!delivery.token || !sameSecret(delivery.token, expected)) throw new AuthenticationError('The X-Gitlab-Token header is missing or wrong: check the webhook’s secret token.', 'invalid_token');
      if (!delivery.event) throw new InputError('The webhook lacks GitLab’s headers.', [{ path: 'header.x-gitlab-event', message: 'is required' }]);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InputError('The webhook body is not a JSON object.', [{ path: 'body', message: 'must be a JSON object' }]);
      const handlers: Record<string, (s: Settings, p: unknown, requestId: string) => Promise<WebhookReceipt>> = {
        'Deployment Hook': deploymentHook,
        'Job Hook': jobHook,
        'Pipeline Hook': pipelineHook,
        'Merge Request Hook': mergeRequestHook,
      };
      const handler = handlers[delivery.event];
      if (!handler) return { received: true, outcome: 'ignored', detail: { event: delivery.event } };
      const claimed = delivery.deliveryId ? await store.repos.integrations.claimDelivery('gitlab', delivery.deliveryId, delivery.event, nowIso()) : true;
      if (!claimed) return { received: true, outcome: 'duplicate', detail: { deliveryId: delivery.deliveryId } };
      try {
        return await handler(s, body, delivery.requestId);
      } catch (err) {
        if (delivery.deliveryId) await store.repos.integrations.releaseDelivery('gitlab', delivery.deliveryId);
        throw err;
      }
    },

    async decisionChanged(check: GateCheckView): Promise<void> {
      const waiting = (await store.repos.integrations.gateRequestsOfCheck(check.id)).filter((r) => r.kind === 'gitlab' && r.state === 'waiting');
      if (waiting.length === 0) return;
      const s = await deps.settings.load('gitlab');
      if (!s) return;
      for (const request of waiting) await answer(s, request, verdictOf(check, 4000), 'gate-adapter');
    },

    /** The worker's pass: blocked deployments still waiting past their deadline are rejected with the reason. */
    async expireOverdue(): Promise<number> {
      const overdue = await store.repos.integrations.overdueGateRequests('gitlab', nowIso(), 100);
      if (overdue.length === 0) return 0;
      const s = await deps.settings.load('gitlab');
      if (!s) return 0;
      let rejected = 0;
      for (const request of overdue) {
        try {
          if ((await answer(s, request, refusal(`Cabinet had no decision by the deadline (${request.deadline}); the deployment is rejected. Run it again once its change is authorised.`), 'worker')) === 'rejected') rejected++;
        } catch {
          // GitLab unreachable: waiting again, retried on the next pass.
        }
      }
      return rejected;
    },

    /** The freezes of the project's service as GitLab freeze periods (and the freezes cron cannot say). */
    async freezePeriods(actor: Actor, projectId: number): Promise<GitLabFreezePeriods> {
      assertPermission(actor, 'integration.manage');
      return desiredPeriods(projectId, await loadOrFail());
    },

    /**
     * Makes the freeze periods of each project (or one) what Cabinet's freezes say: creates, updates and deletes
     * through GitLab's API. Audited as `integration.freeze_periods_synced` with the counts. A project GitLab
     * refuses is reported with its error; the others go on.
     */
    async syncFreezePeriods(actor: Actor, projectId?: number): Promise<GitLabFreezeSyncResult> {
      assertPermission(actor, 'integration.manage');
      const s = await loadOrFail();
      const projects = (s.config.projects ?? []).filter((p) => (projectId === undefined ? p.syncFreezes !== false : p.projectId === projectId));
      if (projectId !== undefined && projects.length === 0) throw new NotFoundError('GitLab project in the settings', String(projectId));
      const results: GitLabFreezeSyncResult['projects'] = [];
      for (const project of projects) {
        const counts = { projectId: project.projectId, created: 0, updated: 0, deleted: 0, unchanged: 0, error: null as string | null };
        try {
          const desired = (await desiredPeriods(project.projectId, s)).items;
          const base = `${api(s)}/projects/${project.projectId}/freeze_periods`;
          const existing = ((await callForge({ method: 'GET', url: `${base}?per_page=100`, headers: headers(s) })).json ?? []) as { id: number; freeze_start: string; freeze_end: string; cron_timezone: string }[];
          const key = (p: { freeze_start: string; freeze_end: string; cron_timezone: string }) => `${p.freeze_start}|${p.freeze_end}|${p.cron_timezone}`;
          const left = [...existing];
          const toWrite = desired.filter((d) => {
            const i = left.findIndex((e) => key(e) === key(d));
            if (i < 0) return true;
            left.splice(i, 1);
            counts.unchanged++;
            return false;
          });
          for (const d of toWrite) {
            const body = { freeze_start: d.freeze_start, freeze_end: d.freeze_end, cron_timezone: d.cron_timezone };
            const reuse = left.shift();
            if (reuse) {
              await callForge({ method: 'PUT', url: `${base}/${reuse.id}`, headers: headers(s), body });
              counts.updated++;
            } else {
              await callForge({ method: 'POST', url: base, headers: headers(s), body });
              counts.created++;
            }
          }
          for (const e of left) {
            await callForge({ method: 'DELETE', url: `${base}/${e.id}`, headers: headers(s) });
            counts.deleted++;
          }
        } catch (err) {
          counts.error = err instanceof Error ? err.message : 'failed';
        }
        results.push(counts);
      }
      const at = nowIso();
      await store.transaction((repos) => audit(repos, actor, at, 'integration.freeze_periods_synced', 'integration', 'gitlab', { kind: 'gitlab', projects: results }));
      return { projects: results };
    },
  };
  deps.gate?.addAdapter({ name: 'gitlab', decisionChanged: (check) => service.decisionChanged(check) });
  return service;
}
export type GitLabService = ReturnType<typeof createGitLabService>;
