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
  /** When the notice stopped asking anything of its reader, and why. */
  resolvedAt: string | null;
  resolution: string | null;
  /** The number of the change it is about (read with it), or null. */
  changeNumber: string | null;
}

/** A notification as the outbox writes it. */
export type NewNotificationRecord = Omit<NotificationRecord, 'readAt' | 'resolvedAt' | 'resolution' | 'changeNumber'> & { resolvedAt?: string | null; resolution?: string | null };

/** In-app notifications, always read and written for one user. */
export function createNotificationRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: NotificationsTable & { change_number?: string | null }): NotificationRecord => ({
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
    resolvedAt: h.readInstant(r.resolved_at),
    resolution: r.resolution,
    changeNumber: r.change_number ?? null,
  });
  const withNumber = () =>
    db
      .selectFrom('notifications')
      .leftJoin('changes', 'changes.id', 'notifications.change_id')
      .selectAll('notifications')
      .select('changes.number as change_number');

  return {
    /**
     * Inserts notifications; NOTE: one outbox item notifies a person at most once, whatever the retries
     * (the unique (outbox_id, user_id) key absorbs a redelivery). Returns how many were new.
     */
    async insertMany(items: NewNotificationRecord[]): Promise<number> {
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
            resolved_at: n.resolvedAt ?? null,
            resolution: n.resolution ?? null,
          })),
        )
        .onConflict((oc) => oc.columns(['outbox_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0);
    },
    /** A page of the user's notifications, newest first; `unreadOnly`: unread and not resolved. */
    async list(userId: string, f: { unreadOnly: boolean; before?: { at: string; id: string }; limit: number }): Promise<NotificationRecord[]> {
      let q = withNumber().where('notifications.user_id', '=', userId);
      if (f.unreadOnly) q = q.where('notifications.read_at', 'is', null).where('notifications.resolved_at', 'is', null);
      const before = f.before;
      if (before) {
        q = q.where((eb) =>
          eb.or([eb('notifications.created_at', '<', before.at), eb.and([eb('notifications.created_at', '=', before.at), eb('notifications.id', '<', before.id)])]),
        );
      }
      return (await q.orderBy('notifications.created_at', 'desc').orderBy('notifications.id', 'desc').limit(f.limit).execute()).map(toRecord);
    },
    /** Unread notifications that still ask something of the user: a resolved one is not counted. */
    async countUnread(userId: string): Promise<number> {
      const row = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .where('resolved_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** The user's notification, or null (someone else's is as good as missing). */
    async findFor(userId: string, id: string): Promise<NotificationRecord | null> {
      const row = await withNumber().where('notifications.id', '=', id).where('notifications.user_id', '=', userId).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /**
     * Resolves the open notices of these kinds about an approval: of everyone, or only of `userIds` (a voter
     * whose own part is done while the approval still waits for others). Returns how many were resolved.
     */
    async resolveForApproval(approvalIds: readonly string[], kinds: readonly string[], r: { at: string; reason: string; userIds?: readonly string[] }): Promise<number> {
      if (approvalIds.length === 0 || kinds.length === 0 || (r.userIds && r.userIds.length === 0)) return 0;
      let q = db
        .updateTable('notifications')
        .set({ resolved_at: r.at, resolution: r.reason })
        .where('approval_id', 'in', [...approvalIds])
        .where('kind', 'in', [...kinds])
        .where('resolved_at', 'is', null);
      if (r.userIds) q = q.where('user_id', 'in', [...r.userIds]);
      return Number((await q.executeTakeFirst()).numUpdatedRows);
    },
    /** The time zones people chose (users without one are left out). */
    async timeZonesOf(userIds: readonly string[]): Promise<Map<string, string>> {
      if (userIds.length === 0) return new Map();
      const rows = await db.selectFrom('users').select(['id', 'time_zone']).where('id', 'in', [...userIds]).where('time_zone', 'is not', null).execute();
      return new Map(rows.map((r) => [r.id, r.time_zone!]));
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
      return (await withNumber().where('notifications.outbox_id', '=', outboxId).orderBy('notifications.user_id').execute()).map(toRecord);
    },
  };
}
export type NotificationRepository = ReturnType<typeof createNotificationRepository>;
