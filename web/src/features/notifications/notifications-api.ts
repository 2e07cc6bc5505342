import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Notification as NotificationSchema, NotificationList as NotificationListSchema } from '../../../../src/contracts/notification';

/** One message in the signed-in person's inbox (GET /api/v1/me/notifications). */
export type Notification = z.infer<typeof NotificationSchema>;
export type NotificationList = z.infer<typeof NotificationListSchema>;

export const notificationKeys = {
  all: ['notifications'] as const,
  unread: ['notifications', 'unread-count'] as const,
  list: (unreadOnly: boolean) => ['notifications', 'list', unreadOnly] as const,
};

/** How many notifications are unread and not resolved; polled so the bell in the header stays current. */
export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.unread,
    queryFn: async ({ signal }) => (await api.get<NotificationList>('/api/v1/me/notifications', { limit: 1, unread: true }, signal)).unread,
    refetchInterval: 30_000,
  });
}

export function useNotifications(unreadOnly: boolean) {
  return useInfiniteQuery({
    queryKey: notificationKeys.list(unreadOnly),
    queryFn: ({ pageParam, signal }) => api.get<NotificationList>('/api/v1/me/notifications', { unread: unreadOnly || undefined, limit: 30, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<Notification>(`/api/v1/me/notifications/${encodeURIComponent(id)}/read`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

export function useMarkAllRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ marked: number }>('/api/v1/me/notifications/read-all'),
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  });
}

/** What a notification is about, in words. */
export const NOTIFICATION_KIND_LABELS: Record<Notification['kind'], string> = {
  approval_requested: 'Approval requested',
  approval_reminder: 'Reminder',
  approval_escalated: 'Escalated to you',
  approval_reopened: 'Approval reopened',
  approval_vote_voided: 'Vote voided',
  sla_breached: 'SLA breached',
  break_glass: 'Break-glass',
  schedule_conflict: 'Schedule conflict',
  change_held: 'On hold',
  change_released: 'Released',
  change_transitioned: 'Your change moved',
  change_submitted: 'Submitted to you',
  approval_decided: 'Approval decided',
  change_announced: 'On something you follow',
  concern_raised: 'Concern raised',
  concern_answered: 'Concern answered',
  change_affected_reported: 'Reported affected',
  freeze_announced: 'Change freeze',
  workaround_shared: 'Workaround shared',
  problem_resolved: 'Problem resolved',
  catalogue_review_due: 'Catalogue review due',
  review_requested: 'Review needed',
  review_overdue: 'Review overdue',
  template_suspended: 'Catalogue entry suspended',
  template_reinstated: 'Catalogue entry reinstated',
  unauthorized_change: 'Unauthorized change',
  meeting_scheduled: 'Board meeting',
  meeting_minutes: 'Meeting minutes',
  digest: 'Digest',
};

/** Where a notification leads: the server's link (the change's page by number), else the change by id. */
export function notificationLink(n: Pick<Notification, 'link' | 'changeId'>): string | null {
  return n.link ?? (n.changeId ? `/changes/${encodeURIComponent(n.changeId)}` : null);
}
