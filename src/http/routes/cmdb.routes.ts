import { z } from 'zod';
import {
  Ci,
  CiExportQuery,
  CiListQuery,
  CiRelations,
  CreateCiInput,
  CreateRelationInput,
  CreateServiceInput,
  ImportResult,
  Relation,
  Service,
  UpdateCiInput,
  UpdateServiceInput,
} from '../../contracts/cmdb';
import { listOf } from '../../contracts/common';
import { UnsupportedMediaTypeError } from '../../domain/errors';
import { actorOf } from '../auth';
import { csvLines, csvResponse, sendCsv, type CsvColumn } from '../csv';
import { errorResponses } from '../openapi';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';
import { expectedVersion, withETag } from '../versions';

const IdParams = z.object({ id: z.string().min(1) });
const Paging = { limit: z.coerce.number().int().min(1).max(500).default(50), cursor: z.string().max(400).optional() };

/** The CI export's columns: what the list shows, with the service by name. */
const CI_CSV_COLUMNS: CsvColumn<Ci & { serviceName: string | null }>[] = [
  ['Name', (ci) => ci.name],
  ['Type', (ci) => ci.type],
  ['Environment', (ci) => ci.environment],
  ['Criticality', (ci) => ci.criticality],
  ['Service', (ci) => ci.serviceName],
  ['Tags', (ci) => ci.tags.join('; ')],
  ['Created', (ci) => ci.createdAt],
  ['Updated', (ci) => ci.updatedAt],
];

