import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { GateCheckGetQuery, GateCheckInput, GateCheckList, GateCheckListQuery, GateCheckView } from '../../contracts/gate';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';

const CheckParams = z.object({ id: z.string().min(1).describe('Gate check id') });
const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });

/** The deployment gate (docs/pipelines.md): pipelines ask before they deploy, and wait for a new answer. */
export function gateRoutes(app: App, { services }: RouteDeps): void {
  const { gate } = services;
  app.post(
    '/api/v1/gate/checks',
    {
      schema: {
        tags: ['gate'],
        operationId: 'checkGate',
        summary:
          'May this deployment go out now? Answers allow, deny or pending at once, with reasons in stable codes, each naming the record behind it. Idempotent on (source, repository, pipeline.runId, pipeline.attempt, target.environment): the same key answers the same check (decided again while pending); a new attempt is a new check',
        body: GateCheckInput,
        response: { 200: GateCheckView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
      config: { checkReferences: referenceCheck(GateCheckInput, (request, fields) => gate.referenceIssues(actorOf(request), fields)) },
    },
    async (request, reply) => {
      const answer = await gate.checkAnswer(actorOf(request), request.body);
      // NOTE (speed): a remembered answer is sent as the JSON it was first sent as (gate.service.ts).
      // Fastify sends a JSON string as it is, without serialising it again (the cast only tells the type provider).
      return 'json' in answer ? reply.type('application/json; charset=utf-8').send(answer.json as unknown as GateCheckView) : answer.view;
    },
  );
  app.get(
    '/api/v1/gate/checks',
    {
      schema: {
        tags: ['gate'],
        operationId: 'listGateChecks',
        summary: 'Gate checks, newest first, filtered by change, service, decision, source and repository',
        querystring: GateCheckListQuery,
        response: { 200: GateCheckList, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => gate.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/gate/checks/:id',
    {
      schema: {
        tags: ['gate'],
        operationId: 'getGateCheck',
        summary:
          'A gate check. With `wait=SECONDS` (at most 60), answers as soon as its decision differs from `decision` (the one you last saw; the current one when left out), or when the wait ends: ask again in a loop to wait longer',
        params: CheckParams,
        querystring: GateCheckGetQuery,
        response: { 200: GateCheckView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { wait, decision } = request.query;
      const actor = actorOf(request);
      return wait ? gate.wait(actor, request.params.id, wait, decision) : gate.get(actor, request.params.id);
    },
  );
  app.get(
    '/api/v1/changes/:id/gate-checks',
    {
      schema: {
        tags: ['gate'],
        operationId: 'listChangeGateChecks',
        summary: 'Every gate check of the change, newest first: what the gate answered each pipeline that deployed it',
        params: ChangeParams,
        response: { 200: z.object({ items: z.array(GateCheckView) }), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ({ items: await gate.listForChange(actorOf(request), request.params.id) }),
  );
}
