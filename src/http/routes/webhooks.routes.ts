import { z } from 'zod';
import {
  CreateWebhookInput,
  TestWebhookInput,
  UpdateWebhookAllowListInput,
  UpdateWebhookInput,
  Webhook,
  WebhookAllowList,
  WebhookDeliveryList,
  WebhookDeliveryQuery,
  WebhookList,
  WebhookTestResult,
} from '../../contracts/webhooks';
import { actorOf } from '../auth';
import { errorResponses } from '../openapi';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';

const IdParams = z.object({ id: z.string().min(1).max(64).describe('Webhook id') });

/** Outbound webhooks (`webhook.manage`: admins; docs/communication.md#webhooks). */
export function webhooksRoutes(app: App, { services }: RouteDeps): void {
  const { webhooks } = services;
  app.post(
    '/api/v1/webhooks',
    {
      config: {
        checkReferences: referenceCheck(CreateWebhookInput, (request, fields) => webhooks.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['webhooks'],
        operationId: 'createWebhook',
        summary:
          'Register a webhook: URL, secret (at least 16 characters, never shown again), format and events; audited. 400 lists every problem, a private or loopback target among them',
        body: CreateWebhookInput,
        response: { 201: Webhook, ...errorResponses(400, 403) },
      },
    },
    async (request, reply) => reply.status(201).send(await webhooks.create(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhooks',
        summary: 'Every webhook, oldest first (never their secrets)',
        response: { 200: WebhookList, ...errorResponses(403) },
      },
    },
    async (request) => ({ items: await webhooks.list(actorOf(request)), nextCursor: null }),
  );
  app.post(
    '/api/v1/webhooks/test',
    {
      config: {
        checkReferences: referenceCheck(TestWebhookInput, (request, fields) => webhooks.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['webhooks'],
        operationId: 'testWebhookUrl',
        summary: 'Send a signed `ping` message to a URL at once, before saving it, and answer what the receiver said',
        body: TestWebhookInput,
        response: { 200: WebhookTestResult, ...errorResponses(400, 403) },
      },
    },
    async (request) => webhooks.test(actorOf(request), request.body),
  );
  app.get(
    '/api/v1/webhooks/allow-list',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'getWebhookAllowList',
        summary: 'The host names, addresses and CIDR ranges webhooks may reach although they are private or loopback',
        response: { 200: WebhookAllowList, ...errorResponses(403) },
      },
    },
    async (request) => webhooks.allowList(actorOf(request)),
  );
  app.put(
    '/api/v1/webhooks/allow-list',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'setWebhookAllowList',
        summary:
          'Replace the allow-list of private targets (audited as webhook.allow_list_updated); 400 lists every entry that is not a host, address or range',
        body: UpdateWebhookAllowListInput,
        response: { 200: WebhookAllowList, ...errorResponses(400, 403) },
      },
    },
    async (request) => webhooks.setAllowList(actorOf(request), request.body),
  );
  app.get(
    '/api/v1/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'getWebhook',
        summary: 'One webhook (never its secret)',
        params: IdParams,
        response: { 200: Webhook, ...errorResponses(403, 404) },
      },
    },
    async (request) => webhooks.get(actorOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/webhooks/:id',
    {
      config: {
        checkReferences: referenceCheck(UpdateWebhookInput, (request, fields) => webhooks.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['webhooks'],
        operationId: 'updateWebhook',
        summary: 'Change a webhook’s URL, secret, format, events or whether it is enabled (audited; a new secret only as "changed")',
        params: IdParams,
        body: UpdateWebhookInput,
        response: { 200: Webhook, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => webhooks.update(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook (audited); its delivery log is kept',
        params: IdParams,
        response: { 204: z.null(), ...errorResponses(403, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: 'A webhook’s delivery log, newest first: each attempt to deliver an event to it, with its result and error',
        params: IdParams,
        querystring: WebhookDeliveryQuery,
        response: { 200: WebhookDeliveryList, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => webhooks.deliveries(actorOf(request), request.params.id, request.query),
  );
  app.post(
    '/api/v1/webhooks/:id/test',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'testWebhook',
        summary: 'Send a signed `ping` message to a saved webhook at once (enabled or not) and answer what the receiver said',
        params: IdParams,
        response: { 200: WebhookTestResult, ...errorResponses(400, 403, 404) },
      },
    },
    async (request) => webhooks.testSaved(actorOf(request), request.params.id),
  );
}
