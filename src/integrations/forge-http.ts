/** What a forge API (GitHub, GitLab) answered. */
export interface ForgeAnswer {
  status: number;
  // The JSON body, or null when there was none or it was not JSON.
  json: unknown;
}

/** A forge API call that failed: the network, or an answer other than 2xx. The message never holds a credential. */
export class ForgeCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/**
 * One JSON call to a forge API. NOTE (security): the URL's origin comes from the settings an admin saved (or a
 * callback URL checked against it), and the credential travels in a header that is never part of an error.
 */
export async function callForge(opts: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; headers: Record<string, string>; body?: unknown; timeoutMs?: number }): Promise<ForgeAnswer> {
  let res: Response;
  try {
    res = await fetch(opts.url, {
      method: opts.method,
      headers: { accept: 'application/json', 'user-agent': 'Cabinet', ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      redirect: 'error',
    });
  } catch (err) {
    const why = err instanceof Error ? (err.name === 'TimeoutError' ? 'timed out' : (err.cause as Error | undefined)?.message ?? err.message) : 'failed';
    throw new ForgeCallError(`${opts.method} ${pathOf(opts.url)}: ${why}`, null);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const said = json && typeof json === 'object' && 'message' in json ? String((json as { message: unknown }).message).slice(0, 300) : `HTTP ${res.status}`;
    throw new ForgeCallError(`${opts.method} ${pathOf(opts.url)} answered ${res.status}: ${said}`, res.status);
  }
  return { status: res.status, json };
}

/** The path of a URL, for messages (no query string: it may hold a token). */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid URL)';
  }
}
