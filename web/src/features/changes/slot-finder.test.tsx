import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithProviders } from '../../test/render';
import { ChangeForm, type ChangeFormValues, emptyChangeForm } from './change-form';
import { formatInterval, slotSearchFor } from './conflicts-api';
import { sampleCi } from './test-fixtures';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
/** A whole page renders per test: on a busy machine that is more than vitest's default five seconds. */
const PAGE_TEST_TIMEOUT = 20_000;
const payments = {
  id: 'svc_pay',
  name: 'Payments',
  description: '',
  tier: 1,
  ownerTeamId: null,
  tags: ['sox'],
  provider: 'aws',
  requiresMaintenanceWindow: true,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** The form as the new-change page holds it, starting from `initial`. */
function Form({ initial }: { initial: Partial<ChangeFormValues> }) {
  const [values, setValues] = useState<ChangeFormValues>({ ...emptyChangeForm, ...initial });
  return <ChangeForm values={values} onChange={setValues} />;
}

const formRoutes = [
  { path: '/api/v1/cis', body: { items: [sampleCi], nextCursor: null } },
  { path: '/api/v1/cis/ci_db', body: sampleCi },
  { path: '/api/v1/services/svc_pay', body: payments },
];

/** An occurrence of a freeze as GET /api/v1/schedule/windows answers it. */
const occurrence = (scope: Record<string, unknown>, name = 'Year-end freeze') => ({
  windowId: 'w_freeze',
  name,
  kind: 'freeze',
  scope,
  urgent: false,
  start: '2026-12-20T00:00:00.000Z',
  end: '2027-01-03T00:00:00.000Z',
});

describe('slotSearchFor', () => {
  const now = Date.parse('2026-11-23T10:00:00.000Z');
  it.each([
    ['the planned length, from the planned start', '2026-12-21T22:00:00.000Z', '2026-12-22T00:30:00.000Z', 150, '2026-12-21T22:00:00.000Z'],
    ['an hour when there is no end', '2026-12-21T22:00:00.000Z', null, 60, '2026-12-21T22:00:00.000Z'],
    ['an hour from now when there are no times', null, null, 60, '2026-11-23T10:00:00.000Z'],
    ['from now when the start has passed', '2026-11-01T22:00:00.000Z', '2026-11-01T23:00:00.000Z', 60, '2026-11-23T10:00:00.000Z'],
    ['an hour when the end is before the start', '2026-12-21T22:00:00.000Z', '2026-12-21T21:00:00.000Z', 60, '2026-12-21T22:00:00.000Z'],
  ])('searches %s', (_what, start, end, minutes, after) => {
    expect(slotSearchFor(['ci_db'], start, end, now)).toEqual({ ciIds: ['ci_db'], durationMinutes: minutes, after });
  });
});

describe('ChangeForm: find a slot', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('searches with the CIs, the length and the start, says which services need a maintenance window, and fills the times on a pick', async () => {
    const server = fakeServer([
      ...formRoutes,
      { path: '/api/v1/schedule/windows', body: { items: [], truncated: false } },
      {
        path: '/api/v1/schedule/next-slot',
        body: {
          slots: [
            { start: '2027-01-09T22:00:00.000Z', end: '2027-01-10T00:00:00.000Z' },
            { start: '2027-01-16T22:00:00.000Z', end: '2027-01-17T00:00:00.000Z' },
          ],
          requiresMaintenanceWindow: [{ id: 'svc_pay', name: 'Payments' }],
          searchedUntil: '2027-03-21T22:00:00.000Z',
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    const start = new Date('2026-12-21T22:00:00.000Z');
    const local = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    renderWithProviders(
      <Form initial={{ ciIds: ['ci_db'], plannedStart: local(start), plannedEnd: local(new Date(start.getTime() + 2 * 3_600_000)) }} />,
    );

    fireEvent.click(screen.getByRole('button', { name: 'Find a slot' }));
    const panel = await screen.findByRole('region', { name: 'Free slots' });
    const slots = await within(panel).findByRole('list', { name: 'Slots' }, LOAD);
    expect(
      within(slots)
        .getAllByRole('listitem')
        .map((li) => li.getAttribute('aria-label')),
    ).toEqual([
      formatInterval('2027-01-09T22:00:00.000Z', '2027-01-10T00:00:00.000Z'),
      formatInterval('2027-01-16T22:00:00.000Z', '2027-01-17T00:00:00.000Z'),
    ]);
    expect(within(panel).getByTestId('requires-maintenance-window').textContent).toContain('Payments requires a maintenance window');
    const url = new URL(server.calls.find((c) => c.url.startsWith('/api/v1/schedule/next-slot'))!.url, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ciIds: 'ci_db',
      durationMinutes: '120',
      after: '2026-12-21T22:00:00.000Z',
      limit: '3',
    });

    fireEvent.click(within(slots).getAllByRole('button', { name: 'Use this slot' })[1]!);
    expect(screen.queryByRole('region', { name: 'Free slots' })).toBeNull();
    expect((screen.getByLabelText('Planned start') as HTMLInputElement).value).toBe(local(new Date('2027-01-16T22:00:00.000Z')));
    expect((screen.getByLabelText('Planned end') as HTMLInputElement).value).toBe(local(new Date('2027-01-17T00:00:00.000Z')));
  });

  it('waits for CIs before searching', async () => {
    vi.stubGlobal('fetch', fakeServer(formRoutes).fetch);
    renderWithProviders(<Form initial={{}} />);
    expect(screen.getByRole('button', { name: 'Find a slot' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('Choose the affected CIs to search for a free slot.')).toBeTruthy();
  });

  it('shows the server refusal of a search in words', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        ...formRoutes,
        {
          path: '/api/v1/schedule/next-slot',
          status: 400,
          body: {
            error: {
              code: 'invalid_input',
              message: 'The search names records that do not exist.',
              details: { issues: [{ path: 'query.ciIds.0', message: 'unknown CI ci_db' }] },
            },
          },
        },
      ]).fetch,
    );
    renderWithProviders(<Form initial={{ ciIds: ['ci_db'] }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Find a slot' }));
    const panel = await screen.findByRole('region', { name: 'Free slots' });
    expect((await within(panel).findByRole('alert', {}, LOAD)).textContent).toContain('unknown CI ci_db');
  });
});

describe('ChangeForm: freeze banner', { timeout: PAGE_TEST_TIMEOUT }, () => {
  const inFreeze = { plannedStart: '2026-12-24T10:00', plannedEnd: '2026-12-24T12:00' };

  it.each([
    ['warns of a global freeze', { global: true }, true],
    ['warns of a freeze on the CI', { ciIds: ['ci_db'] }, true],
    ['warns of a freeze on the CI’s service', { serviceIds: ['svc_pay'] }, true],
    ['warns of a freeze on a tag of the CI’s service', { tags: ['sox'] }, true],
    ['says nothing of a freeze on another CI', { ciIds: ['ci_other'] }, false],
    ['says nothing of a freeze on staging only', { environments: ['staging'] }, false],
  ])('%s', async (_what, scope, warns) => {
    const server = fakeServer([
      ...formRoutes,
      { path: '/api/v1/schedule/windows', body: { items: [occurrence(scope)], truncated: false } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<Form initial={{ ciIds: ['ci_db'], ...inFreeze }} />);
    await waitFor(() => expect(server.calls.some((c) => c.url.startsWith('/api/v1/schedule/windows'))).toBe(true), LOAD);
    if (warns) {
      const banner = await screen.findByTestId('form-freeze-banner', {}, LOAD);
      expect(banner.textContent).toContain('Inside the freeze “Year-end freeze”');
      expect(banner.textContent).toContain(formatInterval('2026-12-20T00:00:00.000Z', '2027-01-03T00:00:00.000Z'));
    } else {
      // The CI and its service are loaded before the scope can be judged.
      await waitFor(() => expect(server.calls.some((c) => c.url === '/api/v1/services/svc_pay')).toBe(true), LOAD);
      await new Promise((r) => setTimeout(r, 50));
      expect(screen.queryByTestId('form-freeze-banner')).toBeNull();
    }
    const url = new URL(server.calls.find((c) => c.url.startsWith('/api/v1/schedule/windows'))!.url, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      from: new Date(inFreeze.plannedStart).toISOString(),
      to: new Date(inFreeze.plannedEnd).toISOString(),
      kind: 'freeze',
    });
  });

  it('goes away once the times leave the freeze', async () => {
    const server = fakeServer([
      ...formRoutes,
      { path: '/api/v1/schedule/windows', body: { items: [occurrence({ global: true })], truncated: false } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<Form initial={{ ciIds: [], ...inFreeze }} />);
    await screen.findByTestId('form-freeze-banner', {}, LOAD);
    fireEvent.change(screen.getByLabelText('Planned start'), { target: { value: '2027-01-05T10:00' } });
    fireEvent.change(screen.getByLabelText('Planned end'), { target: { value: '2027-01-05T12:00' } });
    await waitFor(() => expect(screen.queryByTestId('form-freeze-banner')).toBeNull(), LOAD);
  });
});
