import http from 'node:http';
import https from 'node:https';
import { bareHost, guardedLookup, refusalOf, TargetRefusedError, type TargetPolicy } from './address-guard';
import ipaddr from 'ipaddr.js';

/** How long a receiver has to answer, from connecting to the end of its (truncated) answer. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How much of an answer is read: enough for an error message, never a flood. */
export const WEBHOOK_MAX_ANSWER_BYTES = 4096;

export interface WebhookRequest {
  url: string;
  /** The exact bytes sent, which the signature covers. */
  body: string;
  headers: Record<string, string>;
  policy: TargetPolicy;
  timeoutMs?: number;
}

export interface WebhookAnswer {
  /** Whether the receiver answered 2xx. */
  ok: boolean;
  /** The HTTP status; null when no answer came. */
  status: number | null;
  durationMs: number;
  /** Why it failed, in words: the status and the start of the answer, or the network error. */
  error?: string;
}

/**
 * POSTs one webhook message and reports what came back; never throws. NOTE (security): redirects are never
 * followed (a 3xx is a failure: a receiver cannot send Cabinet's signed body elsewhere, nor bounce it to an
 * internal address past the guard); the target is checked at connect time (`guardedLookup`, and here for an
 * address written in the URL, which Node connects to without a lookup); at most WEBHOOK_MAX_ANSWER_BYTES of
 * the answer are read, and everything ends after `timeoutMs`.
 */
export async function postWebhook(req: WebhookRequest): Promise<WebhookAnswer> {
  const started = Date.now();
  const done = (answer: Omit<WebhookAnswer, 'durationMs'>): WebhookAnswer => ({ ...answer, durationMs: Date.now() - started });
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return done({ ok: false, status: null, error: 'The URL is not valid.' });
  }
  const host = bareHost(url.hostname);
  if (ipaddr.isValid(host)) {
    const refusal = refusalOf(req.policy, host, host);
    if (refusal) return done({ ok: false, status: null, error: `Refused: ${refusal}` });
  }
  const client = url.protocol === 'https:' ? https : http;
  const body = Buffer.from(req.body, 'utf8');
  return new Promise<WebhookAnswer>((resolve) => {
    let settled = false;
    const finish = (answer: Omit<WebhookAnswer, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(answer));
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'Cabinet-Webhook/1',
          ...req.headers,
        },
        lookup: guardedLookup(req.policy),
        // A fresh connection each time: a kept-alive socket would skip the lookup, and with it the guard.
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const settle = () => {
          const text = Buffer.concat(chunks)
            .subarray(0, WEBHOOK_MAX_ANSWER_BYTES)
            .toString('utf8')
            .replace(/\s+/g, ' ')
            .trim()
            .slice(0, 300);
          if (status >= 200 && status < 300) return finish({ ok: true, status });
          const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
          finish({ ok: false, status, error: `HTTP ${status}${redirect}${text ? `: ${text}` : ''}` });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= WEBHOOK_MAX_ANSWER_BYTES) {
            settle();
            response.destroy();
          }
        });
        response.on('end', settle);
        response.on('error', settle);
        response.on('close', settle);
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `No answer within ${Math.round((req.timeoutMs ?? WEBHOOK_TIMEOUT_MS) / 1000)} s.` });
      request.destroy();
    }, req.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof TargetRefusedError) return finish({ ok: false, status: null, error: `Refused: ${err.message}` });
      finish({ ok: false, status: null, error: `${err.code ? `${err.code}: ` : ''}${err.message}` });
    });
    request.end(body);
  });
}
