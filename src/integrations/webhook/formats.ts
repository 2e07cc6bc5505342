import type { WebhookEvent } from '../../contracts/communication';
import type { WebhookFormat } from '../../contracts/webhooks';

/**
 * Cabinet's webhook message: the `generic` body as it is sent, and what the chat formats are written from.
 * `id` is the event's (the same for every webhook it goes to, and on every retry), so a receiver can drop a
 * duplicate; `text` holds the words people read; `change` and `freeze` the record as it was when the message
 * was sent.
 */
export interface WebhookMessage {
  id: string;
  event: WebhookEvent | 'ping';
  occurredAt: string;
  text: { title: string; body: string };
  /** Present on an emergency only (an approval that convenes the ECAB): act at once. */
  urgent?: true;
  change?: {
    id: string;
    number: string;
    title: string;
    type: string;
    state: string;
    risk: string | null;
    plannedStart: string | null;
    plannedEnd: string | null;
    url: string;
    services: string[];
    cis: string[];
  };
  freeze?: { id: string; name: string; start: string; timeZone: string; durationMinutes: number; recurring: boolean; url: string };
  actor?: { id: string; name: string };
}

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** "2026-12-12 22:00 UTC": an instant as plain text, where the reader's zone is not known. */
export function utcWords(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The facts of a change or freeze, as label and plain value, for the formats that lay them out. */
function factsOf(m: WebhookMessage): { label: string; value: string }[] {
  const facts: { label: string; value: string }[] = [];
  if (m.change) {
    const c = m.change;
    facts.push({ label: 'Change', value: `${c.number} ${c.title}` });
    facts.push({ label: 'State', value: c.state });
    if (c.plannedStart && c.plannedEnd) facts.push({ label: 'Window', value: `${utcWords(c.plannedStart)} – ${utcWords(c.plannedEnd)}` });
    if (c.risk) facts.push({ label: 'Risk', value: c.risk });
    if (c.services.length) facts.push({ label: 'Services', value: c.services.join(', ') });
    if (c.cis.length) facts.push({ label: 'CIs', value: c.cis.join(', ') });
  }
  if (m.freeze) {
    facts.push({ label: 'Freeze', value: m.freeze.name });
    facts.push({
      label: 'Starts',
      value: `${m.freeze.start.replace('T', ' ')} ${m.freeze.timeZone}${m.freeze.recurring ? ' (recurring)' : ''}`,
    });
  }
  if (m.actor) facts.push({ label: 'By', value: m.actor.name });
  return facts;
}

/** The links a chat message offers: the change and where to raise a concern about it, or the freeze. */
function linksOf(m: WebhookMessage): { label: string; url: string }[] {
  if (m.change)
    return [
      { label: `Open ${m.change.number}`, url: m.change.url },
      { label: 'Raise a concern', url: `${m.change.url}#concerns` },
    ];
  if (m.freeze) return [{ label: 'Open the schedule', url: m.freeze.url }];
  return [];
}

/** Cabinet's own JSON, as is. */
export function genericBody(m: WebhookMessage): unknown {
  return m;
}

/**
 * Slack's escaping of what people typed: &, < and > as entities (Slack's own rule), which also keeps
 * `<!channel>` and `<@U123>` mentions and `<url|label>` links from being smuggled into a message.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A Slack incoming webhook's body: `text` (the notification's words) and Block Kit `blocks` in mrkdwn: the
 * title, the body, the facts, and links to the change and to its concerns.
 */
export function slackBody(m: WebhookMessage): unknown {
  const title = slackEscape(clip(m.text.title, 300));
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*${title}*${m.text.body ? `\n${slackEscape(m.text.body)}` : ''}`, 3000) } },
  ];
  const facts = factsOf(m);
  if (facts.length)
    blocks.push({
      type: 'section',
      fields: facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: clip(`*${f.label}*\n${slackEscape(f.value)}`, 2000) })),
    });
  const links = linksOf(m);
  if (links.length)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: links.map((l) => `<${l.url}|${slackEscape(l.label)}>`).join('  ·  ') }],
    });
  return { text: links[0] ? `${title} <${links[0].url}|${slackEscape(links[0].label)}>` : title, blocks };
}

/**
 * Markdown's escaping of what people typed, for Mattermost and Teams: a backslash before each character that
 * would start emphasis, a link, code, a heading, a quote, a table or a list, and a zero-width joiner after
 * `@`, so that a title holding "@channel" or "@all" notifies nobody.
 */
export function markdownEscape(text: string): string {
  return text
    .replace(/[\\`*_~[\]()#>|<{}!]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+=])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2')
    .replace(/@/g, '@\u2060');
}

/**
 * A Microsoft Teams message with an Adaptive Card (1.4, what Teams renders): the title, the body, the facts,
 * and buttons to the change and its concerns. The same body serves a Teams Workflows ("When a Teams webhook
 * request is received") webhook and a classic incoming webhook.
 */
export function teamsBody(m: WebhookMessage): unknown {
  const body: unknown[] = [
    { type: 'TextBlock', text: markdownEscape(clip(m.text.title, 300)), weight: 'Bolder', size: 'Medium', wrap: true },
  ];
  if (m.text.body) body.push({ type: 'TextBlock', text: markdownEscape(clip(m.text.body, 3000)), wrap: true });
  const facts = factsOf(m);
  if (facts.length) body.push({ type: 'FactSet', facts: facts.map((f) => ({ title: f.label, value: markdownEscape(f.value) })) });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: linksOf(m).map((l) => ({ type: 'Action.OpenUrl', title: l.label, url: l.url })),
        },
      },
    ],
  };
}

/** A Mattermost incoming webhook's body: `text` in Markdown, with the event in `props` for integrations. */
export function mattermostBody(m: WebhookMessage): unknown {
  const lines = [`**${markdownEscape(clip(m.text.title, 300))}**`];
  if (m.text.body) lines.push(markdownEscape(clip(m.text.body, 3000)));
  const facts = factsOf(m);
  if (facts.length) lines.push('', ...facts.map((f) => `**${f.label}:** ${markdownEscape(f.value)}`));
  const links = linksOf(m);
  if (links.length) lines.push('', links.map((l) => `[${l.label}](${l.url})`).join(' · '));
  return { text: lines.join('\n'), props: { cabinet: { id: m.id, event: m.event } } };
}

/** The body of a message in a webhook's format, as the exact string sent (and signed). */
export function writeWebhookBody(format: WebhookFormat, m: WebhookMessage): string {
  const body =
    format === 'slack' ? slackBody(m) : format === 'teams' ? teamsBody(m) : format === 'mattermost' ? mattermostBody(m) : genericBody(m);
  return JSON.stringify(body);
}
