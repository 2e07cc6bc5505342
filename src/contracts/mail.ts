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
}).meta({ id: 'UnsubscribeInfo' });
export type UnsubscribeInfo = z.infer<typeof UnsubscribeInfo>;

/** Whether this Cabinet sends email (an SMTP server is configured). */
export const MailStatus = z.object({ email: z.boolean().describe('false: no SMTP server is configured, email subscriptions send nothing') }).meta({ id: 'MailStatus' });
export type MailStatus = z.infer<typeof MailStatus>;
