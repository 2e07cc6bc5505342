/**
 * The words of notices as notifications.yaml writes them: Mustache templates (`{{change.ref}}`,
 * `{{#change.window}}…{{/change.window}}`) whose title is plain text and whose body is Markdown. Rendered
 * safely: every value is escaped for Markdown before it is inserted, raw output (`{{{x}}}`, `{{& x}}`) and
 * partials are refused when the bundle is validated, and the Markdown becomes HTML with raw HTML turned off
 * and only web and mail links kept, so a change titled `[pay here](https://evil)` stays text.
 */
import MarkdownIt from 'markdown-it';
import Mustache from 'mustache';
import type { NoticeEvent } from '../contracts/communication';

/** The values a template may name, each with what it holds (docs/communication.md lists them). */
export const TEMPLATE_VALUES: Readonly<Record<string, string>> = {
  event: 'the event: scheduled, started, freeze_announced …',
  actor: 'who did it ("Cabinet" for the program\'s own steps)',
  facts: 'the change\'s risk, window and CIs in one sentence',
  reason: 'what the event adds: the new end of an extended change, the close code of a finished one',
  link: 'the absolute address of the change or the freeze',
  'change.number': 'CHG0000012',
  'change.title': 'the change\'s title',
  'change.ref': 'CHG0000012 "Its title"',
  'change.state': 'the state\'s label',
  'change.risk': 'low, moderate, high or very high',
  'change.window': 'the planned window in each reader\'s zone, empty without one',
  'change.start': 'the planned start in each reader\'s zone',
  'change.end': 'the planned end in each reader\'s zone',
  'change.services': 'the services it touches, listed',
  'change.cis': 'its CIs, listed',
  'freeze.name': 'the freeze\'s name',
  'freeze.window': 'its next occurrence in each reader\'s zone',
  'freeze.scope': 'what it covers, in words',
};

export interface NoticeTemplate {
  title: string;
  body: string;
}

/**
 * The words each event has unless notifications.yaml says otherwise. Titles read as the notices did before
 * templates existed.
 */
export const DEFAULT_TEMPLATES: Readonly<Record<NoticeEvent, NoticeTemplate>> = {
  scheduled: { title: '{{change.ref}} was scheduled{{#change.window}} for {{change.window}}{{/change.window}} by {{actor}}.', body: '{{facts}} Something wrong with it? Open the change and raise a concern.' },
  rescheduled: { title: '{{change.ref}} was rescheduled{{#change.window}} to {{change.window}}{{/change.window}} by {{actor}}.', body: '{{facts}} Something wrong with it? Open the change and raise a concern.' },
  cancelled: { title: '{{change.ref}} was cancelled by {{actor}}.', body: '{{facts}}' },
  upcoming: { title: '{{change.ref}} starts {{change.start}}.', body: '{{facts}} Something wrong with it? Open the change and raise a concern before it starts.' },
  started: { title: '{{change.ref}} has started: {{actor}} is implementing it.', body: '{{facts}}' },
  completed: { title: '{{change.ref}} was completed.', body: '{{reason}} {{facts}} Did it affect you? Open the change and say so.' },
  extended: { title: '{{change.ref}} runs longer: it now ends {{change.end}}.', body: '{{reason}} {{facts}}' },
  failed: { title: '{{change.ref}} failed.', body: '{{reason}} {{facts}} Did it affect you? Open the change and say so.' },
  freeze_announced: { title: 'Change freeze "{{freeze.name}}" announced{{#freeze.window}}: {{freeze.window}}{{/freeze.window}}.', body: 'No changes to {{freeze.scope}} while it holds, unless an exception is approved.' },
  freeze_changed: { title: 'Change freeze "{{freeze.name}}" was changed{{#freeze.window}}: now {{freeze.window}}{{/freeze.window}}.', body: 'It covers {{freeze.scope}}.' },
  freeze_lifted: { title: 'Change freeze "{{freeze.name}}" was lifted.', body: 'Changes to {{freeze.scope}} may be scheduled again.' },
  lockdown: { title: '{{change.ref}} is on hold: urgent freeze "{{freeze.name}}".', body: '{{reason}} {{facts}}' },
};

