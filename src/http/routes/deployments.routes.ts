import { z } from 'zod';
import { ErrorBody, listOf } from '../../contracts/common';
import { AnyDeploymentInput, Deployment, DeploymentIngestQuery, DeploymentListQuery, LinkIncidentInput } from '../../contracts/deployments';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const DeploymentParams = z.object({ id: z.string().min(1).max(64).describe('Deployment id') });
const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });

/** Deployments on record (docs/deployments.md): record (three shapes), list, read, link incidents, a change's deployments. */
export function deploymentsRoutes(app: App, { services }: RouteDeps): void {
  const { deployments } = services;
  app.post(
    '/api/v1/deployments',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'recordDeployment',
        summary:
          'Record a deployment: Cabinet’s shape, DevLake’s deployment webhook or Datadog’s DORA deployment event (recognised by shape). With externalId, a later report of the same (source, externalId) updates it (200); a new one is 201. 400 lists every problem at the path the sender wrote',
        querystring: DeploymentIngestQuery,
        body: AnyDeploymentInput,
        response: { 200: Deployment, 201: Deployment, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { view, created } = await deployments.ingest(actorOf(request), request.body, request.query);
      return reply.status(created ? 201 : 200).send(view);
    },
  );
  app.get(
    '/api/v1/deployments',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'listDeployments',
        summary: 'Deployments, newest started first; filter by service, CI, environment, change, result, production, ids and start',
        querystring: DeploymentListQuery,
        response: { 200: listOf(Deployment), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => deployments.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/deployments/:id',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'getDeployment',
        summary: 'A deployment with its change, pull requests, incidents and unauthorized changes',
        params: DeploymentParams,
        response: { 200: Deployment, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => deployments.get(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/deployments/:id/incidents',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'linkDeploymentIncident',
        summary: 'Link an incident to a deployment explicitly: DORA counts explicit links first (docs/dora.md)',
        params: DeploymentParams,
        body: LinkIncidentInput,
        response: { 200: Deployment, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => deployments.linkIncident(actorOf(request), request.params.id, request.body.incidentId),
  );
  app.get(
    '/api/v1/changes/:id/deployments',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'listChangeDeployments',
        summary: 'The deployments of a change, newest first',
        params: ChangeParams,
        response: { 200: z.object({ items: z.array(Deployment) }), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ({ items: await deployments.forChange(actorOf(request), request.params.id) }),
  );
}
