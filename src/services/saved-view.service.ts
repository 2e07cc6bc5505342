import type { z } from 'zod';
import type { CreateSavedViewInput, SavedView, SavedViewList, UpdateSavedViewInput } from '../contracts/saved-views';
import type { Actor } from '../domain/actor';
import { assertPermission, type Permission } from '../domain/auth/roles';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { SavedViewRecord } from '../db/repositories';
import { audit, type ServiceDeps } from './context';

/** Who may read each list, and so save a view of it or open one shared with them. */
const READ_PERMISSION: Record<SavedViewList, Permission> = {
  changes: 'change.read',
  incidents: 'incident.read',
  cis: 'cmdb.read',
  templates: 'change.read',
};

/**
 * Saved views: a person's named filters and sort of a list. The owner lists, changes and deletes theirs; a
 * shared view opens by its id (the list's `?view=` link) for anyone who may read the list.
 */
export function createSavedViewService(deps: ServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();

  const present = (actor: Actor, v: SavedViewRecord): SavedView => ({ ...v, mine: v.ownerId === actor.userId });

  /**
   * The view as the actor may see it. NOTE (security): another person's view that is not shared is answered
   * 404, as if it did not exist, so ids cannot be probed for private views.
   */
  async function visible(actor: Actor, id: string): Promise<SavedViewRecord> {
    const view = await store.repos.savedViews.find(id);
    if (!view || (view.ownerId !== actor.userId && !view.shared)) throw new NotFoundError('Saved view', id);
    assertPermission(actor, READ_PERMISSION[view.list]);
    return view;
  }

  /** The actor's own view; 403 `not_view_owner` for someone else's shared view. */
  async function owned(actor: Actor, id: string): Promise<SavedViewRecord> {
    const view = await visible(actor, id);
    if (view.ownerId !== actor.userId) {
      throw new ForbiddenError(`Only ${view.ownerName}, who saved the view “${view.name}”, may change or delete it. Save it as your own view instead.`, 'not_view_owner', { ownerId: view.ownerId });
    }
    return view;
  }

  return {
    /** The actor's views, of one list or all, by name. */
    async list(actor: Actor, opts: { list?: SavedViewList }): Promise<SavedView[]> {
      if (opts.list) assertPermission(actor, READ_PERMISSION[opts.list]);
      const views = await store.repos.savedViews.listOf(actor.userId, opts.list);
      return views.map((v) => present(actor, v));
    },

    /** A view: the actor's own, or one shared with them (404 otherwise; 403 when they may not read its list). */
    async get(actor: Actor, id: string): Promise<SavedView> {
      return present(actor, await visible(actor, id));
    },

    async create(actor: Actor, input: z.output<typeof CreateSavedViewInput>): Promise<SavedView> {
      assertPermission(actor, READ_PERMISSION[input.list]);
      const at = nowIso();
      const id = deps.newId();
      await store.transaction(async (repos) => {
        await repos.savedViews.insert({ id, ownerId: actor.userId, list: input.list, name: input.name, query: input.query, shared: input.shared, createdAt: at, updatedAt: at });
        await audit(repos, actor, at, 'saved_view.created', 'saved_view', id, { name: input.name, list: input.list, query: input.query, shared: input.shared });
      });
      return present(actor, (await store.repos.savedViews.find(id))!);
    },

    /** Renames, re-filters or (un)shares the actor's view; 403 `not_view_owner` on someone else's. */
    async update(actor: Actor, id: string, input: z.output<typeof UpdateSavedViewInput>): Promise<SavedView> {
      const view = await owned(actor, id);
      const next = { name: input.name ?? view.name, query: input.query ?? view.query, shared: input.shared ?? view.shared };
      const changed = Object.fromEntries(
        (['name', 'query', 'shared'] as const).filter((k) => next[k] !== view[k]).map((k) => [k, { from: view[k], to: next[k] }]),
      );
      if (Object.keys(changed).length > 0) {
        const at = nowIso();
        await store.transaction(async (repos) => {
          await repos.savedViews.update(id, { ...next, updatedAt: at });
          await audit(repos, actor, at, 'saved_view.updated', 'saved_view', id, { changes: changed });
        });
      }
      return present(actor, (await store.repos.savedViews.find(id))!);
    },

    /** Deletes the actor's view; 403 `not_view_owner` on someone else's. */
    async remove(actor: Actor, id: string): Promise<void> {
      const view = await owned(actor, id);
      const at = nowIso();
      await store.transaction(async (repos) => {
        await repos.savedViews.delete(id);
        await audit(repos, actor, at, 'saved_view.deleted', 'saved_view', id, { name: view.name, list: view.list });
      });
    },
  };
}
export type SavedViewService = ReturnType<typeof createSavedViewService>;
