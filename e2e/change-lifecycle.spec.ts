import { expect, test } from './support/test';
import { localDateTime, signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const PLAN_FIELDS = [
  'Description',
  'Justification',
  'Affected CIs',
  'Planned start',
  'Planned end',
  'Implementation plan',
  'Test plan',
  'Backout plan',
];

test('file a normal change, learn what it is missing, fill it in and take it to authorization', async ({ page }) => {
  await signIn(page);

  // New change → Normal → title only → draft.
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'New change' }).click();
  await page.getByRole('radio', { name: /Normal change/ }).check();
  await page.getByLabel('Title').fill('Upgrade the payments database to PostgreSQL 17');
  await page.screenshot({ path: 'test-results/new-change.png', fullPage: true });
  await page.getByRole('button', { name: 'Create draft' }).click();

  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  await expect(page.getByRole('heading', { name: 'Upgrade the payments database to PostgreSQL 17', level: 1 })).toBeVisible();
  const state = page.getByTestId('change-state');
  await expect(state).toHaveText('Draft');

  // Submitting too early: the server says what is missing, and the page names every field.
  await page.getByRole('button', { name: /Submit for assessment/ }).click();
  const missing = page.getByRole('alert').filter({ hasText: 'Submit for assessment' });
  await expect(missing).toBeVisible();
  for (const field of PLAN_FIELDS) await expect(missing.getByRole('listitem').filter({ hasText: new RegExp(`^${field}$`) })).toHaveCount(1);
  await expect(state).toHaveText('Draft');
  await page.screenshot({ path: 'test-results/change-missing-fields.png', fullPage: true });

  // Fill everything in; pick a CI from the demo data by searching.
  await page.getByLabel('Description', { exact: true }).fill('Major upgrade of pay-db-prod from PostgreSQL 16 to 17.');
  await page.getByLabel('Justification', { exact: true }).fill('PostgreSQL 16 leaves community support; 17 brings faster vacuum.');
  const cis = page.getByRole('combobox', { name: 'Affected CIs' });
  await cis.click();
  await cis.fill('db');
  await page.getByRole('option', { name: /pay-db-prod/ }).click();
  await page.keyboard.press('Escape');
  await page.getByLabel('Planned start').fill(localDateTime(14, 22));
  await page.getByLabel('Planned end').fill(localDateTime(14, 23));
  await page.getByLabel('Implementation plan').fill('1. Snapshot.\n2. pg_upgrade --link.\n3. Analyze.');
  await page.getByLabel('Test plan').fill('Synthetic checkout passes; replication lag under 1 s.');
  await page.getByLabel('Backout plan', { exact: true }).fill('Restore the snapshot and repoint the service.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Affected CIs' })).toContainText('pay-db-prod');
  await expect(page.getByRole('list', { name: 'Services' })).toContainText('Payments');

  // Now the lifecycle goes through: Draft → Assess → Authorize.
  await page.getByRole('button', { name: /Submit for assessment/ }).click();
  await expect(state).toHaveText('Assess');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByRole('button', { name: /Request authorization/ }).click();
  await expect(state).toHaveText('Authorize');

  // A comment and a work note, each shown with its author.
  await page.getByRole('tab', { name: 'Comments and work notes' }).click();
  await page.getByRole('textbox', { name: 'Comment' }).fill('DBA review booked for Tuesday.');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.getByRole('form', { name: 'Add a comment' }).getByText('Work note', { exact: true }).click();
  await page.getByRole('textbox', { name: 'Work note' }).fill('Snapshot size is 420 GB; allow 40 minutes.');
  await page.getByRole('button', { name: 'Post work note' }).click();
  const comments = page.getByRole('list', { name: 'Comments' });
  await expect(comments.getByRole('listitem')).toHaveCount(2);
  await expect(comments).toContainText('DBA review booked for Tuesday.');
  await expect(comments.getByRole('listitem').filter({ hasText: 'Snapshot size' })).toContainText('Work note');
  await page.screenshot({ path: 'test-results/change-comments.png', fullPage: true });

  // The history shows both moves, newest first, and the edit with its fields.
  await page.getByRole('tab', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByText('Moved from Assess to Authorize')).toBeVisible();
  await expect(history.getByText('Moved from Draft to Assess')).toBeVisible();
  await expect(history.getByText('Created the change')).toBeVisible();
  await expect(history.getByText('Backout plan', { exact: true })).toBeVisible();
  await page.screenshot({ path: 'test-results/change-history.png', fullPage: true });

  await page.getByRole('tab', { name: /Details/ }).click();
  await expect(page.getByLabel('Backout plan', { exact: true })).toHaveValue('Restore the snapshot and repoint the service.');
  await page.screenshot({ path: 'test-results/change-page.png', fullPage: true });
});
