import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const PASSWORD = 'demo-password-1';
const DAY = 86_400_000;

/** Picks a segment of a segmented control (its radio input is hidden under the label a person clicks). */
const choose = (page: Page, group: 'View' | 'Rows', label: string) => page.getByRole('radiogroup', { name: group }).getByText(label, { exact: true }).click();

/** The browser's local `YYYY-MM-DD` of an instant (the schedule's days are the browser's). */
const browserDayKey = (page: Page, iso: string) =>
  page.evaluate((at) => {
    const d = new Date(at);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  }, iso);

test('a change manager plans by week and by service timeline, and the URL keeps the view and filters', async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, 'alice@example.com', PASSWORD);

  // The demo plans "Increase payment API connection pool" for 22:00 UTC today (src/services/demo.service.ts).
  const planned = new Date(Math.floor(Date.now() / DAY) * DAY + 22 * 3_600_000).toISOString();
  const day = await browserDayKey(page, planned);

  await page.getByRole('navigation', { name: 'Schedule' }).getByRole('link', { name: 'Calendar', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Schedule', level: 1 })).toBeVisible();
  await expect(page.getByRole('grid', { name: 'Month' })).toBeVisible();
  await page.screenshot({ path: 'test-results/schedule-views-month.png' });

  // Week: the change is a block on its day, named with its risk and times, linking to the change.
  await page.goto(`/schedule?date=${day}`);
  await choose(page, 'View', 'Week');
  await expect(page).toHaveURL(/view=week/);
  const dayColumn = page.locator(`section[data-day="${day}"]`);
  const block = dayColumn.getByRole('link', { name: /^CHG\d+ Increase payment API connection pool, .*risk.*, \w{3} \d+ \w{3} \d\d:\d\d/ });
  await expect(block).toBeVisible();
  await expect(block).toHaveAttribute('href', /^\/changes\/CHG\d+$/);
  // It opened scrolled to the week's earliest change in the day, not to midnight: most demo changes are at
  // 22:00 UTC, late at night here, but the one being implemented started earlier today, which on a Monday is
  // in the same week.
  const hours = page.getByRole('region', { name: 'Week, hour by hour' });
  expect(await hours.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  // A change continued from the day before does not count: the week opens at the earliest change that starts in a
  // day (openingMinute), and a journey run late in the evening leaves changes that run past midnight.
  const blocks = hours.locator('.cabinet-week-block:not([data-continues-before="true"])');
  const tops = await blocks.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().top));
  await expect(blocks.nth(tops.indexOf(Math.min(...tops)))).toBeInViewport();
  // Scrolled to the morning, the day says where its change went: "↓ 1 later" (or "↑ 1 earlier" in summer
  // time, when 22:00 UTC is after midnight here), which scrolls back to it.
  await hours.evaluate((el) => el.scrollTo({ top: 10 * 40 }));
  await expect(block).not.toBeInViewport();
  // Other changes of the day may be out of sight the other way (earlier specs plan changes for now): take the
  // button on the block's side of 10:00.
  const side = (await page.evaluate((at) => new Date(at).getHours(), planned)) < 10 ? 'earlier' : 'later';
  await dayColumn.getByRole('button', { name: new RegExp(`^\\d+ ${side} on .*: show$`) }).click();
  await expect(block).toBeInViewport();
  await page.screenshot({ path: 'test-results/schedule-views-week.png' });

  // Timeline by service: Payments' row holds the change.
  await choose(page, 'View', 'Timeline');
  const timeline = page.getByRole('region', { name: 'Timeline by service' });
  await expect(timeline).toBeVisible();
  const payments = timeline.locator('section').filter({ has: page.getByRole('heading', { name: 'Payments', level: 3 }) });
  await expect(payments.getByRole('link', { name: /Increase payment API connection pool/ })).toBeVisible();
  await expect(timeline.getByRole('heading', { name: 'Customer Portal', level: 3 })).toBeVisible();
  await page.screenshot({ path: 'test-results/schedule-views-timeline.png' });

  // Filter by the Payments service: only its row is left, and the URL says so.
  const filters = page.getByRole('search', { name: 'Filter the schedule' });
  await filters.getByRole('combobox', { name: 'Service' }).click();
  await page.getByRole('option', { name: 'Payments' }).click();
  await expect(page).toHaveURL(/view=timeline/);
  await expect(page).toHaveURL(/serviceId=/);
  await expect(timeline.getByRole('heading', { level: 3 })).toHaveText(['Payments']);

  // A reload (or the link sent to a colleague) opens the same view with the same filter.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Timeline by service' }).getByRole('heading', { level: 3 })).toHaveText(['Payments']);
  await expect(page.getByRole('search', { name: 'Filter the schedule' }).getByRole('combobox', { name: 'Service' })).toHaveValue('Payments');
  await expect(page.getByRole('radio', { name: 'Timeline' })).toBeChecked();

  // By CI: the service's CIs become the rows.
  await choose(page, 'Rows', 'By CI');
  await expect(page).toHaveURL(/by=ci/);
  const byCi = page.getByRole('region', { name: 'Timeline by CI' });
  await expect(byCi.getByRole('heading', { name: 'pay-api-prod', level: 3 })).toBeVisible();
  await page.screenshot({ path: 'test-results/schedule-views-timeline-ci.png' });

  // Clear brings every service back.
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page).not.toHaveURL(/serviceId=/);
  await expect(byCi.getByRole('heading', { name: 'portal-db-prod', level: 3 })).toBeVisible();
});

