import { z } from 'zod';
import { ErrorBody, listOf } from '../../contracts/common';
import {
  CreateWindowInput,
  OccurrenceList,
  RangeQuery,
  ScheduledWindowList,
  ScheduleWindowsQuery,
  UpdateWindowInput,
  Window,
  WindowListQuery,
} from '../../contracts/windows';
import { ImportWindowsQuery, ImportWindowsResult } from '../../contracts/windows-import';
import { UnsupportedMediaTypeError } from '../../domain/errors';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';
import { expectedVersion, optionalIfMatch, withETag } from '../versions';

const WindowParams = z.object({ id: z.string().min(1).describe('Window id') });

/** Maintenance windows and freezes, their occurrences, and the windows on the schedule. */
export function windowsRoutes(app: App, { services }: RouteDeps): void {
  const { windows } = services;
  app.get(
    '/api/v1/windows',
    {
      schema: {
        tags: ['windows'],
        operationId: 'listWindows',
        summary: 'Maintenance windows and freezes by name; filter by kind and by the service or CI they apply to',
        querystring: WindowListQuery,
        response: { 200: listOf(Window), 400: ErrorBody },
      },
    },
    async (request) => windows.list(actorOf(request), request.query),
  );
  app.post(
    '/api/v1/windows',
    {
      config: {
        checkReferences: referenceCheck(CreateWindowInput, (request, fields) => windows.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['windows'],
        operationId: 'createWindow',
        summary:
          'Create a maintenance window or freeze (local start, IANA time zone, duration, optional RRULE, scope); 400 lists every problem',
        body: CreateWindowInput,
        response: { 201: Window, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await windows.create(actorOf(request), request.body)),
  );
  app.post(
    '/api/v1/windows/import',
    {
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        tags: ['windows'],
        operationId: 'importWindows',
        summary: 'Import maintenance windows or freezes from an iCalendar (.ics) file sent as text/calendar; reports every event',
        description:
          'Each VEVENT becomes a window of the given kind and scope (global=true, or serviceIds, ciIds, environments, tags: comma-separated). ' +
          'timeZone (default UTC) reads all-day and floating times. An event already imported (same UID), as either kind, is updated, not duplicated; a recurring event with exceptions becomes several windows. ' +
          'dryRun=true writes nothing; atomic=true writes nothing when any event is refused. A file that is not iCalendar answers 400 invalid_calendar.',
        querystring: ImportWindowsQuery,
        response: { 200: ImportWindowsResult, 400: ErrorBody, 403: ErrorBody, 415: ErrorBody },
      },
    },
    async (request) => {
      const type = String(request.headers['content-type'] ?? '');
      if (!type.startsWith('text/calendar') || typeof request.body !== 'string')
        throw new UnsupportedMediaTypeError(`Send the .ics file as text/calendar, not "${type}".`, { contentType: type });
      return windows.importIcs(actorOf(request), request.body, request.query);
    },
  );
  app.get(
    '/api/v1/windows/:id',
    {
      schema: {
        tags: ['windows'],
        operationId: 'getWindow',
        summary: 'A window; ETag: its version',
        params: WindowParams,
        response: { 200: Window, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await windows.get(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/windows/:id',
    {
      config: {
        checkReferences: referenceCheck(UpdateWindowInput, (request, fields) => windows.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['windows'],
        operationId: 'updateWindow',
        summary: 'Edit a window; send the version you read (body `version` or If-Match: its ETag): none gets 428, a stale one 412',
        params: WindowParams,
        body: UpdateWindowInput,
        response: { 200: Window, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 412: ErrorBody, 428: ErrorBody },
      },
    },
    async (request, reply) =>
      withETag(
        reply,
        await windows.update(actorOf(request), request.params.id, {
          ...request.body,
          version: expectedVersion(request, request.body.version),
        }),
      ),
  );
  app.delete(
    '/api/v1/windows/:id',
    {
      schema: {
        tags: ['windows'],
        operationId: 'deleteWindow',
        summary: 'Delete a window (If-Match optional: a stale version gets 412)',
        params: WindowParams,
        response: { 204: z.null(), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 412: ErrorBody },
      },
    },
    async (request, reply) => {
      await windows.remove(actorOf(request), request.params.id, optionalIfMatch(request));
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/v1/windows/:id/occurrences',
    {
      schema: {
        tags: ['windows'],
        operationId: 'listWindowOccurrences',
        summary: 'The occurrences of a window that overlap [from, to) (at most 400 days), as instants',
        params: WindowParams,
        querystring: RangeQuery,
        response: { 200: OccurrenceList, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => windows.occurrences(actorOf(request), request.params.id, request.query),
  );
  app.get(
    '/api/v1/schedule/windows',
    {
      schema: {
        tags: ['windows'],
        operationId: 'listScheduledWindows',
        summary:
          'Every occurrence of every window in [from, to) (at most 400 days), by start, with its window; filter by kind, service and CI',
        querystring: ScheduleWindowsQuery,
        response: { 200: ScheduledWindowList, 400: ErrorBody },
      },
    },
    async (request) => windows.schedule(actorOf(request), request.query),
  );
}
