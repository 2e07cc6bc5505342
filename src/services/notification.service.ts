import { ACTION_NOTIFICATION_KINDS, type Notification, type NotificationList, type NotificationQuery } from '../contracts/notification';
import type { Actor } from '../domain/actor';
import { NotFoundError } from '../domain/errors';
import type { NotificationRecord } from '../db/repositories';
import { changeLink } from '../domain/notification/texts';
import { decodeInstantCursor, encodeInstantCursor, type ServiceDeps } from './context';

const present = (n: NotificationRecord): Notification => ({
  id: n.id,
  kind: n.kind as Notification['kind'],
  title: n.title,
  body: n.body,
  changeId: n.changeId,
  approvalId: n.approvalId,
  createdAt: n.createdAt,
  readAt: n.readAt,
  changeNumber: n.changeNumber,
  // A catalogue review is not about a change: it leads to the review queue.
  link: n.changeNumber ? changeLink(n.changeNumber) : n.kind === 'catalogue_review_due' ? '/catalogue/reviews' : null,
  needsAction: n.resolvedAt === null && (ACTION_NOTIFICATION_KINDS as readonly string[]).includes(n.kind),
  resolvedAt: n.resolvedAt,
  resolution: n.resolution,
});

/**
 * The signed-in person's in-app inbox. A notice that asked for an action is resolved once the action no
 * longer waits for the reader (docs/notifications.md); resolved ones stay listed but are not counted as unread. NOTE: every query is bound to the actor's own user id; someone
 * else's notification answers 404 exactly like a missing one, so ids cannot be probed.
 */
export function createNotificationService(deps: ServiceDeps) {
  const { store } = deps;
  return {
    async list(actor: Actor, query: NotificationQuery): Promise<NotificationList> {
      const before = decodeInstantCursor(query.cursor);
      const rows = await store.repos.notifications.list(actor.userId, { unreadOnly: query.unread ?? false, before, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(present),
        nextCursor: rows.length > query.limit && last ? encodeInstantCursor(last.createdAt, last.id) : null,
        unread: await store.repos.notifications.countUnread(actor.userId),
      };
    },

    async markRead(actor: Actor, id: string): Promise<Notification> {
      return store.transaction(async (repos) => {
        const found = await repos.notifications.findFor(actor.userId, id);
        if (!found) throw new NotFoundError('Notification', id);
        await repos.notifications.markRead(actor.userId, id, deps.now().toISOString());
        return present((await repos.notifications.findFor(actor.userId, id))!);
      });
    },

    async markAllRead(actor: Actor): Promise<{ marked: number }> {
      return { marked: await store.transaction((repos) => repos.notifications.markAllRead(actor.userId, deps.now().toISOString())) };
    },
  };
}
export type NotificationService = ReturnType<typeof createNotificationService>;
