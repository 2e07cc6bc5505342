import type { Kysely } from 'kysely';
import type { FeedScopeKind } from '../../contracts/calendar-feeds';
import type { DialectHelpers } from '../dialect';
import type { CalendarFeedsTable, DB } from '../schema';

/** A calendar feed as stored: its owner, scope and the hash of its secret (never the secret). */
export interface CalendarFeedRecord {
  id: string;
  userId: string;
  name: string;
  scopeKind: FeedScopeKind;
  /** Team, service or user id; null for `all`. */
  scopeRef: string | null;
  tokenHash: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Calendar feeds (iCalendar subscriptions by secret URL). */
export function createCalendarFeedsRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: CalendarFeedsTable): CalendarFeedRecord => ({
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scopeKind: r.scope_kind as FeedScopeKind,
    scopeRef: r.scope_ref,
    tokenHash: r.token_hash,
    prefix: r.prefix,
    createdAt: h.readInstant(r.created_at)!,
    lastUsedAt: h.readInstant(r.last_used_at),
    revokedAt: h.readInstant(r.revoked_at),
  });

  return {
    async insertFeed(f: CalendarFeedRecord): Promise<void> {
      await db
        .insertInto('calendar_feeds')
        .values({
          id: f.id,
          user_id: f.userId,
          name: f.name,
          scope_kind: f.scopeKind,
          scope_ref: f.scopeRef,
          token_hash: f.tokenHash,
          prefix: f.prefix,
          created_at: f.createdAt,
          last_used_at: f.lastUsedAt,
          revoked_at: f.revokedAt,
        })
        .execute();
    },
    async findFeed(id: string): Promise<CalendarFeedRecord | null> {
      const row = await db.selectFrom('calendar_feeds').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** The feed whose secret hashes to `tokenHash`, revoked or not. */
    async findFeedByHash(tokenHash: string): Promise<CalendarFeedRecord | null> {
      const row = await db.selectFrom('calendar_feeds').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** Feeds not revoked, of one person (or everyone's with null), oldest first. */
    async listFeeds(userId: string | null): Promise<CalendarFeedRecord[]> {
      let q = db.selectFrom('calendar_feeds').selectAll().where('revoked_at', 'is', null).orderBy('created_at').orderBy('id');
      if (userId !== null) q = q.where('user_id', '=', userId);
      return (await q.execute()).map(toRecord);
    },
    /** Revokes the feed if it is not already; false when there was nothing to revoke. */
    async revokeFeed(id: string, at: string): Promise<boolean> {
      const res = await db
        .updateTable('calendar_feeds')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /**
     * Records a fetch. NOTE: conditional on the previous use being older than `staleBefore`, so a client
     * polling every few seconds writes at most once a minute, and concurrent fetches do not race.
     */
    async touchFeed(id: string, at: string, staleBefore: string): Promise<void> {
      await db
        .updateTable('calendar_feeds')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', staleBefore)]))
        .execute();
    },
  };
}
export type CalendarFeedsRepository = ReturnType<typeof createCalendarFeedsRepository>;
