/**
 * The email of a notice: a subject, a plain-text part and an HTML part written from the same words, which
 * arrive with their times already written out in the reader's zone. Pure: no I/O.
 */

export interface NoticeMailInput {
  /** The notice's sentence, times written out (the subject, and the first paragraph). */
  title: string;
  /** The facts and the call to action, times written out. */
  body: string;
  /** Why this person gets it ("follows Payments (depends on pay-db-1)"). */
  reasons: string[];
  /** The change's page. */
  link: string;
  /** The one-click unsubscribe URL of the subscription that sent it. */
  unsubscribeUrl: string;
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
  const text = [input.title, '', input.body, '', `Open the change: ${input.link}`, '', why, `Stop these emails: ${input.unsubscribeUrl}`].filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n');
  const html = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>' + escapeHtml(oneLine(input.title)) + '</title></head><body>',
    `<p><strong>${escapeHtml(input.title)}</strong></p>`,
    `<p>${escapeHtml(input.body)}</p>`,
    `<p><a href="${escapeHtml(input.link)}">Open the change</a></p>`,
    '<hr>',
    why ? `<p><small>${escapeHtml(why)}</small></p>` : '',
    `<p><small><a href="${escapeHtml(input.unsubscribeUrl)}">Stop these emails</a></small></p>`,
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
  return { subject: oneLine(input.title), text, html };
}
