import { z } from 'zod';
import { DELIVERY_CHANNELS, DELIVERY_RESULTS } from '../domain/outbox/delivery';
import { listOf } from './common';

/** An outbox item that failed its last attempt and waits for an admin to retry or discard it. */
export const DeadLetter = z
  .object({
    id: z.string(),
    topic: z.string().describe('What kind of work it is: `notification` for notices, or a follow-up such as `risk.reassess`'),
    summary: z.string().describe("What it was about, in words: a notice's title, or the topic"),
    changeId: z.string().nullable(),
    changeNumber: z.string().nullable().describe('The number of the change it is about, e.g. CHG0000012'),
    attempts: z.number().int().describe('Attempts made before it was given up'),
    lastError: z.string().nullable().describe('Why the last attempt failed (credentials and tokens are blanked)'),
    createdAt: z.string(),
    deadAt: z.string().describe('When its last attempt failed'),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetter = z.infer<typeof DeadLetter>;

export const DeadLetterList = listOf(DeadLetter).meta({ id: 'DeadLetterList' });
export type DeadLetterList = z.infer<typeof DeadLetterList>;

export const DeadLetterQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type DeadLetterQuery = z.output<typeof DeadLetterQuery>;

/** What became of a dead letter an admin retried or discarded. */
export const DeadLetterOutcome = z
  .object({
    id: z.string(),
    state: z.enum(['pending', 'discarded']).describe('pending: queued again with its attempts reset; discarded: given up for good'),
  })
  .meta({ id: 'DeadLetterOutcome' });
export type DeadLetterOutcome = z.infer<typeof DeadLetterOutcome>;

/** NOTE: the reason is optional here so that a missing one is the 422 `reason_required`, listed with its path. */
export const DiscardDeadLetterInput = z.strictObject({ reason: z.string().max(2000).optional().describe('Why it is given up for good (required)') }).meta({ id: 'DiscardDeadLetter' });
export type DiscardDeadLetterInput = z.infer<typeof DiscardDeadLetterInput>;

/** One attempt to deliver a notice about a change, to one recipient on one channel. */
export const Delivery = z
  .object({
    id: z.string(),
    outboxId: z.string().describe('The outbox item (the notice) it delivered'),
    channel: z.enum(DELIVERY_CHANNELS),
    recipient: z.string().nullable().describe('A user id, an address or a target; null when the attempt failed before its recipients were known'),
    userId: z.string().nullable(),
    recipientName: z.string().nullable().describe("The person's name, when the recipient is a person"),
    attempt: z.number().int(),
    attemptedAt: z.string(),
    result: z.enum(DELIVERY_RESULTS).describe('delivered; failed (to be retried); dead (the last attempt failed)'),
    error: z.string().nullable(),
    summary: z.string().nullable().describe("The notice's title"),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof Delivery>;

export const DeliveryList = listOf(Delivery).meta({ id: 'DeliveryList' });
export type DeliveryList = z.infer<typeof DeliveryList>;

export const DeliveryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(200),
  cursor: z.string().max(200).optional(),
});
export type DeliveryQuery = z.output<typeof DeliveryQuery>;
