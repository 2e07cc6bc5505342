import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { E2E_ADMIN } from './support/environment';
import { DEMO_PASSWORD, signIn, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

/** Calls the API as the signed-in person (the session cookie, and the CSRF token the app would send). */
async function api<T = Record<string, unknown>>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  const res = await page.request.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': me.csrfToken } });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (await res.json()) as T;
}

/** Edits the change through the API with the version it reads first. */
async function editChange(page: Page, id: string, fields: Record<string, unknown>): Promise<void> {
  const current = await api<{ version: number }>(page, 'GET', `/api/v1/changes/${id}`);
  await api(page, 'PATCH', `/api/v1/changes/${id}`, { ...fields, version: current.version });
}

test('an emergency change cannot close until its post-implementation review is recorded and completed', async ({ page }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const title = `Emergency: restore the wiki single sign-on ${stamp}`;

  // An Emergency CAB member for this journey (the demo's ECAB has nobody in it).
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  const ecab = await api<{ id: string }>(page, 'GET', '/api/v1/teams/ecab');
  const ecabEmail = `ecab-${stamp}@example.com`;
  await api(page, 'POST', '/api/v1/users', {
    email: ecabEmail,
    name: `Ena ECAB ${stamp}`,
    password: DEMO_PASSWORD,
    roles: ['approver'],
    teamIds: [ecab.id],
  });
  await signOut(page);

  // Bob files the emergency and asks for its authorization.
  await signInAs(page, 'bob@example.com');
  const bob = await api<{ id: string }>(page, 'GET', '/api/v1/me');
  const change = await api<{ id: string; number: string }>(page, 'POST', '/api/v1/changes', {
    type: 'emergency',
    // Named before authorization: a new implementer afterwards would reopen it.
    implementerId: bob.id,
    title,
    description: 'Nobody can sign in to the wiki since the identity provider rotated its certificate; upload the new one.',
    justification: 'The on-call runbooks live in the wiki.',
    ciIds: ['wiki-saas'],
    implementationPlan: '1. Download the new signing certificate.\n2. Upload it in the wiki admin.\n3. Sign in as a test user.',
    backoutPlan: 'Restore the previous certificate from the admin history.',
  });
  await api(page, 'POST', `/api/v1/changes/${change.id}/transitions`, { to: 'authorize' });
  await signOut(page);

  // The ECAB approves it.
  await signIn(page, ecabEmail, DEMO_PASSWORD);
  const approvals = await api<{ items: { id: string; state: string; canDecide: boolean }[] }>(
    page,
    'GET',
    `/api/v1/changes/${change.id}/approvals`,
  );
  const mine = approvals.items.filter((x) => x.state === 'pending' && x.canDecide);
  expect(mine.length, JSON.stringify(approvals.items)).toBeGreaterThan(0);
  for (const a of mine) {
    await api(page, 'POST', `/api/v1/approvals/${a.id}/decision`, { decision: 'approve', comment: 'Go: the runbooks must be reachable.' });
  }
  await signOut(page);

  // Alice implements it and moves it on to review.
  await signInAs(page, 'alice@example.com');
  const started = new Date(Date.now() - 2 * 3_600_000).toISOString();
  await editChange(page, change.id, { actualStart: started });
  await page.goto(`/changes/${change.number}`);
  const state = page.getByTestId('change-state');
  await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Start implementation' }).click();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(state).toHaveText('Implement');
  await editChange(page, change.id, {
    actualEnd: new Date(Date.now() - 3_600_000).toISOString(),
    closeCode: 'successful_with_issues',
    closeNotes: 'Sign-in restored; two hours without the runbooks.',
  });
  await page.reload();
  await page.getByRole('button', { name: 'Finish implementation' }).click();
  await expect(state).toHaveText('Review');
  const banner = page.getByTestId('review-required-banner');
  await expect(banner).toContainText('Review required before closing');
  await expect(banner).toContainText('It was an emergency change.');
  await signOut(page);

  // Bob, its owner, tries to close it: refused, and the page says why.
  await signInAs(page, 'bob@example.com');
  await page.goto(`/changes/${change.number}`);
  await expect(state).toHaveText('Review');
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'needs the post-implementation review first' });
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText('record the findings');
  await expect(state).toHaveText('Review');
  await page.screenshot({ path: 'test-results/reviews-close-refused.png', fullPage: true });

  // He records the findings and an action in the review form.
  await refusal.getByRole('button', { name: 'Open the review' }).click();
  await expect(page.getByRole('heading', { name: 'Post-implementation review' })).toBeVisible();
  const findings = page.getByRole('form', { name: 'Review findings' });
  await findings.getByLabel('What went well').fill('The ECAB answered in ten minutes; the upload itself was clean.');
  await findings
    .getByLabel('What did not go well')
    .fill('Nobody knew the certificate was rotating; sign-in was broken for two hours before anyone looked.');
  const factors = findings.getByLabel('Contributing factors');
  await factors.fill('No notice of identity provider certificate rotations');
  await factors.press('Enter');
  await findings.getByRole('button', { name: 'Save the findings' }).click();
  await expect(findings.getByText('Saved.')).toBeVisible();

  const add = page.getByRole('form', { name: 'Add an action' });
  await add.getByLabel('New action').fill('Subscribe the platform team to the identity provider rotation notices');
  const owner = add.getByRole('combobox', { name: 'Owner' });
  await owner.click();
  await owner.fill('Carol');
  await page.getByRole('option', { name: /Carol Nguyen/ }).click();
  await add.getByLabel('Due').fill('2030-01-15T12:00');
  await add.getByRole('button', { name: 'Add the action' }).click();
  const actions = page.getByRole('table', { name: 'Review actions' });
  await expect(actions).toContainText('Subscribe the platform team to the identity provider rotation notices');
  await expect(actions.getByRole('combobox', { name: /^Owner of / })).toHaveValue(/Carol Nguyen/);

  await page.getByRole('button', { name: 'Complete the review' }).click();
  await expect(page.getByTestId('review-completed')).toContainText('Completed by Bob Okafor');
  await expect(banner).toHaveCount(0);
  await page.screenshot({ path: 'test-results/reviews-completed.png', fullPage: true });

  // Now the change closes.
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(state).toHaveText('Closed');

  // The review queue lists it as completed, with its open action.
  await page.goto('/reviews?state=completed');
  const row = page.getByRole('table', { name: 'Post-implementation reviews' }).getByRole('row').filter({ hasText: title });
  await expect(row).toContainText('Completed');
  await expect(row).toContainText('1');
  await signOut(page);
});
