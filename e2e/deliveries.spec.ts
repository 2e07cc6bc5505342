import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { databaseUrl, expect, test } from './support/test';
import { axeFindings, signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Two dead letters in the e2e database (in-app notices to the admin about CHG0000001), beside the running server. */
async function seedDeadLetters(): Promise<{ number: string; titles: [string, string] }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'e2e/support/seed-dead-letters.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl() },
  });
  return JSON.parse(stdout) as { number: string; titles: [string, string] };
}

test('an admin retries a notice that was given up on, sees it delivered on its change, and discards another with a reason', async ({
  page,
}) => {
  const { number, titles } = await seedDeadLetters();
  const [retryTitle, discardTitle] = titles;

  await signIn(page);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Deliveries' }).click();
  await expect(page.getByRole('heading', { name: 'Deliveries', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'Dead letters' });
  const row = table.getByRole('row', { name: new RegExp(retryTitle) });
  await expect(row).toContainText('ECONNREFUSED');
  await expect(row.getByRole('link', { name: number })).toBeVisible();
  expect(await axeFindings(page)).toEqual([]);

  // Retry: queued again, and the worker (every second in these tests) delivers it.
  await row.getByRole('button', { name: `Retry “${retryTitle}”` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Queued' })).toContainText(retryTitle);
  await expect(table.getByRole('row', { name: new RegExp(retryTitle) })).toHaveCount(0);

  // Discard: the dialog wants a reason first.
  await table.getByRole('button', { name: `Discard “${discardTitle}”` }).click();
  const dialog = page.getByRole('dialog', { name: `Discard “${discardTitle}”?` });
  await dialog.getByRole('button', { name: 'Discard it' }).click();
  await expect(dialog.getByText('Give a reason: it is kept in the history.')).toBeVisible();
  expect(await axeFindings(page, '[role="dialog"]')).toEqual([]);
  await dialog.getByRole('textbox', { name: /Reason/ }).fill('Told by phone instead.');
  await dialog.getByRole('button', { name: 'Discard it' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('row', { name: new RegExp(discardTitle) })).toHaveCount(0);

  // The change's delivery log shows the retried notice delivered to the admin, in-app.
  await page.goto(`/changes/${number}`);
  await page.getByRole('tab', { name: 'Deliveries' }).click();
  const log = page.getByRole('table', { name: 'Delivery log' });
  await expect(async () => {
    await page.reload();
    await page.getByRole('tab', { name: 'Deliveries' }).click();
    await expect(log.getByRole('row', { name: new RegExp(retryTitle) })).toContainText('Delivered', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(log.getByRole('row', { name: new RegExp(retryTitle) })).toContainText('In-app');
  expect(await axeFindings(page)).toEqual([]);
});
