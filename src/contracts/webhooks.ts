import { z } from 'zod';
import { DELIVERY_RESULTS } from '../domain/outbox/delivery';
import { WEBHOOK_EVENTS } from './communication';
import { listOf } from './common';

/** What a webhook's body is written for: Cabinet's own JSON, or a chat tool's incoming webhook. */
export const WEBHOOK_FORMATS = ['generic', 'slack', 'teams', 'mattermost'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The shortest secret a webhook is signed with. */
export const WEBHOOK_SECRET_MIN = 16;

/**
 * The problem of a webhook URL's shape, or null: http(s) only, a host, no user name or password (they would be
 * sent in clear to whoever answers, and kept where the URL is shown). Whether its host may be reached is
 * decided on the server, which resolves it (integrations/webhook/address-guard.ts).
 */
export function webhookUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password)
    return 'must not carry a user name or password; put credentials in the secret or the path your receiver gives you';
  return null;
}

const WebhookUrl = z
  .string()
  .trim()
  .max(2000, 'at most 2000 characters')
  .superRefine((v, ctx) => {
    const problem = webhookUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    'Where the events are POSTed: http:// or https://, without credentials; private and loopback targets need CABINET_WEBHOOK_ALLOW_PRIVATE or the allow-list',
  );
// NOTE (security): the messages never quote the value, which is a secret.
const WebhookSecret = z
  .string({ error: 'must be a string of at least 16 characters' })
  .min(WEBHOOK_SECRET_MIN, `must be at least ${WEBHOOK_SECRET_MIN} characters`)
  .max(256, 'at most 256 characters')
  .describe('The HMAC-SHA256 key of X-Cabinet-Signature; at least 16 characters; never shown again');
const Format = z.enum(WEBHOOK_FORMATS, { error: `must be one of ${WEBHOOK_FORMATS.join(', ')}` });
const Events = z
  .array(z.enum(WEBHOOK_EVENTS, { error: `must be one of ${WEBHOOK_EVENTS.join(', ')}` }))
  .min(1, 'choose at least one event')
  .describe('The events sent to it');

export const CreateWebhookInput = z
  .strictObject({
    url: WebhookUrl,
    secret: WebhookSecret,
    format: Format,
    events: Events,
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'CreateWebhook' });
export type CreateWebhookInput = z.input<typeof CreateWebhookInput>;

export const UpdateWebhookInput = z
  .strictObject({
    url: WebhookUrl.optional(),
    secret: WebhookSecret.optional().describe('A new secret; left out: the secret stays'),
    format: Format.optional(),
    events: Events.optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'UpdateWebhook' });
export type UpdateWebhookInput = z.input<typeof UpdateWebhookInput>;

/** A message sent at once to a URL (saved or not), to see what the receiver answers. */
export const TestWebhookInput = z.strictObject({ url: WebhookUrl, secret: WebhookSecret, format: Format }).meta({ id: 'TestWebhook' });
export type TestWebhookInput = z.input<typeof TestWebhookInput>;

/** A webhook as the API shows it: never its secret, only a hint to recognise it by. */
export const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    format: z.enum(WEBHOOK_FORMATS),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    enabled: z.boolean(),
    secretHint: z.string().describe('The last 4 characters of the secret, after an ellipsis: "…f00d"'),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof Webhook>;

export const WebhookList = listOf(Webhook).meta({ id: 'WebhookList' });
export type WebhookList = z.infer<typeof WebhookList>;

/** What the receiver answered to a test message. */
export const WebhookTestResult = z
  .object({
    ok: z.boolean().describe('Whether it answered 2xx'),
    status: z.number().int().nullable().describe('Its HTTP status; null when none came (refused, timed out)'),
    durationMs: z.number().int(),
    error: z.string().optional().describe('Why it failed: the status and the start of the answer, or the network error'),
  })
  .meta({ id: 'WebhookTestResult' });
export type WebhookTestResult = z.infer<typeof WebhookTestResult>;

/** One attempt to deliver an event to a webhook. */
export const WebhookDelivery = z
  .object({
    id: z.string(),
    outboxId: z.string().describe('The event (outbox item); X-Cabinet-Delivery is `<outboxId>.<webhook id>`'),
    event: z.string().nullable(),
    title: z.string().nullable(),
    changeId: z.string().nullable(),
    changeNumber: z.string().nullable(),
    attempt: z.number().int(),
    attemptedAt: z.string(),
    result: z.enum(DELIVERY_RESULTS).describe('delivered; failed (to be retried); dead (the last attempt failed)'),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryList = listOf(WebhookDelivery).meta({ id: 'WebhookDeliveryList' });
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;

export const WebhookDeliveryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type WebhookDeliveryQuery = z.output<typeof WebhookDeliveryQuery>;

/**
 * The targets webhooks may reach although they are private or loopback: host names (`hooks.internal`) or
 * addresses and CIDR ranges (`10.20.0.0/16`, `fd00::/8`, `127.0.0.1`).
 */
export const WebhookAllowList = z
  .object({
    entries: z.array(z.string()),
    /** Whether CABINET_WEBHOOK_ALLOW_PRIVATE lets every private target through anyway. */
    allowPrivate: z.boolean(),
  })
  .meta({ id: 'WebhookAllowList' });
export type WebhookAllowList = z.infer<typeof WebhookAllowList>;

export const UpdateWebhookAllowListInput = z
  .strictObject({
    entries: z
      .array(z.string().trim().min(1, 'must not be empty').max(253, 'at most 253 characters'))
      .max(200, 'at most 200 entries')
      .describe('Host names, addresses or CIDR ranges'),
  })
  .meta({ id: 'UpdateWebhookAllowList' });
export type UpdateWebhookAllowListInput = z.input<typeof UpdateWebhookAllowListInput>;
