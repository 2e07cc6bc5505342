import { expect, test } from './support/test';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

test('an admin creates a team and a user, and the user signs in without the admin pages', async ({ page }) => {
  await signIn(page);
  const admin = page.getByRole('navigation', { name: 'Admin' });

  await admin.getByRole('link', { name: 'Teams' }).click();
  await page.getByRole('button', { name: 'New team' }).click();
  const teamForm = page.getByRole('dialog', { name: 'New team' });
  await teamForm.getByLabel('Name').fill('Release Engineering');
  await teamForm.getByRole('button', { name: 'Create team' }).click();
  await expect(teamForm).toBeHidden();
  await expect(page.getByRole('table', { name: 'Teams' })).toContainText('Release Engineering');
  await page.screenshot({ path: 'test-results/admin-teams.png', fullPage: true });

  await admin.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('button', { name: 'New user' }).click();
  const userForm = page.getByRole('dialog', { name: 'New user' });
  await userForm.getByLabel('Email').fill('ada@example.com');
  await userForm.getByLabel('Name').fill('Ada Lovelace');
  await userForm.getByRole('textbox', { name: 'Initial password' }).fill('short');
  await userForm.getByRole('checkbox', { name: 'Implementer' }).check();
  await userForm.getByRole('checkbox', { name: 'Release Engineering' }).check();
  await userForm.getByRole('button', { name: 'Create user' }).click();
  // The server's rule for passwords is shown under the field.
  await expect(userForm.getByText('must be at least 10 characters')).toBeVisible();
  await userForm.getByRole('textbox', { name: 'Initial password' }).fill('ada-password-1');
  await userForm.getByRole('button', { name: 'Create user' }).click();
  await expect(userForm).toBeHidden();
  const users = page.getByRole('table', { name: 'Users' });
  await expect(users).toContainText('ada@example.com');
  await expect(users.getByRole('row', { name: /Ada Lovelace/ })).toContainText('Release Engineering');
  await page.screenshot({ path: 'test-results/admin-users.png', fullPage: true });

  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await signIn(page, 'ada@example.com', 'ada-password-1');
  await expect(page.getByRole('navigation', { name: 'Admin' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'New change' })).toBeVisible();
});

test('an API token is shown once, can be copied, and can be revoked', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'API tokens' }).click();
  await page.getByLabel('Name').fill('GitLab pipeline');
  await page.getByRole('button', { name: 'Create token' }).click();

  const notice = page.getByRole('status').filter({ hasText: 'Token “GitLab pipeline” created' });
  await expect(notice).toContainText('It will not be shown again');
  await expect(notice.getByLabel('New API token')).toHaveText(/^cab_\S+$/);
  await expect(notice.getByRole('button', { name: 'Copy' })).toBeVisible();
  await page.screenshot({ path: 'test-results/admin-tokens.png', fullPage: true });

  const row = page.getByRole('table', { name: 'API tokens' }).getByRole('row', { name: /GitLab pipeline/ });
  await expect(row).toContainText('Active');
  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: 'Revoke GitLab pipeline' }).click();
  await expect(row).toContainText('Revoked');

  await notice.getByRole('button', { name: 'I have stored it' }).click();
  await expect(page.getByLabel('New API token')).toHaveCount(0);
});
