import { EVENT_LABELS as NOTICE_EVENT_LABELS } from '../communication/follow-button';
import type { CreateWebhookInput, UpdateWebhookInput, Webhook, WebhookEvent, WebhookFormat } from './webhooks-api';

/** The formats, in words, with where each one's URL comes from. */
export const FORMAT_LABELS: Record<WebhookFormat, { label: string; hint: string }> = {
  generic: { label: 'Generic JSON', hint: 'Cabinet’s own JSON, for your own receiver or an automation tool.' },
  slack: { label: 'Slack', hint: 'A Slack incoming webhook URL (https://hooks.slack.com/services/…).' },
  teams: { label: 'Microsoft Teams', hint: 'A Teams Workflows webhook URL (“When a Teams webhook request is received”).' },
  mattermost: { label: 'Mattermost', hint: 'A Mattermost incoming webhook URL (https://…/hooks/…).' },
};
export const FORMATS = Object.keys(FORMAT_LABELS) as WebhookFormat[];

/** The events a webhook chooses from, in words. NOTE: a full record, so an event added to WEBHOOK_EVENTS fails the build until it has words. */
export const EVENT_LABELS: Record<WebhookEvent, string> = {
  ...NOTICE_EVENT_LABELS,
  approval_requested: 'Approval asked for',
  approval_decided: 'Approval decided',
  concern_raised: 'Concern raised',
  concern_answered: 'Concern answered',
};
export const ALL_EVENTS = Object.keys(EVENT_LABELS) as WebhookEvent[];

/** The groups the form shows the events in (every event is in one; a test says so). */
export const EVENT_GROUPS: { label: string; events: WebhookEvent[] }[] = [
  { label: 'Planning', events: ['scheduled', 'rescheduled', 'cancelled', 'upcoming'] },
  { label: 'Implementation', events: ['started', 'completed', 'extended', 'failed'] },
  { label: 'Freezes', events: ['freeze_announced', 'freeze_changed', 'freeze_lifted', 'lockdown'] },
  { label: 'Approvals and concerns', events: ['approval_requested', 'approval_decided', 'concern_raised', 'concern_answered'] },
];

/** What the form holds. The secret is empty when editing unless a new one is typed. */
export interface WebhookFormValues {
  url: string;
  secret: string;
  format: WebhookFormat;
  events: WebhookEvent[];
  enabled: boolean;
}

export const emptyForm = (): WebhookFormValues => ({
  url: '',
  secret: '',
  format: 'generic',
  events: ['scheduled', 'rescheduled', 'cancelled'],
  enabled: true,
});

export const formOf = (w: Webhook): WebhookFormValues => ({
  url: w.url,
  secret: '',
  format: w.format,
  events: [...w.events],
  enabled: w.enabled,
});

/**
 * What the form can say before anything is sent, by field: the server says the rest (a private target among
 * them). `editing`: an empty secret keeps the saved one.
 */
export function formProblems(v: WebhookFormValues, editing: boolean): Partial<Record<'url' | 'secret' | 'events', string>> {
  const problems: Partial<Record<'url' | 'secret' | 'events', string>> = {};
  const url = v.url.trim();
  if (!url) problems.url = 'Enter the URL your receiver gave you';
  else if (!/^https?:\/\/[^\s/]+/i.test(url)) problems.url = 'Must start with https:// or http://';
  if (!(editing && v.secret === '') && v.secret.length < 16)
    problems.secret = editing ? 'A new secret has at least 16 characters; leave it empty to keep the saved one' : 'At least 16 characters';
  if (v.events.length === 0) problems.events = 'Choose at least one event';
  return problems;
}

/** The body that creates a webhook from the form. */
export const createBody = (v: WebhookFormValues): CreateWebhookInput => ({
  url: v.url.trim(),
  secret: v.secret,
  format: v.format,
  events: v.events,
  enabled: v.enabled,
});

/** The fields of the form that differ from the saved webhook (a typed secret always counts). */
export function updateBody(saved: Webhook, v: WebhookFormValues): UpdateWebhookInput {
  const body: UpdateWebhookInput = {};
  if (v.url.trim() !== saved.url) body.url = v.url.trim();
  if (v.format !== saved.format) body.format = v.format;
  if ([...v.events].sort().join() !== [...saved.events].sort().join()) body.events = v.events;
  if (v.enabled !== saved.enabled) body.enabled = v.enabled;
  if (v.secret !== '') body.secret = v.secret;
  return body;
}

/** A random secret of 32 hexadecimal characters, from the browser's cryptographic source. */
export function generateSecret(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The allow-list as typed: one entry per line or comma, blanks dropped. */
export function parseAllowList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
}
