/**
 * The one place the web app talks HTTP. Every call sends the session cookie, adds the CSRF token to
 * writes, and turns the server's `{ error: { code, message, details } }` body into an `ApiError`.
 */

/** An error answered by the API (or a network failure, with status 0 and code `network_error`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** One validation problem reported by the server under `details.issues`. */
export interface ApiIssue {
  path: string;
  message: string;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON unless it is a string, which is sent as is with `contentType`. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

// NOTE: the CSRF token lives in memory only. It comes from login and GET /api/v1/me and goes back in
// a header on every non-GET request; the session cookie itself is HttpOnly and never seen by scripts.
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Builds `/api/v1/x?a=1` from a path and query, leaving out empty values. */
export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads an error response into an `ApiError`, whatever the body holds. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    const text = await response.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, details } = body.error;
    return new ApiError(
      response.status,
      typeof code === 'string' ? code : `http_${response.status}`,
      typeof message === 'string' ? message : response.statusText || 'Request failed',
      isRecord(details) ? details : {},
    );
  }
  const fallback: Record<number, string> = {
    401: 'Please sign in.',
    403: 'You are not allowed to do this.',
    404: 'Not found.',
    429: 'Too many attempts. Wait a moment and try again.',
  };
  return new ApiError(
    response.status,
    `http_${response.status}`,
    fallback[response.status] ?? `The server answered ${response.status} ${response.statusText}`.trim(),
  );
}

/** Sends one request to the API and returns the parsed JSON (or `undefined` for 204). */
export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string') {
      body = options.body;
      headers['Content-Type'] = options.contentType ?? 'text/plain';
    } else {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'include',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'Cannot reach the Cabinet server. Check your connection and try again.');
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) => apiRequest<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}) =>
    apiRequest<T>('POST', path, { ...options, body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>('PATCH', path, { body }),
  delete: <T = void>(path: string) => apiRequest<T>('DELETE', path),
};

/** The validation issues of an `invalid_input` error, or an empty list. */
export function issuesOf(error: unknown): ApiIssue[] {
  if (!(error instanceof ApiError)) return [];
  const issues = error.details.issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((issue: unknown) => {
    if (!isRecord(issue) || typeof issue.message !== 'string') return [];
    const path = Array.isArray(issue.path) ? issue.path.join('.') : typeof issue.path === 'string' ? issue.path : '';
    return [{ path, message: issue.message }];
  });
}

/** Groups issues by the first segment of their path (`ciIds.0` → `ciIds`), so a form can show them by field. */
export function issuesByField(error: unknown): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const issue of issuesOf(error)) {
    const field = issue.path.split(/[.[]/)[0] || '_';
    (byField[field] ??= []).push(issue.message);
  }
  return byField;
}

/** A short human message for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return 'Too many attempts. Wait a moment and try again.';
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
