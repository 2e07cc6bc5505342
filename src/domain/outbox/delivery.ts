/**
 * The rules of outbox delivery that need no storage: how long a failed item waits before its next attempt,
 * when it stops being retried, and what of an error may be kept as evidence.
 */

/** Where a notice goes: in-app and email today; webhooks will record their outcomes in the same log. */
export const DELIVERY_CHANNELS = ['in_app', 'email', 'webhook'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** What one attempt came to: `dead` is the failure after which the item is no longer retried. */
export const DELIVERY_RESULTS = ['delivered', 'failed', 'dead'] as const;
export type DeliveryResult = (typeof DELIVERY_RESULTS)[number];

/** The states of an outbox item: waiting (or being delivered), done, given up on, and given up on for good by an admin. */
export const OUTBOX_STATES = ['pending', 'delivered', 'dead', 'discarded'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** The attempts an item gets before it becomes a dead letter, unless CABINET_OUTBOX_MAX_ATTEMPTS says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 8;

export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_MAX_MS = 3_600_000;

/** The longest wait after failed attempt `attempts` (1-based): 30 s, 1 min, 2 min … at most an hour. */
export function backoffCeilingMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(attempts - 1, 0), BACKOFF_MAX_MS);
}

/**
 * The wait before the next attempt after failed attempt `attempts`: "full jitter", a uniformly random time
 * between zero and the exponential ceiling (`backoffCeilingMs`). NOTE: full rather than decorrelated jitter,
 * because it needs nothing but the attempt count (no previous delay to store) and spreads out the workers
 * best when one outage made many items fail together. `random` returns a number in [0, 1).
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeilingMs(attempts));
}

/** Whether an item that just failed its `attempts`-th attempt has had its last one. */
export function isLastAttempt(attempts: number, maxAttempts: number): boolean {
  return attempts >= maxAttempts;
}

const MAX_ERROR_LENGTH = 2000;

/**
 * An error as the delivery log and the dead letters keep it. NOTE (security): errors of SMTP and HTTP
 * clients can quote what they were given: credentials in a URL, an Authorization header, a password or token
 * parameter. Those are blanked before the text is stored or shown to anyone.
 */
export function redactError(message: string): string {
  return message
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]*@/gi, '$1***@')
    .replace(/\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(bearer|basic|token)?\s*[^\s"',;)]+/gi, (_m, name: string, sep: string, scheme?: string) => `${name}${sep}${scheme ? `${scheme} ` : ''}***`)
    .replace(/\b(password|passwd|pass|secret|token|api[_-]?key|access[_-]?token)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1$2***')
    .slice(0, MAX_ERROR_LENGTH);
}
