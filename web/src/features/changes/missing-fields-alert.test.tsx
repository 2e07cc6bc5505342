import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { ChangeDetail } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangePage } from './change-page';
import { MissingFieldsAlert } from './missing-fields-alert';
import { sampleChange, sampleRisk } from './test-fixtures';

/** The change page's classification panel asks for these; none here. */
const RECLASSIFICATIONS = { path: /^\/api\/v1\/changes\/[^/]+\/reclassifications$/, body: { items: [] } };

const PLAN_FIELDS = [
  'description',
  'justification',
  'ciIds',
  'plannedStart',
  'plannedEnd',
  'implementationPlan',
  'testPlan',
  'backoutPlan',
];
const PLAN_WORDS = [
  'Description',
  'Justification',
  'Affected CIs',
  'Planned start',
  'Planned end',
  'Implementation plan',
  'Test plan',
  'Backout plan',
];

const draft: ChangeDetail = {
  ...sampleChange,
  availableTransitions: [
    { to: 'assess', label: 'Submit for assessment', allowed: true, missingFields: PLAN_FIELDS, reasons: [], needsReason: false },
    { to: 'cancelled', label: 'Cancel', allowed: true, missingFields: [], reasons: [], needsReason: true },
    {
      to: 'rejected',
      label: 'Reject',
      allowed: false,
      missingFields: [],
      reasons: ['Only change managers may do this.'],
      needsReason: true,
    },
  ],
};

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('MissingFieldsAlert', () => {
  it('names every missing field in human words', () => {
    renderWithProviders(<MissingFieldsAlert fields={PLAN_FIELDS} action="Submit for assessment" />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Submit for assessment');
    const items = within(alert)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual(PLAN_WORDS);
  });

  it('makes readable words of a field it has no name for', () => {
    renderWithProviders(<MissingFieldsAlert fields={['riskAcceptanceNote', 'approverTeamId']} action="Schedule" />);
    const items = within(screen.getByRole('alert'))
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual(['Risk acceptance note', 'Approver team']);
  });
});

describe('ChangePage lifecycle actions', () => {
  it('shows only allowed transitions, and on a 422 names every missing field from the server', async () => {
    const server = fakeServer([
      RECLASSIFICATIONS,
      { path: '/api/v1/changes/chg_1', body: draft },
      { path: '/api/v1/policy', body: testPolicy },
      { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
      { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
      {
        method: 'POST',
        path: '/api/v1/changes/chg_1/transitions',
        status: 422,
        body: {
          error: {
            code: 'missing_fields',
            message: 'Fill in the required fields first.',
            details: { fields: [...PLAN_FIELDS, 'title'] },
          },
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken(adminMe.csrfToken);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });

    const submit = await screen.findByRole('button', { name: /Submit for assessment/ });
    expect(screen.queryByRole('button', { name: /^Reject/ })).toBeNull();
    fireEvent.click(submit);

    const alert = await screen.findByRole('alert');
    const items = within(alert)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([...PLAN_WORDS, 'Title']);
    const post = server.calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ to: 'assess', version: 1 });
    expect(post?.headers['X-CSRF-Token']).toBe('csrf-123');
    // The form marks the fields too, so the person knows where to type.
    await waitFor(() => expect(screen.getByLabelText('Backout plan').getAttribute('aria-invalid')).toBe('true'));
  });
});
