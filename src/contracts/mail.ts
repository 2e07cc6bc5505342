import { z } from 'zod';
import { SUBSCRIPTION_TARGET_KINDS } from './communication';

/** What a one-click unsubscribe link turns off: email from one subscription. */
export const UnsubscribeInfo = z.object({
  subscription: z
    .object({
      id: z.string(),
      target: z.object({ kind: z.enum(SUBSCRIPTION_TARGET_KINDS), name: z.string() }),
      team: z.string().nullable().describe('The team whose subscription it is; null for a person’s own'),
    })
    .nullable()
    .describe('null when the subscription no longer exists (nothing more is sent from it)'),
  email: z.boolean().describe('Whether the subscription still sends email'),
  unsubscribed: z.boolean().describe('true in the answer to POST'),
  digest: z.enum(['off', 'daily', 'weekly']).optional().describe('Only for the link of a digest: how often it comes now (off once unsubscribed)'),
}).meta({ id: 'UnsubscribeInfo' });
export type UnsubscribeInfo = z.infer<typeof UnsubscribeInfo>;

/** Whether this Cabinet sends email (an SMTP server is configured). */
export const MailStatus = z.object({ email: z.boolean().describe('false: no SMTP server is configured, email subscriptions send nothing') }).meta({ id: 'MailStatus' });
export type MailStatus = z.infer<typeof MailStatus>;

/** What the confirmation link an external address was sent confirms (double opt-in). */
export const ConfirmationInfo = z
  .object({
    subscription: z.object({
      id: z.string(),
      address: z.string(),
      target: z.object({ kind: z.enum(SUBSCRIPTION_TARGET_KINDS), name: z.string() }),
    }),
    confirmed: z.boolean().describe('true once someone at the address confirmed: it is emailed from then on'),
  })
  .meta({ id: 'ConfirmationInfo' });
export type ConfirmationInfo = z.infer<typeof ConfirmationInfo>;

/** The page of a "raise a concern" link: the change it is about and who raises it. */
export const ConcernLinkInfo = z
  .object({
    change: z.object({ id: z.string(), number: z.string(), title: z.string() }),
    person: z.object({ id: z.string(), name: z.string() }),
  })
  .meta({ id: 'ConcernLinkInfo' });
export type ConcernLinkInfo = z.infer<typeof ConcernLinkInfo>;