test('a busy fortnight stays readable: overlapping blocks side by side, multi-day bars across weeks', async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, 'alice@example.com', PASSWORD);
  // The demo's CIs, so that the timeline can name rows; the calendar answer itself is a crowded stand-in.
  const cis = (await (await page.request.get('/api/v1/cis?limit=50')).json()) as { items: { id: string; name: string }[] };
  const ciId = (name: string) => cis.items.find((c) => c.name === name)!.id;
  const monday = await page.evaluate(() => {
    const d = new Date();
    return new Date(d.getFullYear(), d.getMonth(), d.getDate() - ((d.getDay() + 6) % 7)).getTime();
  });
  const at = (days: number, hour: number, minute = 0) => new Date(monday + days * DAY + (hour * 60 + minute) * 60_000).toISOString();
  const risks = ['low', 'moderate', 'high', 'very_high', null] as const;
  const titles = ['Patch the payment API', 'Rotate database credentials', 'Upgrade the load balancer firmware', 'Portal release 4.2', 'Resize the Kubernetes node pool'];
  const names = ['pay-api-prod', 'pay-db-prod', 'portal-web-prod', 'portal-db-prod', 'k8s-prod-eu1'];
  const changes = [] as object[];
  let n = 100;
  const add = (start: string, end: string, i: number) =>
    changes.push({ id: `chg_${n}`, number: `CHG0000${n++}`, title: titles[i % titles.length], type: 'normal', state: 'scheduled', riskLevel: risks[i % risks.length], plannedStart: start, plannedEnd: end, assignmentTeamId: null, ciIds: [ciId(names[i % names.length]!)] });
  // Wednesday: four changes overlapping in the afternoon, one short one, and others across the fortnight.
  add(at(2, 13), at(2, 15), 0);
  add(at(2, 14), at(2, 16), 1);
  add(at(2, 14, 30), at(2, 15, 30), 2);
  add(at(2, 15), at(2, 17), 3);
  add(at(2, 9), at(2, 9, 10), 4);
  add(at(4, 20), at(7, 6), 2); // Friday evening to Monday morning: across the week boundary
  for (let d = 0; d < 14; d++) add(at(d, 8 + (d % 5)), at(d, 10 + (d % 5)), d);
  add(at(9, 22), at(11, 4), 1);
  const windows = [
    { windowId: 'win_f', name: 'Quarter-end freeze', kind: 'freeze', scope: { global: true }, urgent: false, start: at(10, 0), end: at(12, 0) },
    { windowId: 'win_m', name: 'Payments Saturday night', kind: 'maintenance', scope: { tags: ['pci'] }, urgent: false, start: at(5, 22), end: at(6, 2) },
  ];
  await page.route('**/api/v1/calendar?*', (route) => route.fulfill({ json: { changes, windows, truncated: false } }));

  await page.goto('/schedule?view=week');
  const wednesday = page.locator('section[data-day]').nth(2);
  const blocks = wednesday.getByRole('link', { name: /^CHG00001(00|01|02|03) / });
  await expect(blocks).toHaveCount(4);
  const boxes = await Promise.all([0, 1, 2, 3].map(async (i) => (await blocks.nth(i).boundingBox())!));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      const apart = a.x + a.width <= b.x + 0.5 || b.x + b.width <= a.x + 0.5 || a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5;
      expect(apart, `blocks ${i} and ${j} overlap`).toBe(true);
    }
  }
  await page.screenshot({ path: 'test-results/schedule-busy-week.png' });

  await choose(page, 'View', 'Month');
  // Friday evening to Monday morning: a bar over Friday to Sunday that goes on in the next row.
  const weekend = page.getByRole('grid', { name: 'Month' }).locator('[data-change="CHG0000105"]').first();
  await expect(weekend).toHaveAttribute('data-span', '3');
  await expect(weekend).toHaveAttribute('data-continues-after', 'true');
  await page.screenshot({ path: 'test-results/schedule-busy-month.png', fullPage: true });

  await choose(page, 'View', 'Timeline');
  await expect(page.getByRole('region', { name: 'Timeline by service' })).toBeVisible();
  await page.screenshot({ path: 'test-results/schedule-busy-timeline.png', fullPage: true });
  await choose(page, 'Rows', 'By CI');
  await expect(page.getByRole('region', { name: 'Timeline by CI' })).toBeVisible();
  await page.screenshot({ path: 'test-results/schedule-busy-timeline-ci.png', fullPage: true });
});
