import { type APIRequestContext, expect, type Page, type PlaywrightWorkerArgs } from '@playwright/test';

/** Calls the API as the person signed in on `page` (the session cookie, and the CSRF token the app would send). */
export async function apiAs<T = Record<string, unknown>>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  const res = await page.request.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': me.csrfToken } });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (await res.json()) as T;
}

/**
 * A pipeline's machine account (role `pipeline`) and an API client holding its token, as a CI system would
 * call Cabinet. `page` must be signed in as the admin.
 */
export async function pipelineClient(page: Page, playwright: PlaywrightWorkerArgs['playwright'], name: string): Promise<APIRequestContext> {
  const suffix = `${name}-${Date.now()}`;
  const user = await apiAs<{ id: string }>(page, 'POST', '/api/v1/users', {
    email: `${suffix}@pipelines.example.com`,
    name: `Pipeline ${name}`,
    password: 'pipeline-password-1',
    roles: [{ role: 'pipeline' }],
  });
  const created = await apiAs<{ token: string }>(page, 'POST', '/api/v1/tokens', { name: `${name} pipeline`, userId: user.id });
  // The page is on the worker's own Cabinet (e2e/support/test.ts).
  return playwright.request.newContext({ baseURL: new URL(page.url()).origin, extraHTTPHeaders: { Authorization: `Bearer ${created.token}` } });
}

/** A CI of its own for a journey, so that freezes and quiet periods of other journeys never meet it. */
export async function journeyCi(page: Page, name: string): Promise<{ id: string; name: string }> {
  return apiAs<{ id: string; name: string }>(page, 'POST', '/api/v1/cis', {
    name: `${name}-${Date.now().toString(36)}`,
    type: 'application',
    environment: 'production',
  });
}

/** A commit hash that differs from run to run. */
export const randomSha = () => Array.from({ length: 40 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
