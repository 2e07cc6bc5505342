import PDFDocument from 'pdfkit';
import type { Minutes } from '../contracts/meetings';

/**
 * The minutes of a board meeting as a PDF (issue 15, point 7; docs/cab.md#minutes). The PDF is drawn from the
 * stored Markdown minutes, the record whose SHA-256 is in the audit chain, so it says nothing the record does
 * not; that hash is printed in every page's footer and in the document's metadata, so a reader can tie a
 * printed copy to the record.
 */

const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold' } as const;
const SIZE = { h1: 18, h2: 14, h3: 12, body: 10, footer: 7.5 } as const;
const MARGIN = 56;
const FOOTER_HEIGHT = 30;

/** Code points above Latin-1 that the standard fonts' WinAnsi encoding still draws (pdfkit's WIN_ANSI_MAP). */
const WIN_ANSI_EXTRA = new Set([
  0x0152, 0x0153, 0x0160, 0x0161, 0x0178, 0x017d, 0x017e, 0x0192, 0x02c6, 0x02dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030,
  0x2039, 0x203a, 0x20ac, 0x2122,
]);
/** Common symbols outside WinAnsi, written as the nearest text. */
const NEAREST: Record<string, string> = {
  '\u2212': '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u2192': '->',
  '\u2190': '<-',
  '\u21d2': '=>',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2260': '!=',
  '\u2248': '~',
  '\u2713': '[x]',
  '\u2714': '[x]',
  '\u2717': '[ ]',
  '\u2718': '[ ]',
  '\u00a0': ' ',
  '\u202f': ' ',
  '\u2009': ' ',
};

