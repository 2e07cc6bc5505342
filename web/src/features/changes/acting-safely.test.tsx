import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../../api/client';
import type { AvailableTransition, ChangeDetail } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders, testPolicy } from '../../test/render';
import { ChangePage } from './change-page';
import { movesOf, primaryMove } from './lifecycle-actions';
import { sampleChange, sampleRisk } from './test-fixtures';

const move = (to: string, label: string, extra: Partial<AvailableTransition> = {}): AvailableTransition => ({
  to,
  label,
  allowed: true,
  missingFields: [],
  reasons: [],
  needsReason: to === 'cancelled' || to === 'rejected',
  ...extra,
});

const ORDER = ['draft', 'assess', 'authorize', 'scheduled', 'implement', 'review', 'closed', 'cancelled', 'rejected'];
const order = (state: string) => ORDER.indexOf(state);

const routes = (detail: { path: string; body: unknown }, extra: Parameters<typeof fakeServer>[0] = []) => [
  detail,
  { path: '/api/v1/policy', body: testPolicy },
  { path: '/api/v1/teams', body: { items: [], nextCursor: null } },
  { path: '/api/v1/changes/chg_1/risk', body: sampleRisk },
  ...extra,
];

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe('the primary move', () => {
  it('is the first forward move that will succeed, never one the server would refuse, never one that ends the change', () => {
    const authorize = [
      move('scheduled', 'Schedule', { reasons: ['Waiting on approvals: dba by Database Administration (pending).'] }),
      move('cancelled', 'Cancel'),
      move('rejected', 'Reject'),
    ];
    const moves = movesOf(authorize, 'authorize', () => true, order);
    expect(primaryMove(moves)).toBeNull();

    const assess = [move('draft', 'Return to requester'), move('authorize', 'Request authorization'), move('cancelled', 'Cancel')];
    expect(primaryMove(movesOf(assess, 'assess', () => true, order))?.transition.to).toBe('authorize');

    // Missing fields count as filled once the form has them.
    const draft = [move('assess', 'Submit for assessment', { missingFields: ['testPlan'] }), move('cancelled', 'Cancel')];
    expect(primaryMove(movesOf(draft, 'draft', () => false, order))).toBeNull();
    expect(primaryMove(movesOf(draft, 'draft', (f) => f === 'testPlan', order))?.transition.to).toBe('assess');

    // Not the caller's to make: never offered as a button.
    expect(movesOf([move('scheduled', 'Schedule', { allowed: false, reasons: ['Only change managers may do this.'] })], 'authorize', () => true, order)).toEqual([]);
  });

  it('on the page: the refused move is quiet and says why before the click; the filled one is the move that works', async () => {
    const waiting: ChangeDetail = {
      ...sampleChange,
      state: 'authorize',
      availableTransitions: [
        move('scheduled', 'Schedule', { reasons: ['Waiting on approvals: dba by Database Administration (pending).'] }),
        move('cancelled', 'Cancel'),
        move('rejected', 'Reject', { allowed: false, reasons: ['Only change managers may do this.'] }),
      ],
    };
    vi.stubGlobal('fetch', fakeServer(routes({ path: '/api/v1/changes/chg_1', body: waiting })).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });

    const schedule = await screen.findByRole('button', { name: 'Schedule' });
    expect(schedule.getAttribute('data-primary')).toBeNull();
    expect(schedule.getAttribute('data-ready')).toBe('false');
    expect(schedule.getAttribute('aria-description')).toMatch(/Waiting on approvals: dba/);
    const reasons = screen.getByTestId('move-reasons');
    expect(reasons.textContent).toContain('Schedule: Waiting on approvals: dba by Database Administration (pending).');
    expect(reasons.textContent).toContain('Reject: Only change managers may do this.');
    expect(screen.queryByRole('button', { name: /^Reject/ })).toBeNull();
    expect(document.querySelector('[data-primary]')).toBeNull();
  });

  it('fills the button of a move that will succeed', async () => {
    const ready: ChangeDetail = { ...sampleChange, state: 'assess', availableTransitions: [move('draft', 'Return to requester'), move('authorize', 'Request authorization'), move('cancelled', 'Cancel')] };
    vi.stubGlobal('fetch', fakeServer(routes({ path: '/api/v1/changes/chg_1', body: ready })).fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    const request = await screen.findByRole('button', { name: 'Request authorization' });
    await waitFor(() => expect(request.getAttribute('data-primary')).toBe('true'));
    const buttons = within(screen.getByRole('group', { name: 'Lifecycle actions' })).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Request authorization', 'Return to requester', 'Cancel…']);
  });
});

