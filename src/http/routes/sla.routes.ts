import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { SlaBreachList, SlaBreachQuery, SlaClockList } from '../../contracts/sla';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });

export function slaRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/sla/breaches',
    {
      schema: {
        tags: ['sla'],
        operationId: 'listSlaBreaches',
        summary: 'SLA breaches, newest first: approvals not decided and changes not scheduled in time (needs sla.read)',
        querystring: SlaBreachQuery,
        response: { 200: SlaBreachList, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => services.sla.breaches(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/changes/:id/sla',
    {
      schema: {
        tags: ['sla'],
        operationId: 'listChangeSlaClocks',
        summary: 'The SLA clocks of a change: target, due time, and whether it was reminded, breached or escalated',
        params: ChangeParams,
        response: { 200: SlaClockList, 404: ErrorBody },
      },
    },
    async (request) => ({ items: await services.sla.forChange(actorOf(request), request.params.id) }),
  );
}
