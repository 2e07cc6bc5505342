import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import {
  AcknowledgeConflictInput,
  ChangeConflicts,
  ChangeImpact,
  Conflict,
  ConflictCheckInput,
  ExcludeCiInput,
  FreezeException,
  FreezeExceptionInput,
  NextSlotQuery,
  NextSlots,
} from '../../contracts/conflicts';
import { actorOf } from '../auth';
import { referenceCheck } from '../validation';
import type { App, RouteDeps } from '../types';

const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });
const ConflictParams = ChangeParams.extend({ conflictId: z.string().min(1) });
const ExclusionParams = ChangeParams.extend({ ciId: z.string().min(1).describe('The excluded CI') });
const ExceptionParams = ChangeParams.extend({ exceptionId: z.string().min(1) });
const FreezeExceptionList = z.object({ items: z.array(FreezeException) });

/** Conflicts, impact, next free slots and freeze exceptions. */
export function scheduleRoutes(app: App, { services }: RouteDeps): void {
  const { schedule } = services;
  app.get(
    '/api/v1/changes/:id/conflicts',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'listChangeConflicts',
        summary:
          "The change's conflicts, always current: ci_overlap, related_ci_overlap, freeze, outside_maintenance_window, assignee_busy",
        params: ChangeParams,
        response: { 200: ChangeConflicts, 404: ErrorBody },
      },
    },
    async (request) => schedule.conflicts(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/changes/:id/conflicts/:conflictId/acknowledge',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'acknowledgeConflict',
        summary:
          'Accept a conflict with a reason (change managers; audited). A freeze needs a freeze exception instead (422 freeze_needs_exception); 409 already_acknowledged',
        params: ConflictParams,
        body: AcknowledgeConflictInput,
        response: { 200: Conflict, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => schedule.acknowledge(actorOf(request), request.params.id, request.params.conflictId, request.body),
  );
  app.post(
    '/api/v1/conflicts/check',
    {
      config: { checkReferences: referenceCheck(ConflictCheckInput, (request, fields) => schedule.planReferenceIssues(actorOf(request), fields)) },
      schema: {
        tags: ['schedule'],
        operationId: 'checkConflicts',
        summary:
          'The conflicts a plan would have, before it is saved (nothing is written): what the change form shows as you type. 400 lists unknown CIs, people and changes',
        body: ConflictCheckInput,
        response: { 200: ChangeConflicts, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => schedule.checkPlan(actorOf(request), request.body),
  );
  app.get(
    '/api/v1/changes/:id/impact',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'getChangeImpact',
        summary:
          "The CIs and services the change's impact reaches over the CMDB graph (direction and depth from the policy), with the CIs excluded by hand",
        params: ChangeParams,
        response: { 200: ChangeImpact, 404: ErrorBody },
      },
    },
    async (request) => schedule.impact(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/changes/:id/impact/exclusions',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'excludeImpactCi',
        summary: 'Leave a CI out of the impact, with a reason (audited); conflicts are recomputed. 409 already_excluded',
        params: ChangeParams,
        body: ExcludeCiInput,
        response: { 201: ChangeImpact, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await schedule.excludeCi(actorOf(request), request.params.id, request.body)),
  );
  app.delete(
    '/api/v1/changes/:id/impact/exclusions/:ciId',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'includeImpactCi',
        summary: 'Put an excluded CI back into the impact (audited)',
        params: ExclusionParams,
        response: { 200: ChangeImpact, 404: ErrorBody },
      },
    },
    async (request) => schedule.includeCi(actorOf(request), request.params.id, request.params.ciId),
  );
  app.get(
    '/api/v1/schedule/next-slot',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'findNextSlots',
        summary:
          'The first conflict-free slots for work on the CIs within 90 days: outside freezes and other changes on the CIs or their impact, inside maintenance windows where a service requires one',
        querystring: NextSlotQuery,
        response: { 200: NextSlots, 400: ErrorBody },
      },
    },
    async (request) => schedule.nextSlot(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/changes/:id/freeze-exceptions',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'listFreezeExceptions',
        summary: "The change's freeze exceptions",
        params: ChangeParams,
        response: { 200: FreezeExceptionList, 404: ErrorBody },
      },
    },
    async (request) => ({ items: await schedule.freezeExceptions(actorOf(request), request.params.id) }),
  );
  app.post(
    '/api/v1/changes/:id/freeze-exceptions',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'requestFreezeException',
        summary:
          'Request an exception for the freezes the change falls in, with its risk acceptance; adds the approvals of the stage the policy names. 422 no_freeze_conflict, 409 exception_pending',
        params: ChangeParams,
        body: FreezeExceptionInput,
        response: { 201: FreezeExceptionList, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) =>
      reply.status(201).send({ items: await schedule.requestFreezeException(actorOf(request), request.params.id, request.body) }),
  );
  app.post(
    '/api/v1/changes/:id/freeze-exceptions/:exceptionId/withdraw',
    {
      schema: {
        tags: ['schedule'],
        operationId: 'withdrawFreezeException',
        summary: 'Withdraw a requested or granted freeze exception: its open approvals are cancelled and the freezes block again',
        params: ExceptionParams,
        response: { 200: FreezeExceptionList, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => ({ items: await schedule.withdrawFreezeException(actorOf(request), request.params.id, request.params.exceptionId) }),
  );
}
