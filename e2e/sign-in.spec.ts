import { expect, test } from './support/test';
import { E2E_ADMIN } from './support/environment';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

test('a wrong password shows the server’s message and keeps the person on the sign-in page', async ({ page }) => {
  await page.goto('/changes');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fchanges$/);

  await page.getByLabel('Email').fill(E2E_ADMIN.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Cannot sign in');
  // The words come from the server, not from the web app: whatever it says must be shown, and not be empty.
  await expect(alert).not.toHaveText('Cannot sign in');
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toHaveValue('not-the-password');
  await page.screenshot({ path: 'test-results/sign-in-failed.png' });
});

test('signing in returns to the page that asked for it, and signing out ends the session', async ({ page }) => {
  await page.goto('/cmdb/services');
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel('Email').fill(E2E_ADMIN.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(E2E_ADMIN.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Services', level: 1 })).toBeVisible();

  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto('/changes');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('"/" opens the search from anywhere, and it leads on to the change list', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'CMDB' }).getByRole('link', { name: 'CIs', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Configuration items', level: 1 })).toBeVisible();
  await page.keyboard.press('/');
  await expect(page.getByRole('combobox', { name: /Changes, CIs, services/ })).toBeFocused();
  await page.keyboard.type('PostgreSQL');
  await page.getByRole('option', { name: /^All changes matching “PostgreSQL”/ }).click();
  await expect(page).toHaveURL(/\/changes\?q=PostgreSQL$/);
  await expect(page.getByRole('table', { name: 'Changes' })).toContainText('Upgrade PostgreSQL 15 to 16');
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  await expect(page.getByRole('table', { name: 'Changes' })).toContainText('Hotfix: payment API leaking connections');
  await page.screenshot({ path: 'test-results/change-list.png', fullPage: true });
});

test('keyboard only: sign in, skip to content, reach the navigation and open a change', async ({ page }) => {
  await page.goto('/sign-in');
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(E2E_ADMIN.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(E2E_ADMIN.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Home', level: 1 })).toBeVisible();

  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: /^Search/ })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: /^Notifications/ })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: /Account menu/ })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Home' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Changes' })).toBeFocused();
  await page.screenshot({ path: 'test-results/keyboard-focus.png' });
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Changes', level: 1 })).toBeVisible();

  await page.getByRole('link', { name: 'CHG0000001' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Upgrade PostgreSQL 15 to 16 on the payments database', level: 1 })).toBeVisible();
});
