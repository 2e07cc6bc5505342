import { expect, test } from './support/test';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const PASSWORD = 'demo-password-1';
const TITLE = 'Move the internal wiki to the new tenant over the holidays';
const DAY = 86_400_000;

/**
 * 22 December 10:00–12:00 local, inside the demo's global year-end freeze (20 December to 3 January, every
 * year): this year's, or next year's once this year's is less than a day ahead.
 */
function inTheFreeze(): { start: string; end: string } {
  const now = new Date();
  let year = now.getFullYear();
  if (new Date(year, 11, 22, 10).getTime() - now.getTime() < DAY) year += 1;
  return { start: `${year}-12-22T10:00`, end: `${year}-12-22T12:00` };
}

test('a change manager plans a change inside the year-end freeze, is warned, and moves it to a free slot', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, 'alice@example.com', PASSWORD);

  // A new normal change on the wiki, planned inside the freeze: the form warns before anything is saved.
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'New change' }).click();
  await page.getByRole('radio', { name: /Normal change/ }).check();
  await page.getByLabel('Title').fill(TITLE);
  const cis = page.getByRole('combobox', { name: 'Affected CIs' });
  await cis.click();
  await cis.fill('wiki');
  await page.getByRole('option', { name: /wiki-saas/ }).click();
  await page.keyboard.press('Escape');
  const { start, end } = inTheFreeze();
  await page.getByLabel('Planned start').fill(start);
  await page.getByLabel('Planned end').fill(end);
  const formBanner = page.getByTestId('form-freeze-banner');
  await expect(formBanner).toContainText('Inside the freeze “Year-end freeze”');

  // "Find a slot" offers the first free two hours after the freeze; the person looks, then keeps the frozen time.
  await page.getByRole('button', { name: 'Find a slot' }).click();
  const formSlots = page.getByRole('region', { name: 'Free slots' });
  await expect(formSlots.getByRole('list', { name: 'Slots' }).getByRole('listitem')).toHaveCount(3);
  await expect(formSlots).toContainText('Free slots of 2 h from');
  await page.screenshot({ path: 'test-results/change-form-find-slot.png', fullPage: true });
  await formSlots.getByRole('button', { name: 'Close the free slots' }).click();
  await expect(formSlots).toHaveCount(0);

  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  await expect(page.getByRole('heading', { name: TITLE, level: 1 })).toBeVisible();

  // Saved inside the freeze: a red banner above the change, and a red count on the Schedule tab.
  const banner = page.getByTestId('freeze-banner');
  await expect(banner).toContainText('Planned inside the freeze “Year-end freeze”');
  const tab = page.getByRole('tab', { name: 'Schedule: 1 conflict, 1 blocking' });
  await expect(tab).toBeVisible();
  await banner.getByRole('button', { name: 'Open the Schedule tab' }).click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');

  const conflicts = page.getByRole('list', { name: 'Conflicts' });
  const freeze = conflicts.getByRole('listitem', { name: 'Freeze (blocking)' });
  await expect(freeze).toContainText('The change falls in the freeze "Year-end freeze".');
  await expect(freeze.getByRole('link', { name: 'Year-end freeze' })).toHaveAttribute('href', '/schedule/windows');
  // A freeze is not acknowledged away; the exception form is offered instead.
  await expect(freeze.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Impacted CIs' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Request a freeze exception' }).click();
  const exception = page.getByRole('form', { name: 'Request a freeze exception' });
  await expect(exception.getByRole('textbox', { name: /What could go wrong/ })).toBeVisible();
  await expect(exception.getByRole('combobox', { name: 'Who accepts the risk' })).toBeVisible();
  await page.screenshot({ path: 'test-results/change-freeze-exception-form.png', fullPage: true });
  await exception.getByRole('button', { name: 'Cancel' }).click();
  await expect(exception).toHaveCount(0);

  // Cabinet proposed the first free slot after the freeze when the change was saved: take it.
  const takeSlot = freeze.getByRole('button', { name: 'Take this slot' });
  await expect(takeSlot).toBeVisible();
  await page.screenshot({ path: 'test-results/change-schedule-tab.png', fullPage: true });
  await takeSlot.click();

  // Moved: the conflict, the banner and the count are gone, and the new time is after the freeze.
  await expect(page.getByRole('status').filter({ hasText: 'Moved to the new slot.' })).toBeVisible();
  await expect(conflicts).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Free slots' })).toHaveCount(0);
  await expect(page.getByText('No conflicts: no freeze applies')).toBeVisible();
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'Schedule', exact: true })).toBeVisible();
  await page.screenshot({ path: 'test-results/change-schedule-tab-clear.png', fullPage: true });
  // The freeze ends at 00:00 on 3 January in London, which is 00:00 UTC in winter.
  await page.getByRole('tab', { name: 'Details' }).click();
  const plannedStart = await page.getByLabel('Planned start').inputValue();
  const startsAt = await page.evaluate((local) => new Date(local).toISOString(), plannedStart);
  expect(Date.parse(startsAt)).toBeGreaterThanOrEqual(Date.UTC(Number(start.slice(0, 4)) + 1, 0, 3));
});
