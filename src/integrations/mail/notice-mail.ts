/**
 * The email of a notice: a subject, a plain-text part and an HTML part written from the same words, which
 * arrive with their times already written out in the reader's zone. Pure: no I/O.
 */

export interface NoticeMailInput {
  /** The notice's sentence, times written out (the subject, and the first paragraph). */
  title: string;
  /** The facts and the call to action, times written out. */
  body: string;
  /**
   * The body as HTML, when the notice's words are Markdown (notifications.yaml templates, rendered safely by
   * policy/notice-templates.ts); without it, the HTML part is the escaped `body`.
   */
  bodyHtml?: string;
  /** What `link` opens, in words: "Open the change" unless said otherwise. */
  linkLabel?: string;
  /** Why this person gets it ("follows Payments (depends on pay-db-1)"). */
  reasons: string[];
  /** The change's page. */
  link: string;
  /**
   * The one-click unsubscribe URL of the subscription that sent it; a notice that no subscription sent (an
   * approval request) has none and links to `preferencesUrl` instead.
   */
  unsubscribeUrl?: string;
  /** Where the reader turns this kind of email off, when there is no unsubscribe link. */
  preferencesUrl?: string;
  /** The signed "raise a concern" link of this reader and change (mail.service.ts), when the reader is a person of Cabinet. */
  concernUrl?: string;
}

export interface NoticeMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** NOTE (security): every value in the HTML part goes through this, titles and names being anyone's input. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A subject is one line: line breaks in a change's title would otherwise start new headers in some clients. */
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

export function writeNoticeMail(input: NoticeMailInput): NoticeMail {
  const why = input.reasons.length > 0 ? `Why you get this: ${input.reasons.join('; ')}.` : '';
  const concern = input.concernUrl ? `Something wrong with it? Raise a concern: ${input.concernUrl}` : '';
  const label = input.linkLabel ?? 'Open the change';
  const stop = input.unsubscribeUrl ? `Stop these emails: ${input.unsubscribeUrl}` : input.preferencesUrl ? `Choose the emails you get: ${input.preferencesUrl}` : '';
  const text = [input.title, '', input.body, '', `${label}: ${input.link}`, concern, '', why, stop].filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n');
  const html = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>' + escapeHtml(oneLine(input.title)) + '</title></head><body>',
    `<p><strong>${escapeHtml(input.title)}</strong></p>`,
    input.bodyHtml ?? `<p>${escapeHtml(input.body)}</p>`,
    `<p><a href="${escapeHtml(input.link)}">${escapeHtml(label)}</a></p>`,
    input.concernUrl ? `<p>Something wrong with it? <a href="${escapeHtml(input.concernUrl)}">Raise a concern</a></p>` : '',
    '<hr>',
    why ? `<p><small>${escapeHtml(why)}</small></p>` : '',
    input.unsubscribeUrl
      ? `<p><small><a href="${escapeHtml(input.unsubscribeUrl)}">Stop these emails</a></small></p>`
      : input.preferencesUrl
        ? `<p><small><a href="${escapeHtml(input.preferencesUrl)}">Choose the emails you get</a></small></p>`
        : '',
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
  return { subject: oneLine(input.title), text, html };
}
