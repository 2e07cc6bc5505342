import pino, { type DestinationStream, type Logger } from 'pino';

const REDACTED = '[redacted]';

/**
 * A URL as it may be logged. NOTE (security): a calendar feed's secret is the last segment of its path
 * (`/feeds/<secret>.ics`), and Fastify logs every request's URL, so the segment is replaced wherever a
 * `/feeds/` path appears, and so is anything shaped like a feed secret elsewhere (pasted in a query string).
 */
export function redactUrl(url: string): string {
  return url.replace(/\/feeds\/[^/?#]+/gi, `/feeds/${REDACTED}`).replace(/\/unsubscribe\/[^/?#]+/gi, `/unsubscribe/${REDACTED}`).replace(/cal_[A-Za-z0-9_-]{8,}/g, REDACTED);
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
 * `destination` defaults to standard output (tests pass a buffer), where a terminal gets readable lines
 * (see `formatLogLine`) and anything else (a file, a pipe, a log collector) the JSON lines.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: REDACTED },
    serializers: { req: serializeRequest },
  };
  if (destination) return pino(options, destination);
  return process.stdout.isTTY ? pino(options, prettyDestination(process.stdout, Boolean(process.stdout.hasColors?.()))) : pino(options);
}

/** A pino destination that writes each JSON line as `formatLogLine` reads it. */
export function prettyDestination(out: { write(text: string): unknown }, colors: boolean): DestinationStream {
  return { write: (line: string) => void out.write(formatLogLine(line, colors) + '\n') };
}

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '90' },
  30: { name: 'INFO', color: '32' },
  40: { name: 'WARN', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
};
/** Fields every line has, or that the readable form shows in its own place. */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);

/**
 * One JSON log line as a person reads it on a terminal: local time, level, message, then what the line is
 * about (`GET /api/v1/changes`, `200 in 12.3 ms`), the other fields as key=value, the request id last, and
 * an error's stack on the lines below. A line that is not JSON is returned as it is.
 */
export function formatLogLine(line: string, colors = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.trimEnd();
  }
  const paint = (code: string, text: string) => (colors ? `\u001b[${code}m${text}\u001b[39m` : text);
  const level = LEVELS[Number(entry.level)] ?? { name: String(entry.level), color: '39' };
  const time = typeof entry.time === 'number' ? new Date(entry.time) : new Date();
  const clock = `${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}:${String(time.getSeconds()).padStart(2, '0')}.${String(time.getMilliseconds()).padStart(3, '0')}`;
  const parts = [paint('90', clock), paint(level.color, level.name.padEnd(5)), String(entry.msg ?? '')];
  const req = entry.req as { method?: string; url?: string } | undefined;
  if (req?.method) parts.push(`${req.method} ${req.url ?? ''}`);
  const res = entry.res as { statusCode?: number } | undefined;
  if (res?.statusCode !== undefined) parts.push(`${res.statusCode}${typeof entry.responseTime === 'number' ? ` in ${entry.responseTime.toFixed(1)} ms` : ''}`);
  for (const [key, value] of Object.entries(entry)) {
    if (!SHOWN.has(key)) parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  if (typeof entry.reqId === 'string') parts.push(paint('90', `(${entry.reqId.slice(0, 8)})`));
  const err = entry.err as { message?: string; stack?: string } | undefined;
  let text = parts.filter(Boolean).join(' ');
  if (err) text += '\n' + (err.stack ?? err.message ?? JSON.stringify(err)).split('\n').map((l) => `    ${l}`).join('\n');
  return text;
}
