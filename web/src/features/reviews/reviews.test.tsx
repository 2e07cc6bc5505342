import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChangeDetail } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangePage } from '../changes/change-page';
import { sampleChange, sampleRisk } from '../changes/test-fixtures';
import { ReviewPanel } from './review-panel';
import type { Review } from './reviews-api';
import { ReviewsPage } from './reviews-page';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;

function sampleReview(over: Partial<Review> = {}): Review {
  return {
    id: 'rev_1',
    changeId: 'chg_1',
    state: 'open',
    reasons: [{ name: 'emergency', reason: 'It was an emergency change.' }],
    dueAt: '2030-12-16T10:00:00.000Z',
    overdue: false,
    blocksClose: true,
    wentWell: '',
    wentBadly: '',
    factors: [],
    reviewers: [],
    actions: [],
    missing: [{ path: 'findings', message: 'record the findings: what went well, what did not' }],
    completedBy: null,
    completedAt: null,
    change: {
      id: 'chg_1',
      number: 'CHG0000001',
      title: 'Patch the TLS library now',
      type: 'emergency',
      state: 'review',
      ownerId: 'u_admin',
      riskLevel: 'high',
      riskScore: 55,
      closeCode: 'successful',
      closeNotes: 'Patched',
      plannedStart: null,
      plannedEnd: null,
      actualStart: '2026-12-06T09:00:00.000Z',
      actualEnd: '2026-12-06T10:00:00.000Z',
      incidents: [{ id: 'inc_1', number: 'INC0000004', title: 'Checkout errors', priority: 2 }],
      brokeGlass: false,
    },
    timeline: [
      { at: '2026-12-06T08:00:00.000Z', kind: 'created', action: 'change.created', actorName: 'Ada Admin', summary: 'Filed the change.' },
      {
        at: '2026-12-06T09:00:00.000Z',
        kind: 'transition',
        action: 'change.transitioned',
        actorName: 'Ada Admin',
        summary: 'Moved it from authorize to implement.',
      },
    ],
    canEdit: true,
    version: 1,
    createdAt: '2026-12-06T10:05:00.000Z',
    updatedAt: '2026-12-06T10:05:00.000Z',
    ...over,
  };
}

