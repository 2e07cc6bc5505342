import { z } from 'zod';
import {
  AnswerConcernInput,
  ChangeAudience,
  ChangeAudienceQuery,
  ChangeConcerns,
  Concern,
  CreateSubscriptionInput,
  RaiseConcernInput,
  ReportAffectedInput,
  Subscription,
  UpdateSubscriptionInput,
} from '../../contracts/communication';
import { listOf } from '../../contracts/common';
import { Incident } from '../../contracts/incidents';
import { actorOf } from '../auth';
import { errorResponses } from '../openapi';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** Stakeholder communication: subscriptions, the audience of a change, concerns and "this affected me" (docs/communication.md). */
export function communicationRoutes(app: App, { services }: RouteDeps): void {
  const { subscriptions, concerns } = services;
  app.post(
    '/api/v1/subscriptions',
    {
      config: { checkReferences: referenceCheck(CreateSubscriptionInput, (request, fields) => subscriptions.referenceIssues(actorOf(request), fields)) },
      schema: {
        tags: ['communication'],
        operationId: 'createSubscription',
        summary: 'Follow a service, CI or team (id or name), optionally with what it depends on; events left out: all; 400 lists every problem',
        body: CreateSubscriptionInput,
        response: { 201: Subscription },
      },
    },
    async (request, reply) => reply.status(201).send(await subscriptions.subscribe(actorOf(request), request.body)),
  );
  app.post(
    '/api/v1/subscriptions/:id/confirmation',
    {
      schema: {
        tags: ['communication'],
        operationId: 'resendSubscriptionConfirmation',
        summary: 'Sends a fresh confirmation link (valid 7 days) to an external address that has not confirmed yet (change managers and admins); 409 once it has',
        params: IdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await services.externalAddresses.resend(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/me/subscriptions',
    { schema: { tags: ['communication'], operationId: 'listMySubscriptions', summary: 'Your subscriptions and those of your teams', response: { 200: listOf(Subscription) } } },
    async (request) => ({ items: await subscriptions.mine(actorOf(request)), nextCursor: null }),
  );
  app.patch(
    '/api/v1/subscriptions/:id',
    {
      schema: {
        tags: ['communication'],
        operationId: 'updateSubscription',
        summary: 'Change what a subscription of yours or your team hears of (events, null: all), how (channels), and whether it includes what its target depends on',
        params: IdParams,
        body: UpdateSubscriptionInput,
        response: { 200: Subscription },
      },
    },
    async (request) => subscriptions.update(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/subscriptions/:id',
    {
      schema: {
        tags: ['communication'],
        operationId: 'deleteSubscription',
        summary: 'Stop a subscription of yours or your team (admins: anyone’s); 404 for anyone else’s',
        params: IdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await subscriptions.unsubscribe(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/changes/:id/audience',
    {
      schema: {
        tags: ['communication'],
        operationId: 'getChangeAudience',
        summary: 'Who the change’s notices reach now, each with why ("follows Payments (depends on pay-db-1)")',
        params: IdParams,
        querystring: ChangeAudienceQuery,
        response: { 200: ChangeAudience },
      },
    },
    async (request) => subscriptions.audience(actorOf(request), request.params.id, request.query.event),
  );
  app.get(
    '/api/v1/changes/:id/concerns',
    {
      schema: { tags: ['communication'], operationId: 'listChangeConcerns', summary: 'The concerns raised about a change, with their answers and counts', params: IdParams, response: { 200: ChangeConcerns } },
    },
    async (request) => concerns.list(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/changes/:id/concerns',
    {
      schema: {
        tags: ['communication'],
        operationId: 'raiseConcern',
        summary: 'Raise a concern about a change: its owner is told and must answer',
        params: IdParams,
        body: RaiseConcernInput,
        response: { 201: Concern },
      },
    },
    async (request, reply) => reply.status(201).send(await concerns.raise(actorOf(request), request.params.id, request.body.text)),
  );
  app.post(
    '/api/v1/concerns/:id/answer',
    {
      schema: {
        tags: ['communication'],
        operationId: 'answerConcern',
        summary: 'Answer a concern: the change’s owner or a change manager (403 not_change_owner); 409 concern_answered when answered already',
        params: IdParams,
        body: AnswerConcernInput,
        response: { 200: Concern, ...errorResponses(409) },
      },
    },
    async (request) => concerns.answer(actorOf(request), request.params.id, request.body.text),
  );
  app.post(
    '/api/v1/changes/:id/affected',
    {
      schema: {
        tags: ['communication'],
        operationId: 'reportAffected',
        summary: '"This affected me": after implementation, opens a new incident linked to the change (409 not_implemented before)',
        params: IdParams,
        body: ReportAffectedInput,
        response: { 201: Incident, ...errorResponses(409) },
      },
    },
    async (request, reply) => reply.status(201).send(await concerns.reportAffected(actorOf(request), request.params.id, request.body.text)),
  );
}
