import { Calendar, CalendarQuery } from '../../contracts/calendar';
import { ErrorBody } from '../../contracts/common';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

/** The calendar: planned changes and window occurrences in one range. */
export function calendarRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/calendar',
    {
      schema: {
        tags: ['windows'],
        operationId: 'getCalendar',
        summary:
          'Changes planned in [from, to) (at most 400 days) and the window occurrences in it; filter by service, team, CI, type and state',
        querystring: CalendarQuery,
        response: { 200: Calendar, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => services.calendar.calendar(actorOf(request), request.query),
  );
}