describe('ReviewPanel', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('assembles the review: why, facts, timeline; completing waits for the findings', async () => {
    const server = fakeServer([{ path: '/api/v1/changes/chg_1/review', body: sampleReview() }]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ReviewPanel changeId="chg_1" />, { me: adminMe });
    await screen.findByRole('heading', { name: 'Post-implementation review' }, LOAD);
    expect(screen.getByText(/It was an emergency change\./)).toBeTruthy();
    expect(screen.getByText(/cannot close until this review is completed/)).toBeTruthy();
    const facts = screen.getByRole('table', { name: 'The change’s facts' });
    expect(within(facts).getByRole('link', { name: 'INC0000004' }).getAttribute('href')).toBe('/incidents/INC0000004');
    expect(screen.getByText('Moved it from authorize to implement.')).toBeTruthy();
    const needs = screen.getByRole('list', { name: 'What the review still needs' });
    expect(within(needs).getByText(/record the findings/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Complete the review' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('saves the findings with the version, adds an action with its owner, and completes', async () => {
    const written = sampleReview({ state: 'in_progress', wentBadly: 'Untested patch', version: 2, missing: [] });
    const server = fakeServer([
      { path: '/api/v1/changes/chg_1/review', body: sampleReview() },
      { method: 'PATCH', path: '/api/v1/changes/chg_1/review', body: written },
      { method: 'POST', path: '/api/v1/changes/chg_1/review/actions', status: 201, body: written },
      {
        method: 'POST',
        path: '/api/v1/changes/chg_1/review/complete',
        body: {
          ...written,
          state: 'completed',
          version: 3,
          completedBy: { id: 'u_admin', name: 'Ada Admin' },
          completedAt: '2026-12-07T10:00:00.000Z',
        },
      },
      { path: '/api/v1/people', body: { items: [], nextCursor: null } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ReviewPanel changeId="chg_1" />, { me: adminMe });
    const badly = await screen.findByLabelText('What did not go well', {}, LOAD);
    fireEvent.change(badly, { target: { value: 'Untested patch' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the findings' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'PATCH')).toBe(true), LOAD);
    expect(server.calls.find((c) => c.method === 'PATCH')!.body).toMatchObject({ wentBadly: 'Untested patch', version: 1 });

    const addForm = screen.getByRole('form', { name: 'Add an action' });
    fireEvent.change(within(addForm).getByLabelText(/New action/), { target: { value: 'Add a staging TLS endpoint' } });
    fireEvent.click(within(addForm).getByRole('button', { name: 'Add the action' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST' && c.url.endsWith('/review/actions'))).toBe(true), LOAD);
    expect(server.calls.find((c) => c.url.endsWith('/review/actions'))!.body).toMatchObject({
      title: 'Add a staging TLS endpoint',
      ownerId: null,
      link: null,
    });

    const complete = await screen.findByRole('button', { name: 'Complete the review' });
    await waitFor(() => expect((complete as HTMLButtonElement).disabled).toBe(false), LOAD);
    fireEvent.click(complete);
    await screen.findByTestId('review-completed', {}, LOAD);
    expect(server.calls.find((c) => c.url.endsWith('/review/complete'))!.body).toMatchObject({ version: 2 });
  });

  it('says so when the change needs no review', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch);
    renderWithProviders(<ReviewPanel changeId="chg_1" />, { me: adminMe });
    expect((await screen.findByTestId('no-review', {}, LOAD)).textContent).toMatch(/needs no post-implementation review/);
  });
});

describe('ReviewsPage', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('lists the queue soonest due first, flags the overdue ones, and filters by state and mine', async () => {
    const server = fakeServer([
      {
        path: '/api/v1/reviews',
        body: {
          items: [
            {
              id: 'rev_1',
              state: 'open',
              dueAt: '2026-11-01T10:00:00.000Z',
              overdue: true,
              completedAt: null,
              reasons: ['It failed or was rolled back.'],
              openActions: 2,
              change: { id: 'chg_1', number: 'CHG0000001', title: 'Patch the TLS library now', type: 'emergency', state: 'review' },
              owner: { id: 'u_admin', name: 'Ada Admin' },
            },
          ],
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ReviewsPage />, { path: '/reviews', route: '/reviews', me: adminMe });
    const table = await screen.findByRole('table', { name: 'Post-implementation reviews' }, LOAD);
    expect(within(table).getByRole('link', { name: 'CHG0000001' }).getAttribute('href')).toBe('/changes/CHG0000001?tab=review');
    expect(within(table).getByText('Overdue')).toBeTruthy();
    expect(within(table).getByText('Ada Admin')).toBeTruthy();
    fireEvent.click(screen.getByRole('switch', { name: "Only my changes' reviews" }));
    await waitFor(() => expect(server.calls.some((c) => c.url.includes('mine=true'))).toBe(true), LOAD);
    fireEvent.click(screen.getByRole('radio', { name: 'Overdue' }));
    await waitFor(() => expect(server.calls.some((c) => c.url.includes('state=overdue'))).toBe(true), LOAD);
  });
});

describe('ChangePage: review required', { timeout: PAGE_TEST_TIMEOUT }, () => {
  it('says a review is required before closing, and opens it from the banner', async () => {
    const change: ChangeDetail = { ...sampleChange, state: 'review' };
    vi.stubGlobal(
      'fetch',
      fakeServer([
        { path: '/api/v1/changes/chg_1', body: change },
        { path: '/api/v1/changes/chg_1/review', body: sampleReview() },
        { path: '/api/v1/policy', body: testPolicy },
        { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
        { path: '/api/v1/changes/chg_1/approvals', body: { items: [] } },
      ]).fetch,
    );
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    const banner = await screen.findByTestId('review-required-banner', {}, LOAD);
    expect(within(banner).getByText('Review required before closing')).toBeTruthy();
    fireEvent.click(within(banner).getByRole('button', { name: 'Open the review' }));
    await screen.findByRole('heading', { name: 'Post-implementation review' }, LOAD);
  });
});
