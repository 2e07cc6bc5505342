import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { CatalogueCandidatesPage } from './catalogue-candidates-page';
import { historyWords, type CatalogueReview, type PromotionCandidate, type Reclassification } from './catalogue-learning-api';
import { CatalogueReviewsPage } from './catalogue-reviews-page';
import { ReclassificationSidebar } from './reclassification-panel';
import { ReclassificationSummaryPage } from './reclassification-summary-page';

afterEach(() => vi.unstubAllGlobals());

const review = (over: Partial<CatalogueReview> = {}): CatalogueReview => ({
  id: 'rev_1',
  templateId: 'tpl_1',
  templateName: 'Restart web tier',
  templateState: 'active',
  templateVersion: 2,
  ownerTeam: { id: 'team_web', name: 'Web operations' },
  dueAt: '2026-11-01T09:00:00.000Z',
  graceEndsAt: '2026-11-15T09:00:00.000Z',
  state: 'open',
  overdue: true,
  decision: null,
  reason: '',
  history: { uses: 12, successful: 11, successfulWithIssues: 0, failed: 1, score: 28 },
  decidedBy: null,
  decidedAt: null,
  suspendedAt: null,
  reviseLink: null,
  createdAt: '2026-11-01T09:00:00.000Z',
  ...over,
});

