import { z } from 'zod';
import { AuditHistory } from '../../contracts/audit';
import {
  ChangeDetail,
  ChangeExportQuery,
  ChangeListItem,
  ChangeListQuery,
  type ChangeListItem as ChangeListItemType,
  Comment,
  CreateChangeInput,
  CreateCommentInput,
  RiskDetail,
  RiskOverrideInput,
  TransitionInput,
  UpdateChangeInput,
} from '../../contracts/change';
import { listOf } from '../../contracts/common';
import { actorOf } from '../auth';
import { csvLine, csvResponse, sendCsv } from '../csv';
import type { App, RouteDeps } from '../types';
import { errorResponses } from '../openapi';
import { referenceCheck } from '../validation';
import { expectedVersion, optionalIfMatch, withETag } from '../versions';

type Names = Map<string, string>;
const nameOf = (names: Names, id: string | null) => (id ? (names.get(id) ?? id) : null);

/** The export's columns: what the list shows, with people, team, CIs, services and template by name. */
const CSV_COLUMNS: [string, (c: ChangeListItemType, names: Names) => string | number | null][] = [
  ['Number', (c) => c.number],
  ['Title', (c) => c.title],
  ['Type', (c) => c.type],
  ['State', (c) => c.state],
  ['Priority', (c) => c.priority],
  ['Risk', (c) => c.risk?.level ?? null],
  ['Risk score', (c) => c.risk?.score ?? null],
  ['Planned start', (c) => c.plannedStart],
  ['Planned end', (c) => c.plannedEnd],
  ['Requester', (c, n) => nameOf(n, c.requesterId)],
  ['Owner', (c, n) => nameOf(n, c.ownerId)],
  ['Implementer', (c, n) => nameOf(n, c.implementerId)],
  ['Assignment team', (c, n) => nameOf(n, c.assignmentTeamId)],
  ['CIs', (c, n) => c.ciIds.map((id) => nameOf(n, id)).join('; ')],
  ['Services', (c, n) => c.serviceIds.map((id) => nameOf(n, id)).join('; ')],
  ['Template', (c, n) => nameOf(n, c.templateId)],
  ['Open conflicts', (c) => c.openConflicts ?? 0],
  ['SLA', (c) => c.slaStatus ?? null],
  ['Created', (c) => c.createdAt],
  ['Updated', (c) => c.updatedAt],
];

async function* changeCsvLines(pages: AsyncIterable<{ items: ChangeListItemType[]; names: Names }>): AsyncGenerator<string> {
  yield csvLine(CSV_COLUMNS.map(([name]) => name));
  for await (const { items, names } of pages) yield items.map((c) => csvLine(CSV_COLUMNS.map(([, cell]) => cell(c, names)))).join('');
}

const IdParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });

