import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CalendarFeedList, CalendarFeedListQuery, CreateCalendarFeedInput, CreatedCalendarFeed } from '../../contracts/calendar-feeds';
import { ErrorBody } from '../../contracts/common';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const FeedParams = z.object({ id: z.string().min(1).max(64).describe('Calendar feed id') });
// NOTE: the token is checked by hash lookup only; any string that is not a live secret gets the same 404.
const FeedTokenParams = z.object({ token: z.string().max(200).describe('The secret of the feed (from its URL)') });

/** Calendar feeds: your iCalendar subscriptions, and the secret-URL feed itself that calendar apps fetch. */
export function calendarFeedsRoutes(app: App, { services }: RouteDeps, opts: { publicUrl: string | null }): void {
  const { calendarFeeds } = services;
  /** The origin for URLs handed out: the configured public URL, or the one this request came to. */
  const originOf = (request: FastifyRequest) => opts.publicUrl ?? `${request.protocol}://${request.host}`;

  app.get(
    '/api/v1/me/calendar-feeds',
    {
      schema: {
        tags: ['calendar feeds'],
        operationId: 'listCalendarFeeds',
        summary: 'Your calendar feeds that are not revoked (all=true: everyone’s, for admins); never their secrets',
        querystring: CalendarFeedListQuery,
        response: { 200: CalendarFeedList, 403: ErrorBody },
      },
    },
    async (request) => ({ items: await calendarFeeds.list(actorOf(request), { all: request.query.all }), nextCursor: null }),
  );
  app.post(
    '/api/v1/me/calendar-feeds',
    {
      schema: {
        tags: ['calendar feeds'],
        operationId: 'createCalendarFeed',
        summary: 'Create a calendar feed of your changes, a team’s, a service’s or everything; its secret URL is in this answer only',
        description:
          'scope.kind is user (your changes; no ref), team (ref: id or handle), service (ref: id or name) or all (no ref). A 400 lists every problem at once.',
        body: CreateCalendarFeedInput,
        response: { 201: CreatedCalendarFeed, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await calendarFeeds.create(actorOf(request), request.body, originOf(request))),
  );
  app.delete(
    '/api/v1/me/calendar-feeds/:id',
    {
      schema: {
        tags: ['calendar feeds'],
        operationId: 'revokeCalendarFeed',
        summary: 'Revoke one of your calendar feeds (admins: anyone’s); its URL answers 404 from now on',
        params: FeedParams,
        response: { 204: z.null(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await calendarFeeds.revoke(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  // NOTE (security): no session and no CSRF token: the secret in the path is the credential, as calendar apps
  // cannot sign in. The request logger redacts it (http/logger.ts).
  app.get(
    '/feeds/:token.ics',
    {
      config: { public: true },
      schema: {
        tags: ['calendar feeds'],
        operationId: 'getCalendarFeed',
        summary: 'A calendar feed as iCalendar (text/calendar): changes and window occurrences from 30 days ago to 180 days ahead',
        security: [],
        params: FeedTokenParams,
        // The 200 schema only documents the answer: a string sent as text/calendar is never serialised again.
        response: {
          200: { description: 'The feed as iCalendar text', content: { 'text/calendar': { schema: z.string() } } },
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const text = await calendarFeeds.render(request.params.token, { origin: originOf(request), requestId: request.id });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', 'inline; filename="cabinet.ics"')
        .send(text);
    },
  );
}
