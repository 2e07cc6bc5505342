import { ErrorBody, listOf } from '../../contracts/common';
import { ReviewUnauthorizedInput, UnauthorizedChange, UnauthorizedListQuery, UnauthorizedParams } from '../../contracts/unauthorized-changes';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';
import { optionalIfMatch, withETag } from '../versions';

/** Unauthorized changes and their blameless review (docs/deployments.md#unauthorized-changes). */
export function unauthorizedChangesRoutes(app: App, { services }: RouteDeps): void {
  const { unauthorizedChanges } = services;
  app.get(
    '/api/v1/unauthorized-changes',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'listUnauthorizedChanges',
        summary: 'Production deployments no authorised change covered, one per CI per quiet period, newest first; filter by state, service, CI',
        querystring: UnauthorizedListQuery,
        response: { 200: listOf(UnauthorizedChange), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => unauthorizedChanges.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/unauthorized-changes/:id',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'getUnauthorizedChange',
        summary: 'An unauthorized change (id or number) with its deployments and review; ETag: its version',
        params: UnauthorizedParams,
        response: { 200: UnauthorizedChange, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await unauthorizedChanges.get(actorOf(request), request.params.id)),
  );
  app.post(
    '/api/v1/unauthorized-changes/:id/review',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'reviewUnauthorizedChange',
        summary:
          'The blameless review: what in the process made the bypass easier, the fix, the outcome; closes it. A change manager or the owner team of its service. 409 when reviewed already; a stale version (body or If-Match) 412',
        params: UnauthorizedParams,
        body: ReviewUnauthorizedInput,
        response: { 200: UnauthorizedChange, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody },
      },
      config: { checkReferences: referenceCheck(ReviewUnauthorizedInput, (request, fields) => unauthorizedChanges.reviewReferenceIssues(actorOf(request), fields)) },
    },
    async (request, reply) => withETag(reply, await unauthorizedChanges.review(actorOf(request), request.params.id, request.body, optionalIfMatch(request))),
  );
}
