import { expect, test } from './support/test';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const TITLE = 'Upgrade PostgreSQL 15 to 16 on the payments database';
const LEVELS: Record<string, string> = { low: 'Low', moderate: 'Moderate', high: 'High', very_high: 'Very high' };

test('see the risk of a change on a critical PCI database, override its level with a reason, then remove the override', async ({
  page,
}) => {
  await signIn(page);

  // The list shows every change's risk; find the demo change on pay-db-prod.
  const changes = page.getByRole('table', { name: 'Changes' });
  await expect(changes.getByRole('columnheader', { name: 'Risk' })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search' }).fill('PostgreSQL 15');
  const row = changes.getByRole('row').filter({ hasText: TITLE });
  await expect(changes.getByRole('row')).toHaveCount(2); // the header and the one match
  const listBadge = row.locator('[data-level]');
  await expect(listBadge).toBeVisible();
  const listed = (await listBadge.getAttribute('data-level'))!;
  expect(Object.keys(LEVELS)).toContain(listed);
  await page.screenshot({ path: 'test-results/risk-list.png', fullPage: true });
  await row.getByRole('link').click();

  // The header carries the level; the panel the score, the policy version and the factors.
  await expect(page.getByRole('heading', { name: TITLE, level: 1 })).toBeVisible();
  const headerBadge = page.getByTestId('change-risk');
  await expect(headerBadge).toHaveText(`${LEVELS[listed]} risk`);
  const panel = page.getByRole('region', { name: 'Risk' });
  await expect(panel.getByTestId('risk-score')).toHaveText(/^\d+ \/ 100$/);
  // The version in force when it was filed (other journeys on the same server may have applied newer ones).
  await expect(panel.getByText(/^Policy v\d+$/)).toBeVisible();
  const factors = panel.getByRole('list', { name: 'Risk factors' });
  const critical = factors.getByRole('listitem').filter({ hasText: 'CI criticality' });
  await expect(critical).toContainText('+20');
  await expect(critical).toContainText('A critical CI is affected');
  await expect(factors.getByRole('listitem').filter({ hasText: 'Regulated systems' })).toContainText('+10');
  // The largest contribution comes first.
  await expect(factors.getByRole('listitem').first()).toContainText('CI criticality');
  const all = panel.getByRole('button', { name: /^Show all \d+ factors$/ });
  await all.click();
  await expect(factors.getByRole('listitem').filter({ hasText: 'Does not apply' }).first()).toBeVisible();
  await panel.getByRole('button', { name: 'Show only the factors that apply' }).click();

  // Ticking "Backout plan tested" and saving: the server reassesses, and the panel follows.
  const score = async () => Number((await panel.getByTestId('risk-score').textContent())!.split('/')[0]!.trim());
  const before = await score();
  await page.getByRole('checkbox', { name: 'Backout plan tested' }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  const rollback = factors.getByRole('listitem').filter({ hasText: 'Rollback feasibility' });
  await expect(rollback).toContainText('−5');
  await expect(rollback).toContainText('The backout plan has been tested');
  await expect.poll(score).toBeLessThan(before);
  const computed = (await headerBadge.getAttribute('data-level'))!;
  expect(Object.keys(LEVELS)).toContain(computed);

  // Override the level: a reason that is too short is refused under its field.
  const target = computed === 'moderate' ? 'low' : 'moderate';
  await panel.getByRole('button', { name: 'Override level' }).click();
  const form = panel.getByRole('form', { name: 'Override the risk level' });
  await form.getByRole('combobox', { name: 'Level' }).click();
  await page.getByRole('option', { name: LEVELS[target], exact: true }).click();
  const justification = form.getByRole('textbox', { name: 'Justification' });
  await justification.fill('Rehearsed');
  await form.getByRole('button', { name: 'Save override' }).click();
  await expect(form.getByText('explain the override in at least 10 characters')).toBeVisible();
  await expect(justification).toHaveAttribute('aria-invalid', 'true');

  const reason = 'Rehearsed twice on the staging copy; the DBA team is on call for the whole window.';
  await justification.fill(reason);
  await form.getByRole('button', { name: 'Save override' }).click();
  await expect(form).toHaveCount(0);
  await expect(headerBadge).toHaveText(`${LEVELS[target]} risk`);
  await expect(page.getByText('overridden', { exact: true }).first()).toBeVisible();
  const note = panel.getByTestId('risk-override');
  await expect(note).toContainText(`Overridden to ${LEVELS[target]!.toLowerCase()}`);
  await expect(note).toContainText(`computed: ${LEVELS[computed]!.toLowerCase()}`);
  await expect(note).toContainText('by Administrator');
  await expect(note.getByTestId('risk-justification')).toHaveText(reason);
  // NOTE: a full-page shot of a scrolled page draws the fixed app header in the middle; start from the top.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/risk-panel.png', fullPage: true });

  // The history says who overrode it and why.
  await page.getByRole('tab', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByText(`Risk overridden to ${LEVELS[target]!.toLowerCase()}`)).toBeVisible();
  await expect(history.getByText(reason)).toBeVisible();
  await expect(history.getByText(/^Risk assessed: /).first()).toBeVisible();
  await expect(history.getByText('Backout plan tested', { exact: true })).toBeVisible();
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/risk-history.png', fullPage: true });

  // Remove the override: the computed level applies again.
  await panel.getByRole('button', { name: 'Remove override' }).click();
  await expect(panel.getByTestId('risk-override')).toHaveCount(0);
  await expect(headerBadge).toHaveText(`${LEVELS[computed]} risk`);
  await expect(page.getByText('overridden', { exact: true })).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Remove override' })).toHaveCount(0);
  await expect(history.getByText('Risk override removed')).toBeVisible();
});