export function cmdbRoutes(app: App, { services }: RouteDeps): void {
  // Services and CIs name the same kinds of record (a service, an owner team): one check serves both.
  const cmdbReferences = referenceCheck(UpdateCiInput, (request, fields) => services.cmdb.referenceIssues(actorOf(request), fields));
  app.get(
    '/api/v1/services',
    {
      schema: {
        tags: ['cmdb'],
        operationId: 'listServices',
        summary: 'List services',
        querystring: z.strictObject({ q: z.string().max(200).optional(), tag: z.string().max(40).optional(), ...Paging }),
        response: { 200: listOf(Service) },
      },
    },
    async (request) => services.cmdb.listServices(actorOf(request), request.query),
  );
  app.post(
    '/api/v1/services',
    {
      config: { checkReferences: cmdbReferences },
      schema: {
        tags: ['cmdb'],
        operationId: 'createService',
        summary: 'Create a service',
        body: CreateServiceInput,
        response: { 201: Service, ...errorResponses(409) },
      },
    },
    async (request, reply) => reply.status(201).send(await services.cmdb.createService(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/services/:id',
    {
      schema: {
        tags: ['cmdb'],
        operationId: 'getService',
        summary: 'A service by id or name; ETag: its version',
        params: IdParams,
        response: { 200: Service },
      },
    },
    async (request, reply) => withETag(reply, await services.cmdb.getService(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/services/:id',
    {
      config: { checkReferences: cmdbReferences },
      schema: {
        tags: ['cmdb'],
        operationId: 'updateService',
        summary: 'Update a service; send the version you read (body `version` or If-Match: its ETag): none gets 428, a stale one 412',
        params: IdParams,
        body: UpdateServiceInput,
        response: { 200: Service, ...errorResponses(400, 409, 412, 428) },
      },
    },
    async (request, reply) =>
      withETag(
        reply,
        await services.cmdb.updateService(actorOf(request), request.params.id, {
          ...request.body,
          version: expectedVersion(request, request.body.version),
        }),
      ),
  );

  app.get(
    '/api/v1/cis',
    {
      schema: {
        tags: ['cmdb'],
        operationId: 'listCis',
        summary: 'List configuration items, by name or as `sort` says',
        querystring: CiListQuery,
        response: { 200: listOf(Ci) },
      },
    },
    async (request) => services.cmdb.listCis(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/cis/export.csv',
    {
      schema: {
        tags: ['cmdb'],
        operationId: 'exportCis',
        summary:
          'Every configuration item the list’s filters match, in its order, as CSV (the same query parameters as the list, without paging)',
        querystring: CiExportQuery,
        response: csvResponse('CI'),
      },
    },
    async (request, reply) =>
      sendCsv(reply, 'cis', csvLines(CI_CSV_COLUMNS, await services.cmdb.listAllCis(actorOf(request), request.query))),
  );
  app.post(
    '/api/v1/cis',
    {
      config: { checkReferences: cmdbReferences },
      schema: {
        tags: ['cmdb'],
        operationId: 'createCi',
        summary: 'Create a configuration item',
        body: CreateCiInput,
        response: { 201: Ci, ...errorResponses(409) },
      },
    },
    async (request, reply) => reply.status(201).send(await services.cmdb.createCi(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/cis/:id',
    {
      schema: {
        tags: ['cmdb'],
        operationId: 'getCi',
        summary: 'A configuration item by id or name; ETag: its version',
        params: IdParams,
        response: { 200: Ci },
      },
    },
    async (request, reply) => withETag(reply, await services.cmdb.getCi(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/cis/:id',
    {
      config: { checkReferences: cmdbReferences },
      schema: {
        tags: ['cmdb'],
        operationId: 'updateCi',
        summary:
          'Update a configuration item; send the version you read (body `version` or If-Match: its ETag): none gets 428, a stale one 412',
        params: IdParams,
        body: UpdateCiInput,
        response: { 200: Ci, ...errorResponses(400, 409, 412, 428) },
      },
    },
    async (request, reply) =>
      withETag(
        reply,
        await services.cmdb.updateCi(actorOf(request), request.params.id, {
          ...request.body,
          version: expectedVersion(request, request.body.version),
        }),
      ),
  );
  app.get(
    '/api/v1/cis/:id/relations',
    {
      schema: {
        tags: ['cmdb'],
        operationId: 'listCiRelations',
        summary: 'Relations of a CI, both directions',
        params: IdParams,
        response: { 200: CiRelations },
      },
    },
    async (request) => services.cmdb.relations(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/cis/:id/relations',
    {
      schema: {
        tags: ['cmdb'],
        operationId: 'addCiRelation',
        summary: 'Relate this CI to another (depends_on, runs_on, connects_to)',
        params: IdParams,
        body: CreateRelationInput,
        response: { 201: Relation, ...errorResponses(409) },
      },
    },
    async (request, reply) => reply.status(201).send(await services.cmdb.addRelation(actorOf(request), request.params.id, request.body)),
  );
  app.delete(
    '/api/v1/cis/:id/relations/:relationId',
    {
      schema: {
        tags: ['cmdb'],
        operationId: 'removeCiRelation',
        summary: 'Remove a relation',
        params: IdParams.extend({ relationId: z.string().min(1).describe('Relation id') }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await services.cmdb.removeRelation(actorOf(request), request.params.id, request.params.relationId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/cis/import',
    {
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        tags: ['cmdb'],
        operationId: 'importCis',
        summary: 'Import CIs and relations from CSV (text/csv) or a JSON array; reports every refused row',
        description:
          'CSV header: name,type,environment,service,criticality,tags (tags separated by ";"; optional ownerTeam, attributes as JSON). ' +
          'A CSV with header from,type,to imports relations. JSON: an array of { name, type, environment, service, criticality, tags, attributes, relations: [{ to, type }] }. ' +
          'Rows with errors are skipped and listed; atomic=true applies nothing when any row is refused; dryRun=true only validates.',
        querystring: z.strictObject({ atomic: z.stringbool().default(false), dryRun: z.stringbool().default(false) }),
        response: {
          200: ImportResult.extend({ unchanged: z.number().int(), dryRun: z.boolean() }).meta({ id: 'ImportCisResult' }),
          ...errorResponses(415),
        },
      },
    },
    async (request) => {
      const type = String(request.headers['content-type'] ?? '');
      const format =
        type.startsWith('text/csv') || type.startsWith('application/csv') ? 'csv' : type.startsWith('application/json') ? 'json' : null;
      if (!format)
        throw new UnsupportedMediaTypeError(`Send the import as text/csv or application/json, not "${type}".`, { contentType: type });
      return services.cmdb.importCis(actorOf(request), { format, body: request.body }, request.query);
    },
  );
}
