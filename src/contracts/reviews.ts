import { z } from 'zod';
import { Id, Instant, UserRef } from './common';

/** open: nobody wrote in it yet; in_progress: findings or actions recorded; completed: signed off. */
export const REVIEW_STATES = ['open', 'in_progress', 'completed'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];
export const REVIEW_ACTION_STATES = ['open', 'done'] as const;
export const REVIEW_LINK_KINDS = ['problem', 'change'] as const;

const Person = z.object({ id: z.string(), name: z.string() });

/** What an action item is tied to: the problem that tracks the cause, or the follow-up change that fixes it. */
export const ReviewLink = z
  .object({
    kind: z.enum(REVIEW_LINK_KINDS),
    id: z.string(),
    /** The problem's or change's number (PRB…, CHG…), and its title, as they are now; null when it no longer exists. */
    number: z.string().nullable(),
    title: z.string().nullable(),
  })
  .meta({ id: 'ReviewLink' });

export const ReviewAction = z
  .object({
    id: z.string(),
    title: z.string(),
    ownerId: z.string().nullable(),
    ownerName: z.string().nullable(),
    dueAt: z.string().nullable(),
    state: z.enum(REVIEW_ACTION_STATES),
    /** Past its due date and not done. */
    overdue: z.boolean(),
    link: ReviewLink.nullable(),
    doneAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ReviewAction' });
export type ReviewAction = z.infer<typeof ReviewAction>;

/** One moment of the change's story, read from its audit trail. */
export const ReviewTimelineEntry = z
  .object({
    at: z.string(),
    kind: z.enum(['created', 'transition', 'approval', 'evidence', 'break_glass', 'incident', 'risk', 'comment', 'other']),
    action: z.string(),
    actorName: z.string(),
    summary: z.string(),
  })
  .meta({ id: 'ReviewTimelineEntry' });

export const Review = z
  .object({
    id: z.string(),
    changeId: z.string(),
    state: z.enum(REVIEW_STATES),
    /** The policy rules (reviews.yaml) that asked for the review, with their reasons. */
    reasons: z.array(z.object({ name: z.string(), reason: z.string() })),
    dueAt: z.string(),
    overdue: z.boolean(),
    /** Whether the change waits for this review before it may close (policy `blockClose`). */
    blocksClose: z.boolean(),
    wentWell: z.string(),
    wentBadly: z.string(),
    factors: z.array(z.string()),
    reviewers: z.array(Person),
    actions: z.array(ReviewAction),
    /** What completing still needs, in words; empty when it can be completed. */
    missing: z.array(z.object({ path: z.string(), message: z.string() })),
    completedBy: Person.nullable(),
    completedAt: z.string().nullable(),
    /** The change as the reviewers need it. */
    change: z.object({
      id: z.string(),
      number: z.string(),
      title: z.string(),
      type: z.string(),
      state: z.string(),
      ownerId: z.string().nullable(),
      riskLevel: z.string().nullable(),
      riskScore: z.number().nullable(),
      closeCode: z.string().nullable(),
      closeNotes: z.string(),
      plannedStart: z.string().nullable(),
      plannedEnd: z.string().nullable(),
      actualStart: z.string().nullable(),
      actualEnd: z.string().nullable(),
      incidents: z.array(z.object({ id: z.string(), number: z.string(), title: z.string(), priority: z.number().int() })),
      brokeGlass: z.boolean(),
    }),
    timeline: z.array(ReviewTimelineEntry),
    /** Whether the reader may write in it (the change's owner, implementer, team, or a change manager). */
    canEdit: z.boolean(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Review' });
export type Review = z.infer<typeof Review>;

const Text = z.string().max(20000);

export const UpdateReviewInput = z
  .strictObject({
    wentWell: Text.optional(),
    wentBadly: Text.optional(),
    factors: z.array(z.string().trim().min(1, 'must not be empty').max(500)).max(50).optional(),
    reviewerIds: z.array(UserRef).max(50).optional(),
    /** The version you read (or If-Match); none gets 428. */
    version: z.number().int().positive().optional(),
  })
  .meta({ id: 'UpdateReview' });
export type UpdateReviewInput = z.input<typeof UpdateReviewInput>;

const LinkInput = z.strictObject({ kind: z.enum(REVIEW_LINK_KINDS), id: Id.describe('Problem id or number (PRB…), or change id or number (CHG…)') });

export const CreateReviewActionInput = z
  .strictObject({
    title: z.string().trim().min(1, 'must not be empty').max(500),
    ownerId: UserRef.nullable().default(null),
    dueAt: Instant.nullable().default(null),
    link: LinkInput.nullable().default(null),
  })
  .meta({ id: 'CreateReviewAction' });
export type CreateReviewActionInput = z.input<typeof CreateReviewActionInput>;

export const UpdateReviewActionInput = z
  .strictObject({
    title: CreateReviewActionInput.shape.title.optional(),
    ownerId: UserRef.nullable().optional(),
    dueAt: Instant.nullable().optional(),
    link: LinkInput.nullable().optional(),
    state: z.enum(REVIEW_ACTION_STATES).optional(),
  })
  .meta({ id: 'UpdateReviewAction' });
export type UpdateReviewActionInput = z.input<typeof UpdateReviewActionInput>;

export const CompleteReviewInput = z.strictObject({ version: z.number().int().positive().optional() }).meta({ id: 'CompleteReview' });

export const REVIEW_QUEUE_STATES = ['open', 'overdue', 'completed', 'all'] as const;

export const ReviewQueueQuery = z.strictObject({
  state: z.enum(REVIEW_QUEUE_STATES).default('open').describe('open (not completed), overdue (not completed, past due), completed, or all'),
  mine: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Only reviews of changes you own, implement or whose team you are in'),
});

export const ReviewQueueItem = z
  .object({
    id: z.string(),
    state: z.enum(REVIEW_STATES),
    dueAt: z.string(),
    overdue: z.boolean(),
    completedAt: z.string().nullable(),
    reasons: z.array(z.string()),
    openActions: z.number().int(),
    change: z.object({ id: z.string(), number: z.string(), title: z.string(), type: z.string(), state: z.string() }),
    owner: Person.nullable(),
  })
  .meta({ id: 'ReviewQueueItem' });
export type ReviewQueueItem = z.infer<typeof ReviewQueueItem>;
export const ReviewQueue = z.object({ items: z.array(ReviewQueueItem) }).meta({ id: 'ReviewQueue' });
