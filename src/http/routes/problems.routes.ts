import { z } from 'zod';
import { ErrorBody, listOf } from '../../contracts/common';
import {
  CreateKnownErrorInput,
  CreateProblemInput,
  KnownError,
  KnownErrorListQuery,
  KnownErrorsOnCis,
  Problem,
  ProblemExportQuery,
  ProblemListQuery,
  ProblemSuggestions,
  ShareWorkaroundResult,
  UpdateKnownErrorInput,
  UpdateProblemInput,
} from '../../contracts/problems';
import { actorOf } from '../auth';
import { csvLines, csvResponse, sendCsv, type CsvColumn } from '../csv';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';
import { requireVersionSent, withETag } from '../versions';

const ProblemParams = z.object({ id: z.string().min(1).describe('Problem id or number (PRB0000001)') });
const KnownErrorParams = z.object({ id: z.string().min(1).describe('Known error id or number (KE0000001)') });
const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });
const OnCisQuery = z.strictObject({
  ciIds: z.string().min(1).max(10000).describe('CI ids or names, comma-separated'),
});

/** The export's columns: what the list shows, with links by number. */
const CSV_COLUMNS: CsvColumn<Problem>[] = [
  ['Number', (p) => p.number],
  ['Title', (p) => p.title],
  ['Priority', (p) => p.priority],
  ['State', (p) => p.state],
  ['Owner', (p) => p.owner?.name ?? null],
  ['Team', (p) => p.team?.name ?? null],
  ['Service', (p) => p.service?.name ?? null],
  ['CIs', (p) => p.cis.map((c) => c.name).join('; ')],
  ['Incidents', (p) => p.incidents.map((i) => i.number).join('; ')],
  ['Caused by', (p) => p.causedByChanges.map((c) => c.number).join('; ')],
  ['Fixed by', (p) => p.fixChanges.map((c) => c.number).join('; ')],
  ['Known errors', (p) => p.knownErrors.map((k) => k.number).join('; ')],
  ['Root cause', (p) => p.rootCause],
  ['Resolved', (p) => p.resolvedAt],
  ['Closed', (p) => p.closedAt],
  ['Created', (p) => p.createdAt],
  ['Updated', (p) => p.updatedAt],
];

