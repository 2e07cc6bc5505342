import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import {
  AddEvidenceInput,
  BreakGlass,
  BreakGlassInput,
  BreakGlassList,
  CreateDelegationInput,
  Delegation,
  DelegationList,
  Evidence,
  EvidenceList,
  ReviewInput,
} from '../../contracts/governance';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });
const ReviewParams = ChangeParams.extend({ breakGlassId: z.string().min(1).describe('Break-glass id') });
const DelegationParams = z.object({ id: z.string().min(1).describe('Delegation id') });

/** Evidence and gates, break-glass and its review, delegation of approvals. */
export function governanceRoutes(app: App, { services }: RouteDeps): void {
  const { governance } = services;
  app.get(
    '/api/v1/changes/:id/evidence',
    {
      schema: {
        tags: ['evidence'],
        operationId: 'listChangeEvidence',
        summary: "The change's evidence, and the policy gates that apply to it with what each still misses",
        params: ChangeParams,
        response: { 200: EvidenceList },
      },
    },
    async (request) => governance.listEvidence(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/changes/:id/evidence',
    {
      schema: {
        tags: ['evidence'],
        operationId: 'addChangeEvidence',
        summary: 'Attach evidence (test evidence, backout test, security scan, other): immutable, hashed and audited; 409 change_closed',
        params: ChangeParams,
        body: AddEvidenceInput,
        response: { 201: Evidence, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await governance.addEvidence(actorOf(request), request.params.id, request.body)),
  );
  app.get(
    '/api/v1/changes/:id/break-glass',
    {
      schema: {
        tags: ['break-glass'],
        operationId: 'listBreakGlass',
        summary: 'Every break-glass use on the change, with what it skipped and its review',
        params: ChangeParams,
        response: { 200: BreakGlassList },
      },
    },
    async (request) => ({ items: await governance.listBreakGlass(actorOf(request), request.params.id) }),
  );
  app.post(
    '/api/v1/changes/:id/break-glass',
    {
      schema: {
        tags: ['break-glass'],
        operationId: 'breakGlass',
        summary:
          'Break glass: let the change past pending approvals and unsatisfied gates until it expires; notifies the skipped approvers and flags the change for review. 403 break_glass_not_permitted, 422 break_glass_not_applicable, 409 break_glass_active',
        params: ChangeParams,
        body: BreakGlassInput,
        response: { 201: BreakGlass, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await governance.breakGlass(actorOf(request), request.params.id, request.body)),
  );
  app.post(
    '/api/v1/changes/:id/break-glass/:breakGlassId/review',
    {
      schema: {
        tags: ['break-glass'],
        operationId: 'reviewBreakGlass',
        summary: 'Review a bypass after the fact (a change manager other than the one who broke glass); the last review clears the flag',
        params: ReviewParams,
        body: ReviewInput,
        response: { 200: BreakGlass, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => governance.reviewBreakGlass(actorOf(request), request.params.id, request.params.breakGlassId, request.body.notes),
  );
  app.get(
    '/api/v1/me/delegations',
    {
      schema: {
        tags: ['delegations'],
        operationId: 'listDelegations',
        summary: 'Delegations you gave and received that have not ended',
        response: { 200: DelegationList },
      },
    },
    async (request) => governance.listDelegations(actorOf(request)),
  );
  app.post(
    '/api/v1/me/delegations',
    {
      schema: {
        tags: ['delegations'],
        operationId: 'createDelegation',
        summary: 'Let someone decide your approvals while you are away (recorded on each decision)',
        body: CreateDelegationInput,
        response: { 201: Delegation, 400: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await governance.createDelegation(actorOf(request), request.body)),
  );
  app.delete(
    '/api/v1/me/delegations/:id',
    {
      schema: {
        tags: ['delegations'],
        operationId: 'revokeDelegation',
        summary: 'Revoke a delegation you gave',
        params: DelegationParams,
        response: { 204: z.null(), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      await governance.revokeDelegation(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
