import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ADMIN_TOKEN, withCabinet, type Harness } from './support/cabinet';

// A built web app as Vite lays it out: index.html at the top, hashed files under assets/. The files are
// large enough to be worth compressing, and repetitive, as real bundles are.
const INDEX_HTML = `<!doctype html><html><head><title>Cabinet</title><script type="module" src="/assets/app-abc123.js"></script></head><body>${'<div id="root"></div>'.repeat(80)}</body></html>`;
const APP_JS = `export function render(root) {\n${'  root.append(document.createElement("section"));\n'.repeat(200)}}\n`;
const APP_CSS = `${'.card { color: #1a1b1e; padding: 8px 12px; }\n'.repeat(120)}`;
const TINY_JS = 'export const x = 1;\n';
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg"/>';

let webDir: string;
before(() => {
  webDir = mkdtempSync(path.join(tmpdir(), 'cabinet-web-'));
  mkdirSync(path.join(webDir, 'assets'));
  writeFileSync(path.join(webDir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(webDir, 'favicon.svg'), FAVICON);
  writeFileSync(path.join(webDir, 'assets', 'app-abc123.js'), APP_JS);
  writeFileSync(path.join(webDir, 'assets', 'app-abc123.css'), APP_CSS);
  writeFileSync(path.join(webDir, 'assets', 'tiny-def456.js'), TINY_JS);
});
after(() => rmSync(webDir, { recursive: true, force: true }));

const get = (h: Harness, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> => h.cabinet.app.inject({ method: 'GET', url, headers });

/** The body as the browser reads it, after undoing the content encoding the server chose. */
function decoded(res: LightMyRequestResponse): string {
  const encoding = res.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(res.rawPayload).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(res.rawPayload).toString('utf8');
  assert.equal(encoding, undefined, `unexpected content-encoding ${String(encoding)}`);
  return res.rawPayload.toString('utf8');
}

/** The harness, serving the fake build above, on SQLite (serving does not depend on the engine). */
const withWeb = (work: (h: Harness) => Promise<void>) => withCabinet('sqlite', work, { CABINET_WEB_DIR: webDir });

describe('serving the web app and the API', () => {
  it('sends a hashed asset brotli-compressed when the browser takes br, cached for a year as immutable', () =>
    withWeb(async (h) => {
      const res = await get(h, '/assets/app-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-encoding'], 'br');
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.match(String(res.headers['content-type']), /javascript/);
      assert.match(String(res.headers.vary), /accept-encoding/i);
      assert.ok(res.rawPayload.length < APP_JS.length / 5, `compressed to ${res.rawPayload.length} of ${APP_JS.length} bytes`);
      assert.equal(decoded(res), APP_JS);
    }));

  it('sends gzip to a browser that does not take br, and CSS as well as JS', () =>
    withWeb(async (h) => {
      for (const [url, body] of [
        ['/assets/app-abc123.js', APP_JS],
        ['/assets/app-abc123.css', APP_CSS],
      ] as const) {
        const res = await get(h, url, { 'accept-encoding': 'gzip' });
        assert.equal(res.statusCode, 200, url);
        assert.equal(res.headers['content-encoding'], 'gzip', url);
        assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', url);
        assert.equal(decoded(res), body, url);
      }
      const css = await get(h, '/assets/app-abc123.css', { 'accept-encoding': 'gzip' });
      assert.match(String(css.headers['content-type']), /^text\/css/);
    }));

  it('sends the files as they are to a client that asks for no encoding', () =>
    withWeb(async (h) => {
      const res = await get(h, '/assets/app-abc123.js');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.body, APP_JS);
    }));

  it('compresses a small asset too (files are streamed, their size unknown to the compressor) and it still reads back whole', () =>
    withWeb(async (h) => {
      const res = await get(h, '/assets/tiny-def456.js', { 'accept-encoding': 'gzip' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(decoded(res), TINY_JS);
    }));

  it('serves index.html compressed with no-cache at / and for every client-side route, so a new build is picked up', () =>
    withWeb(async (h) => {
      for (const url of ['/', '/index.html', '/changes/CHG-000123', '/audit?from=2026-01-01']) {
        const res = await get(h, url, { 'accept-encoding': 'gzip, br' });
        assert.equal(res.statusCode, 200, url);
        assert.match(String(res.headers['content-type']), /^text\/html/, url);
        assert.equal(res.headers['cache-control'], 'no-cache', url);
        assert.equal(res.headers['content-encoding'], 'br', url);
        assert.equal(decoded(res), INDEX_HTML, url);
      }
      // Revalidation: the validator it came with gets a 304 without a body.
      const first = await get(h, '/');
      assert.ok(first.headers.etag, 'index.html has an ETag to revalidate with');
      const again = await get(h, '/', { 'if-none-match': String(first.headers.etag) });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
    }));

  it('revalidates unhashed files at the top of the build (favicon) instead of caching them for a year', () =>
    withWeb(async (h) => {
      const res = await get(h, '/favicon.svg');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.body, FAVICON);
    }));

  it('answers 404 for an asset the build does not have, rather than index.html under a JS name', () =>
    withWeb(async (h) => {
      const res = await get(h, '/assets/app-old999.js');
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'not_found');
      const api = await get(h, '/api/v1/nosuch', { authorization: `Bearer ${ADMIN_TOKEN}` });
      assert.equal(api.statusCode, 404);
      assert.equal(api.json().error.code, 'not_found');
    }));

  it('without a built web app, every page says how to build it, and the API is served as before', () =>
    withCabinet('sqlite', async (h) => {
      const page = await get(h, '/changes/CHG-000001');
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /The web app is not built\. Run <code>npm run build<\/code>/);
      assert.equal(page.headers['cache-control'], 'no-cache');
      const api = await get(h, '/api/v1/nosuch');
      assert.equal(api.statusCode, 401, 'unknown API paths still ask for credentials first');
    }));

  it('compresses API JSON above the threshold and leaves small answers as they are', () =>
    withWeb(async (h) => {
      const spec = await get(h, '/api/v1/openapi.json', { 'accept-encoding': 'br' });
      assert.equal(spec.statusCode, 200);
      assert.equal(spec.headers['content-encoding'], 'br');
      assert.match(String(spec.headers['content-type']), /^application\/json/);
      const parsed = JSON.parse(decoded(spec)) as { info: { title: string }; paths: Record<string, unknown> };
      assert.equal(parsed.info.title, 'Cabinet API');
      assert.ok('/api/v1/changes' in parsed.paths);

      // An authenticated list, gzip this time.
      for (let i = 0; i < 12; i++) {
        const created = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: `Rotate the certificates of edge node ${i}` } });
        assert.equal(created.status, 201, created.text);
      }
      const list = await get(h, '/api/v1/changes', { 'accept-encoding': 'gzip', authorization: `Bearer ${ADMIN_TOKEN}` });
      assert.equal(list.statusCode, 200, list.body);
      assert.equal(list.headers['content-encoding'], 'gzip');
      const changes = JSON.parse(decoded(list)) as { items: { title: string }[] };
      assert.equal(changes.items.length, 12);

      const health = await get(h, '/healthz', { 'accept-encoding': 'br, gzip' });
      assert.equal(health.statusCode, 200);
      assert.equal(health.headers['content-encoding'], undefined);
      assert.deepEqual(health.json(), { status: 'ok' });
    }));
});
