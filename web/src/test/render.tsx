import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { meQueryKey } from '../api/query-client';
import type { Me } from '../api/types';
import { theme } from '../theme';

/** Renders UI inside the app's providers, at `path` matched against `route`. */
export function renderWithProviders(ui: ReactElement, { path = '/', route = '*', me }: { path?: string; route?: string; me?: Me } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  if (me) client.setQueryData(meQueryKey, me);
  const router = createMemoryRouter(
    [
      { path: route, element: ui },
      { path: '*', element: <div data-testid="elsewhere" /> },
    ],
    { initialEntries: [path] },
  );
  const result = render(
    <MantineProvider theme={theme}>
      <QueryClientProvider client={client}>
        {/* A data router, as the app's: forms that ask before leaving (useBlocker) need one. */}
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { ...result, client, router };
}

interface FakeRoute {
  method?: string;
  path: string | RegExp;
  status?: number;
  body?: unknown;
}

/** A stand-in for the server at the fetch boundary: answers known routes, records every request. */
export function fakeServer(routes: FakeRoute[]) {
  const calls: { method: string; url: string; body: unknown; headers: Record<string, string> }[] = [];
  const fetchFn = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const body = typeof init.body === 'string' && init.body.startsWith('{') ? JSON.parse(init.body) : init.body;
    calls.push({ method, url, body, headers: (init.headers ?? {}) as Record<string, string> });
    const pathname = url.split('?')[0]!;
    const route = routes.find(
      (r) => (r.method ?? 'GET') === method && (typeof r.path === 'string' ? r.path === pathname : r.path.test(pathname)),
    );
    if (!route) {
      return new Response(JSON.stringify({ error: { code: 'not_found', message: `No fake for ${method} ${pathname}`, details: {} } }), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    const status = route.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(route.body ?? {}), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  };
  return { fetch: fetchFn as typeof fetch, calls };
}

/** A signed-in admin, as GET /api/v1/me would answer. */
export const adminMe: Me = {
  id: 'u_admin',
  email: 'admin@example.com',
  name: 'Ada Admin',
  roles: [{ role: 'admin', scopeType: null, scopeId: null }],
  teamIds: [],
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  permissions: ['change.read', 'change.create', 'change.update', 'change.comment', 'cmdb.read', 'cmdb.write'],
  csrfToken: 'csrf-123',
  timeZone: null,
};

/** The default bundle's policy as GET /api/v1/policy answers it (trimmed to what the UI reads). */
export const testPolicy = {
  number: 1,
  name: 'default',
  hash: 'abc',
  appliedAt: '2026-01-01T00:00:00.000Z',
  models: {
    standard: { type: 'standard', label: 'Standard change', initial: 'draft', transitions: [], states: [{ id: 'draft', label: 'Draft' }] },
    normal: {
      type: 'normal',
      label: 'Normal change',
      initial: 'draft',
      transitions: [],
      states: [
        { id: 'draft', label: 'Draft' },
        { id: 'assess', label: 'Assess' },
        { id: 'authorize', label: 'Authorize' },
        { id: 'closed', label: 'Closed', final: true },
      ],
    },
    emergency: {
      type: 'emergency',
      label: 'Emergency change',
      initial: 'draft',
      transitions: [],
      states: [{ id: 'draft', label: 'Draft' }],
    },
  },
};
