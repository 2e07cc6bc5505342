/**
 * The email of a digest: the changes planned on what the reader follows in the next day or week, each with
 * its number, title, window, risk, services and why it reaches them, in a plain-text part and an HTML part
 * written from the same facts. Times arrive written out in the reader's zone. Pure: no I/O.
 */
import { escapeHtml, type NoticeMail } from './notice-mail';

export interface DigestMailItem {
  number: string;
  title: string;
  /** The planned window in the reader's zone ("Sat 12 Dec 2026, 22:00–23:30 CET"), or null when it has none. */
  window: string | null;
  /** The risk in words ("moderate"), or null when not assessed. */
  risk: string | null;
  services: string[];
  /** Why it reaches the reader ("follows pay-db-1"). */
  reasons: string[];
  /** The change's page. */
  link: string;
  /** The signed "raise a concern" link of this reader and change. */
  concernUrl: string;
}

export interface DigestMailInput {
  frequency: 'daily' | 'weekly';
  /** The period the digest covers, written out in the reader's zone ("Mon 7 Dec 2026, 07:00 CET"). */
  from: string;
  to: string;
  items: DigestMailItem[];
  /** The one-click link that turns the digest off. */
  unsubscribeUrl: string;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

export function writeDigestMail(input: DigestMailInput): NoticeMail {
  const what = input.frequency === 'weekly' ? 'Your weekly digest' : 'Your daily digest';
  const subject = oneLine(`${what}: ${plural(input.items.length, 'change')} planned from ${input.from}`);
  const intro = `Changes planned on what you follow, from ${input.from} to ${input.to}:`;
  const facts = (i: DigestMailItem): [string, string][] => [
    ['When', i.window ?? 'not planned yet'],
    ['Risk', i.risk ?? 'not assessed'],
    ['Services', i.services.length > 0 ? i.services.join(', ') : 'none'],
    ['Why you get this', i.reasons.join('; ')],
  ];
  const text = [
    intro,
    '',
    ...input.items.flatMap((i) => [
      `${i.number} "${oneLine(i.title)}"`,
      ...facts(i).map(([k, v]) => `  ${k}: ${v}`),
      `  Open the change: ${i.link}`,
      `  Something wrong with it? Raise a concern: ${i.concernUrl}`,
      '',
    ]),
    `Stop this digest: ${input.unsubscribeUrl}`,
  ].join('\n');
  const html = [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    `<p>${escapeHtml(intro)}</p>`,
    ...input.items.map((i) =>
      [
        `<h2><a href="${escapeHtml(i.link)}">${escapeHtml(i.number)}</a> ${escapeHtml(i.title)}</h2>`,
        '<ul>',
        ...facts(i).map(([k, v]) => `<li>${escapeHtml(k)}: ${escapeHtml(v)}</li>`),
        '</ul>',
        `<p><small>Something wrong with it? <a href="${escapeHtml(i.concernUrl)}">Raise a concern</a></small></p>`,
      ].join('\n'),
    ),
    '<hr>',
    `<p><small><a href="${escapeHtml(input.unsubscribeUrl)}">Stop this digest</a></small></p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
