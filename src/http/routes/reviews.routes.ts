import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { CompleteReviewInput, CreateReviewActionInput, Review, ReviewQueue, ReviewQueueQuery, UpdateReviewActionInput, UpdateReviewInput } from '../../contracts/reviews';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';
import { expectedVersion, optionalIfMatch, withETag } from '../versions';

const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });
const ActionParams = ChangeParams.extend({ actionId: z.string().min(1).describe('Review action id') });

/** Post-implementation reviews: a change's review, its findings and actions, completion, and the queue. */
export function reviewsRoutes(app: App, { services }: RouteDeps): void {
  const { reviews } = services;
  app.get(
    '/api/v1/reviews',
    {
      schema: {
        tags: ['reviews'],
        operationId: 'listReviews',
        summary: 'The post-implementation review queue: open, overdue, completed or all, optionally only yours (changes you own, implement or whose team you are in); soonest due first',
        querystring: ReviewQueueQuery,
        response: { 200: ReviewQueue, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => reviews.queue(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/changes/:id/review',
    {
      schema: {
        tags: ['reviews'],
        operationId: 'getChangeReview',
        summary: "The change's post-implementation review, assembled: why it is needed, the timeline from the audit trail, the change's facts, findings, factors and actions. 404 not_found when the policy asks for none",
        params: ChangeParams,
        response: { 200: Review, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await reviews.get(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/changes/:id/review',
    {
      schema: {
        tags: ['reviews'],
        operationId: 'updateChangeReview',
        summary:
          'Record what went well, what did not, the contributing factors and the reviewers. Send the version you read (body `version` or If-Match): none gets 428, a stale one 412; 409 review_completed once completed',
        params: ChangeParams,
        body: UpdateReviewInput,
        response: { 200: Review, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody, 428: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await reviews.update(actorOf(request), request.params.id, request.body, expectedVersion(request, request.body.version))),
  );
  app.post(
    '/api/v1/changes/:id/review/actions',
    {
      schema: {
        tags: ['reviews'],
        operationId: 'addReviewAction',
        summary: 'Add an action item to the review: a title, its owner and due date, linked to a problem or a follow-up change',
        params: ChangeParams,
        body: CreateReviewActionInput,
        response: { 201: Review, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(withETag(reply, await reviews.addAction(actorOf(request), request.params.id, request.body))),
  );
  app.patch(
    '/api/v1/changes/:id/review/actions/:actionId',
    {
      schema: {
        tags: ['reviews'],
        operationId: 'updateReviewAction',
        summary: 'Change an action item (title, owner, due date, link) or mark it done (state done) or open again; possible after the review is completed',
        params: ActionParams,
        body: UpdateReviewActionInput,
        response: { 200: Review, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await reviews.updateAction(actorOf(request), request.params.id, request.params.actionId, request.body)),
  );
  app.post(
    '/api/v1/changes/:id/review/complete',
    {
      schema: {
        tags: ['reviews'],
        operationId: 'completeChangeReview',
        summary:
          'Complete the review, so the change may close: 422 review_incomplete listing every missing part (the findings; each action needs an owner and a due date), 409 review_completed when it already is',
        params: ChangeParams,
        body: CompleteReviewInput.optional(),
        response: { 200: Review, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await reviews.complete(actorOf(request), request.params.id, request.body?.version ?? optionalIfMatch(request))),
  );
}
