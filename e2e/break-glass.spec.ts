import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { E2E_ADMIN } from './support/environment';
import { localDateTime, signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const PASSWORD = 'demo-password-1';
const TITLE = 'Hotfix: payment API leaking connections';

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account menu for / }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

test('a change manager breaks glass on an emergency change on a PCI system, which then moves to implement and is reviewed by another', async ({ page }) => {
  test.setTimeout(120_000);

  // Alice (change manager) opens the demo's emergency hotfix on pay-api-prod, waiting in Authorize.
  await signIn(page, 'alice@example.com', PASSWORD);
  await page.goto(`/changes?q=${encodeURIComponent('Hotfix')}`);
  await page.getByRole('table', { name: 'Changes' }).getByRole('row').filter({ hasText: TITLE }).getByRole('link').first().click();
  const state = page.getByTestId('change-state');
  await expect(state).toHaveText('Authorize');
  await expect(page.getByRole('heading', { name: TITLE, level: 1 })).toBeVisible();
  const changeUrl = new URL(page.url()).pathname;

  // Break-glass bypasses approvals and gates, not the schedule: the hotfix meets the connection-pool change on
  // pay-api-prod at the same time, which a change manager acknowledges first.
  await page.getByRole('tab', { name: /^Schedule/ }).click();
  const overlap = page
    .getByRole('list', { name: 'Conflicts' })
    .getByRole('listitem')
    .filter({ hasText: 'Increase payment API connection pool' })
    .filter({ hasText: 'works on pay-api-prod at the same time' });
  await expect(overlap).toHaveAttribute('aria-label', /\(blocking\)$/);
  await overlap.getByRole('button', { name: 'Acknowledge' }).click();
  const acknowledge = page.getByRole('form', { name: 'Acknowledge the conflict' });
  await acknowledge.getByRole('textbox', { name: /Why is this conflict acceptable/ }).fill('The hotfix replaces the pool change; Carol runs both in one session.');
  await acknowledge.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(overlap).not.toHaveAttribute('aria-label', /\(blocking\)$/);
  await page.getByRole('tab', { name: /^Details/ }).click();

  // Without a bypass, implementation waits for the Emergency CAB (and the compliance review).
  await page.getByLabel('Actual start').fill(localDateTime(0, 8));
  await page.getByRole('button', { name: 'Start implementation' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /needs (this approval|these \d+ approvals) first/ })).toBeVisible();
  await expect(state).toHaveText('Authorize');

  // Break glass, with a reason.
  await page.getByRole('button', { name: 'Break glass' }).click();
  const dialog = page.getByRole('dialog', { name: 'Break glass' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel(/Why is the bypass needed/).fill('Card payments fail for 2% of customers; the ECAB cannot meet before tonight.');
  await page.screenshot({ path: 'test-results/break-glass-modal.png', fullPage: true });
  await dialog.getByRole('button', { name: 'Break glass' }).click();
  await expect(dialog).toHaveCount(0);

  const banner = page.getByTestId('break-glass-banner');
  await expect(banner).toContainText(/Break-glass in force until .*: approvals and gates are bypassed/);
  await expect(banner).toContainText('Alice Martin (change manager) broke glass');
  await expect(banner).toContainText('the ECAB cannot meet before tonight');
  await expect(banner.getByRole('list', { name: 'Bypassed' })).toContainText('Emergency CAB');
  // Alice broke glass herself: she may not review it (the server says so).
  await banner.getByLabel(/Review notes/).fill('I reviewed my own bypass.');
  await banner.getByRole('button', { name: 'Record the review' }).click();
  await expect(banner.getByRole('alert')).toContainText('Someone else must review this bypass');

  // Now implementation goes through.
  await page.getByRole('button', { name: 'Start implementation' }).click();
  await expect(state).toHaveText('Implement');
  await expect(banner).toBeVisible();
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/break-glass-banner.png', fullPage: true });
  await signOut(page);

  // The admin (another change manager) reviews the bypass after the fact.
  await signIn(page, E2E_ADMIN.email, E2E_ADMIN.password);
  await page.goto(changeUrl);
  await expect(state).toHaveText('Implement');
  await banner.getByLabel(/Review notes/).fill('Justified: the outage was real and the fix was tested in staging.');
  await banner.getByRole('button', { name: 'Record the review' }).click();
  await expect(banner).toContainText(/Reviewed by .*Justified: the outage was real/);
  await page.screenshot({ path: 'test-results/break-glass-reviewed.png', fullPage: true });

  // The history keeps the story.
  await page.getByRole('tab', { name: 'History' }).click();
  await expect(page.getByRole('region', { name: 'History' })).toContainText(/break/i);
});
