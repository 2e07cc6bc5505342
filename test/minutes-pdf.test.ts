import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe } from 'node:test';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { cab, highRisk } from './support/cab';
import { eachEngine, type Harness } from './support/cabinet';

/** pdf.js reads the standard fonts' metrics from its own folder (only a warning without them). */
const standardFontDataUrl = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

/** The PDF's bytes: the harness's reply reads bodies as text, which would mangle them. */
async function download(h: Harness, path: string, token: string) {
  const res = await h.cabinet.app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, headers: res.headers, bytes: res.rawPayload, text: res.body };
}

/** Every page's text (pdf.js, a real parser) and the document's metadata. */
async function readPdf(bytes: Buffer) {
  const pdf = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : '') : '')).join(''));
  }
  const info = (await pdf.getMetadata()).info as Record<string, unknown> & { Custom?: Record<string, string> };
  await pdf.destroy();
  return { pages, info };
}

describe('CAB minutes as PDF', () => {
  eachEngine('downloads the minutes as a PDF with the decision, its rationale and the Markdown’s hash; same bytes each time', async (h) => {
    const stamp = `P${Date.now()}`;
    const { board, chair, sec, third, manager } = await cab(h, stamp);
    const requester = await h.userWithToken(['requester']);
    const change = await highRisk(h, stamp, requester.token);
    const start = new Date(Date.now() + 3_600_000).toISOString();
    const meeting = (await h.request('POST', `/api/v1/boards/${board.id}/meetings`, { token: manager.token, body: { start, durationMinutes: 60, title: `Weekly ${stamp}` } })).body;
    const minutesUrl = `/api/v1/meetings/${meeting.id}/minutes`;

    // Not ended: no minutes yet, in any format (as the JSON route answers).
    const planned = await download(h, `${minutesUrl}?format=pdf`, third.token);
    assert.equal(planned.status, 404, planned.text);
    assert.equal(JSON.parse(planned.text).error.code, 'not_found');

    assert.equal((await h.request('POST', `/api/v1/meetings/${meeting.id}/start`, { token: chair.token })).status, 200);
    await h.request('PUT', `/api/v1/meetings/${meeting.id}/attendance`, { token: chair.token, body: { attendees: [{ userId: chair.id, present: true }] } });
    await h.request('PUT', `/api/v1/meetings/${meeting.id}/attendance`, { token: sec.token, body: { attendees: [{ userId: sec.id, present: true }] } });
    const rationale = 'Zoë – ✓ 日本: the plan was rehearsed twice and the backout restores the snapshot within ten minutes.';
    const decided = await h.request('POST', `/api/v1/meetings/${meeting.id}/items/${change.id}/decision`, {
      token: chair.token,
      body: { decision: 'approve_with_conditions', rationale, conditions: [{ text: 'A DBA is on call during the window', verifier: sec.id }] },
    });
    assert.equal(decided.status, 201, decided.text);
    const live = await download(h, `${minutesUrl}?format=pdf`, third.token);
    assert.equal(live.status, 404, 'a live meeting has no minutes yet');

    const ended = await h.request('POST', `/api/v1/meetings/${meeting.id}/end`, { token: chair.token });
    assert.equal(ended.status, 201, ended.text);
    const { markdown, sha256 } = ended.body as { markdown: string; sha256: string };
    assert.equal(sha256, createHash('sha256').update(markdown).digest('hex'));
    const endedAt = (await h.request('GET', `/api/v1/meetings/${meeting.id}`)).body.endedAt as string;

    const pdf = await download(h, `${minutesUrl}?format=pdf`, third.token);
    assert.equal(pdf.status, 200, pdf.text);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.headers['content-disposition'], `attachment; filename="minutes-${meeting.id}.pdf"`);
    assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');

    const { pages, info } = await readPdf(pdf.bytes);
    const text = pages.join('\n');
    assert.match(text, new RegExp(`Minutes: Weekly ${stamp}`));
    assert.match(text, new RegExp(`${change.number}: Upgrade ${stamp}`));
    assert.match(text, /Decision: Approved with conditions/);
    // What the standard fonts draw stays; what they cannot (CJK) is replaced, never a crash, and the PDF says so.
    assert.match(text, /Rationale: Zoë – \[x\] \?\?: the plan was rehearsed twice/);
    assert.match(text, /Condition: A DBA is on call during the window/);
    assert.match(text, /Present \(2\)/);
    assert.match(text, /appear as "\?"/);
    // The hash of the record (the one in the audit chain) on every page and in the metadata.
    for (const page of pages) assert.ok(page.includes(sha256), page);
    assert.match(pages.at(-1)!, new RegExp(`Page ${pages.length} of ${pages.length}`));
    assert.equal(info.Custom?.MinutesSHA256, sha256);
    assert.match(String(info.Keywords), new RegExp(`minutes-sha256:${sha256}`));
    assert.match(String(info.Title), new RegExp(`Weekly ${stamp}`));
    const trail = await h.request('GET', `/api/v1/audit/events?record=${meeting.id}&action=meeting.ended`);
    assert.equal(trail.body.items.find((e: { action: string }) => e.action === 'meeting.ended')?.data.minutesSha256, sha256);
    // Dated by the meeting's end, so the same minutes give the same file.
    assert.equal(info.CreationDate, `D:${endedAt.slice(0, 19).replace(/[-T:]/g, '')}Z`);
    h.advance(90_000);
    const again = await download(h, `${minutesUrl}?format=pdf`, manager.token);
    assert.ok(again.bytes.equals(pdf.bytes), 'the same bytes on every download');

    // Who may not read minutes may not download them; an unknown format is refused.
    const outsider = await download(h, `${minutesUrl}?format=pdf`, requester.token);
    assert.equal(outsider.status, 403, outsider.text);
    const docx = await h.request('GET', `${minutesUrl}?format=docx`, { token: third.token });
    assert.equal(docx.status, 400, docx.text);
    assert.deepEqual(
      docx.body.error.details.issues.map((i: { path: string }) => i.path),
      ['query.format'],
    );
  });
});
