import { ErrorBody } from '../../contracts/common';
import { Home, HomeQuery } from '../../contracts/home';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

export function homeRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/home',
    {
      schema: {
        tags: ['home'], operationId: 'getHome',
        summary: 'What needs you now: your approvals, your changes that need you, what you implement this week; triage, conflicts, SLA clocks and freezes for change managers (anyone signed in; about yourself only)',
        querystring: HomeQuery,
        response: { 200: Home, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => services.home.home(actorOf(request), request.query),
  );
}
