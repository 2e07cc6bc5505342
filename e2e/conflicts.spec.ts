import { expect, test } from './support/test';
import { axeFindings, signInAs, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

const TITLE = 'Vacuum the payments database';
/** The demo's change on pay-db-prod, planned nine days ahead at 22:00–23:00 UTC. */
const OTHER = 'Upgrade PostgreSQL 15 to 16 on the payments database';

test('a change manager is warned of an overlap while planning, sees it marked, and acknowledges it with a reason', async ({ page }) => {
  test.setTimeout(120_000);
  // Alice is the demo's change manager.
  await signInAs(page, 'alice@example.com');
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'New change' }).click();
  await page.getByRole('radio', { name: /Normal change/ }).check();
  await page.getByLabel('Title').fill(TITLE);
  const cis = page.getByRole('combobox', { name: 'Affected CIs' });
  await cis.click();
  await cis.fill('pay-db');
  await page.getByRole('option', { name: /pay-db-prod/ }).click();
  await page.keyboard.press('Escape');
  // Four hours either side of the other change, in the browser's zone (the form's datetime-local fields).
  const found = await page.request.get(`/api/v1/changes?q=${encodeURIComponent(OTHER)}`);
  const other = (await found.json()).items[0] as { number: string; plannedStart: string; plannedEnd: string };
  // The browser's local time of an instant, as a datetime-local value.
  const local = (iso: string, hours: number) =>
    page.evaluate(([at, h]) => {
      const d = new Date(Date.parse(at as string) + (h as number) * 3_600_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }, [iso, hours] as const);
  await page.getByLabel('Planned start').fill(await local(other.plannedStart, -4));
  await page.getByLabel('Planned end').fill(await local(other.plannedEnd, 4));

  // Before anything is saved, the form says which change the plan meets, and what that means.
  const preview = page.getByTestId('conflict-preview');
  await expect(preview).toContainText('This plan meets 1 other change');
  await expect(preview).toContainText(`(${OTHER}) works on pay-db-prod at the same time.`);
  await expect(preview).toContainText('It needs a change manager’s acknowledgement before the change can be scheduled.');
  await page.screenshot({ path: 'test-results/conflict-preview.png', fullPage: true });

  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  const number = page.url().split('/').pop()!;

  // Saved: the Schedule tab counts the conflict as blocking until acknowledged (in December the year-end
  // freeze may block it too).
  const tab = page.getByRole('tab', { name: /^Schedule: \d+ conflicts?, \d+ blocking$/ });
  await expect(tab).toBeVisible();
  await tab.click();
  const conflict = page.getByRole('list', { name: 'Conflicts' }).getByRole('listitem').filter({ hasText: OTHER });
  await expect(conflict).toHaveAttribute('aria-label', /\(blocking\)$/);

  // The change list marks it too.
  await page.goto(`/changes?q=${encodeURIComponent(TITLE)}`);
  await expect(page.getByRole('row').filter({ hasText: TITLE })).toContainText(/conflict/i);
  await page.goto(`/changes/${number}`);

  // Alice acknowledges it with a reason: it no longer blocks, and her reason is on the record.
  await page.getByRole('tab', { name: /^Schedule/ }).click();
  await conflict.getByRole('button', { name: 'Acknowledge' }).click();
  const form = page.getByRole('form', { name: 'Acknowledge the conflict' });
  await form.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(form.getByText('say why the conflict is acceptable')).toBeVisible();
  await form.getByRole('textbox', { name: /Why is this conflict acceptable/ }).fill('The vacuum only reads; the upgrade starts after it on the runbook.');
  await form.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(form).toHaveCount(0);
  const acknowledged = page.getByRole('list', { name: 'Conflicts' }).getByRole('listitem').filter({ hasText: OTHER });
  await expect(acknowledged.getByTestId('acknowledgement')).toContainText('The vacuum only reads; the upgrade starts after it on the runbook.');
  await expect(acknowledged).not.toHaveAttribute('aria-label', /\(blocking\)$/);

  const findings = await axeFindings(page, '#main');
  const contrast = findings.filter((f) => f.id === 'color-contrast');
  if (contrast.length > 0) test.info().annotations.push({ type: 'contrast', description: contrast.flatMap((f) => f.targets).join(', ') });
  expect(findings.filter((f) => f.impact === 'serious' || f.impact === 'critical')).toEqual([]);
  await page.screenshot({ path: 'test-results/conflict-acknowledged.png', fullPage: true });

  // The other change's side is its own: still not acknowledged, and outlined on the calendar's week.
  await page.goto(`/changes?q=${encodeURIComponent(OTHER)}`);
  await page.getByRole('row').filter({ hasText: OTHER }).getByRole('link', { name: /^CHG\d+$/ }).click();
  await page.getByRole('tab', { name: /^Schedule/ }).click();
  await expect(page.getByRole('list', { name: 'Conflicts' }).getByRole('listitem').filter({ hasText: TITLE })).toBeVisible();
  await page.goto(`/schedule?view=timeline&date=${(await local(other.plannedStart, 0)).slice(0, 10)}`);
  const bar = page.locator('[data-conflicts]').filter({ hasText: OTHER }).first();
  await expect(bar).toHaveAttribute('aria-label', /1 conflict not acknowledged$/);
});
