import { readFileSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { axeFindings, signInAs, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

/** The change numbers the table shows, top to bottom. */
const shownNumbers = (page: Page) =>
  page
    .getByRole('table', { name: 'Changes' })
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.querySelector('a')?.textContent ?? '').filter((n) => /^CHG\d+$/.test(n)));

/** What the API answers for the same query, as the signed-in person (the page's own cookies). */
async function apiNumbers(page: Page, query: string): Promise<string[]> {
  const res = await page.request.get(`/api/v1/changes?${query}&limit=200`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: { number: string }[] }).items.map((c) => c.number);
}

/** Picks options of a multi-value filter, as a person clicks them. */
async function pick(page: Page, label: string, options: string[]) {
  const box = page.getByRole('search', { name: 'Filter changes' }).getByRole('combobox', { name: label });
  for (const option of options) {
    await box.click();
    await page.getByRole('option', { name: option, exact: true }).click();
  }
  await page.keyboard.press('Escape');
}

test('a change manager filters, sorts, saves and shares a view of the change list, and exports it', async ({ page, browser }) => {
  test.setTimeout(120_000);
  // Alice is the demo's change manager.
  await signInAs(page, 'alice@example.com');
  const table = page.getByRole('table', { name: 'Changes' });
  await expect(table).toBeVisible();

  // Several states at once, then a quick filter.
  await pick(page, 'State', ['Assess', 'Authorize', 'Scheduled']);
  await expect(page).toHaveURL(/state=assess%2Cauthorize%2Cscheduled|state=assess,authorize,scheduled/);
  await page.getByRole('group', { name: 'Quick filters' }).getByRole('button', { name: 'My team’s' }).click();
  await expect(page.getByRole('button', { name: 'My team’s' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page).toHaveURL(/mine=team/);
  await page.getByRole('group', { name: 'Quick filters' }).getByRole('button', { name: 'My team’s' }).click();
  await expect(page).not.toHaveURL(/mine=/);
  await page.getByRole('group', { name: 'Quick filters' }).getByRole('button', { name: 'Mine' }).click();
  await expect(page).toHaveURL(/mine=requested%2Cowned|mine=requested,owned/);
  await page.getByRole('group', { name: 'Quick filters' }).getByRole('button', { name: 'Mine' }).click();
  await expect(page).not.toHaveURL(/mine=/);

  // Sorts by planned start, latest first: the header says so, and the rows are the API's in that order.
  const planned = table.getByRole('columnheader', { name: /Planned start/ });
  await planned.getByRole('button').click();
  await expect(planned).toHaveAttribute('aria-sort', 'ascending');
  await planned.getByRole('button').click();
  await expect(planned).toHaveAttribute('aria-sort', 'descending');
  await expect(page).toHaveURL(/sort=-plannedStart/);
  const expected = await apiNumbers(page, 'state=assess,authorize,scheduled&sort=-plannedStart');
  expect(expected.length).toBeGreaterThan(1);
  await expect.poll(() => shownNumbers(page)).toEqual(expected);

  // The keyboard: j moves the row focus, Enter opens the change; Back returns to the same list.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(table.locator('tbody tr[aria-current="true"]')).toContainText(expected[1]!);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/changes/${expected[1]}$`));
  await page.goBack();
  await expect(page).toHaveURL(/sort=-plannedStart/);

  // Saves the view, shared.
  await page.getByRole('button', { name: 'Views' }).click();
  await page.getByRole('menuitem', { name: 'Save this view…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save this view' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Open work, latest first');
  await dialog.getByRole('checkbox', { name: /Share/ }).check();
  await dialog.getByRole('button', { name: 'Save view' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/view=/);
  await expect(page.getByTestId('current-view')).toHaveText('View: Open work, latest first');
  const viewId = new URL(page.url()).searchParams.get('view')!;

  // axe on the filtered list, and a look at it.
  const findings = await axeFindings(page, '#main');
  const contrast = findings.filter((f) => f.id === 'color-contrast');
  if (contrast.length > 0)
    test
      .info()
      .annotations.push({ type: 'contrast (theme colours, fixed app-wide)', description: contrast.flatMap((f) => f.targets).join(', ') });
  expect(findings.filter((f) => f.id !== 'color-contrast')).toEqual([]);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/lists.png', fullPage: true });

  // Bob opens the link in a fresh browser: the same filters and order, named after Alice's view.
  const other = await browser.newContext({ baseURL: new URL(page.url()).origin, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
  const bob = await other.newPage();
  await signInAs(bob, 'bob@example.com');
  await bob.goto(`/changes?view=${viewId}`);
  await expect(bob).toHaveURL(/sort=-plannedStart/);
  await expect(bob.getByTestId('current-view')).toHaveText(/View: Open work, latest first \(shared by Alice Martin/);
  await expect(bob.getByRole('table', { name: 'Changes' }).getByRole('columnheader', { name: /Planned start/ })).toHaveAttribute(
    'aria-sort',
    'descending',
  );
  await expect.poll(() => shownNumbers(bob)).toEqual(await apiNumbers(bob, 'state=assess,authorize,scheduled&sort=-plannedStart'));
  // Bob may not delete Alice's view: the menu does not offer it.
  await bob.getByRole('button', { name: 'Views' }).click();
  await expect(bob.getByRole('menuitem', { name: /^Delete/ })).toHaveCount(0);
  await other.close();

  // Exports the filtered list: every matching change, in the list's order.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^cabinet-changes-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync((await download.path())!, 'utf8')
    .trimEnd()
    .split('\r\n');
  expect(lines[0]).toMatch(/^Number,Title,Type,State,/);
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expected);
  for (const line of lines.slice(1)) expect(line).toMatch(/,(assess|authorize|scheduled),/);
});

test('a person filters the change list by several CIs and teams with the pickers; the address keeps them comma-separated', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'alice@example.com');
  await expect(page.getByRole('table', { name: 'Changes' })).toBeVisible();
  const filters = page.getByRole('search', { name: 'Filter changes' });

  // The CI picker searches the CMDB as one types; each CI chosen is added to the others.
  const ciBox = filters.getByRole('combobox', { name: 'CI' });
  for (const name of ['pay-db-prod', 'dwh-db-01']) {
    await ciBox.click();
    await ciBox.fill(name);
    await page.getByRole('option', { name: new RegExp(`^${name}`) }).click();
  }
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/ciId=[^&]+(%2C|,)[^&]+/);
  const ciIds = new URL(page.url()).searchParams.get('ciId')!;
  expect(ciIds.split(',')).toHaveLength(2);
  const onEither = await apiNumbers(page, `ciId=${ciIds}`);
  expect((await apiNumbers(page, 'ciId=pay-db-prod,dwh-db-01')).sort()).toEqual([...onEither].sort());
  await expect.poll(() => shownNumbers(page)).toEqual(onEither);
  for (const name of ['pay-db-prod', 'dwh-db-01']) await expect(filters.getByText(name, { exact: true })).toBeVisible();

  // Two teams as well: the filters combine, the values of one filter mean any of them.
  await pick(page, 'Team', ['Database Administrators', 'Platform Engineering']);
  await expect(page).toHaveURL(/assignmentTeamId=[^&]+(%2C|,)[^&]+/);
  const teams = new URL(page.url()).searchParams.get('assignmentTeamId')!;
  await expect.poll(() => shownNumbers(page)).toEqual(await apiNumbers(page, `ciId=${ciIds}&assignmentTeamId=${teams}`));

  // Reloading the address restores both pickers.
  await page.reload();
  for (const name of ['pay-db-prod', 'dwh-db-01', 'Database Administrators', 'Platform Engineering']) await expect(filters.getByText(name, { exact: true })).toBeVisible();
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/lists-multi-value.png' });
});
