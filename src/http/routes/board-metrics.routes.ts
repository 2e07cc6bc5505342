import { BoardMetricsQuery, BoardMetricsReport } from '../../contracts/board-metrics';
import { BoardParams } from '../../contracts/boards';
import { ErrorBody } from '../../contracts/common';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

/** A board's own figures (docs/cab.md#the-boards-figures). */
export function boardMetricsRoutes(app: App, { services }: RouteDeps): void {
  const { boardMetrics } = services;
  app.get(
    '/api/v1/boards/:id/metrics',
    {
      schema: {
        tags: ['cab'],
        operationId: 'getBoardMetrics',
        summary:
          'How the board (id or name) did in a period: approval rate (flagged as a rubber stamp above 95 %), escapes, deferrals, time to decision, time against allotment, low-risk share, attendance, quorum, decisions by votes and at meetings, the ECAB’s response time against its SLA; each share with its numerator and denominator, and a weekly or monthly trend',
        params: BoardParams,
        querystring: BoardMetricsQuery,
        response: { 200: BoardMetricsReport, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => boardMetrics.metrics(actorOf(request), request.params.id, request.query),
  );
}