export function changeRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/changes',
    {
      config: {
        checkReferences: referenceCheck(ChangeListQuery, (request, fields) => services.changes.filterIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['changes'],
        operationId: 'listChanges',
        summary: 'List and search changes, newest first or as `sort` says, with their conflict and SLA markers',
        querystring: ChangeListQuery,
        response: { 200: listOf(ChangeListItem) },
      },
    },
    async (request) => services.changes.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/changes/export.csv',
    {
      config: {
        checkReferences: referenceCheck(ChangeExportQuery, (request, fields) => services.changes.filterIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['changes'],
        operationId: 'exportChanges',
        summary: 'Every change the list’s filters match, in its order, as CSV (the same query parameters as the list, without paging)',
        querystring: ChangeExportQuery,
        response: csvResponse('change'),
      },
    },
    async (request, reply) => {
      const pages = await services.changes.listAll(actorOf(request), request.query);
      return sendCsv(reply, 'changes', changeCsvLines(pages));
    },
  );
  app.post(
    '/api/v1/changes',
    {
      config: {
        checkReferences: referenceCheck(CreateChangeInput, (request, fields) =>
          services.changes.referenceIssues(actorOf(request), fields, 'create'),
        ),
      },
      schema: {
        tags: ['changes'],
        operationId: 'createChange',
        summary:
          'File a change (starts in the initial state of its model); 400 lists every problem, unknown CIs, people, team and template included',
        body: CreateChangeInput,
        response: { 201: ChangeDetail, ...errorResponses(400, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await services.changes.create(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/changes/:id',
    {
      schema: {
        tags: ['changes'],
        operationId: 'getChange',
        summary: 'A change, with the transitions you may take; ETag: its version',
        params: IdParams,
        response: { 200: ChangeDetail },
      },
    },
    async (request, reply) => withETag(reply, await services.changes.get(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/changes/:id',
    {
      config: {
        checkReferences: referenceCheck(UpdateChangeInput, (request, fields) =>
          services.changes.referenceIssues(actorOf(request), fields, 'update'),
        ),
      },
      schema: {
        tags: ['changes'],
        operationId: 'updateChange',
        summary: 'Edit a change; send the version you read (body `version` or If-Match: its ETag): none gets 428, a stale one 412',
        params: IdParams,
        body: UpdateChangeInput,
        response: { 200: ChangeDetail, ...errorResponses(400, 403, 409, 412, 422, 428) },
      },
    },
    async (request, reply) =>
      withETag(
        reply,
        await services.changes.update(actorOf(request), request.params.id, {
          ...request.body,
          version: expectedVersion(request, request.body.version),
        }),
      ),
  );
  app.post(
    '/api/v1/changes/:id/transitions',
    {
      schema: {
        tags: ['changes'],
        operationId: 'transitionChange',
        summary: 'Move a change to another state: 409 invalid_transition, 422 missing_fields or reason_required (to cancel or reject), 403 when you may not',
        params: IdParams,
        body: TransitionInput,
        response: { 200: ChangeDetail, ...errorResponses(409, 412, 422) },
      },
    },
    async (request, reply) =>
      withETag(
        reply,
        await services.changes.transition(actorOf(request), request.params.id, request.body.to, {
          version: request.body.version ?? optionalIfMatch(request),
          comment: request.body.comment,
        }),
      ),
  );
  app.get(
    '/api/v1/changes/:id/audit',
    {
      schema: {
        tags: ['changes'],
        operationId: 'listChangeAuditEvents',
        summary: 'The audit events of a change, oldest first, with `names` for the people and records their ids stand for',
        params: IdParams,
        response: { 200: AuditHistory },
      },
    },
    async (request) => services.audit.changeHistory(actorOf(request), request.params.id),
  );
  app.get(
    '/api/v1/changes/:id/comments',
    {
      schema: {
        tags: ['changes'],
        operationId: 'listChangeComments',
        summary: 'Comments and work notes',
        params: IdParams,
        response: { 200: listOf(Comment) },
      },
    },
    async (request) => ({
      items: await services.changes.comments(actorOf(request), request.params.id),
      nextCursor: null,
    }),
  );
  app.post(
    '/api/v1/changes/:id/comments',
    {
      schema: {
        tags: ['changes'],
        operationId: 'addChangeComment',
        summary: 'Add a comment or work note',
        params: IdParams,
        body: CreateCommentInput,
        response: { 201: Comment },
      },
    },
    async (request, reply) => reply.status(201).send(await services.changes.addComment(actorOf(request), request.params.id, request.body)),
  );

  app.get(
    '/api/v1/changes/:id/risk',
    {
      schema: {
        tags: ['changes'],
        operationId: 'getChangeRisk',
        summary: 'The risk of a change: score, level, every factor with its contribution and reason, the policy version',
        params: IdParams,
        response: { 200: RiskDetail },
      },
    },
    async (request) => services.risk.get(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/changes/:id/risk/override',
    {
      schema: {
        tags: ['changes'],
        operationId: 'overrideChangeRisk',
        summary:
          "Override the risk level (change manager; justification required; audited); send the change's version you read (body `version` or If-Match): none gets 428, a stale one 412",
        params: IdParams,
        body: RiskOverrideInput,
        response: { 200: RiskDetail, ...errorResponses(400, 409, 412, 422, 428) },
      },
    },
    async (request) =>
      services.risk.override(actorOf(request), request.params.id, {
        ...request.body,
        version: expectedVersion(request, request.body.version),
      }),
  );
  app.delete(
    '/api/v1/changes/:id/risk/override',
    {
      schema: {
        tags: ['changes'],
        operationId: 'clearChangeRiskOverride',
        summary: 'Remove a risk override: the computed level applies again',
        params: IdParams,
        response: { 200: RiskDetail, ...errorResponses(409, 422) },
      },
    },
    async (request) => services.risk.clearOverride(actorOf(request), request.params.id),
  );
}
