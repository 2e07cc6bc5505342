import { z } from 'zod';
import { ChangeDetail } from '../../contracts/change';
import { ErrorBody, listOf } from '../../contracts/common';
import {
  ActivateTemplateInput,
  CreateTemplateInput,
  Template,
  TemplateDetail,
  TemplateExportQuery,
  TemplateListQuery,
  TemplateReasonInput,
  TemplateVersion,
  UpdateTemplateInput,
} from '../../contracts/templates';
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
  ['State', (t) => t.state],
  ['Category', (t) => t.category],
  ['Owner team', (t) => t.ownerTeam?.name ?? ''],
  ['Version', (t) => t.contentVersion],
  ['Health', (t) => t.health],
  ['Score', (t) => t.history.score],
  ['CIs', (t) => t.cis.map((c) => c.name).join('; ')],
  ['Used', (t) => t.history.used],
  ['Successful', (t) => t.history.successful],
  ['Successful with issues', (t) => t.history.successfulWithIssues],
  ['Failed', (t) => t.history.failed],
  ['Incidents caused', (t) => t.history.incidents.p1 + t.history.incidents.p2 + t.history.incidents.p3 + t.history.incidents.p4],
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
        summary:
          'Change templates and catalogue entries by name or as `sort` says (active ones unless `state` or `active` says otherwise), each with its history, score and health',
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
        summary: 'Create a template: active at once for change managers, proposed (or draft) for anyone else who files changes; 400 lists every problem',
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
        summary: 'A template with its history, score, health and suspension log (newest first); ETag: its version',
        params: TemplateParams,
        response: { 200: TemplateDetail, 404: ErrorBody },
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
          'Edit or retire a template (`active: false`); an edit of an active catalogue entry waits as a proposed version until activated. Send the version you read (body `version` or If-Match: its ETag): none gets 428, a stale one 412',
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
        response: { 201: ChangeDetail, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await templates.fileChange(actorOf(request), request.params.id, request.body)),
  );
  app.get(
    '/api/v1/templates/:id/versions',
    {
      schema: {
        tags: ['templates'],
        operationId: 'listTemplateVersions',
        summary: 'Every content version of a template, newest first, each with how the changes made from it fared',
        params: TemplateParams,
        response: { 200: z.object({ items: z.array(TemplateVersion) }), 404: ErrorBody },
      },
    },
    async (request) => templates.versions(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/templates/:id/activate',
    {
      schema: {
        tags: ['templates'],
        operationId: 'activateTemplate',
        summary: 'Make the proposed version of an entry the one in force, or a draft or proposed entry active (change managers); 409 when nothing waits',
        params: TemplateParams,
        body: ActivateTemplateInput.default({}),
        response: { 200: Template, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await templates.activate(actorOf(request), request.params.id, request.body.note)),
  );
  app.post(
    '/api/v1/templates/:id/suspend',
    {
      schema: {
        tags: ['templates'],
        operationId: 'suspendTemplate',
        summary: 'Suspend an active entry by hand, with a reason (change managers): its new requests become normal changes; 409 when it is not active',
        params: TemplateParams,
        body: TemplateReasonInput,
        response: { 200: TemplateDetail, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await templates.suspendByHand(actorOf(request), request.params.id, request.body.reason)),
  );
  app.post(
    '/api/v1/templates/:id/reinstate',
    {
      schema: {
        tags: ['templates'],
        operationId: 'reinstateTemplate',
        summary: 'Reinstate a suspended entry, with a reason (change managers); 409 when it is not suspended',
        params: TemplateParams,
        body: TemplateReasonInput,
        response: { 200: TemplateDetail, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await templates.reinstate(actorOf(request), request.params.id, request.body.reason)),
  );
  app.post(
    '/api/v1/changes/:id/checks',
    {
      schema: {
        tags: ['changes'],
        operationId: 'runChangeChecks',
        summary: 'Run the pre-approval checks of a standard change from a catalogue entry again and store them (the checks panel’s Run again); 422 for any other change',
        params: z.object({ id: z.string().min(1).describe('Change id or number') }),
        response: { 200: ChangeDetail, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const change = await services.changes.get(actor, request.params.id);
      await services.catalogue.rerun(actor, change.id);
      return services.changes.get(actor, change.id);
    },
  );
}
