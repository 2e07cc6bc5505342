import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { localDateTime, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

/** Calls the API as the signed-in person (the session cookie, and the CSRF token the app would send). */
async function api(page: Page, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  const res = await page.request.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': me.csrfToken } });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (await res.json()) as Record<string, unknown>;
}

/** A full-page screenshot from the top. */
async function screenshot(page: Page, path: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
}

const iso = (days: number, hour: number) => new Date(localDateTime(days, hour)).toISOString();

/**
 * A CI of its own (so no other journey's incident, change or known error touches it) and an active standard entry
 * on it, created by Alice (a change manager, so active at once); the entry's id.
 */
async function seedEntry(page: Page, name: string, ciName: string): Promise<string> {
  await api(page, 'POST', '/api/v1/cis', { name: ciName, type: 'server', environment: 'production', criticality: 'low' });
  const entry = await api(page, 'POST', '/api/v1/templates', {
    name,
    description: 'Restart the cache service on one node, outside business hours.',
    type: 'standard',
    category: 'Caches',
    ownerTeamId: 'platform',
    ciIds: [ciName],
    fields: {
      title: `Restart the cache on ${ciName}`,
      description: 'A rolling restart of the cache service.',
      justification: 'Clears fragmented memory.',
      implementationPlan: '1. Drain the node.\n2. Restart the service.\n3. Put the node back.',
      testPlan: 'The hit rate recovers within 10 minutes.',
      backoutPlan: 'Start the previous service unit.',
      backoutTested: true,
      impact: 'low',
      urgency: 'low',
    },
  });
  expect(entry.state).toBe('active');
  return entry.id as string;
}

/** Files a change from the entry and walks it to closed with `closeCode`, through the API. */
async function fileAndClose(page: Page, entryId: string, days: number, closeCode: string): Promise<void> {
  let change = await api(page, 'POST', `/api/v1/templates/${entryId}/changes`, { plannedStart: iso(days, 21), plannedEnd: iso(days, 22) });
  expect(change.type).toBe('standard');
  const step = async (to: string) => {
    change = await api(page, 'POST', `/api/v1/changes/${change.id as string}/transitions`, { to, version: change.version });
  };
  const edit = async (fields: Record<string, unknown>) => {
    change = await api(page, 'PATCH', `/api/v1/changes/${change.id as string}`, { ...fields, version: change.version });
  };
  await step('scheduled');
  await edit({ actualStart: iso(days, 21) });
  await step('implement');
  await edit({ actualEnd: iso(days, 22), closeCode, closeNotes: 'The cache did not come back; restored the old unit.' });
  await step('closed');
}

test('a requester files a standard change from the catalogue: every check passes and it needs no approvals', async ({ page }) => {
  test.setTimeout(150_000);
  const suffix = Date.now().toString(36);
  const name = `Restart the cache (${suffix})`;
  const ci = `cache-a-${suffix}`;

  await signInAs(page, 'alice@example.com');
  await seedEntry(page, name, ci);
  await signOut(page);

  // Bob finds the entry in the catalogue.
  await signInAs(page, 'bob@example.com');
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Templates' }).click();
  await page.getByRole('button', { name: 'Standard change catalogue' }).click();
  await expect(page.getByRole('heading', { name: 'Standard change catalogue', level: 1 })).toBeVisible();
  const row = page.getByRole('table', { name: 'Templates' }).getByRole('row', { name: new RegExp(name.replace(/[()]/g, '\\$&')) });
  await expect(row).toContainText('Active');
  await expect(row).toContainText('Caches');
  await expect(row).toContainText('Platform');
  await expect(row).toContainText('New');
  await screenshot(page, 'test-results/catalogue-list.png');
  await row.getByRole('link', { name, exact: true }).click();

  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Eligibility' })).toContainText('Any CI, environment, risk and time');
  await expect(page.getByRole('button', { name: 'Suspend' })).toHaveCount(0);
  await screenshot(page, 'test-results/catalogue-entry.png');

  // He files a change from it: its window is all he adds.
  await page.getByRole('button', { name: 'File a change from this entry' }).click();
  const dialog = page.getByRole('dialog', { name: `File a change from “${name}”` });
  await expect(dialog).toContainText('pre-approved and needs no approvals');
  await dialog.getByLabel('Planned start').fill(localDateTime(12, 21));
  await dialog.getByLabel('Planned end').fill(localDateTime(12, 22));
  await screenshot(page, 'test-results/catalogue-file-dialog.png');
  await dialog.getByRole('button', { name: 'File the change' }).click();

  // The change is standard, every pre-approval check passed, and it goes to Scheduled with no approval.
  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  await expect(page.getByRole('heading', { name: `Restart the cache on ${ci}`, level: 1 })).toBeVisible();
  const checks = page.getByRole('region', { name: 'Pre-approval checks' });
  await expect(checks.getByTestId('checks-summary')).toHaveText('All 6 checks passed');
  for (const label of [
    'Eligibility',
    'Schedule conflicts and freezes',
    'Open incidents on its CIs',
    'Known errors on its CIs',
    'Dependencies over the CMDB',
    'Required evidence',
  ]) {
    await expect(checks.getByRole('listitem').filter({ hasText: `${label}: Passed` })).toHaveCount(1);
  }
  await expect(page.getByRole('note')).toHaveCount(0);
  await screenshot(page, 'test-results/catalogue-change-checks.png');

  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(page.getByTestId('change-state')).toHaveText('Scheduled');
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  await expect(page.getByRole('tab', { name: /^Approvals/ })).not.toContainText('pending');
  await screenshot(page, 'test-results/catalogue-change-scheduled.png');
});

test('two failed changes suspend an entry; its next change is normal and says why; a change manager reinstates it', async ({ page }) => {
  test.setTimeout(180_000);
  const suffix = Date.now().toString(36);
  const name = `Restart the cache (${suffix})`;
  const ci = `cache-b-${suffix}`;

  // Two changes from the entry close unsuccessful: the failure rule suspends it at once.
  await signInAs(page, 'alice@example.com');
  const entryId = await seedEntry(page, name, ci);
  await fileAndClose(page, entryId, 12, 'unsuccessful');
  await fileAndClose(page, entryId, 13, 'unsuccessful');
  const entry = await api(page, 'GET', `/api/v1/templates/${entryId}`);
  expect(entry.state).toBe('suspended');
  await signOut(page);

  // Bob sees it suspended, with the automatic line of the log.
  await signInAs(page, 'bob@example.com');
  await page.goto('/templates?state=suspended');
  const row = page.getByRole('table', { name: 'Templates' }).getByRole('row', { name: new RegExp(name.replace(/[()]/g, '\\$&')) });
  await expect(row).toContainText('Suspended');
  await expect(row).toContainText('2 failed');
  await screenshot(page, 'test-results/catalogue-list-suspended.png');
  await row.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  const alert = page.getByTestId('template-state-alert');
  await expect(alert).toContainText('Suspended automatically');
  await page.getByRole('tab', { name: /^Suspension log/ }).click();
  const log = page.getByRole('table', { name: 'Suspension log' });
  await expect(log.getByRole('row').nth(1)).toContainText('SuspendedAutomatically');
  await expect(log.getByRole('row').nth(1)).toContainText('Cabinet, by the failure rule');
  await expect(log.getByRole('row').nth(1)).toContainText('Failures: 2');
  await screenshot(page, 'test-results/catalogue-entry-suspended.png');

  // Filing from it gives a normal change that says why.
  await page.getByRole('button', { name: 'File a change from this entry' }).click();
  const dialog = page.getByRole('dialog', { name: `File a change from “${name}”` });
  await expect(dialog).toContainText('This entry is suspended');
  await dialog.getByLabel('Planned start').fill(localDateTime(14, 21));
  await dialog.getByLabel('Planned end').fill(localDateTime(14, 22));
  await dialog.getByRole('button', { name: 'File the change' }).click();
  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  await expect(page.getByRole('heading', { name: `Restart the cache on ${ci}`, level: 1 })).toBeVisible();
  await expect(page.getByText('Normal change', { exact: true })).toBeVisible();
  const note = page.getByRole('region', { name: 'Pre-approval checks' }).getByRole('note');
  await expect(note).toContainText('Filed as a normal change: its catalogue entry is suspended');
  await expect(note).toContainText('It needs the approvals of a normal change.');
  await screenshot(page, 'test-results/catalogue-change-converted.png');
  await signOut(page);

  // Alice reinstates it, with a reason.
  await signInAs(page, 'alice@example.com');
  await page.goto(`/templates/${entryId}`);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Reinstate' }).click();
  const reinstate = page.getByRole('dialog', { name: `Reinstate “${name}”?` });
  await reinstate.getByRole('button', { name: 'Reinstate the entry' }).click();
  await expect(reinstate).toContainText('Give a reason');
  await reinstate.getByLabel(/Why is it safe again/).fill('The cache unit file was fixed; restarts work again.');
  await reinstate.getByRole('button', { name: 'Reinstate the entry' }).click();
  await expect(reinstate).toBeHidden();
  await expect(page.getByText('Active', { exact: true }).first()).toBeVisible();
  await page.getByRole('tab', { name: /^Suspension log/ }).click();
  const newest = page.getByRole('table', { name: 'Suspension log' }).getByRole('row').nth(1);
  await expect(newest).toContainText('ReinstatedBy hand');
  await expect(newest).toContainText('Alice Martin');
  await expect(newest).toContainText('The cache unit file was fixed');
  await screenshot(page, 'test-results/catalogue-entry-reinstated.png');
});
