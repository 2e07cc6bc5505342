import { expect, test } from './support/test';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

test('a person subscribes to a service’s schedule, the secret URL serves iCalendar, and revoking it turns it off', async ({
  page,
  request,
}) => {
  await signIn(page, 'alice@example.com', 'demo-password-1');
  await page.getByRole('button', { name: /^Account menu for / }).click();
  await page.getByRole('menuitem', { name: 'Calendar feeds' }).click();
  await expect(page.getByRole('heading', { name: 'Calendar feeds', level: 1 })).toBeVisible();
  await expect(page.getByText('You have no calendar feeds.')).toBeVisible();

  const form = page.getByRole('form', { name: 'Create a calendar feed' });
  await form.getByRole('radio', { name: /^A service/ }).check();
  const service = form.getByRole('combobox', { name: 'Service' });
  await service.click();
  await service.fill('Paym');
  await page.getByRole('option', { name: 'Payments', exact: true }).click();
  await form.getByRole('button', { name: 'Create feed' }).click();

  const notice = page.getByRole('status').filter({ hasText: 'Feed “Payments” created' });
  await expect(notice).toContainText('This address is secret');
  const url = (await notice.getByLabel('Feed address').textContent())!.trim();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/feeds\/cal_[A-Za-z0-9_-]{43}\.ics$/);
  const row = page.getByRole('table', { name: 'Calendar feeds' }).getByRole('row').filter({ hasText: 'Service Payments' });
  await expect(row).toContainText('Never');
  await page.screenshot({ path: 'test-results/calendar-feeds-page.png', fullPage: true });

  // A calendar app fetches the URL with no session at all.
  const feed = await request.get(url);
  expect(feed.status()).toBe(200);
  expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
  const text = await feed.text();
  expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
  expect(text).toContain('SUMMARY:Maintenance: Payments Saturday night');
  expect(text).toContain('TRANSP:TRANSPARENT');

  await notice.getByRole('button', { name: 'I have copied it' }).click();
  await expect(page.getByText(url)).toHaveCount(0);
  await page.reload();
  await expect(row).not.toContainText('Never');

  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: 'Revoke the feed Payments' }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText('You have no calendar feeds.')).toBeVisible();
  expect((await request.get(url)).status()).toBe(404);
});