describe('catalogue reviews page', () => {
  it('lists the due reviews with their history and decides one with a reason', async () => {
    const server = fakeServer([
      { path: '/api/v1/catalogue/reviews', body: { items: [review()] } },
      {
        method: 'POST',
        path: '/api/v1/catalogue/reviews/rev_1/decide',
        body: review({ state: 'decided', decision: 'retire', reason: 'Replaced by automation' }),
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<CatalogueReviewsPage />, { me: adminMe });
    const table = await screen.findByRole('table', { name: 'Catalogue reviews' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('Restart web tier');
    expect(row.textContent).toContain('12 uses, 11 successful, 1 failed, score 28');
    expect(row.textContent).toContain('Overdue');

    fireEvent.click(within(row).getByRole('button', { name: 'Decide' }));
    const dialog = await screen.findByRole('dialog', { name: 'Review “Restart web tier”' });
    fireEvent.click(within(dialog).getByRole('radio', { name: /Retire/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retire the entry' }));
    expect(await within(dialog).findByText('Give a reason: it is kept with the entry.')).toBeTruthy();
    expect(server.calls.filter((c) => c.method === 'POST')).toEqual([]);
    fireEvent.change(within(dialog).getByRole('textbox', { name: /Why/ }), { target: { value: 'Replaced by automation' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Retire the entry' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST')).toBe(true));
    const post = server.calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ decision: 'retire', reason: 'Replaced by automation' });
    expect(await screen.findByText('Retired “Restart web tier”.')).toBeTruthy();
  });

  it('shows a decided review with who decided and the link to revise', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([
        {
          path: '/api/v1/catalogue/reviews',
          body: {
            items: [
              review({
                state: 'decided',
                overdue: false,
                decision: 'revise',
                reason: 'Backout is stale',
                decidedBy: { id: 'u1', name: 'Ada' },
                decidedAt: '2026-11-02T09:00:00.000Z',
                reviseLink: '/templates/tpl_1',
              }),
            ],
          },
        },
      ]).fetch,
    );
    renderWithProviders(<CatalogueReviewsPage />, { me: adminMe });
    expect(await screen.findByText('Backout is stale')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Write the new version' }).getAttribute('href')).toBe('/templates/tpl_1');
  });

  it('says the history in words, whatever it holds', () => {
    expect(historyWords({})).toBe('No history yet');
    expect(historyWords({ used: 3, failed: 0 })).toBe('3 uses, 0 failed');
  });
});

const candidate = (over: Partial<PromotionCandidate> = {}): PromotionCandidate => ({
  key: 'plan:server:abc',
  kind: 'plan',
  template: null,
  ciTypes: ['server'],
  title: 'Renew TLS on web-5',
  successes: 5,
  lastClosedAt: '2026-11-20T10:00:00.000Z',
  changes: [
    { id: 'chg_5', number: 'CHG0000005', title: 'Renew TLS on web-5', closeCode: 'successful', closedAt: '2026-11-20T10:00:00.000Z' },
  ],
  proposedEntry: null,
  ...over,
});

describe('catalogue candidates page', () => {
  it('lists candidates with their changes and proposes an entry from the latest', async () => {
    const server = fakeServer([
      { path: '/api/v1/catalogue/candidates', body: { items: [candidate()], successes: 5, lookbackDays: 180 } },
      { method: 'POST', path: '/api/v1/changes/chg_5/propose-entry', status: 201, body: { id: 'tpl_9', name: 'Renew a TLS certificate' } },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<CatalogueCandidatesPage />);
    const card = await screen.findByRole('region', { name: 'Renew TLS on web-5' });
    expect(card.textContent).toContain('5 successful closes');
    expect(within(card).getByRole('link', { name: 'CHG0000005' }).getAttribute('href')).toBe('/changes/CHG0000005');
    expect(screen.getByText(/at least 5 times in the last 180 days/)).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Propose an entry' }));
    const dialog = await screen.findByRole('dialog', { name: 'Propose a catalogue entry' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), { target: { value: 'Renew a TLS certificate' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Propose the entry' }));
    expect(await screen.findByText(/Proposed “Renew a TLS certificate”/)).toBeTruthy();
    const post = server.calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ name: 'Renew a TLS certificate' });
  });

  it('says so when there is no candidate', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer([{ path: '/api/v1/catalogue/candidates', body: { items: [], successes: 5, lookbackDays: 180 } }]).fetch,
    );
    renderWithProviders(<CatalogueCandidatesPage />);
    expect(await screen.findByText(/No candidates/)).toBeTruthy();
  });
});

const record = (over: Partial<Reclassification> = {}): Reclassification => ({
  id: 'rc_1',
  changeId: 'chg_1',
  changeNumber: 'CHG0000001',
  from: 'emergency',
  to: 'normal',
  kind: 'not_urgent',
  reason: 'Nothing was down',
  teamId: null,
  serviceIds: [],
  by: { id: 'u1', name: 'Ada' },
  at: '2026-11-20T10:00:00.000Z',
  ...over,
});

describe('reclassification on the change page', () => {
  it('shows the records and lets a change manager reclassify, refusing an empty choice before sending', async () => {
    const server = fakeServer([
      { path: '/api/v1/changes/chg_1/reclassifications', body: { items: [record()] } },
      {
        method: 'POST',
        path: '/api/v1/changes/chg_1/reclassify',
        status: 201,
        body: record({ id: 'rc_2', to: 'standard', kind: 'other' }),
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ReclassificationSidebar change={{ id: 'chg_1', number: 'CHG0000001', type: 'emergency' }} canReclassify />);
    expect(await screen.findByText('Was not urgent: emergency → normal')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reclassify' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reclassify CHG0000001?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Record the reclassification' }));
    expect(await within(dialog).findByText('Choose the type it should have had.')).toBeTruthy();
    expect(within(dialog).getByText('Give a reason: it is kept with the change.')).toBeTruthy();
    expect(server.calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('shows nothing to a reader when the change was never reclassified', async () => {
    vi.stubGlobal('fetch', fakeServer([{ path: '/api/v1/changes/chg_1/reclassifications', body: { items: [] } }]).fetch);
    const { container } = renderWithProviders(
      <ReclassificationSidebar change={{ id: 'chg_1', number: 'CHG0000001', type: 'normal' }} canReclassify={false} />,
    );
    await waitFor(() => expect(container.querySelector('section')).toBeNull());
  });
});

describe('misclassification summary', () => {
  it('counts per team and switches to per service', async () => {
    const server = fakeServer([
      {
        path: '/api/v1/reclassifications/summary',
        body: {
          by: 'team',
          since: null,
          rows: [{ id: 't1', name: 'Web', total: 4, notUrgent: 1, shouldBeStandard: 1, notStandard: 1, other: 1 }],
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ReclassificationSummaryPage />, { me: adminMe });
    const table = await screen.findByRole('table', { name: 'Reclassifications per team' });
    expect(within(table).getAllByRole('row')[1]!.textContent).toContain('Web11114');
    fireEvent.click(screen.getByRole('radio', { name: 'Per service' }));
    await waitFor(() => expect(server.calls.some((c) => c.url.includes('by=service'))).toBe(true));
  });
});
