import { ErrorBody } from '../../contracts/common';
import { DoraMetrics, DoraQuery, DoraRecordPage, DoraRecordsQuery } from '../../contracts/dora';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

/** DORA's four keys (docs/dora.md). */
export function doraRoutes(app: App, { services }: RouteDeps): void {
  const { dora } = services;
  app.get(
    '/api/v1/metrics/dora',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'getDoraMetrics',
        summary:
          'Deployment frequency, lead time for changes, change failure rate and failed deployment recovery time for a service, team, environment and period: each with its numerator, denominator, records and rating (insufficient_data below the policy minimums), and a weekly or monthly series',
        querystring: DoraQuery,
        response: { 200: DoraMetrics, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => dora.metrics(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/metrics/dora/records',
    {
      schema: {
        tags: ['deployments'],
        operationId: 'listDoraRecords',
        summary: 'Every deployment id behind one DORA figure, a page at a time (the `list` link of each figure’s records)',
        querystring: DoraRecordsQuery,
        response: { 200: DoraRecordPage, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => dora.records(actorOf(request), request.query),
  );
}
