import { z } from 'zod';
import { ErrorBody, listOf } from '../../contracts/common';
import {
  CreateIncidentInput,
  ImportIncidentsResult,
  Incident,
  IncidentExportQuery,
  IncidentListQuery,
  UpdateIncidentInput,
} from '../../contracts/incidents';
import { UnsupportedMediaTypeError } from '../../domain/errors';
import { actorOf } from '../auth';
import { csvLines, csvResponse, sendCsv, type CsvColumn } from '../csv';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';
import { requireVersionSent, withETag } from '../versions';

const IncidentParams = z.object({ id: z.string().min(1).describe('Incident id or number (INC0000001)') });
const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });
const ChangeIncidentsQuery = IncidentListQuery.omit({ changeId: true });
const ImportIncidentsQuery = z.strictObject({
  dryRun: z.stringbool().default(false).describe('true: read, match and report, write nothing'),
});

/** The export's columns: what the list shows, with CIs, service and causing change by name. */
const CSV_COLUMNS: CsvColumn<Incident>[] = [
  ['Number', (i) => i.number],
  ['Title', (i) => i.title],
  ['Priority', (i) => i.priority],
  ['State', (i) => i.state],
  ['Opened', (i) => i.openedAt],
  ['Resolved', (i) => i.resolvedAt],
  ['Closed', (i) => i.closedAt],
  ['CIs', (i) => i.cis.map((c) => c.name).join('; ')],
  ['Service', (i) => i.service?.name ?? null],
  ['Caused by', (i) => i.causedByChange?.number ?? null],
  ['Source', (i) => i.source],
  ['Created', (i) => i.createdAt],
  ['Updated', (i) => i.updatedAt],
];

/** Incidents: file, read, edit, import a ServiceNow incident log, and the incidents a change caused. */
export function incidentsRoutes(app: App, { services }: RouteDeps): void {
  const { incidents } = services;
  app.get(
    '/api/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        operationId: 'listIncidents',
        summary:
          'Incidents, newest opened first or as `sort` says; filter by state (open = new, in_progress, on_hold), CI (id or name), service, causing change (id or number), opening dates, words',
        querystring: IncidentListQuery,
        response: { 200: listOf(Incident), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => incidents.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/incidents/export.csv',
    {
      schema: {
        tags: ['incidents'],
        operationId: 'exportIncidents',
        summary: 'Every incident the list’s filters match, in its order, as CSV (the same query parameters as the list, without paging)',
        querystring: IncidentExportQuery,
        response: { ...csvResponse('incident'), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => sendCsv(reply, 'incidents', csvLines(CSV_COLUMNS, await incidents.listAll(actorOf(request), request.query))),
  );
  app.post(
    '/api/v1/incidents',
    {
      config: {
        checkReferences: referenceCheck(CreateIncidentInput, (request, fields) => incidents.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['incidents'],
        operationId: 'createIncident',
        summary:
          'File an incident on CIs (ids or names), optionally tied to the change that caused it (id or number); 400 lists every problem',
        body: CreateIncidentInput,
        response: { 201: Incident, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await incidents.create(actorOf(request), request.body)),
  );
  app.post(
    '/api/v1/incidents/import',
    {
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        tags: ['incidents'],
        operationId: 'importIncidents',
        summary: 'Import incidents from a ServiceNow incident event log (CSV sent as text/csv); reports every refused incident',
        description:
          'The last row of each number (highest sys_mod_count, then file order) is the incident. cmdb_ci matches a CI by exact name, caused_by and rfc a change by number; ' +
          'what matches nothing is reported (unmatchedCis, unmatchedChanges) and kept in `external`. Incidents already here (same number) are updated, never duplicated. ' +
          "Cabinet's own CSV (number,title,priority,state,opened_at,ci,caused_by, ISO dates) is read too. dryRun=true writes nothing. " +
          'A file that is not CSV or has no number column answers 400 invalid_import.',
        querystring: ImportIncidentsQuery,
        response: { 200: ImportIncidentsResult, 400: ErrorBody, 403: ErrorBody, 409: ErrorBody, 415: ErrorBody },
      },
    },
    async (request) => {
      const type = String(request.headers['content-type'] ?? '');
      if (!/^(text|application)\/csv/.test(type) || typeof request.body !== 'string')
        throw new UnsupportedMediaTypeError(`Send the incident log as text/csv, not "${type}".`, { contentType: type });
      return incidents.importCsv(actorOf(request), request.body, { dryRun: request.query.dryRun });
    },
  );
  app.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        operationId: 'getIncident',
        summary: 'An incident (id or number); ETag: its version',
        params: IncidentParams,
        response: { 200: Incident, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await incidents.get(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/incidents/:id',
    {
      config: {
        checkReferences: referenceCheck(UpdateIncidentInput, (request, fields) => incidents.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['incidents'],
        operationId: 'updateIncident',
        summary:
          'Edit an incident; resolving or closing stamps the time, reopening clears it. Send the version you read (body `version` or If-Match: its ETag): none gets 428, a stale one 412',
        params: IncidentParams,
        body: UpdateIncidentInput,
        response: { 200: Incident, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 412: ErrorBody, 428: ErrorBody },
      },
    },
    async (request, reply) =>
      withETag(reply, await incidents.update(actorOf(request), request.params.id, request.body, requireVersionSent(request, request.body))),
  );
  app.get(
    '/api/v1/changes/:id/incidents',
    {
      schema: {
        tags: ['incidents'],
        operationId: 'listChangeIncidents',
        summary: 'The incidents a change caused (change id or number), newest opened first',
        params: ChangeParams,
        querystring: ChangeIncidentsQuery,
        response: { 200: listOf(Incident), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => incidents.causedBy(actorOf(request), request.params.id, request.query),
  );
}
