import { expect, test } from './support/test';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

test('an approver delegates their approvals from the user menu, sees it in force and revokes it', async ({ page }) => {
  await signIn(page, 'dave@example.com', 'demo-password-1');
  await page.getByRole('button', { name: /^Account menu for / }).click();
  await page.getByRole('menuitem', { name: 'Delegations' }).click();
  await expect(page.getByRole('heading', { name: 'Delegations', level: 1 })).toBeVisible();
  await expect(page.getByText('You have not delegated your approvals.')).toBeVisible();

  const form = page.getByRole('form', { name: 'Give a delegation' });
  const delegate = form.getByRole('combobox', { name: 'Delegate' });
  await delegate.click();
  await delegate.fill('Frank');
  await page.getByRole('option', { name: /Frank Li/ }).click();
  await form.getByLabel('Reason').fill('On holiday; Frank covers database reviews.');
  await form.getByRole('button', { name: 'Delegate' }).click();

  const given = page.getByRole('table', { name: 'Delegations given' });
  const row = given.getByRole('row').filter({ hasText: 'Frank Li' });
  await expect(row).toContainText('In force');
  await expect(row).toContainText('Frank covers database reviews');
  await page.screenshot({ path: 'test-results/delegations-page.png', fullPage: true });

  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: /^Revoke the delegation to Frank Li/ }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText('You have not delegated your approvals.')).toBeVisible();
});
