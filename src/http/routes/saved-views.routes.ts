import { z } from 'zod';
import { ErrorBody, listOf } from '../../contracts/common';
import { CreateSavedViewInput, SavedView, SavedViewListQuery, UpdateSavedViewInput } from '../../contracts/saved-views';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const ViewParams = z.object({ id: z.string().min(1).max(64).describe('Saved view id') });

/** Saved views of lists: yours to list, change and delete; a shared one opens by its id for anyone who may read its list. */
export function savedViewsRoutes(app: App, { services }: RouteDeps): void {
  const { savedViews } = services;
  app.get(
    '/api/v1/me/saved-views',
    {
      schema: {
        tags: ['saved views'],
        operationId: 'listSavedViews',
        summary: 'Your saved views (of one list, with list=), by name',
        querystring: SavedViewListQuery,
        response: { 200: listOf(SavedView), 403: ErrorBody },
      },
    },
    async (request) => ({ items: await savedViews.list(actorOf(request), { list: request.query.list }), nextCursor: null }),
  );
  app.post(
    '/api/v1/me/saved-views',
    {
      schema: {
        tags: ['saved views'],
        operationId: 'createSavedView',
        summary: 'Save a view of a list: its name and query string (filters and sort); shared views open by their link for anyone who may read the list',
        body: CreateSavedViewInput,
        response: { 201: SavedView, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => reply.status(201).send(await savedViews.create(actorOf(request), request.body)),
  );
  app.get(
    '/api/v1/saved-views/:id',
    {
      schema: {
        tags: ['saved views'],
        operationId: 'getSavedView',
        summary: 'A saved view: yours, or one shared by someone else (404 for another person’s view that is not shared)',
        params: ViewParams,
        response: { 200: SavedView, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => savedViews.get(actorOf(request), request.params.id),
  );
  app.patch(
    '/api/v1/saved-views/:id',
    {
      schema: {
        tags: ['saved views'],
        operationId: 'updateSavedView',
        summary: 'Rename, re-filter or (un)share your view; 403 not_view_owner for someone else’s',
        params: ViewParams,
        body: UpdateSavedViewInput,
        response: { 200: SavedView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => savedViews.update(actorOf(request), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/saved-views/:id',
    {
      schema: {
        tags: ['saved views'],
        operationId: 'deleteSavedView',
        summary: 'Delete your view; 403 not_view_owner for someone else’s',
        params: ViewParams,
        response: { 204: z.null(), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await savedViews.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
