import { ErrorBody } from '../../contracts/common';
import { SearchQuery, SearchResult } from '../../contracts/home';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

export function searchRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['home'], operationId: 'search',
        summary: 'Find changes (number, title), CIs, services, incidents, templates and people at once, grouped by kind; only the kinds you may read (anyone signed in)',
        querystring: SearchQuery,
        response: { 200: SearchResult, 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => services.search.search(actorOf(request), request.query),
  );
}
