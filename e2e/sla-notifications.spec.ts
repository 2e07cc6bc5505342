import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { localDateTime, signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const PASSWORD = 'demo-password-1';
const TITLE = 'Vacuum and reindex the data warehouse';

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account menu for / }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

test('an approver hears of a new approval request in the bell and the inbox, and the SLA report shows the breaches', async ({ page }) => {
  test.setTimeout(120_000);

  // Bob (requester) files a normal change on the data warehouse database and submits it.
  await signIn(page, 'bob@example.com', PASSWORD);
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'New change' }).click();
  await page.getByRole('radio', { name: /Normal change/ }).check();
  await page.getByLabel('Title').fill(TITLE);
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page.getByTestId('change-state')).toHaveText('Draft');
  const changeUrl = new URL(page.url()).pathname;
  const number = changeUrl.split('/').pop()!;
  await page.getByLabel('Description', { exact: true }).fill('VACUUM FULL and REINDEX on the warehouse tables.');
  await page.getByLabel('Justification', { exact: true }).fill('Nightly reports have slowed down by half.');
  const cis = page.getByRole('combobox', { name: 'Affected CIs' });
  await cis.click();
  await cis.fill('dwh-db');
  await page.getByRole('option', { name: /dwh-db-01/ }).click();
  await page.keyboard.press('Escape');
  await page.getByLabel('Planned start').fill(localDateTime(12, 21));
  await page.getByLabel('Planned end').fill(localDateTime(12, 23));
  await page.getByLabel('Implementation plan').fill('1. Stop the ETL.\n2. VACUUM FULL, REINDEX.\n3. Start the ETL.');
  await page.getByLabel('Test plan').fill('Report timings back under ten minutes.');
  await page.getByLabel('Backout plan', { exact: true }).fill('Nothing to undo; restart the ETL.');
  await page.getByRole('combobox', { name: 'Assignment team' }).click();
  await page.getByRole('option', { name: /^Database Admin/ }).click();
  await page.getByRole('button', { name: /Submit for assessment/ }).click();
  await expect(page.getByTestId('change-state')).toHaveText('Assess');
  // Bob is asked for nothing: his bell has nothing for this change.
  await signOut(page);

  // Alice (change manager) requests authorization: the DBA approval opens with its SLA clock.
  await signIn(page, 'alice@example.com', PASSWORD);
  await page.goto(changeUrl);
  await page.getByRole('button', { name: /Request authorization/ }).click();
  await expect(page.getByTestId('change-state')).toHaveText('Authorize');
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  const clocks = page.getByRole('table', { name: 'SLA clocks' });
  await expect(clocks.getByRole('row').filter({ hasText: 'Approval response' }).first()).toContainText('Running');
  await expect(clocks.getByRole('row').filter({ hasText: 'Time to schedule' })).toContainText('business hours');
  await page.screenshot({ path: 'test-results/sla-change-clocks.png', fullPage: true });

  // The SLA report (Governance) shows the demo's late change.
  await page.getByRole('navigation', { name: 'Governance' }).getByRole('link', { name: 'SLA breaches' }).click();
  await expect(page.getByRole('heading', { name: 'SLA breaches', level: 1 })).toBeVisible();
  const report = page.getByRole('table', { name: 'SLA breaches' });
  await expect(report.getByRole('row').filter({ hasText: 'Rotate TLS certificates' })).toContainText('Time to schedule');
  await page.screenshot({ path: 'test-results/sla-breaches.png', fullPage: true });
  await signOut(page);

  // Dave (DBA) sees the request in his bell once the worker delivered it, opens the inbox and reads it.
  await signIn(page, 'dave@example.com', PASSWORD);
  await page.goto('/notifications');
  const asked = new RegExp(`^${number} ".*" needs your approval`);
  const item = page.getByRole('listitem', { name: asked });
  await expect(async () => {
    await page.reload();
    await expect(item).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(item).toHaveAttribute('data-unread', 'true');
  await expect(item).toContainText('Approval requested');
  await expect(item).toContainText(TITLE);
  const bell = page.getByRole('link', { name: /^Notifications \(\d+ unread\)$/ });
  await expect(bell).toBeVisible();
  const unreadBefore = Number(/\((\d+) unread\)/.exec((await bell.getAttribute('aria-label'))!)![1]);
  await page.screenshot({ path: 'test-results/sla-inbox.png', fullPage: true });
  await item.getByRole('button', { name: /^Mark read/ }).click();
  await expect(item).not.toHaveAttribute('data-unread', 'true');
  if (unreadBefore > 1) await expect(page.getByRole('link', { name: `Notifications (${unreadBefore - 1} unread)` })).toBeVisible();
  else await expect(page.getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();

  // The notification leads to the change, where Dave may decide.
  await item.getByRole('link', { name: asked }).click();
  await expect(page.getByTestId('change-state')).toHaveText('Authorize');
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  await expect(page.getByRole('button', { name: /^Approve/ }).first()).toBeVisible();
});