/** Escapes what Markdown would read as formatting, so that a value is shown as written. */
export function escapeMarkdown(value: string): string {
  // NOTE: `{`, `}`, `|` and `:` stay as they are: time tokens ({{range:a|b}}) are written out after rendering.
  return value
    .replace(/[\\`*_[\]<>!~]/g, (c) => `\\${c}`)
    .replace(/^([#+\-=>]|\d+[.)])/gm, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/** Why a template cannot be used (raw output, partials, unknown values), one sentence each; empty when it can. */
export function templateProblems(template: string): string[] {
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(template);
  } catch (err) {
    return [`cannot be read: ${err instanceof Error ? err.message : String(err)}`];
  }
  const problems: string[] = [];
  const walk = (list: unknown[]) => {
    for (const t of list as [string, string, number, number, unknown[]?][]) {
      const [kind, name] = t;
      if (kind === '&' || kind === '{') problems.push(`{{{${name}}}} and {{& ${name}}} would insert the value unescaped; write {{${name}}}`);
      else if (kind === '>') problems.push(`partials ({{> ${name}}}) are not supported`);
      else if ((kind === 'name' || kind === '#' || kind === '^') && !(name in TEMPLATE_VALUES) && name !== '.') {
        problems.push(`unknown value "${name}"; the values are ${Object.keys(TEMPLATE_VALUES).join(', ')}`);
      }
      if (Array.isArray(t[4])) walk(t[4]);
    }
  };
  walk(tokens);
  return [...new Set(problems)];
}

/** The values of one notice, keyed as TEMPLATE_VALUES names them (dots as nesting). */
export type TemplateView = Record<string, unknown>;

const collapse = (text: string) => text.replace(/[ \t]+/g, ' ').replace(/ +([.,;:])/g, '$1').trim();

/** A notice's title (plain text on one line) and body (Markdown) from its template and values. */
export function renderNotice(template: NoticeTemplate, view: TemplateView): { title: string; markdown: string } {
  const title = collapse(Mustache.render(template.title, view, {}, { escape: (v: unknown) => String(v).replace(/\s+/g, ' ') }));
  const markdown = Mustache.render(template.body, view, {}, { escape: (v: unknown) => escapeMarkdown(String(v)) })
    .split('\n')
    // An empty value leaves a double space or a space before a stop; indentation at a line's start is kept.
    .map((line) => line.replace(/(?<=\S)[ \t]{2,}/g, ' ').replace(/(?<=\S) +([.,;:])(?=\s|$)/g, '$1').trimEnd())
    .join('\n')
    .trim();
  return { title, markdown };
}

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
// Only web and mail links: javascript:, data: and the rest stay text.
markdown.validateLink = (url: string) => /^(https?:|mailto:)/i.test(url.trim());

/** A notice body's HTML (for email): raw HTML in the Markdown is shown as text. */
export function markdownToHtml(source: string): string {
  return markdown.render(source);
}

/** A notice body as plain text (in-app, the text part of an email): formatting dropped, a link's address kept in brackets. */
export function markdownToText(source: string): string {
  const tokens = markdown.parse(source, {});
  const blocks: string[] = [];
  let line = '';
  let prefix = '';
  for (const token of tokens) {
    if (token.type === 'bullet_list_open' || token.type === 'ordered_list_open') continue;
    if (token.type === 'list_item_open') prefix = token.info ? `${token.info}. ` : '- ';
    else if (token.type === 'inline') {
      let href: string | null = null;
      for (const child of token.children ?? []) {
        if (child.type === 'text' || child.type === 'code_inline') line += child.content;
        else if (child.type === 'softbreak') line += ' ';
        else if (child.type === 'hardbreak') line += '\n';
        else if (child.type === 'link_open') href = child.attrGet('href');
        else if (child.type === 'link_close' && href) {
          line += ` (${href})`;
          href = null;
        } else if (child.type === 'image') line += child.content;
      }
      blocks.push(`${prefix}${line}`);
      line = '';
      prefix = '';
    } else if (token.type === 'fence' || token.type === 'code_block') blocks.push(token.content.trimEnd());
  }
  return blocks.join('\n').trim();
}