const drawable = (code: number) => (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(code);

/**
 * Text the standard PDF fonts can draw: they only have the WinAnsi characters (Latin-1 and a few
 * typographic ones). Accents outside it are dropped ("ő" → "o"), a few symbols get their nearest text, and
 * anything else (CJK, emoji) becomes "?"; `replaced` says whether any was.
 * NOTE: embedding a Unicode font would draw everything but makes the PDF large and the font a dependency we
 * ship; the Markdown minutes stay the full record, and the PDF says when it could not show a character.
 */
export function toWinAnsi(text: string): { text: string; replaced: boolean } {
  let replaced = false;
  let out = '';
  for (const ch of text.replace(/\t/g, '    ')) {
    const code = ch.codePointAt(0)!;
    if (drawable(code)) {
      out += ch;
      continue;
    }
    if (NEAREST[ch] !== undefined) {
      out += NEAREST[ch];
      continue;
    }
    const bare = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    if (bare && [...bare].every((c) => drawable(c.codePointAt(0)!))) {
      out += bare;
      continue;
    }
    replaced = true;
    out += '?';
  }
  return { text: out, replaced };
}

/** A line of the minutes' Markdown (domain/cab/minutes.ts writes only these shapes). */
type Block = { kind: 'h1' | 'h2' | 'h3' | 'bullet' | 'text'; text: string } | { kind: 'gap' };

/** Undoes the escaping `renderMinutes` applies to people's words. */
const unescape = (text: string) => text.replace(/\\([\\`*_[\]<>#|])/g, '$1');

function blocksOf(markdown: string): Block[] {
  return markdown.split('\n').map((line): Block => {
    if (line.trim() === '') return { kind: 'gap' };
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    if (heading) return { kind: (['h1', 'h2', 'h3'] as const)[heading[1]!.length - 1]!, text: heading[2]! };
    if (line.startsWith('- ')) return { kind: 'bullet', text: line.slice(2) };
    return { kind: 'text', text: line };
  });
}

/** Splits `**bold**` spans (unescaped `**` only) from the rest. */
function spans(text: string): { text: string; bold: boolean }[] {
  const out: { text: string; bold: boolean }[] = [];
  let bold = false;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) {
      current += text.slice(i, i + 2);
      i++;
    } else if (text.startsWith('**', i)) {
      if (current) out.push({ text: unescape(current), bold });
      current = '';
      bold = !bold;
      i++;
    } else current += text[i];
  }
  if (current) out.push({ text: unescape(current), bold });
  return out;
}

/**
 * Renders stored minutes as a PDF: headings, wrapped text, bullets, page numbers, and the SHA-256 of the
 * Markdown in each page's footer and in the metadata (`Subject`, `Keywords`, and a `MinutesSHA256` entry).
 * The dates in the metadata are when the minutes were written (the meeting's end), so the same minutes give
 * the same bytes.
 */
export function renderMinutesPdf(minutes: Minutes): Promise<Buffer> {
  const blocks = blocksOf(minutes.markdown);
  const h1 = blocks.find((b): b is Extract<Block, { text: string }> => b.kind === 'h1');
  const title = unescape(h1?.text ?? `Minutes of meeting ${minutes.meetingId}`);
  const written = new Date(minutes.createdAt);
  let replaced = false;
  const safe = (text: string) => {
    const r = toWinAnsi(text);
    replaced ||= r.replaced;
    return r.text;
  };

  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT },
    bufferPages: true,
    displayTitle: true,
    lang: 'en',
    info: {
      Title: safe(title),
      Author: 'Cabinet',
      Subject: `Minutes of meeting ${minutes.meetingId}; SHA-256 of the Markdown minutes: ${minutes.sha256}`,
      Keywords: `cabinet minutes; minutes-sha256:${minutes.sha256}`,
      Creator: 'Cabinet',
      Producer: 'Cabinet',
      CreationDate: written,
      ModDate: written,
      // NOTE: a custom Info entry, so a tool can read the hash without parsing the Subject.
      MinutesSHA256: minutes.sha256,
    } as PDFKit.DocumentInfo,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - MARGIN * 2;
  const write = (text: string, opts: { size: number; bold?: boolean; indent?: number; bullet?: boolean; gapAfter?: number; keepLines?: number }) => {
    const parts = spans(text);
    const x = MARGIN + (opts.indent ?? 0);
    const w = width - (opts.indent ?? 0);
    doc.fontSize(opts.size);
    // Start a page here rather than leave a heading or a bullet alone at the foot of one.
    if (doc.y + doc.currentLineHeight(true) * (opts.keepLines ?? 2) > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const y = doc.y;
    // The bullet hangs left of the wrapped text.
    if (opts.bullet) doc.font(FONT.regular).text('\u2022', x - 10, y, { width: 10, lineBreak: false });
    parts.forEach((p, i) => {
      doc.font(opts.bold || p.bold ? FONT.bold : FONT.regular);
      const last = i === parts.length - 1;
      if (i === 0) doc.text(safe(p.text), x, y, { width: w, continued: !last });
      else doc.text(safe(p.text), { continued: !last });
    });
    if (parts.length === 0) doc.text('', x, y, { width: w });
    if (opts.gapAfter) doc.moveDown(opts.gapAfter);
  };

  for (const [i, b] of blocks.entries()) {
    switch (b.kind) {
      case 'gap':
        if (blocks[i - 1]?.kind !== 'gap') doc.moveDown(0.4);
        break;
      case 'h1':
        write(b.text, { size: SIZE.h1, bold: true, gapAfter: 0.2 });
        break;
      case 'h2':
        doc.moveDown(0.4);
        write(b.text, { size: SIZE.h2, bold: true, gapAfter: 0.1, keepLines: 4 });
        break;
      case 'h3':
        doc.moveDown(0.2);
        write(b.text, { size: SIZE.h3, bold: true, gapAfter: 0.1, keepLines: 4 });
        break;
      case 'bullet':
        write(b.text, { size: SIZE.body, indent: 14, bullet: true, gapAfter: 0.15 });
        break;
      case 'text':
        write(b.text, { size: SIZE.body, gapAfter: 0.15 });
        break;
    }
  }
  if (replaced) {
    doc.moveDown(0.6);
    write('Some characters cannot be shown in this PDF and appear as "?"; the Markdown minutes, whose SHA-256 is below, keep them.', { size: SIZE.footer });
  }

  // Footers last, once the page count is known.
  const range = doc.bufferedPageRange();
  for (let p = range.start; p < range.start + range.count; p++) {
    doc.switchToPage(p);
    // NOTE: drawing inside the bottom margin would make pdfkit start a new page; lift the margin while writing.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN - FOOTER_HEIGHT + 12;
    doc.moveTo(MARGIN, y - 6).lineTo(doc.page.width - MARGIN, y - 6).lineWidth(0.5).strokeColor('#999999').stroke();
    doc.font(FONT.regular).fontSize(SIZE.footer).fillColor('#444444');
    doc.text(`SHA-256 of the Markdown minutes (audit trail, meeting.ended): ${minutes.sha256}`, MARGIN, y, { width, lineBreak: false });
    doc.text(`Meeting ${minutes.meetingId}`, MARGIN, y + 10, { width: width / 2, lineBreak: false });
    doc.text(`Page ${p - range.start + 1} of ${range.count}`, MARGIN, y + 10, { width, align: 'right', lineBreak: false });
    doc.fillColor('black');
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
