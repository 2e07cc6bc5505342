import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import {
  ArgoCdSettingsInput,
  ArgoHeldList,
  ArgoHeldQuery,
  ArgoNotification,
  ArgoSyncWindows,
  ArgoSyncWindowsQuery,
  GitHubSettingsInput,
  GitLabFreezePeriods,
  GitLabFreezePeriodsQuery,
  GitLabFreezeSyncInput,
  GitLabFreezeSyncResult,
  GitLabSettingsInput,
  IntegrationSettings,
  WebhookReceipt,
} from '../../contracts/integrations';
import { actorOf } from '../auth';
import { errorResponses } from '../openapi';
import type { App, RouteDeps } from '../types';

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * The GitHub App, GitLab and Argo CD integrations (docs/integrations.md): their settings (`integration.manage`),
 * the forges' webhooks (authenticated by their signature or token, not by a session), the freeze periods and
 * sync windows Cabinet's freezes become, and Argo CD's notifications.
 */
export function integrationsRoutes(app: App, { services }: RouteDeps): void {
  const { integrations, github, gitlab, argocd } = services;

  const settingsRoutes = [
    { kind: 'github' as const, body: GitHubSettingsInput, name: 'GitHub App' },
    { kind: 'gitlab' as const, body: GitLabSettingsInput, name: 'GitLab' },
    { kind: 'argocd' as const, body: ArgoCdSettingsInput, name: 'Argo CD' },
  ];
  for (const { kind, body, name } of settingsRoutes) {
    const operation = kind === 'github' ? 'GitHub' : kind === 'gitlab' ? 'GitLab' : 'ArgoCd';
    app.get(
      `/api/v1/integrations/${kind}`,
      {
        schema: {
          tags: ['integrations'],
          operationId: `get${operation}Settings`,
          summary: `The ${name} settings; secrets only as configured with their last four characters at most`,
          response: { 200: IntegrationSettings, ...errorResponses(403) },
        },
      },
      async (request) => integrations.get(actorOf(request), kind),
    );
    app.put(
      `/api/v1/integrations/${kind}`,
      {
        config: { checkReferences: (request, fields) => integrations.referenceIssues(actorOf(request), kind, fields) },
        schema: {
          tags: ['integrations'],
          operationId: `put${operation}Settings`,
          summary: `Save the ${name} settings (a secret left out is kept; a generated one is answered this once); audited without secrets. 400 lists every problem, 412 when someone saved since your version`,
          body,
          response: { 200: IntegrationSettings, ...errorResponses(400, 403, 412) },
        },
      },
      async (request) => integrations.put(actorOf(request), kind, request.body as never),
    );
  }

  // NOTE (security): GitHub signs the exact bytes it sent, so this route reads its body as text and the service
  // verifies X-Hub-Signature-256 before parsing it. Its own scope, so that no other route loses JSON parsing.
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 25 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/v1/integrations/github/webhook',
      {
        config: { public: true },
        schema: {
          tags: ['integrations'],
          operationId: 'receiveGitHubWebhook',
          summary:
            'GitHub App webhook (deployment_protection_rule, pull_request_review, deployment_status, workflow_run): authenticated by X-Hub-Signature-256 over the raw body (401 invalid_signature), replay-safe by X-GitHub-Delivery',
          security: [],
          response: { 200: WebhookReceipt, 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (request) =>
        github.receive(
          { event: header(request.headers['x-github-event']), deliveryId: header(request.headers['x-github-delivery']), signature: header(request.headers['x-hub-signature-256']), requestId: request.id },
          typeof request.body === 'string' ? request.body : '',
        ),
    );
  });

  app.post(
    '/api/v1/integrations/gitlab/webhook',
    {
      config: { public: true },
      schema: {
        tags: ['integrations'],
        operationId: 'receiveGitLabWebhook',
        summary: 'GitLab webhook (Deployment, Job, Pipeline and Merge Request hooks): authenticated by X-Gitlab-Token (401 invalid_token), replay-safe by X-Gitlab-Event-UUID',
        security: [],
        response: { 200: WebhookReceipt, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) =>
      gitlab.receive(
        { event: header(request.headers['x-gitlab-event']), token: header(request.headers['x-gitlab-token']), deliveryId: header(request.headers['x-gitlab-event-uuid']), requestId: request.id },
        request.body,
      ),
  );

  app.get(
    '/api/v1/integrations/gitlab/freeze-periods',
    {
      schema: {
        tags: ['integrations'],
        operationId: 'getGitLabFreezePeriods',
        summary: 'Cabinet’s freezes on the project’s service as GitLab freeze periods (freeze_start, freeze_end, cron_timezone), and those cron cannot say',
        querystring: GitLabFreezePeriodsQuery,
        response: { 200: GitLabFreezePeriods, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => gitlab.freezePeriods(actorOf(request), request.query.projectId),
  );
  app.post(
    '/api/v1/integrations/gitlab/freeze-periods/sync',
    {
      schema: {
        tags: ['integrations'],
        operationId: 'syncGitLabFreezePeriods',
        summary: 'Make the projects’ freeze periods in GitLab what Cabinet’s freezes say (create, update, delete); audited with the counts',
        body: GitLabFreezeSyncInput,
        response: { 200: GitLabFreezeSyncResult, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => gitlab.syncFreezePeriods(actorOf(request), request.body.projectId),
  );

  app.get(
    '/api/v1/integrations/argocd/sync-windows',
    {
      schema: {
        tags: ['integrations'],
        operationId: 'getArgoCdSyncWindows',
        summary: 'Cabinet’s maintenance windows (allow) and freezes (deny) as the AppProject’s syncWindows; ?format=yaml for an AppProject to kubectl apply',
        querystring: ArgoSyncWindowsQuery,
        // The 200 schema only documents the answer: it is sent as text, JSON or YAML.
        response: {
          200: { description: 'The sync windows', content: { 'application/json': { schema: ArgoSyncWindows }, 'application/yaml': { schema: z.string() } } },
          ...errorResponses(400, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      if (request.query.format === 'yaml') return reply.type('application/yaml; charset=utf-8').send(await argocd.syncWindowsYaml(actor));
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(await argocd.syncWindows(actor)));
    },
  );
  app.post(
    '/api/v1/integrations/argocd/notifications',
    {
      schema: {
        tags: ['integrations'],
        operationId: 'receiveArgoCdNotification',
        summary: 'An argocd-notifications webhook (the template in docs/integrations.md): syncs recorded as deployments, syncs held by a window or freeze recorded as held. Needs deployment.write',
        body: ArgoNotification,
        response: { 200: WebhookReceipt, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => argocd.notify(actorOf(request), request.body),
  );
  app.get(
    '/api/v1/integrations/argocd/held',
    {
      schema: {
        tags: ['integrations'],
        operationId: 'listArgoCdHeldApplications',
        summary: 'Applications whose sync a freeze held and no sync has released; readyToSync once no freeze holds them (Argo CD does not resume auto-sync by itself)',
        querystring: ArgoHeldQuery,
        response: { 200: ArgoHeldList, ...errorResponses(400, 403) },
      },
    },
    async (request) => argocd.held(actorOf(request), request.query.ready === undefined ? undefined : request.query.ready === 'true'),
  );
}
