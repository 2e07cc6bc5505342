import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB, NotificationsTable } from '../schema';

/** One message in someone's in-app inbox. */
export interface NotificationRecord {
  id: string;
  userId: string;
  kind: string;
  title: string;
  body: string;
  changeId: string | null;
  approvalId: string | null;
  outboxId: string;
  createdAt: string;
  readAt: string | null;
}

/** In-app notifications, always read and written for one user. */
export function createNotificationRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: NotificationsTable): NotificationRecord => ({
    id: r.id,
    userId: r.user_id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    changeId: r.change_id,
    approvalId: r.approval_id,
    outboxId: r.outbox_id,
    createdAt: h.readInstant(r.created_at)!,
    readAt: h.readInstant(r.read_at),
  });

  return {
    /**
     * Inserts notifications; NOTE: one outbox item notifies a person at most once, whatever the retries
     * (the unique (outbox_id, user_id) key absorbs a redelivery). Returns how many were new.
     */
    async insertMany(items: Omit<NotificationRecord, 'readAt'>[]): Promise<number> {
      if (items.length === 0) return 0;
      const res = await db
        .insertInto('notifications')
        .values(
          items.map((n) => ({
            id: n.id,
            user_id: n.userId,
            kind: n.kind,
            title: n.title,
            body: n.body,
            change_id: n.changeId,
            approval_id: n.approvalId,
            outbox_id: n.outboxId,
            created_at: n.createdAt,
          })),
        )
        .onConflict((oc) => oc.columns(['outbox_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0);
    },
    /** A page of the user's notifications, newest first. */
    async list(userId: string, f: { unreadOnly: boolean; before?: { at: string; id: string }; limit: number }): Promise<NotificationRecord[]> {
      let q = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
      if (f.unreadOnly) q = q.where('read_at', 'is', null);
      const before = f.before;
      if (before) q = q.where((eb) => eb.or([eb('created_at', '<', before.at), eb.and([eb('created_at', '=', before.at), eb('id', '<', before.id)])]));
      return (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()).map(toRecord);
    },
    async countUnread(userId: string): Promise<number> {
      const row = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** The user's notification, or null (someone else's is as good as missing). */
    async findFor(userId: string, id: string): Promise<NotificationRecord | null> {
      const row = await db.selectFrom('notifications').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async markRead(userId: string, id: string, at: string): Promise<void> {
      await db.updateTable('notifications').set({ read_at: at }).where('id', '=', id).where('user_id', '=', userId).where('read_at', 'is', null).execute();
    },
    /** Marks every unread notification of the user read; returns how many. */
    async markAllRead(userId: string, at: string): Promise<number> {
      const res = await db.updateTable('notifications').set({ read_at: at }).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    /** Every notification of every user about an outbox item (tests and support). */
    async forOutbox(outboxId: string): Promise<NotificationRecord[]> {
      return (await db.selectFrom('notifications').selectAll().where('outbox_id', '=', outboxId).orderBy('user_id').execute()).map(toRecord);
    },
  };
}
export type NotificationRepository = ReturnType<typeof createNotificationRepository>;
