import { expect, test } from './support/test';
import { localDateTime, signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const PASSWORD = 'demo-password-1';

test('a change manager sees the year-end freeze in December and adds a weekly maintenance window', async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, 'alice@example.com', PASSWORD);

  // The calendar opens on this month; step forward to December, where the demo's year-end freeze lies.
  await page.getByRole('navigation', { name: 'Schedule' }).getByRole('link', { name: 'Calendar', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Schedule', level: 1 })).toBeVisible();
  const title = page.getByTestId('schedule-title');
  const year = new Date().getFullYear();
  for (let i = 0; i < 12 && (await title.textContent()) !== `December ${year}`; i++) {
    const shown = (await title.textContent()) ?? '';
    await page.getByRole('button', { name: 'Next month' }).click();
    await expect(title).not.toHaveText(shown);
  }
  await expect(title).toHaveText(`December ${year}`);
  const grid = page.getByRole('grid', { name: 'Month' });
  await expect(grid.locator(`[data-day="${year}-12-24"]`)).toHaveAttribute('data-freeze', 'true');
  await expect(grid.locator(`[data-day="${year}-12-24"]`)).toHaveAccessibleName(/24 December: Year-end freeze/);
  await expect(grid.locator(`[data-day="${year}-12-10"]`)).not.toHaveAttribute('data-freeze', /.*/);
  // Payments' Saturday-night window is a band on Saturdays (the first Saturday of December, whatever the year).
  const firstSaturday = 1 + ((6 - new Date(Date.UTC(year, 11, 1)).getUTCDay() + 7) % 7);
  await expect(grid.locator(`[data-day="${year}-12-${String(firstSaturday).padStart(2, '0')}"]`)).toHaveAttribute('data-maintenance', 'true');
  await page.screenshot({ path: 'test-results/schedule-month.png', fullPage: true });

  // Windows: Alice adds a weekly Sunday-morning window for the Customer Portal.
  await page.getByRole('navigation', { name: 'Schedule' }).getByRole('link', { name: 'Windows' }).click();
  await expect(page.getByRole('heading', { name: 'Windows', level: 1 })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Payments Saturday night' })).toContainText('Every Saturday 22:00 Europe/London, 4 h');
  await page.getByRole('button', { name: 'New window' }).click();
  const dialog = page.getByRole('dialog', { name: 'New window' });
  await dialog.getByLabel('Name').fill('Portal Sunday patching');
  await dialog.getByLabel('Starts (local time)').fill(localDateTime(3, 6));
  const zone = dialog.getByRole('combobox', { name: 'Time zone' });
  await zone.fill('Europe/Ber');
  await page.getByRole('option', { name: 'Europe/Berlin' }).click();
  await dialog.getByRole('textbox', { name: 'Duration', exact: true }).fill('3');
  await dialog.getByText('Sat', { exact: true }).click();
  await dialog.getByText('Sun', { exact: true }).click();
  const services = dialog.getByRole('combobox', { name: 'Services' });
  await services.click();
  await page.getByRole('option', { name: 'Customer Portal' }).click();
  // Close the services list without Escape, which would close the dialog.
  await dialog.getByLabel('Name').click();
  await dialog.getByRole('button', { name: 'Save' }).click();

  // Saved: the form shows the next five occurrences, and the list reads the rule in words.
  const edited = page.getByRole('dialog', { name: 'Edit Portal Sunday patching' });
  await expect(edited.getByTestId('next-occurrences').getByRole('listitem')).toHaveCount(5);
  await edited.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const row = page.getByRole('row').filter({ hasText: 'Portal Sunday patching' });
  await expect(row).toContainText('Every Sunday 06:00 Europe/Berlin, 3 h');
  await expect(row).toContainText('Customer Portal');
  await expect(row).toContainText('Maintenance');
  await page.screenshot({ path: 'test-results/windows-page.png', fullPage: true });
});
