import { verify } from '@octokit/webhooks-methods';
import { z } from 'zod';
import type { GateCheckView } from '../contracts/gate';
import type { WebhookReceipt } from '../contracts/integrations';
import type { GateRequestRecord } from '../db/repositories';
import { AuthenticationError, InputError } from '../domain/errors';
import { appJwt, InstallationTokens } from '../integrations/github/app-auth';
import { callForge, ForgeCallError } from '../integrations/forge-http';
import type { ApprovalService } from './approval.service';
import { audit, issuesOfZod, type ServiceDeps } from './context';
import { environmentOf, recordCodeReview, refusal, verdictOf, type DeploymentsPort, type GatePort, type Verdict } from './forge-review';
import type { IntegrationSettingsService, LoadedSettings } from './integration-settings.service';

export interface GitHubServiceDeps extends ServiceDeps {
  settings: IntegrationSettingsService;
  approvals: ApprovalService;
  gate: GatePort | null;
  deployments: DeploymentsPort | null;
}

/** The headers a GitHub webhook is read by. */
export interface GitHubDelivery {
  event: string | undefined;
  deliveryId: string | undefined;
  signature: string | undefined;
  requestId: string;
}

type Settings = LoadedSettings<'github'>;

/** GitHub allows ten status reports per deployment; Cabinet keeps the last for the decision itself. */
const MAX_REPORTS = 9;