describe('cancelling a change', () => {
  it('asks first, says what happens, needs a reason, and sends it as the comment', async () => {
    const draft: ChangeDetail = { ...sampleChange, availableTransitions: [move('assess', 'Submit for assessment'), move('cancelled', 'Cancel')] };
    const server = fakeServer(
      routes({ path: '/api/v1/changes/chg_1', body: draft }, [
        { method: 'POST', path: '/api/v1/changes/chg_1/transitions', body: { ...draft, state: 'cancelled', version: 2, availableTransitions: [] } },
      ]),
    );
    vi.stubGlobal('fetch', server.fetch);
    setCsrfToken(adminMe.csrfToken);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });

    fireEvent.click(await screen.findByRole('button', { name: 'Cancel…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel CHG0000001?' });
    expect(dialog.textContent).toMatch(/ends CHG0000001 for good/);
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
    // Focus lands on the reason, not on the button that does it.
    const reason = within(dialog).getByRole('textbox', { name: /Why\?/ });
    await waitFor(() => expect(document.activeElement).toBe(reason));

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel the change' }));
    expect(await within(dialog).findByText('Give a reason: it is kept in the history.')).toBeTruthy();
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.change(reason, { target: { value: '  The vendor does it for us.  ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel the change' }));
    await waitFor(() => expect(server.calls.find((c) => c.method === 'POST')?.body).toEqual({ to: 'cancelled', version: 1, comment: 'The vendor does it for us.' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('backs out with "Keep the change" and sends nothing', async () => {
    const draft: ChangeDetail = { ...sampleChange, availableTransitions: [move('cancelled', 'Cancel')] };
    const server = fakeServer(routes({ path: '/api/v1/changes/chg_1', body: draft }));
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel CHG0000001?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep the change' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(server.calls.some((c) => c.method === 'POST')).toBe(false);
  });
});

describe('a stale save', () => {
  it('names what the other person changed, and reloading keeps my edits to the fields they left alone', async () => {
    const detail = { path: '/api/v1/changes/chg_1', body: sampleChange as ChangeDetail };
    const server = fakeServer(
      routes(detail, [
        { method: 'PATCH', path: '/api/v1/changes/chg_1', status: 412, body: { error: { code: 'stale_version', message: 'The change was modified.', details: {} } } },
      ]),
    );
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });

    fireEvent.change(await screen.findByLabelText(/^Title/), { target: { value: 'My better title' } });
    fireEvent.change(screen.getByLabelText(/^Test plan/), { target: { value: 'My test plan' } });
    // Meanwhile someone else saved a new test plan and a justification.
    detail.body = { ...sampleChange, version: 2, testPlan: 'Their test plan', justification: 'Their reason' };
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    const dialog = await screen.findByRole('dialog', { name: 'Someone else saved this change first' }, { timeout: 4000 });
    expect(dialog.textContent).toContain('They changed Justification, Test plan.');
    expect(dialog.textContent).toContain('Reloading keeps your edits to Title.');
    expect(dialog.textContent).toContain('Your edits to Test plan are replaced by theirs');
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Reload and keep my edits' })));

    fireEvent.click(within(dialog).getByRole('button', { name: 'Reload and keep my edits' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect((screen.getByLabelText(/^Title/) as HTMLInputElement).value).toBe('My better title');
    expect((screen.getByLabelText(/^Test plan/) as HTMLTextAreaElement).value).toBe('Their test plan');
    expect((screen.getByLabelText(/^Justification/) as HTMLTextAreaElement).value).toBe('Their reason');
    // The next save goes against the version the other person made, with only my kept edit.
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.calls.filter((c) => c.method === 'PATCH').at(-1)?.body).toEqual({ title: 'My better title', version: 2 }));
  });

  it('"Discard mine" takes their copy whole', async () => {
    const detail = { path: '/api/v1/changes/chg_1', body: sampleChange as ChangeDetail };
    vi.stubGlobal(
      'fetch',
      fakeServer(routes(detail, [{ method: 'PATCH', path: '/api/v1/changes/chg_1', status: 412, body: { error: { code: 'stale_version', message: 'x', details: {} } } }])).fetch,
    );
    renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    fireEvent.change(await screen.findByLabelText(/^Title/), { target: { value: 'My better title' } });
    detail.body = { ...sampleChange, version: 2, title: 'Their title' };
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const dialog = await screen.findByRole('dialog', { name: 'Someone else saved this change first' });
    expect(dialog.textContent).toContain('They changed Title.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Discard mine' }));
    await waitFor(() => expect((screen.getByLabelText(/^Title/) as HTMLInputElement).value).toBe('Their title'));
  });
});

describe('unsaved edits', () => {
  it('asks before leaving the page, stays when asked to, and leaves when told', async () => {
    vi.stubGlobal('fetch', fakeServer(routes({ path: '/api/v1/changes/chg_1', body: sampleChange })).fetch);
    const { router } = renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    fireEvent.change(await screen.findByLabelText(/^Title/), { target: { value: 'Edited' } });

    await router.navigate('/changes');
    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Stay on the page' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(router.state.location.pathname).toBe('/changes/chg_1');
    expect((screen.getByLabelText(/^Title/) as HTMLInputElement).value).toBe('Edited');

    // Closing the tab asks too.
    const unload = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(true);

    void router.navigate('/changes');
    fireEvent.click(within(await screen.findByRole('dialog', { name: 'Leave without saving?' })).getByRole('button', { name: 'Leave and lose my edits' }));
    expect(await screen.findByTestId('elsewhere')).toBeTruthy();
  });

  it('lets the person leave without asking when nothing is edited', async () => {
    vi.stubGlobal('fetch', fakeServer(routes({ path: '/api/v1/changes/chg_1', body: sampleChange })).fetch);
    const { router } = renderWithProviders(<ChangePage />, { path: '/changes/chg_1', route: '/changes/:id', me: adminMe });
    await screen.findByLabelText(/^Title/);
    const unload = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(false);
    await router.navigate('/changes');
    expect(await screen.findByTestId('elsewhere')).toBeTruthy();
  });
});
