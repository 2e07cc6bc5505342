import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { sampleUnauthorized } from '../gate/test-fixtures';
import { UnauthorizedChangePage } from './unauthorized-change-page';
import { unauthorizedQueryOf, UnauthorizedChangesPage } from './unauthorized-changes-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const services = { path: '/api/v1/services', body: { items: [{ id: 'svc_pay', name: 'payments' }], nextCursor: null } };

describe('unauthorizedQueryOf', () => {
  it.each([
    ['the open ones when the address names no state', {}, { state: 'open' }],
    ['both states for `all`', { state: 'all' }, { state: 'open,closed' }],
    ['the reviewed ones with the service', { state: 'closed', serviceId: 'svc_pay' }, { state: 'closed', serviceId: 'svc_pay' }],
  ])('asks for %s', (_what, filters, query) => {
    expect(unauthorizedQueryOf(filters)).toEqual(query);
  });
});

describe('UnauthorizedChangesPage', { timeout: 20_000 }, () => {
  it('opens on the queue of records waiting for a review', async () => {
    const server = fakeServer([
      { path: '/api/v1/unauthorized-changes', body: { items: [sampleUnauthorized()], nextCursor: null } },
      services,
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<UnauthorizedChangesPage />, { path: '/unauthorized-changes', route: '/unauthorized-changes', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Unauthorized changes' }, LOAD);
    const row = within(table).getByRole('link', { name: 'UNA0000001' }).closest('tr')!;
    expect(row.textContent).toContain('Review due');
    expect(row.textContent).toContain('payments on pay-api-prod in Production');
    const query = server.calls.find((c) => c.url.startsWith('/api/v1/unauthorized-changes'))!.url;
    expect(Object.fromEntries(new URL(query, 'http://x').searchParams)).toEqual({ state: 'open', limit: '50' });
  });
});

describe('UnauthorizedChangePage: the blameless review', { timeout: 20_000 }, () => {
  const path = '/api/v1/unauthorized-changes/UNA0000001';

  it('says the review is about the process, sends cause, fix and outcome, and then shows the review', async () => {
    const reviewed = sampleUnauthorized({
      state: 'closed',
      version: 2,
      review: {
        cause: 'no_catalogue_entry',
        causeLabel: 'No catalogue entry fits this work',
        causeText: 'Config-only deploys had no entry.',
        fix: { kind: 'catalogue_entry', text: 'Added “Config deploy”.', link: null },
        outcome: 'process_fixed',
        authorisedChange: null,
        notes: '',
        reviewedAt: '2026-12-06T12:00:00.000Z',
      },
    });
    const server = fakeServer([{ path, body: sampleUnauthorized() }, { method: 'POST', path: `${path}/review`, body: reviewed }, services]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<UnauthorizedChangePage />, {
      path: '/unauthorized-changes/UNA0000001',
      route: '/unauthorized-changes/:id',
      me: adminMe,
    });

    const form = await screen.findByRole('form', { name: 'Blameless review' }, LOAD);
    expect(within(form).getByTestId('blameless-note').textContent).toContain('This review is about the process, not a person');
    // Nothing chosen: the form says what is missing and sends nothing.
    fireEvent.click(within(form).getByRole('button', { name: 'Record the review' }));
    expect(await within(form).findByText('Choose what made the bypass easier')).toBeTruthy();
    expect(within(form).getByText('Choose the outcome')).toBeTruthy();
    expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    fireEvent.click(within(form).getByRole('radio', { name: 'No catalogue entry fits this work' }));
    fireEvent.change(within(form).getByRole('textbox', { name: /What happened/ }), {
      target: { value: 'Config-only deploys had no entry.' },
    });
    fireEvent.click(within(form).getByRole('combobox', { name: 'The fix' }));
    fireEvent.click(await screen.findByRole('option', { name: 'A catalogue entry for this work', hidden: true }));
    fireEvent.change(within(form).getByRole('textbox', { name: /Describe the fix/ }), { target: { value: 'Added “Config deploy”.' } });
    fireEvent.click(within(form).getByRole('radio', { name: 'Process fixed' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Record the review' }));

    await waitFor(() => expect(server.calls.filter((c) => c.method === 'POST')).toHaveLength(1));
    expect(server.calls.find((c) => c.method === 'POST')!.body).toEqual({
      cause: 'no_catalogue_entry',
      causeText: 'Config-only deploys had no entry.',
      fix: { kind: 'catalogue_entry', text: 'Added “Config deploy”.' },
      outcome: 'process_fixed',
      notes: '',
      version: 1,
    });
    const record = await screen.findByTestId('unauthorized-review', {}, LOAD);
    expect(record.textContent).toContain('No catalogue entry fits this work. Config-only deploys had no entry.');
    expect(record.textContent).toContain('Process fixed');
    expect(screen.queryByRole('form', { name: 'Blameless review' })).toBeNull();
  });

  it('puts the server’s issues under their fields', async () => {
    const server = fakeServer([
      { path, body: sampleUnauthorized() },
      {
        method: 'POST',
        path: `${path}/review`,
        status: 400,
        body: {
          error: {
            code: 'invalid_input',
            message: 'The review has problems.',
            details: {
              issues: [
                { path: ['fix', 'kind'], message: 'say what was fixed: catalogue_entry, faster_route, tooling or policy_text' },
                { path: ['changeNumber'], message: 'name the change that authorises the work' },
              ],
            },
          },
        },
      },
      services,
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<UnauthorizedChangePage />, {
      path: '/unauthorized-changes/UNA0000001',
      route: '/unauthorized-changes/:id',
      me: adminMe,
    });
    const form = await screen.findByRole('form', { name: 'Blameless review' }, LOAD);
    fireEvent.click(within(form).getByRole('radio', { name: 'Something else' }));
    fireEvent.click(within(form).getByRole('radio', { name: 'Authorised after the fact' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Record the review' }));
    expect(
      await within(form).findByText('say what was fixed: catalogue_entry, faster_route, tooling or policy_text', {}, LOAD),
    ).toBeTruthy();
    expect(within(form).getByText('name the change that authorises the work')).toBeTruthy();
  });

  it('shows who reviews it to someone who may not', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path, body: sampleUnauthorized() }, services]).fetch);
    const reader = {
      ...adminMe,
      roles: [{ role: 'requester' as const, scopeType: null, scopeId: null }],
      permissions: ['deployment.read'],
    };
    renderWithProviders(<UnauthorizedChangePage />, {
      path: '/unauthorized-changes/UNA0000001',
      route: '/unauthorized-changes/:id',
      me: reader,
    });
    expect(await screen.findByText(/Waiting for its blameless review/, {}, LOAD)).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Blameless review' })).toBeNull();
  });
});
