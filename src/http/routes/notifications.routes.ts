import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { Notification, NotificationList, NotificationQuery } from '../../contracts/notification';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const NotificationParams = z.object({ id: z.string().min(1).max(64).describe('Notification id') });

export function notificationRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/me/notifications',
    {
      schema: {
        tags: ['notifications'],
        operationId: 'listNotifications',
        summary: 'Your in-app notifications, newest first, with how many are unread',
        querystring: NotificationQuery,
        response: { 200: NotificationList, 400: ErrorBody },
      },
    },
    async (request) => services.notifications.list(actorOf(request), request.query),
  );
  app.post(
    '/api/v1/me/notifications/:id/read',
    {
      schema: {
        tags: ['notifications'],
        operationId: 'markNotificationRead',
        summary: 'Mark one of your notifications read',
        params: NotificationParams,
        response: { 200: Notification, 404: ErrorBody },
      },
    },
    async (request) => services.notifications.markRead(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/me/notifications/read-all',
    {
      schema: {
        tags: ['notifications'],
        operationId: 'markAllNotificationsRead',
        summary: 'Mark all your notifications read',
        response: { 200: z.object({ marked: z.number().int() }) },
      },
    },
    async (request) => services.notifications.markAllRead(actorOf(request)),
  );
}
