import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * The headers @fastify/helmet sets with `options`, read once from a probe instance: with no nonces and no
 * options of a route's own they are the same on every response.
 */
async function helmetHeaders(options: FastifyHelmetOptions): Promise<[string, string | number | string[]][]> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, options);
  let headers: [string, string | number | string[]][] = [];
  probe.get('/', async (_request, reply) => {
    // Fastify keeps its own headers until it writes the response: what the raw response holds is helmet's.
    headers = Object.entries(reply.raw.getHeaders()).filter(
      (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
    );
    return '';
  });
  await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  if (headers.length === 0) throw new Error('@fastify/helmet set no headers');
  return headers;
}

/**
 * Helmet's security headers (CSP, HSTS, X-Frame-Options …) on every response, as @fastify/helmet sets them.
 * NOTE (speed): @fastify/helmet builds helmet again for every request (its options parsed, its CSP written out),
 * about a fifth of what a cheap API request costs; the headers do not change, so they are worked out once here
 * and only set on each response, the way helmet sets them (on the raw response, so a route's own header of the
 * same name still wins, as Swagger UI's CSP does).
 */
export async function registerSecurityHeaders(app: FastifyInstance, options: FastifyHelmetOptions): Promise<void> {
  const headers = await helmetHeaders(options);
  app.addHook('onRequest', (_request, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of headers) raw.setHeader(name, value);
    done();
  });
}