/** Problems and known errors: record, read, edit, the suggestions, sharing a workaround, and a change's known errors. */
export function problemsRoutes(app: App, { services }: RouteDeps): void {
  const { problems } = services;
  app.get(
    '/api/v1/problems',
    {
      schema: {
        tags: ['problems'],
        operationId: 'listProblems',
        summary: 'Problems, newest first or as `sort` says; filter by state (open = before resolved), priority, CI, service, team, owner, incident, change, words',
        querystring: ProblemListQuery,
        response: { 200: listOf(Problem), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => problems.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/problems/export.csv',
    {
      schema: {
        tags: ['problems'],
        operationId: 'exportProblems',
        summary: 'Every problem the list’s filters match, in its order, as CSV (the same query parameters as the list, without paging)',
        querystring: ProblemExportQuery,
        response: { ...csvResponse('problem'), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => sendCsv(reply, 'problems', csvLines(CSV_COLUMNS, await problems.listAll(actorOf(request), request.query))),
  );
  app.get(
    '/api/v1/problems/suggestions',
    {
      schema: {
        tags: ['problems'],
        operationId: 'listProblemSuggestions',
        summary: 'CIs with several recent incidents that no problem explains yet (3 or more in 30 days): problems worth opening',
        response: { 200: ProblemSuggestions, 403: ErrorBody },
      },
    },
    async (request) => problems.suggestions(actorOf(request)),
  );
  app.post(
    '/api/v1/problems',
    {
      config: { checkReferences: referenceCheck(CreateProblemInput, (request, fields) => problems.referenceIssues(actorOf(request), fields)) },
      schema: {
        tags: ['problems'],
        operationId: 'createProblem',
        summary: 'Open a problem on CIs, linked to incidents, the changes that caused it and the changes that fix it; 400 lists every problem of the body',
        body: CreateProblemInput,
        response: { 201: Problem, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await problems.create(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/problems/:id',
    {
      schema: {
        tags: ['problems'],
        operationId: 'getProblem',
        summary: 'A problem (id or number) with its links; ETag: its version',
        params: ProblemParams,
        response: { 200: Problem, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await problems.get(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/problems/:id',
    {
      config: { checkReferences: referenceCheck(UpdateProblemInput, (request, fields) => problems.referenceIssues(actorOf(request), fields)) },
      schema: {
        tags: ['problems'],
        operationId: 'updateProblem',
        summary:
          'Edit a problem, its links or its state (only the moves in nextStates; 409 otherwise). Send the version you read (body `version` or If-Match): none gets 428, a stale one 412',
        params: ProblemParams,
        body: UpdateProblemInput,
        response: { 200: Problem, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody, 428: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await problems.update(actorOf(request), request.params.id, request.body, requireVersionSent(request, request.body))),
  );

  app.get(
    '/api/v1/known-errors',
    {
      schema: {
        tags: ['problems'],
        operationId: 'listKnownErrors',
        summary: 'Known errors, newest first; filter by state, CI, problem, words',
        querystring: KnownErrorListQuery,
        response: { 200: listOf(KnownError), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => problems.listKnownErrors(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/known-errors/on-cis',
    {
      schema: {
        tags: ['problems'],
        operationId: 'listKnownErrorsOnCis',
        summary: 'The published known errors on these CIs, with their workarounds (the new-change form asks as CIs are picked)',
        querystring: OnCisQuery,
        response: { 200: KnownErrorsOnCis, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => problems.onCis(actorOf(request), request.query.ciIds.split(',').map((c) => c.trim()).filter(Boolean)),
  );
  app.post(
    '/api/v1/known-errors',
    {
      config: { checkReferences: referenceCheck(CreateKnownErrorInput, (request, fields) => problems.referenceIssues(actorOf(request), fields)) },
      schema: {
        tags: ['problems'],
        operationId: 'createKnownError',
        summary: 'Record a known error (cause and workaround) on CIs, optionally of a problem; a draft until published; 400 lists every problem of the body',
        body: CreateKnownErrorInput,
        response: { 201: KnownError, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await problems.createKnownError(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/known-errors/:id',
    {
      schema: {
        tags: ['problems'],
        operationId: 'getKnownError',
        summary: 'A known error (id or number); ETag: its version',
        params: KnownErrorParams,
        response: { 200: KnownError, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await problems.getKnownError(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/known-errors/:id',
    {
      config: { checkReferences: referenceCheck(UpdateKnownErrorInput, (request, fields) => problems.referenceIssues(actorOf(request), fields)) },
      schema: {
        tags: ['problems'],
        operationId: 'updateKnownError',
        summary: 'Edit, publish or retire a known error. Send the version you read (body `version` or If-Match): none gets 428, a stale one 412',
        params: KnownErrorParams,
        body: UpdateKnownErrorInput,
        response: { 200: KnownError, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 412: ErrorBody, 428: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await problems.updateKnownError(actorOf(request), request.params.id, request.body, requireVersionSent(request, request.body))),
  );
  app.post(
    '/api/v1/known-errors/:id/share',
    {
      schema: {
        tags: ['problems'],
        operationId: 'shareWorkaround',
        summary: 'Share a published known error’s workaround with the people on its problem’s incidents and the problem’s owner; answers who was told',
        params: KnownErrorParams,
        response: { 200: ShareWorkaroundResult, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => problems.shareWorkaround(actorOf(request), request.params.id),
  );
  app.get(
    '/api/v1/changes/:id/known-errors',
    {
      schema: {
        tags: ['problems'],
        operationId: 'listChangeKnownErrors',
        summary: 'The published known errors on a change’s CIs (change id or number), with their workarounds',
        params: ChangeParams,
        response: { 200: KnownErrorsOnCis, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => problems.ofChange(actorOf(request), request.params.id),
  );
}
