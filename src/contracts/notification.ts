import { z } from 'zod';

export const NOTIFICATION_KIND_NAMES = ['approval_requested', 'approval_reminder', 'approval_escalated', 'approval_reopened', 'approval_vote_voided', 'sla_breached', 'break_glass', 'schedule_conflict', 'change_held', 'change_released'] as const;

/** One message in the signed-in person's inbox. */
export const Notification = z.object({
  id: z.string(),
  kind: z.enum(NOTIFICATION_KIND_NAMES),
  title: z.string(),
  body: z.string(),
  changeId: z.string().nullable(),
  approvalId: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Notification = z.infer<typeof Notification>;

export const NotificationList = z.object({ items: z.array(Notification), nextCursor: z.string().nullable(), unread: z.number().int() });
export type NotificationList = z.infer<typeof NotificationList>;

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const NotificationQuery = z.object({
  unread: bool.optional().describe('true: only unread notifications'),
  limit: z.coerce.number().int().min(1).max(200).default(30),
  cursor: z.string().max(200).optional(),
});
export type NotificationQuery = z.output<typeof NotificationQuery>;
