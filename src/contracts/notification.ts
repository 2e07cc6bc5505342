import { z } from 'zod';

export const NOTIFICATION_KIND_NAMES = [
  'approval_requested',
  'approval_reminder',
  'approval_escalated',
  'approval_reopened',
  'approval_vote_voided',
  'sla_breached',
  'break_glass',
  'schedule_conflict',
  'change_held',
  'change_released',
  'change_transitioned',
  'change_submitted',
  'approval_decided',
  'change_announced',
  'concern_raised',
  'concern_answered',
  'change_affected_reported',
  /** A daily or weekly digest of the changes planned on what the reader follows (digest.service.ts). */
  'digest',
  'freeze_announced',
  /** A known error's workaround shared with the people on its problem's incidents (problem.service.ts). */
  'workaround_shared',
  /** A problem resolved by its fix change closing successfully. */
  'problem_resolved',
  /** A catalogue entry's periodic review is due (catalogue-review.service.ts). */
  'catalogue_review_due',
  /** A change needs a post-implementation review, and one fell overdue (review.service.ts). */
  'review_requested',
  'review_overdue',
  /** A catalogue entry was suspended (by its failure rule, an overdue review or a person) or reinstated (catalogue.service.ts). */
  'template_suspended',
  'template_reinstated',
  /** A production deployment had no authorised change (unauthorized-change.service.ts). */
  'unauthorized_change',
  /** A board meeting was scheduled or cancelled, and its minutes once it ended (meeting.service.ts). */
  'meeting_scheduled',
  'meeting_minutes',
] as const;

/** Kinds that ask the reader to act; they are resolved once the action no longer waits for them. */
export const ACTION_NOTIFICATION_KINDS = ['approval_requested', 'approval_reminder', 'approval_escalated'] as const;

/** One message in the signed-in person's inbox. */
export const Notification = z
  .object({
    id: z.string(),
    kind: z.enum(NOTIFICATION_KIND_NAMES),
    title: z.string(),
    body: z.string(),
    changeId: z.string().nullable(),
    approvalId: z.string().nullable(),
    createdAt: z.string(),
    readAt: z.string().nullable(),
    changeNumber: z.string().nullable().describe('The number of the change it is about, e.g. CHG0000012'),
    link: z.string().nullable().describe('A relative link to what it is about, e.g. /changes/CHG0000012'),
    needsAction: z.boolean().describe('It asks the reader to act (an approval waiting for them) and is not resolved yet'),
    resolvedAt: z
      .string()
      .nullable()
      .describe('When it stopped asking anything of the reader (the approval was decided by someone, withdrawn or requested again)'),
    resolution: z.string().nullable().describe('Why it was resolved, in words: "Decided by Ada Lovelace: approved."'),
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof Notification>;

export const NotificationList = z.object({
  items: z.array(Notification),
  nextCursor: z.string().nullable(),
  unread: z.number().int().describe('Unread notifications that are not resolved (a resolved one asks nothing of the reader)'),
});
export type NotificationList = z.infer<typeof NotificationList>;

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const NotificationQuery = z.strictObject({
  unread: bool.optional().describe('true: only unread notifications that are not resolved'),
  limit: z.coerce.number().int().min(1).max(200).default(30),
  cursor: z.string().max(200).optional(),
});
export type NotificationQuery = z.output<typeof NotificationQuery>;
