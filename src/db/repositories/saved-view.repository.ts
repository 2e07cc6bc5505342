import type { Kysely } from 'kysely';
import type { SavedViewList } from '../../contracts/saved-views';
import type { DialectHelpers } from '../dialect';
import type { DB, SavedViewsTable } from '../schema';

/** A saved view as stored, with its owner's name. */
export interface SavedViewRecord {
  id: string;
  ownerId: string;
  ownerName: string;
  list: SavedViewList;
  name: string;
  query: string;
  shared: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Saved views of lists: a person's named filters and sort. */
export function createSavedViewRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: SavedViewsTable & { owner_name: string }): SavedViewRecord => ({
    id: r.id,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    list: r.list as SavedViewList,
    name: r.name,
    query: r.query,
    shared: h.readBool(r.shared),
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });
  const withOwner = () => db.selectFrom('saved_views as v').innerJoin('users as u', 'u.id', 'v.owner_id').selectAll('v').select('u.name as owner_name');

  return {
    async insert(v: Omit<SavedViewRecord, 'ownerName'>): Promise<void> {
      await db
        .insertInto('saved_views')
        .values({ id: v.id, owner_id: v.ownerId, list: v.list, name: v.name, query: v.query, shared: h.writeBool(v.shared), created_at: v.createdAt, updated_at: v.updatedAt })
        .execute();
    },
    async find(id: string): Promise<SavedViewRecord | null> {
      const row = await withOwner().where('v.id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** A person's views (of one list, or of all), by name. */
    async listOf(ownerId: string, list: SavedViewList | undefined): Promise<SavedViewRecord[]> {
      let q = withOwner().where('v.owner_id', '=', ownerId).orderBy('v.name').orderBy('v.id');
      if (list) q = q.where('v.list', '=', list);
      return (await q.execute()).map(toRecord);
    },
    async update(id: string, set: { name: string; query: string; shared: boolean; updatedAt: string }): Promise<void> {
      await db.updateTable('saved_views').set({ name: set.name, query: set.query, shared: h.writeBool(set.shared), updated_at: set.updatedAt }).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('saved_views').where('id', '=', id).execute();
    },
  };
}
export type SavedViewRepository = ReturnType<typeof createSavedViewRepository>;
