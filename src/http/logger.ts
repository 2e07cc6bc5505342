import pino, { type DestinationStream, type Logger } from 'pino';

const REDACTED = '[redacted]';

/**
 * A URL as it may be logged. NOTE (security): a calendar feed's secret is the last segment of its path
 * (`/feeds/<secret>.ics`), and Fastify logs every request's URL, so the segment is replaced wherever a
 * `/feeds/` path appears, and so is anything shaped like a feed secret elsewhere (pasted in a query string).
 */
export function redactUrl(url: string): string {
  return url.replace(/\/feeds\/[^/?#]+/gi, `/feeds/${REDACTED}`).replace(/cal_[A-Za-z0-9_-]{8,}/g, REDACTED);
}

/** The request as one log line shows it: Fastify's usual fields, with secrets taken out of the URL. */
export function serializeRequest(req: {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}): Record<string, unknown> {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/**
 * The server's logger: JSON lines at `level`, with credentials redacted from headers and secrets from URLs.
 * `destination` defaults to standard output (tests pass a buffer).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: REDACTED },
    serializers: { req: serializeRequest },
  };
  return destination ? pino(options, destination) : pino(options);
}
