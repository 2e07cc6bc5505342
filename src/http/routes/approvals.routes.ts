import { z } from 'zod';
import { Approval, ApprovalList, DecisionInput, MyApprovalList } from '../../contracts/approval';
import { ErrorBody } from '../../contracts/common';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });
const ApprovalParams = z.object({ id: z.string().min(1).describe('Approval id') });

export function approvalRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/changes/:id/approvals',
    {
      schema: {
        tags: ['approvals'],
        operationId: 'listChangeApprovals',
        summary: 'The approvals of a change by stage, with votes and whether you may decide each',
        params: ChangeParams,
        response: { 200: ApprovalList },
      },
    },
    async (request) => ({ items: await services.approvals.listForChange(actorOf(request), request.params.id) }),
  );
  app.post(
    '/api/v1/approvals/:id/decision',
    {
      schema: {
        tags: ['approvals'],
        operationId: 'decideApproval',
        summary:
          'Approve or reject (a comment is required to reject): 403 not_an_approver or segregation_of_duties, 409 approval_closed or already_voted',
        params: ApprovalParams,
        body: DecisionInput,
        response: { 200: Approval, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => services.approvals.decide(actorOf(request), request.params.id, request.body),
  );
  app.get(
    '/api/v1/me/approvals',
    {
      schema: {
        tags: ['approvals'],
        operationId: 'listMyApprovals',
        summary: 'Pending approvals you may decide now, soonest due first',
        response: { 200: MyApprovalList },
      },
    },
    async (request) => ({ items: await services.approvals.myApprovals(actorOf(request)) }),
  );
}
