import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { NewTemplatePage } from './new-template-page';
import { sampleTemplate } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const changeManager: Me = {
  ...adminMe,
  roles: [{ role: 'change_manager', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create', 'template.write', 'cmdb.read'],
};
const requester: Me = {
  ...adminMe,
  id: 'u_bob',
  roles: [{ role: 'requester', scopeType: null, scopeId: null }],
  permissions: ['change.read', 'change.create', 'cmdb.read'],
};

function server() {
  return fakeServer([
    { method: 'POST', path: '/api/v1/templates', status: 201, body: { ...sampleTemplate, state: 'proposed', suspensions: undefined } },
    { path: '/api/v1/templates', body: { items: [sampleTemplate], nextCursor: null } },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
    { path: '/api/v1/services', body: { items: [], nextCursor: null } },
    { path: '/api/v1/windows', body: { items: [], nextCursor: null } },
    { path: '/api/v1/cis', body: { items: [], nextCursor: null } },
  ]);
}

const posted = (s: ReturnType<typeof server>) => s.calls.find((c) => c.method === 'POST')?.body as Record<string, unknown> | undefined;

describe('NewTemplatePage', { timeout: 20_000 }, () => {
  it('lets a requester propose an entry, or keep it as a draft', async () => {
    const s = server();
    vi.stubGlobal('fetch', s.fetch);
    setCsrfToken('csrf-123');
    const { router, client } = renderWithProviders(<NewTemplatePage />, { path: '/templates/new', route: '/templates/new', me: requester });
    expect(await screen.findByRole('heading', { name: 'Propose a catalogue entry', level: 1 }, LOAD)).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'Rotate TLS certificates' } });
    fireEvent.change(document.querySelector('input[name="category"]')!, { target: { value: 'Security' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save as draft' }));
    await waitFor(() => expect(posted(s)?.state).toBe('draft'), LOAD);
    expect(posted(s)).toMatchObject({ name: 'Rotate TLS certificates', category: 'Security', ownerTeamId: null });
    await waitFor(() => expect(router.state.location.pathname).toBe('/templates/tpl_patch'), LOAD);
    // The entry's page starts from the answer, with its (empty) suspension log.
    expect(client.getQueryData<{ suspensions: unknown[] }>(['templates', 'detail', 'tpl_patch'])?.suspensions).toEqual([]);
  });

  it('sends a requester’s entry for activation', async () => {
    const s = server();
    vi.stubGlobal('fetch', s.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NewTemplatePage />, { path: '/templates/new', route: '/templates/new', me: requester });
    fireEvent.change(await screen.findByLabelText(/^Name/, {}, LOAD), { target: { value: 'Rotate TLS certificates' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send for activation' }));
    await waitFor(() => expect(posted(s)?.state).toBe('proposed'), LOAD);
  });

  it('creates a change manager’s entry as it is, with its eligibility', async () => {
    const s = server();
    vi.stubGlobal('fetch', s.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NewTemplatePage />, { path: '/templates/new', route: '/templates/new', me: changeManager });
    expect(await screen.findByRole('heading', { name: 'New template', level: 1 }, LOAD)).toBeTruthy();
    // Eligibility is for standard changes only.
    expect(screen.queryByLabelText('Rule (CEL)')).toBeNull();
    fireEvent.click(screen.getByRole('combobox', { name: /Type of change/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Standard', hidden: true }, LOAD));
    fireEvent.change(await screen.findByLabelText('Rule (CEL)', {}, LOAD), { target: { value: 'change.ciIds.size() <= 2' } });
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'Rotate TLS certificates' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create template' }));
    await waitFor(() => expect(posted(s)).toBeTruthy(), LOAD);
    expect(posted(s)!.state).toBeUndefined();
    expect(posted(s)!.type).toBe('standard');
    expect(posted(s)!.eligibility).toMatchObject({ rule: 'change.ciIds.size() <= 2', services: [], maxRisk: null, knownErrors: 'warn' });
  });
});
