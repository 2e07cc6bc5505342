import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { sampleChange, sampleCi } from '../changes/test-fixtures';
import { NewIncidentPage } from './new-incident-page';
import { sampleIncident } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;

/** The text of the element(s) that describe a field (where Mantine puts its error). */
function describedBy(el: HTMLElement): string {
  return (el.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');
}

const invalid = {
  error: {
    code: 'invalid_input',
    message: 'The request has 5 problems.',
    details: {
      issues: [
        { path: ['title'], message: 'must not be empty' },
        { path: ['priority'], message: 'priority is 1 (critical) to 4 (low)' },
        { path: ['openedAt'], message: 'must not be in the future' },
        { path: ['causedByChangeId'], message: 'unknown change chg_gone' },
        { path: ['external', 'problem'], message: 'too long' },
      ],
    },
  },
};

function incidentServer(post: { status: number; body: unknown }) {
  return fakeServer([
    { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
    { path: '/api/v1/cis/ci_db', body: sampleCi },
    { path: '/api/v1/services', body: { items: [], nextCursor: null } },
    { path: '/api/v1/changes', body: { items: [sampleChange], nextCursor: null } },
    { path: /^\/api\/v1\/changes\/(chg_1|CHG0000001)$/, body: { ...sampleChange, templateId: null } },
    { method: 'POST', path: '/api/v1/incidents', ...post },
  ]);
}

describe('NewIncidentPage', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('shows each issue of a 400 under its own field, and the others above the form', async () => {
    const server = incidentServer({ status: 400, body: invalid });
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NewIncidentPage />, { path: '/incidents/new?causedBy=chg_1', route: '/incidents/new', me: adminMe });

    fireEvent.change(await screen.findByLabelText('Opened', {}, LOAD), { target: { value: '2099-01-01T10:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Report incident' }));

    await waitFor(() => expect(describedBy(screen.getByLabelText(/^Title/))).toContain('must not be empty'), LOAD);
    expect(describedBy(screen.getByRole('combobox', { name: 'Priority' }))).toContain('priority is 1 (critical) to 4 (low)');
    expect(describedBy(screen.getByLabelText('Opened'))).toContain('must not be in the future');
    expect(describedBy(screen.getByRole('combobox', { name: 'Caused by change' }))).toContain('unknown change chg_gone');
    expect(describedBy(screen.getByLabelText('Description'))).not.toContain('must');
    // A field the form does not show still gets its issue, above the form; the others are not repeated there.
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('too long');
    expect(alert.textContent).not.toContain('must not be empty');
    expect(screen.getByText('Fix the fields marked in red, then report the incident again.')).toBeTruthy();

    const post = server.calls.find((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({
      title: '',
      priority: 3,
      state: 'new',
      causedByChangeId: 'chg_1',
      openedAt: new Date('2099-01-01T10:00').toISOString(),
    });
  });

  it('starts from the change and the CIs in the address, and opens the reported incident', async () => {
    const server = incidentServer({ status: 201, body: sampleIncident({ number: 'INC0000042' }) });
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken('csrf-123');
    renderWithProviders(<NewIncidentPage />, {
      path: '/incidents/new?causedBy=CHG0000001&ciIds=ci_db',
      route: '/incidents/new',
      me: adminMe,
    });
    // The change named by its number is shown by number and title, and sent by its id.
    await waitFor(
      () =>
        expect((screen.getByRole('combobox', { name: 'Caused by change' }) as HTMLInputElement).value).toBe(
          'CHG0000001 · Upgrade the orders database',
        ),
      LOAD,
    );
    await waitFor(() => expect(screen.getByText('orders-db')).toBeTruthy(), LOAD);
    fireEvent.change(screen.getByLabelText(/^Title/), { target: { value: 'Orders cannot be saved' } });
    fireEvent.click(screen.getByRole('button', { name: 'Report incident' }));
    await screen.findByTestId('elsewhere', {}, LOAD);
    const body = server.calls.find((c) => c.method === 'POST')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ title: 'Orders cannot be saved', ciIds: ['ci_db'], causedByChangeId: 'chg_1' });
    expect(body).not.toHaveProperty('openedAt');
  });
});