const Login = z.looseObject({ login: z.string() });
const Repository = z.looseObject({ full_name: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be OWNER/NAME') });

const ProtectionRule = z.looseObject({
  action: z.string(),
  environment: z.string().min(1),
  deployment_callback_url: z.url(),
  deployment: z.looseObject({ id: z.number(), sha: z.string(), ref: z.string() }),
  installation: z.looseObject({ id: z.number() }),
  repository: Repository,
  sender: Login,
});

const Review = z.looseObject({
  action: z.string(),
  review: z.looseObject({ state: z.string(), user: Login.extend({ email: z.string().nullish() }), html_url: z.string().nullish(), submitted_at: z.string().nullish(), commit_id: z.string().nullish() }),
  pull_request: z.looseObject({ number: z.number(), title: z.string(), html_url: z.string().nullish(), user: Login, head: z.looseObject({ sha: z.string() }) }),
  repository: Repository,
});

const DeploymentStatus = z.looseObject({
  action: z.string(),
  deployment_status: z.looseObject({ state: z.string(), environment: z.string(), created_at: z.string(), target_url: z.string().nullish(), log_url: z.string().nullish() }),
  deployment: z.looseObject({ id: z.number(), sha: z.string(), ref: z.string(), created_at: z.string(), creator: Login.nullish() }),
  workflow_run: z.looseObject({ id: z.number(), run_attempt: z.number().nullish(), path: z.string().nullish(), name: z.string().nullish(), html_url: z.string().nullish() }).nullish(),
  repository: Repository,
});

const WorkflowRun = z.looseObject({
  action: z.string(),
  workflow_run: z.looseObject({
    id: z.number(),
    status: z.string().nullish(),
    conclusion: z.string().nullish(),
    head_sha: z.string(),
    head_branch: z.string().nullish(),
    run_attempt: z.number().nullish(),
    path: z.string().nullish(),
    name: z.string().nullish(),
    html_url: z.string().nullish(),
    run_started_at: z.string().nullish(),
    created_at: z.string(),
    updated_at: z.string(),
    actor: Login.nullish(),
    pull_requests: z.array(z.looseObject({ number: z.number(), url: z.string().nullish() })).nullish(),
  }),
  repository: Repository,
});

/** Parses a payload, or throws a 400 naming every problem. */
function parse<S extends z.ZodType>(schema: S, payload: unknown, event: string): z.output<S> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new InputError(`The ${event} payload is not one GitHub sends.`, issuesOfZod(result.error));
  return result.data;
}

/**
 * Cabinet as a GitHub App (docs/integrations.md#github): it verifies each webhook's signature, acts as a custom
 * deployment protection rule (asks the gate, reports and answers through the callback URL with an installation
 * token, answers again when the decision changes, and rejects what waits past its deadline), records approved
 * pull request reviews on their change, and records deployments from deployment_status and workflow_run.
 */
export function createGitHubService(deps: GitHubServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();
  const tokens = new InstallationTokens();

  const apiOf = (s: Settings) => String(s.config.apiUrl).replace(/\/+$/, '');
  const headers = (auth: string) => ({ authorization: auth, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' });

  /** An installation token: minted with the App JWT, reused until near its expiry. */
  async function installationToken(s: Settings, installationId: string): Promise<string> {
    const privateKey = s.secret('privateKey');
    if (!privateKey) throw new ForgeCallError('The GitHub App has no private key in its settings.', null);
    const api = apiOf(s);
    // NOTE: the JWT and the token's expiry are judged by GitHub's clock, so they use the machine's, not `deps.now`
    // (which tests move forward to make deadlines pass).
    return tokens.get(`${api}|${s.config.appId}|${installationId}`, new Date(), async () => {
      const answer = await callForge({ method: 'POST', url: `${api}/app/installations/${encodeURIComponent(installationId)}/access_tokens`, headers: headers(`Bearer ${appJwt(String(s.config.appId), privateKey, new Date())}`) });
      const body = answer.json as { token?: string; expires_at?: string } | null;
      if (!body?.token || !body.expires_at) throw new ForgeCallError('GitHub answered the token request without a token.', answer.status);
      return { token: body.token, expiresAt: body.expires_at };
    });
  }

  async function postReview(s: Settings, request: GateRequestRecord, body: Record<string, unknown>): Promise<void> {
    const token = await installationToken(s, request.installationId!);
    await callForge({ method: 'POST', url: request.callbackUrl!, headers: headers(`token ${token}`), body: { environment_name: request.environment, ...body } });
  }

  /**
   * Tells GitHub a verdict: approved or rejected through the callback (once: the request is claimed first, and
   * put back to waiting when GitHub could not be told, so that the next pass tries again), or a status report
   * while it is pending (one per new set of reasons, at most nine).
   */
  async function answer(s: Settings, request: GateRequestRecord, verdict: Verdict, requestId: string): Promise<'approved' | 'rejected' | 'reported' | 'unchanged'> {
    if (verdict.decision === 'pending') {
      if (request.reports >= MAX_REPORTS || !(await store.repos.integrations.noteReport(request.id, verdict.key))) return 'unchanged';
      await postReview(s, request, { comment: verdict.comment });
      return 'reported';
    }
    const state = verdict.decision === 'allow' ? 'approved' : 'rejected';
    const at = nowIso();
    if (!(await store.repos.integrations.settleGateRequest(request.id, state, verdict.decision, at))) return 'unchanged';
    try {
      await postReview(s, request, { state, comment: verdict.comment });
    } catch (err) {
      await store.repos.integrations.reopenGateRequest(request.id);
      throw err;
    }
    const actor = await deps.settings.machineActor('github', requestId);
    await store.transaction((repos) =>
      audit(repos, actor, at, 'integration.gate_answered', 'integration', 'github', {
        kind: 'github',
        gateRequestId: request.id,
        checkId: request.checkId,
        repository: request.repository,
        environment: request.environment,
        runId: request.runId,
        state,
        ...(verdict.change ? { changeId: verdict.change.id, number: verdict.change.number } : {}),
      }),
    );
    return state;
  }

  async function protectionRule(s: Settings, payload: unknown, requestId: string): Promise<WebhookReceipt> {
    const p = parse(ProtectionRule, payload, 'deployment_protection_rule');
    if (p.action !== 'requested') return { received: true, outcome: 'ignored', detail: { action: p.action } };
    const api = apiOf(s);
    // NOTE (security): the installation token goes only to the API the settings name, never to a URL a payload
    // could point elsewhere.
    if (!p.deployment_callback_url.startsWith(`${api}/repos/${p.repository.full_name}/actions/runs/`)) {
      throw new InputError('The callback URL is not one of the configured GitHub API.', [{ path: 'deployment_callback_url', message: `must start with ${api}/repos/${p.repository.full_name}/actions/runs/` }]);
    }
    const runId = /\/actions\/runs\/(\d+)\//.exec(p.deployment_callback_url)?.[1] ?? String(p.deployment.id);
    const environment = environmentOf(s.config.environments, p.environment);
    const mapping = s.config.repositories?.find((r) => r.repository.toLowerCase() === p.repository.full_name.toLowerCase());
    const deadline = new Date(deps.now().getTime() + (s.config.deadlineMinutes ?? 1440) * 60_000).toISOString();
    const base: GateRequestRecord = {
      id: deps.newId(),
      kind: 'github',
      checkId: '',
      repository: p.repository.full_name,
      environment: p.environment,
      installationId: String(p.installation.id),
      callbackUrl: p.deployment_callback_url,
      runId,
      projectId: null,
      deploymentId: String(p.deployment.id),
      state: 'waiting',
      reports: 0,
      lastDecision: null,
      deadline,
      createdAt: nowIso(),
      decidedAt: null,
    };
    if (!mapping || !deps.gate) {
      // Unknown to Cabinet: refused at once with the reason, rather than left waiting.
      const why = !mapping
        ? `Cabinet does not know which service ${p.repository.full_name} deploys: add it to the GitHub settings (repositories).`
        : 'Cabinet’s deployment gate is not available.';
      const request = await store.repos.integrations.insertGateRequest({ ...base, checkId: `unmapped:${p.repository.full_name}:${runId}:${p.environment}` });
      const outcome = await answer(s, request, refusal(why), requestId);
      return { received: true, outcome, detail: { reason: 'unmapped_repository' } };
    }
    // Re-read the run (GitHub's advice: trust the API over the payload) for its attempt, workflow and commit.
    let run: { head_sha?: string; run_attempt?: number; path?: string; html_url?: string } = {};
    try {
      const token = await installationToken(s, String(p.installation.id));
      run = ((await callForge({ method: 'GET', url: `${api}/repos/${p.repository.full_name}/actions/runs/${runId}`, headers: headers(`token ${token}`) })).json ?? {}) as typeof run;
    } catch {
      run = {};
    }
    const check = await deps.gate.check(await deps.settings.machineActor('github', requestId), {
      target: { serviceId: mapping.serviceId, environment },
      source: 'github',
      repository: p.repository.full_name,
      ref: p.deployment.ref,
      sha: run.head_sha ?? p.deployment.sha,
      pipeline: { id: run.path ?? 'github-actions', runId, attempt: run.run_attempt ?? 1, ...(run.html_url ? { url: run.html_url } : {}) },
      actor: p.sender.login,
      ...(mapping.templateId ? { templateId: mapping.templateId } : {}),
    });
    const request = await store.repos.integrations.insertGateRequest({ ...base, checkId: check.id, ...(check.deadline ? { deadline: check.deadline } : {}) });
    const outcome = await answer(s, request, verdictOf(check), requestId);
    return { received: true, outcome, detail: { checkId: check.id, decision: check.decision, ...(check.change ? { changeNumber: check.change.number } : {}) } };
  }

  async function review(s: Settings, payload: unknown, requestId: string): Promise<WebhookReceipt> {
    const p = parse(Review, payload, 'pull_request_review');
    if (p.action !== 'submitted' || p.review.state.toLowerCase() !== 'approved') return { received: true, outcome: 'ignored', detail: { action: p.action, state: p.review.state } };
    if (!deps.gate) return { received: true, outcome: 'no_change', detail: {} };
    const sha = p.review.commit_id ?? p.pull_request.head.sha;
    const changeId = await deps.gate.changeForDeployment({ source: 'github', repository: p.repository.full_name, sha });
    if (!changeId) return { received: true, outcome: 'no_change', detail: { sha } };
    const outcome = await recordCodeReview(
      deps,
      await deps.settings.machineActor('github', requestId),
      changeId,
      {
        source: 'github',
        repository: p.repository.full_name,
        number: p.pull_request.number,
        title: p.pull_request.title,
        url: p.review.html_url ?? p.pull_request.html_url ?? null,
        author: p.pull_request.user.login,
        reviewer: p.review.user.login,
        reviewerEmail: p.review.user.email ?? null,
        sha,
        submittedAt: p.review.submitted_at ?? nowIso(),
      },
      s.config.reviewCountsAs === 'peer_approval' ? { people: s.config.people, maxRisk: s.config.peerApprovalMaxRisk ?? 'low' } : null,
    );
    return { received: true, outcome: 'review_recorded', detail: { ...outcome } };
  }

  const serviceOf = (s: Settings, repository: string) => s.config.repositories?.find((r) => r.repository.toLowerCase() === repository.toLowerCase())?.serviceId ?? null;

  async function deploymentStatus(s: Settings, payload: unknown, requestId: string): Promise<WebhookReceipt> {
    const p = parse(DeploymentStatus, payload, 'deployment_status');
    const serviceId = serviceOf(s, p.repository.full_name);
    if (!serviceId) return { received: true, outcome: 'ignored', detail: { reason: 'unmapped_repository' } };
    if (!deps.deployments) return { received: true, outcome: 'ignored', detail: { reason: 'deployments_unavailable' } };
    const state = p.deployment_status.state;
    const status = state === 'success' ? 'success' : state === 'failure' || state === 'error' ? 'failure' : ['queued', 'pending', 'in_progress'].includes(state) ? 'in_progress' : null;
    if (!status) return { received: true, outcome: 'ignored', detail: { state } };
    const run = p.workflow_run;
    const recorded = await deps.deployments.record(await deps.settings.machineActor('github', requestId), {
      source: 'github',
      externalId: `deployment:${p.deployment.id}`,
      target: { serviceId, environment: environmentOf(s.config.environments, p.deployment_status.environment) },
      repository: p.repository.full_name,
      sha: p.deployment.sha,
      ref: p.deployment.ref,
      startedAt: new Date(p.deployment.created_at).toISOString(),
      ...(status === 'in_progress' ? { status } : { result: status, finishedAt: new Date(p.deployment_status.created_at).toISOString() }),
      ...(p.deployment_status.target_url || p.deployment_status.log_url ? { url: (p.deployment_status.target_url || p.deployment_status.log_url)! } : {}),
      ...(run ? { pipeline: { id: run.path ?? run.name ?? 'github-actions', runId: String(run.id), attempt: run.run_attempt ?? 1, ...(run.html_url ? { url: run.html_url } : {}) } } : {}),
      ...(p.deployment.creator?.login ? { actor: p.deployment.creator.login } : {}),
    });
    return { received: true, outcome: 'deployment_recorded', detail: { deploymentId: recorded.id, status } };
  }

  /** A workflow run that went through a protection rule deployed: it is recorded as the deployment of that rule. */
  async function workflowRun(s: Settings, payload: unknown, requestId: string): Promise<WebhookReceipt> {
    const p = parse(WorkflowRun, payload, 'workflow_run');
    const run = p.workflow_run;
    const serviceId = serviceOf(s, p.repository.full_name);
    const gated = (await store.repos.integrations.gateRequestsOfRun('github', p.repository.full_name, String(run.id))).filter((r) => r.state === 'approved' && r.deploymentId);
    if (!serviceId || gated.length === 0 || !deps.deployments) return { received: true, outcome: 'ignored', detail: { reason: gated.length === 0 ? 'not_a_gated_deployment' : 'unmapped_repository' } };
    const finished = run.status === 'completed';
    const result = run.conclusion === 'success' ? 'success' : 'failure';
    if (finished && run.conclusion && !['success', 'failure', 'timed_out', 'startup_failure'].includes(run.conclusion)) return { received: true, outcome: 'ignored', detail: { conclusion: run.conclusion } };
    const ids: string[] = [];
    for (const g of gated) {
      const recorded = await deps.deployments.record(await deps.settings.machineActor('github', requestId), {
        source: 'github',
        externalId: `deployment:${g.deploymentId}`,
        target: { serviceId, environment: environmentOf(s.config.environments, g.environment) },
        repository: p.repository.full_name,
        sha: run.head_sha,
        ...(run.head_branch ? { ref: run.head_branch } : {}),
        startedAt: new Date(run.run_started_at ?? run.created_at).toISOString(),
        ...(finished ? { result, finishedAt: new Date(run.updated_at).toISOString() } : { status: 'in_progress' as const }),
        pipeline: { id: run.path ?? run.name ?? 'github-actions', runId: String(run.id), attempt: run.run_attempt ?? 1, ...(run.html_url ? { url: run.html_url } : {}) },
        ...(run.pull_requests?.length ? { pullRequests: run.pull_requests.map((pr) => ({ number: pr.number })) } : {}),
        ...(run.actor?.login ? { actor: run.actor.login } : {}),
      });
      ids.push(recorded.id);
    }
    return { received: true, outcome: 'deployment_recorded', detail: { deploymentIds: ids } };
  }

  const service = {
    /**
     * Handles one webhook: 401 `invalid_signature` unless X-Hub-Signature-256 is the HMAC of the raw body under
     * the App's webhook secret (checked before anything is parsed), a delivery already handled is acknowledged
     * as `duplicate` and not acted on again, 400 lists the problems of a payload GitHub would not send.
     */
    async receive(delivery: GitHubDelivery, rawBody: string): Promise<WebhookReceipt> {
      const s = await deps.settings.load('github');
      const secret = s?.secret('webhookSecret');
      if (!s || !secret) throw new AuthenticationError('The GitHub integration is not configured: Cabinet cannot verify this webhook.', 'invalid_signature');
      if (!delivery.signature || !(await verify(secret, rawBody, delivery.signature).catch(() => false))) {
        throw new AuthenticationError('The X-Hub-Signature-256 header is missing or does not match the body: check the App’s webhook secret.', 'invalid_signature');
      }
      const missing = [!delivery.event && { path: 'header.x-github-event', message: 'is required' }, !delivery.deliveryId && { path: 'header.x-github-delivery', message: 'is required' }].filter((x) => !!x);
      if (missing.length) throw new InputError('The webhook lacks GitHub’s headers.', missing);
      let payload: unknown;
      try {
        payload = JSON.parse(rawBody);
      } catch {
        throw new InputError('The webhook body is not JSON: set the App’s webhook content type to application/json.', [{ path: 'body', message: 'must be JSON' }]);
      }
      const event = delivery.event!;
      if (event === 'ping') return { received: true, outcome: 'pong', detail: {} };
      const handlers: Record<string, (s: Settings, p: unknown, requestId: string) => Promise<WebhookReceipt>> = {
        deployment_protection_rule: protectionRule,
        pull_request_review: review,
        deployment_status: deploymentStatus,
        workflow_run: workflowRun,
      };
      const handler = handlers[event];
      if (!handler) return { received: true, outcome: 'ignored', detail: { event } };
      if (!(await store.repos.integrations.claimDelivery('github', delivery.deliveryId!, event, nowIso()))) return { received: true, outcome: 'duplicate', detail: { deliveryId: delivery.deliveryId } };
      try {
        return await handler(s, payload, delivery.requestId);
      } catch (err) {
        // Not handled: GitHub's redelivery (or a person's) is acted on.
        await store.repos.integrations.releaseDelivery('github', delivery.deliveryId!);
        throw err;
      }
    },

    /** The gate adapter: a check whose decision changed is answered to the runs waiting on it. */
    async decisionChanged(check: GateCheckView): Promise<void> {
      const waiting = (await store.repos.integrations.gateRequestsOfCheck(check.id)).filter((r) => r.kind === 'github' && r.state === 'waiting');
      if (waiting.length === 0) return;
      const s = await deps.settings.load('github');
      if (!s) return;
      for (const request of waiting) await answer(s, request, verdictOf(check), 'gate-adapter');
    },

    /**
     * The worker's pass: every run still waiting past its deadline is rejected with the reason, so that none waits
     * for GitHub's 30 days. Returns how many were rejected; one GitHub refuses stays waiting for the next pass.
     */
    async expireOverdue(): Promise<number> {
      const overdue = await store.repos.integrations.overdueGateRequests('github', nowIso(), 100);
      if (overdue.length === 0) return 0;
      const s = await deps.settings.load('github');
      if (!s) return 0;
      let rejected = 0;
      for (const request of overdue) {
        const why = `Cabinet had no decision by the deadline (${request.deadline}); the deployment is rejected. Run it again once its change is authorised.`;
        try {
          if ((await answer(s, request, refusal(why), 'worker')) === 'rejected') rejected++;
        } catch {
          // GitHub unreachable: the request is waiting again and the next pass retries.
        }
      }
      return rejected;
    },
  };
  deps.gate?.addAdapter({ name: 'github', decisionChanged: (check) => service.decisionChanged(check) });
  return service;
}
export type GitHubService = ReturnType<typeof createGitHubService>;
