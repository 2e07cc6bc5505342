import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, issuesByField, setCsrfToken, toApiError } from './client';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

afterEach(() => {
  setCsrfToken(null);
  vi.unstubAllGlobals();
});

describe('api client', () => {
  it('turns an error body into an ApiError with status, code, message and details', async () => {
    vi.stubGlobal('fetch', async () =>
      json(422, {
        error: { code: 'missing_fields', message: 'Fill in the backout plan.', details: { fields: ['backoutPlan'] } },
      }),
    );
    const error = await api.post('/api/v1/changes/c1/transitions', { to: 'assess' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 422,
      code: 'missing_fields',
      message: 'Fill in the backout plan.',
      details: { fields: ['backoutPlan'] },
    });
  });

  it('still gives an ApiError when the body is not the error shape', async () => {
    const error = await toApiError(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(error).toMatchObject({ status: 502, code: 'http_502', details: {} });
    expect(error.message).toContain('502');
  });

  it('reports an unreachable server as network_error', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.get('/api/v1/me')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('sends the CSRF token on writes but not on reads, always with credentials', async () => {
    const seen: { method: string; headers: Record<string, string>; credentials?: RequestCredentials }[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      seen.push({ method: init.method!, headers: init.headers as Record<string, string>, credentials: init.credentials });
      return init.method === 'DELETE' ? new Response(null, { status: 204 }) : json(200, { ok: true });
    });
    setCsrfToken('tok-1');
    await api.get('/api/v1/changes', { q: 'db', type: undefined });
    await api.patch('/api/v1/changes/c1', { title: 'x', version: 1 });
    await expect(api.delete('/api/v1/tokens/t1')).resolves.toBeUndefined();

    expect(seen.map((s) => [s.method, s.headers['X-CSRF-Token'] ?? null, s.credentials])).toEqual([
      ['GET', null, 'include'],
      ['PATCH', 'tok-1', 'include'],
      ['DELETE', 'tok-1', 'include'],
    ]);
  });

  it('groups invalid_input issues by the first segment of their path', () => {
    const error = new ApiError(400, 'invalid_input', 'Invalid input', {
      issues: [
        { path: 'title', message: 'must not be empty' },
        { path: 'ciIds.0', message: 'unknown CI' },
        { path: ['plannedEnd'], message: 'must be after the planned start' },
      ],
    });
    expect(issuesByField(error)).toEqual({
      title: ['must not be empty'],
      ciIds: ['unknown CI'],
      plannedEnd: ['must be after the planned start'],
    });
  });
});
