import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChangeDetail, Me } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangeDocument } from './change-document';
import { ChangePage } from './change-page';
import { sampleChange, sampleRisk } from './test-fixtures';

const readOnly: ChangeDetail = {
  ...sampleChange,
  state: 'scheduled',
  description: 'Rotate the credentials of the payments database.\nThen restart the API pods.',
  justification: 'The credentials are a year old.',
  ciIds: ['ci_1'],
  plannedStart: '2026-12-08T22:00:00.000Z',
  plannedEnd: '2026-12-08T23:00:00.000Z',
  implementationPlan: '1. Create the new user.\n2. Switch the pool.',
  testPlan: '',
  backoutPlan: 'Switch back to the old user.',
  backoutTested: true,
  assignmentTeamId: 't_dba',
  changeManagerId: 'u_alice',
  requesterId: 'u_bob',
  editable: 'none',
};

const auditor: Me = { ...adminMe, id: 'u_erin', name: 'Erin Silva', roles: [{ role: 'auditor', scopeType: null, scopeId: null }], permissions: ['change.read', 'audit.read'] };

function server() {
  return fakeServer([
    { path: '/api/v1/changes/chg_1', body: readOnly },
    { path: '/api/v1/policy', body: testPolicy },
    { path: '/api/v1/teams', body: { items: [{ id: 't_dba', handle: 'dba', name: 'Database Administration', description: '', memberIds: [], createdAt: '2026-01-01T00:00:00.000Z' }], nextCursor: null } },
    {
      path: '/api/v1/people',
      body: {
        items: [
          { id: 'u_alice', name: 'Alice Martin' },
          { id: 'u_bob', name: 'Bob Okafor' },
        ],
        nextCursor: null,
      },
    },
    { path: '/api/v1/cis/ci_1', body: { id: 'ci_1', name: 'pay-db-prod', environment: 'production' } },
    { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
    { path: '/api/v1/changes/chg_1/approvals', body: { items: [] } },
    { path: '/api/v1/changes/chg_1/evidence', body: { items: [], gates: [] } },
    { path: '/api/v1/changes/chg_1/break-glass', body: { items: [] } },
    { path: '/api/v1/changes/chg_1/conflicts', body: { items: [] } },
  ]);
}

/** The description next to a term of the document. */
const valueOf = (doc: HTMLElement, term: string) => within(doc).getAllByRole('term').find((t) => t.textContent === term)?.nextElementSibling?.textContent;

afterEach(() => vi.unstubAllGlobals());

describe('ChangeDocument', () => {
  it('reads like a document: each field as a label and its value, names for people, teams and CIs, "Not given" for blanks', async () => {
    vi.stubGlobal('fetch', server().fetch);
    renderWithProviders(<ChangeDocument change={readOnly} note="You may not edit this change." />, { me: auditor });

    const doc = screen.getByTestId('change-document');
    await within(doc).findByRole('link', { name: 'pay-db-prod' });
    await within(doc).findByText('Alice Martin');
    expect(valueOf(doc, 'Description')).toBe('Rotate the credentials of the payments database.\nThen restart the API pods.');
    expect(valueOf(doc, 'Test plan')).toBe('Not given');
    expect(valueOf(doc, 'Backout plan tested')).toBe('Yes');
    expect(valueOf(doc, 'Impact')).toBe('Medium');
    expect(valueOf(doc, 'Change manager')).toBe('Alice Martin');
    expect(valueOf(doc, 'Requester')).toBe('Bob Okafor');
    expect(valueOf(doc, 'Assignment team')).toBe('Database Administration');
    expect(valueOf(doc, 'Planned start')).toMatch(/2026/);
    expect(screen.getAllByRole('heading').map((h) => h.textContent)).toEqual(['What and why', 'When', 'Plans', 'People']);
    expect(screen.queryAllByRole('textbox')).toHaveLength(0);
  });

  it('takes the place of the form on the change page when the viewer may not edit the change', async () => {
    vi.stubGlobal('fetch', server().fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: auditor });

    const doc = await screen.findByTestId('change-document', undefined, { timeout: 4000 });
    expect(doc.textContent).toContain('You may not edit this change.');
    expect(screen.queryByRole('form', { name: 'Change details' })).toBeNull();
    expect(screen.queryByLabelText('Implementation plan')).toBeNull();
    expect(valueOf(doc, 'Implementation plan')).toBe('1. Create the new user.\n2. Switch the pool.');
  }, 15_000);
});
