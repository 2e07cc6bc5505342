import { z } from 'zod';
import {
  DeadLetterList,
  DeadLetterOutcome,
  DeadLetterQuery,
  DeliveryList,
  DeliveryQuery,
  DiscardDeadLetterInput,
} from '../../contracts/delivery';
import { actorOf } from '../auth';
import { errorResponses } from '../openapi';
import type { App, RouteDeps } from '../types';

const ItemParams = z.object({ id: z.string().min(1).max(64).describe('Outbox item id') });
const ChangeParams = z.object({ id: z.string().min(1).max(64).describe('Change id or number (CHG0000001)') });

/** Dead letters (admins) and the delivery log of a change's notices (whoever may read the change). */
export function deliveryRoutes(app: App, { services }: RouteDeps): void {
  const { deliveries } = services;
  app.get(
    '/api/v1/outbox/dead-letters',
    {
      schema: {
        tags: ['outbox'],
        operationId: 'listDeadLetters',
        summary: 'Outbox items that failed their last attempt (CABINET_OUTBOX_MAX_ATTEMPTS), the most recent first (`outbox.manage`: admins)',
        querystring: DeadLetterQuery,
        response: { 200: DeadLetterList, ...errorResponses(400, 403) },
      },
    },
    async (request) => deliveries.listDeadLetters(actorOf(request), request.query),
  );
  app.post(
    '/api/v1/outbox/dead-letters/:id/retry',
    {
      schema: {
        tags: ['outbox'],
        operationId: 'retryDeadLetter',
        summary: 'Queue a dead letter again, due now, with its attempts reset (`outbox.manage`; audited as outbox.retried). 409 not_dead_letter when it is not one',
        params: ItemParams,
        response: { 200: DeadLetterOutcome, ...errorResponses(403, 404, 409) },
      },
    },
    async (request) => deliveries.retry(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/outbox/dead-letters/:id/discard',
    {
      schema: {
        tags: ['outbox'],
        operationId: 'discardDeadLetter',
        summary:
          'Give a dead letter up for good with a reason (`outbox.manage`; audited as outbox.discarded; the item is kept). 422 reason_required without a reason; 409 not_dead_letter when it is not one',
        params: ItemParams,
        body: DiscardDeadLetterInput,
        response: { 200: DeadLetterOutcome, ...errorResponses(400, 403, 404, 409, 422) },
      },
    },
    async (request) => deliveries.discard(actorOf(request), request.params.id, request.body ?? {}),
  );
  app.get(
    '/api/v1/changes/:id/deliveries',
    {
      schema: {
        tags: ['changes'],
        operationId: 'listChangeDeliveries',
        summary: 'The delivery log of the notices about a change, newest first: each attempt per recipient and channel, with its result',
        params: ChangeParams,
        querystring: DeliveryQuery,
        response: { 200: DeliveryList, ...errorResponses(400, 404) },
      },
    },
    async (request) => deliveries.forChange(actorOf(request), request.params.id, request.query),
  );
}
