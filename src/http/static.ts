import { existsSync } from 'node:fs';
import path from 'node:path';
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { App } from './types';

/** Hashed build output (Vite's `assets/[name]-[hash].*`): a new build means a new name, so it never goes stale. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else the web app serves (index.html above all) may be kept, but is checked with the server each time. */
const REVALIDATE = 'no-cache';

/**
 * What is worth compressing: text, JSON, XML (SVG included) and JavaScript. Images, fonts and archives are
 * compressed already.
 */
const COMPRESSIBLE = /^text\/(?!event-stream)|^application\/(?:javascript|ecmascript)(?:;|$)|(?:\+|\/)(?:json|xml)(?:;|$)/;

const NOT_BUILT =
  '<!doctype html><title>Cabinet</title><p>The web app is not built. Run <code>npm run build</code> (npm start does this for you). The API is at <a href="/api/docs">/api/docs</a>.</p>';

/** Bodies smaller than this go as they are: compressing them saves less than the headers it adds. */
const COMPRESSION_THRESHOLD = 1024;

/**
 * How Cabinet serves its responses: brotli or gzip for every text response of at least
 * COMPRESSION_THRESHOLD bytes (API JSON, the web app's JS, CSS and HTML), the built web app from `webDir`
 * with long-lived caching for its hashed assets, and the web app's index.html for any other GET outside
 * `/api/` so that its client-side routes load on refresh.
 *
 * Call it before the API routes are declared: @fastify/compress attaches itself to each route as the route
 * is added, so routes declared earlier are sent uncompressed.
 */
export async function registerServing(app: App, opts: { webDir: string }): Promise<void> {
  // NOTE: the encodings are listed so the choice does not depend on the Node version (@fastify/compress
  // prefers zstd where Node has it, which not every browser or proxy accepts). Brotli wins where the browser
  // takes both: smaller than gzip at the plugin's quality 4, and about as fast.
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: COMPRESSION_THRESHOLD, customTypes: COMPRESSIBLE });

  const hasWeb = existsSync(path.join(opts.webDir, 'index.html'));
  if (hasWeb) {
    const assetsDir = path.join(opts.webDir, 'assets') + path.sep;
    await app.register(fastifyStatic, {
      root: opts.webDir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      cacheControl: false,
      setHeaders: (reply, file) => {
        reply.header('cache-control', file.startsWith(assetsDir) ? IMMUTABLE : REVALIDATE);
      },
    });
  }

  // NOTE: the web app's own routes (/changes/…, /audit) are answered by a catch-all route rather than by
  // the not-found handler, because only routes get compression. find-my-way prefers every static and
  // parametric route to it, so it sees only paths nothing else serves.
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const isApi = request.url.startsWith('/api/') || request.url === '/api' || request.url.startsWith('/api?');
    // A missing hashed asset is an old build's file: the page that asked for it needs a reload, not index.html.
    const isAsset = request.url.startsWith('/assets/');
    if (isApi || isAsset) return reply.callNotFound();
    if (hasWeb) return reply.header('cache-control', REVALIDATE).sendFile('index.html');
    return reply.type('text/html').header('cache-control', REVALIDATE).send(NOT_BUILT);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.`, details: {} } }),
  );
}
