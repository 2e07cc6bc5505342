import { z } from 'zod';
import { Id } from './common';

/** What a subscription follows. */
export const SUBSCRIPTION_TARGET_KINDS = ['service', 'ci', 'team'] as const;
/** The events a subscriber may choose (left out: all of them). */
export const SUBSCRIPTION_EVENTS = ['scheduled', 'rescheduled', 'cancelled'] as const;
export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];
/** How a subscriber is told: in Cabinet, and by email when an SMTP server is configured (`GET /api/v1/mail/status`). */
export const SUBSCRIPTION_CHANNELS = ['in_app', 'email'] as const;

export const SubscriptionTarget = z.strictObject({
  kind: z.enum(SUBSCRIPTION_TARGET_KINDS, { error: `must be one of ${SUBSCRIPTION_TARGET_KINDS.join(', ')}` }),
  id: Id.describe('Service id or name, CI id or name, team id or handle'),
});

export const CreateSubscriptionInput = z
  .strictObject({
    target: SubscriptionTarget,
    includeDependencies: z.boolean().default(false).describe('Also follow what the target depends on, through the CMDB graph'),
    events: z
      .array(z.enum(SUBSCRIPTION_EVENTS, { error: `must be one of ${SUBSCRIPTION_EVENTS.join(', ')}` }))
      .min(1, 'choose at least one event, or leave events out for all of them')
      .optional()
      .describe('Left out: every event'),
    channels: z
      .array(z.enum(SUBSCRIPTION_CHANNELS, { error: `must be one of ${SUBSCRIPTION_CHANNELS.join(', ')}` }))
      .min(1, 'choose at least one channel')
      .describe('in_app and email (sent only when the server has SMTP configured: GET /api/v1/mail/status)'),
    teamId: Id.optional().describe('Subscribe this team (id or handle) instead of yourself: you must be a member, or a change manager'),
  })
  .meta({ id: 'CreateSubscription' });
export type CreateSubscriptionInput = z.input<typeof CreateSubscriptionInput>;

export const UpdateSubscriptionInput = z
  .strictObject({
    includeDependencies: z.boolean().optional(),
    events: CreateSubscriptionInput.shape.events.unwrap().nullable().optional().describe('null: every event'),
    channels: CreateSubscriptionInput.shape.channels.optional(),
  })
  .meta({ id: 'UpdateSubscription' });
export type UpdateSubscriptionInput = z.input<typeof UpdateSubscriptionInput>;

export const Subscription = z
  .object({
    id: z.string(),
    subscriber: z.object({ kind: z.enum(['user', 'team']), id: z.string(), name: z.string() }),
    target: z.object({ kind: z.enum(SUBSCRIPTION_TARGET_KINDS), id: z.string(), name: z.string() }),
    includeDependencies: z.boolean(),
    /** Null: every event. */
    events: z.array(z.enum(SUBSCRIPTION_EVENTS)).nullable(),
    channels: z.array(z.enum(SUBSCRIPTION_CHANNELS)),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'Subscription' });
export type Subscription = z.infer<typeof Subscription>;

/** One person a change's notices reach, and every reason why. */
export const AudienceMember = z
  .object({
    userId: z.string(),
    name: z.string(),
    /** "follows Payments (depends on pay-db-1)", "owns Payments (team Payments)". */
    reasons: z.array(z.string()),
    channels: z.array(z.enum(SUBSCRIPTION_CHANNELS)),
    /** The events that reach them through a subscription; null: every event. */
    events: z.array(z.enum(SUBSCRIPTION_EVENTS)).nullable(),
  })
  .meta({ id: 'AudienceMember' });
export type AudienceMember = z.infer<typeof AudienceMember>;

export const ChangeAudience = z
  .object({
    changeId: z.string(),
    /** The services the change affects (its CIs') and impacts (through the CMDB graph). */
    services: z.array(z.object({ id: z.string(), name: z.string(), affected: z.boolean() })),
    people: z.array(AudienceMember),
  })
  .meta({ id: 'ChangeAudience' });
export type ChangeAudience = z.infer<typeof ChangeAudience>;

const ConcernText = z.string().trim().min(1, 'must not be empty').max(4000, 'at most 4000 characters');

export const RaiseConcernInput = z.strictObject({ text: ConcernText }).meta({ id: 'RaiseConcern' });
export const AnswerConcernInput = z.strictObject({ text: ConcernText }).meta({ id: 'AnswerConcern' });
export const ReportAffectedInput = z.strictObject({ text: ConcernText }).meta({ id: 'ReportAffected' });

export const Concern = z
  .object({
    id: z.string(),
    changeId: z.string(),
    text: z.string(),
    author: z.object({ id: z.string(), name: z.string() }),
    createdAt: z.string(),
    answer: z.object({ text: z.string(), by: z.object({ id: z.string(), name: z.string() }), at: z.string() }).nullable(),
  })
  .meta({ id: 'Concern' });
export type Concern = z.infer<typeof Concern>;

export const ChangeConcerns = z
  .object({
    items: z.array(Concern),
    open: z.number().int(),
    answered: z.number().int(),
    /** Whether the caller may answer them (the change's owner or a change manager). */
    canAnswer: z.boolean(),
    /** Whether the policy refuses `implement` while a concern is open. */
    blocksImplement: z.boolean(),
  })
  .meta({ id: 'ChangeConcerns' });
export type ChangeConcerns = z.infer<typeof ChangeConcerns>;
