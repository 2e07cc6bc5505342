import { z } from 'zod';
import { ChangeDetail } from '../../contracts/change';
import { ErrorBody, listOf } from '../../contracts/common';
import { CreateTemplateInput, Template, TemplateExportQuery, TemplateListQuery, UpdateTemplateInput } from '../../contracts/templates';
import { actorOf } from '../auth';
import { csvLines, csvResponse, sendCsv, type CsvColumn } from '../csv';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';
import { expectedVersion, withETag } from '../versions';

const TemplateParams = z.object({ id: z.string().min(1).describe('Template id or name') });

/** The export's columns: what the list shows, with the CIs by name. */
const CSV_COLUMNS: CsvColumn<Template>[] = [
  ['Name', (t) => t.name],
  ['Description', (t) => t.description],
  ['Type', (t) => t.type],
  ['Active', (t) => t.active],
  ['CIs', (t) => t.cis.map((c) => c.name).join('; ')],
  ['Used', (t) => t.history.used],
  ['Last used', (t) => t.history.lastUsedAt],
  ['Changes (90 days)', (t) => t.history.changes90d],
  ['Failed (90 days)', (t) => t.history.failed90d],
  ['Created', (t) => t.createdAt],
  ['Updated', (t) => t.updatedAt],
];

/** Change templates and the changes filed from them. */
export function templatesRoutes(app: App, { services }: RouteDeps): void {
  const { templates } = services;
  app.get(
    '/api/v1/templates',
    {
      schema: {
        tags: ['templates'],
        operationId: 'listTemplates',
        summary: 'Change templates by name or as `sort` says (active ones unless `active` says otherwise), each with its 90-day history',
        querystring: TemplateListQuery,
        response: { 200: listOf(Template), 400: ErrorBody },
      },
    },
    async (request) => templates.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/templates/export.csv',
    {
      schema: {
        tags: ['templates'],
        operationId: 'exportTemplates',
        summary: 'Every template the list’s filters match, in its order, as CSV (the same query parameters as the list, without paging)',
        querystring: TemplateExportQuery,
        response: { ...csvResponse('template'), 400: ErrorBody },
      },
    },
    async (request, reply) => sendCsv(reply, 'templates', csvLines(CSV_COLUMNS, await templates.listAll(actorOf(request), request.query))),
  );
  app.post(
    '/api/v1/templates',
    {
      config: {
        checkReferences: referenceCheck(CreateTemplateInput, (request, fields) => templates.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['templates'],
        operationId: 'createTemplate',
        summary: 'Create a template (change managers); 400 lists every problem',
        body: CreateTemplateInput,
        response: { 201: Template, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await templates.create(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/templates/:id',
    {
      schema: {
        tags: ['templates'],
        operationId: 'getTemplate',
        summary: 'A template with its history; ETag: its version',
        params: TemplateParams,
        response: { 200: Template, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await templates.get(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/templates/:id',
    {
      config: {
        checkReferences: referenceCheck(UpdateTemplateInput, (request, fields) =>
          templates.referenceIssues(actorOf(request), fields, (request.params as { id: string }).id),
        ),
      },
      schema: {
        tags: ['templates'],
        operationId: 'updateTemplate',
        summary:
          'Edit or retire a template (`active: false`); send the version you read (body `version` or If-Match: its ETag): none gets 428, a stale one 412',
        params: TemplateParams,
        body: UpdateTemplateInput,
        response: { 200: Template, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 412: ErrorBody, 428: ErrorBody },
      },
    },
    async (request, reply) =>
      withETag(
        reply,
        await templates.update(actorOf(request), request.params.id, {
          ...request.body,
          version: expectedVersion(request, request.body.version),
        }),
      ),
  );
  app.post(
    '/api/v1/templates/:id/changes',
    {
      schema: {
        tags: ['templates'],
        operationId: 'createChangeFromTemplate',
        summary:
          "File a change from the template: its type, fields, CIs and team, with the body's fields on top (e.g. plannedStart, plannedEnd)",
        params: TemplateParams,
        // NOTE: checked by the service after merging with the template, so one 400 lists every problem of the result.
        body: z.record(z.string(), z.unknown()).default({}).describe('Any field of POST /api/v1/changes except type and templateId'),
        response: { 201: ChangeDetail, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await templates.fileChange(actorOf(request), request.params.id, request.body)),
  );
}
