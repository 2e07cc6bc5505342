import { ErrorBody, listOf } from '../../contracts/common';
import { Board, BoardDeactivateRequest, BoardListQuery, BoardParams, BoardRequest, BoardUpdate } from '../../contracts/boards';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';
import { optionalIfMatch, requireVersionSent, withETag } from '../versions';

/** Change advisory boards: set up, list, read, edit and deactivate (docs/cab.md#boards). */
export function boardsRoutes(app: App, { services }: RouteDeps): void {
  const { boards } = services;
  app.get(
    '/api/v1/boards',
    {
      schema: {
        tags: ['cab'],
        operationId: 'listBoards',
        summary: 'Change advisory boards by name; filter by kind and by whether they are active',
        querystring: BoardListQuery,
        response: { 200: listOf(Board), 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => boards.list(actorOf(request), request.query),
  );
  app.post(
    '/api/v1/boards',
    {
      config: {
        checkReferences: referenceCheck(BoardRequest, (request, fields) => boards.referenceIssues(actorOf(request), fields)),
      },
      schema: {
        tags: ['cab'],
        operationId: 'createBoard',
        summary:
          'Set up a board (CAB, ECAB or technical) with its people, teams, domains, quorum, chair rule and scope in CEL; 400 lists every problem (unknown or repeated members, a quorum the members cannot meet, a scope that does not compile, a name taken)',
        body: BoardRequest,
        response: { 201: Board, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await boards.create(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/boards/:id',
    {
      schema: {
        tags: ['cab'],
        operationId: 'getBoard',
        summary: 'A board (id or name); ETag: its version',
        params: BoardParams,
        response: { 200: Board, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => withETag(reply, await boards.get(actorOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/boards/:id',
    {
      config: {
        checkReferences: referenceCheck(BoardUpdate, (request, fields) =>
          boards.referenceIssues(actorOf(request), fields, (request.params as { id: string }).id),
        ),
      },
      schema: {
        tags: ['cab'],
        operationId: 'updateBoard',
        summary:
          'Edit a board (id or name). Send the version you read (body `version` or If-Match: its ETag): none gets 428, a stale one 412; 400 lists every problem',
        params: BoardParams,
        body: BoardUpdate,
        response: { 200: Board, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 412: ErrorBody, 428: ErrorBody },
      },
    },
    async (request, reply) =>
      withETag(reply, await boards.update(actorOf(request), request.params.id, request.body, requireVersionSent(request, request.body))),
  );
  app.post(
    '/api/v1/boards/:id/deactivate',
    {
      schema: {
        tags: ['cab'],
        operationId: 'deactivateBoard',
        summary:
          'Deactivate a board (id or name): it keeps its history and takes no new work; 409 board_inactive when it already is; a stale version (body or If-Match) 412',
        params: BoardParams,
        body: BoardDeactivateRequest.nullish(),
        response: { 200: Board, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody },
      },
    },
    async (request, reply) =>
      withETag(reply, await boards.deactivate(actorOf(request), request.params.id, request.body, optionalIfMatch(request))),
  );
}
