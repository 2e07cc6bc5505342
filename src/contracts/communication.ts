import { z } from 'zod';
import { Id } from './common';

/** What a subscription follows. */
export const SUBSCRIPTION_TARGET_KINDS = ['service', 'ci', 'team'] as const;
/**
 * The events of a change's life and of the schedule that its audience hears of (docs/communication.md), and
 * that a subscriber may choose (left out: all of them). `upcoming` comes before a planned window (by default
 * 24 h and 1 h before: notifications.yaml); the freeze events and `lockdown` reach the audience of the services
 * and CIs a freeze covers.
 */
export const SUBSCRIPTION_EVENTS = [
  'scheduled',
  'rescheduled',
  'cancelled',
  'upcoming',
  'started',
  'completed',
  'extended',
  'failed',
  'freeze_announced',
  'freeze_changed',
  'freeze_lifted',
  'lockdown',
] as const;
export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];
/** The notice events: what a subscription, a webhook and notifications.yaml speak of. */
export const NOTICE_EVENTS = SUBSCRIPTION_EVENTS;
export type NoticeEvent = SubscriptionEvent;
/**
 * What an outbound webhook may receive: every notice event, and the approval and concern events that a
 * team's chat channel wants (an approval asked for, decided; a concern raised, answered).
 */
export const WEBHOOK_EVENTS = [...NOTICE_EVENTS, 'approval_requested', 'approval_decided', 'concern_raised', 'concern_answered'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
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
    address: z
      .email('must be an email address')
      .max(254)
      .optional()
      .describe('Subscribe an external address (a distribution list) instead of yourself: change managers and admins; channels must be ["email"]; it reaches nobody until someone at the address confirms'),
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
    subscriber: z.object({ kind: z.enum(['user', 'team', 'address']), id: z.string(), name: z.string() }).describe('For an external address, id and name are the address'),
    target: z.object({ kind: z.enum(SUBSCRIPTION_TARGET_KINDS), id: z.string(), name: z.string() }),
    includeDependencies: z.boolean(),
    /** Null: every event. */
    events: z.array(z.enum(SUBSCRIPTION_EVENTS)).nullable(),
    channels: z.array(z.enum(SUBSCRIPTION_CHANNELS)),
    createdAt: z.string(),
    createdBy: z.string(),
    state: z.enum(['active', 'pending']).describe('pending: an external address that has not confirmed yet (waiting for confirmation); it reaches nobody'),
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
    /** With `?event=`: the rules of notifications.yaml that admit them to that event's notice. */
    rules: z.array(z.string()),
  })
  .meta({ id: 'AudienceMember' });
export type AudienceMember = z.infer<typeof AudienceMember>;

export const ChangeAudienceQuery = z.strictObject({
  event: z.enum(SUBSCRIPTION_EVENTS, { error: `must be one of ${SUBSCRIPTION_EVENTS.join(', ')}` }).optional().describe('Who this event’s notice would reach, by the rules of notifications.yaml'),
});

export const ChangeAudience = z
  .object({
    changeId: z.string(),
    /** The services the change affects (its CIs') and impacts (through the CMDB graph). */
    services: z.array(z.object({ id: z.string(), name: z.string(), affected: z.boolean() })),
    people: z.array(AudienceMember),
    /**
     * The event asked about (`?event=`): then `people` are exactly those its notice would reach now, by the
     * rules of notifications.yaml, with the channels each would get; null: everyone the change's notices reach.
     */
    event: z.enum(SUBSCRIPTION_EVENTS).nullable(),
    /** External addresses that confirmed their subscription: email only. */
    addresses: z.array(z.object({ address: z.string(), reasons: z.array(z.string()), events: z.array(z.enum(SUBSCRIPTION_EVENTS)).nullable() })),
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
