import { readFileSync } from 'node:fs';
import { expect, test } from './support/test';
import { axeFindings, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

const CHANGE = 'Rotate the payments database credentials';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

test('the auditor searches the trail, verifies the chain, exports it and reads a change’s sealed record and history', async ({ page }) => {
  test.setTimeout(120_000);
  // Erin is the demo's auditor: she reads everything and may change nothing.
  await signInAs(page, 'erin@example.com');
  await page.getByRole('navigation', { name: 'Governance' }).getByRole('link', { name: 'Audit trail' }).click();
  await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
  const events = page.getByRole('table', { name: 'Audit events, newest first' });
  await expect(events).toBeVisible();

  // The change's number is found from the list, as an auditor would copy it.
  await page.goto(`/changes?q=${encodeURIComponent(CHANGE)}`);
  const number = (await page.getByRole('row').filter({ hasText: CHANGE }).getByRole('link', { name: /^CHG\d+$/ }).textContent())!;
  await page.goBack();

  // By record: every event of that change, newest first, each in words with its record.
  const record = page.getByRole('searchbox', { name: 'Record' });
  await record.fill(number);
  await record.press('Enter');
  await expect(page).toHaveURL(new RegExp(`record=${number}`));
  await expect(page.getByTestId('records-note')).toContainText(`Events about Change ${number} ${CHANGE}`);
  const moved = events.getByRole('row').filter({ hasText: 'Moved from Draft to Assess' });
  await expect(moved).toHaveCount(1);
  await expect(moved).toContainText('Bob Okafor (requester)');
  await expect(events.getByRole('row').filter({ hasText: 'Sealed the approval record' })).toHaveCount(1);
  await expect(events.getByRole('row').filter({ hasText: 'Filed a change' })).toHaveCount(1);
  // When, with its zone (the browser runs in Europe/Amsterdam).
  await expect(moved.getByRole('cell').first()).toHaveText(/\d{2}:\d{2}:\d{2} (CET|CEST|GMT[+-]\d+)/);
  await expect(moved.getByRole('link', { name: number })).toHaveAttribute('href', `/changes/${number}`);

  // An event in detail: a definition list, not JSON.
  const routed = events.getByRole('row').filter({ hasText: 'Routed by the policy' });
  await routed.getByRole('button', { name: /^Show the details of event \d+/ }).click();
  const details = page.locator('[data-testid^="event-"][data-testid$="-details"]');
  await expect(details).toBeVisible();
  await expect(details.getByRole('term').filter({ hasText: /^Hash$/ })).toBeVisible();
  await expect(details.getByRole('term').filter({ hasText: /^Change manager$/ }).first()).toBeVisible();
  await expect(details).toContainText('— → Alice Martin (change manager)');
  await expect(details).not.toContainText('{"');
  await page.screenshot({ path: 'test-results/audit-desk-record.png', fullPage: true });

  // By person: what Alice did, across records.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).not.toHaveURL(/record=/);
  await page.getByRole('combobox', { name: 'Person' }).fill('Alice');
  await page.getByRole('option', { name: 'Alice Martin (change manager)' }).click();
  await expect(page).toHaveURL(/actor=/);
  await expect(page).not.toHaveURL(/record=/);
  await expect(events.getByRole('row').nth(1)).toContainText('Alice Martin (change manager)');
  // The list keeps the unfiltered rows on screen until the filtered ones arrive: wait for them.
  const actors = () => events.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.children[1]?.textContent ?? ''));
  await expect.poll(async () => [...new Set(await actors())]).toEqual(['Alice Martin (change manager)']);
  expect((await actors()).length).toBeGreaterThan(3);

  // Verify the chain: intact, with the head hash to keep.
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  const verdict = page.getByTestId('verify-result');
  await expect(verdict).toContainText('The chain is intact');
  await expect(verdict).toContainText(/\d+ events checked, from event 1 to event \d+/);
  await expect(page.getByTestId('head-hash')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(verdict).toContainText('Keep this hash to prove later that nothing was rewritten');
  const headHash = (await page.getByTestId('head-hash').textContent())!;

  // axe-core over the page (the navigation and the theme belong to the app shell).
  const findings = await axeFindings(page, '#main');
  const contrast = findings.filter((f) => f.id === 'color-contrast');
  if (contrast.length > 0) test.info().annotations.push({ type: 'contrast (theme colours, fixed app-wide)', description: contrast.flatMap((f) => f.targets).join(', ') });
  expect(findings.filter((f) => f.id !== 'color-contrast')).toEqual([]);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/audit-desk.png', fullPage: true });

  // Export the whole trail: a real download, JSON lines from event 1, ending with the head hash just shown.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the whole trail' }).click()]);
  expect(download.suggestedFilename()).toBe('cabinet-audit.jsonl');
  const content = readFileSync((await download.path())!, 'utf8');
  expect(content.startsWith('{"seq":1,"at":"')).toBe(true);
  const lines = content.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; prevHash: string; hash: string });
  expect(lines[0]!.prevHash).toBe('0'.repeat(64));
  expect(lines.map((e) => e.seq)).toEqual(lines.map((_, i) => i + 1));
  expect(lines.some((e) => e.hash === headHash)).toBe(true);

  // A range: up to an hour from now, named by the events it holds.
  const exportPanel = page.getByRole('region', { name: 'Export' });
  const pad = (n: number) => String(n).padStart(2, '0');
  const later = new Date(Date.now() + 3_600_000);
  await exportPanel
    .getByLabel('To')
    .fill(`${later.getFullYear()}-${pad(later.getMonth() + 1)}-${pad(later.getDate())}T${pad(later.getHours())}:${pad(later.getMinutes())}`);
  const [ranged] = await Promise.all([page.waitForEvent('download'), exportPanel.getByRole('link', { name: 'Download export' }).click()]);
  expect(ranged.suggestedFilename()).toMatch(/^cabinet-audit-1-\d+\.jsonl$/);
  expect(readFileSync((await ranged.path())!, 'utf8').startsWith('{"seq":1,"at":"')).toBe(true);
  await expect(exportPanel).toContainText('npx cabinet audit verify --after HASH');

  // The change itself: a document to read, its sealed approval record in words, its history with names.
  await page.goto(`/changes/${number}`);
  await expect(page.getByRole('heading', { name: CHANGE, level: 1 })).toBeVisible();
  const doc = page.getByTestId('change-document');
  await expect(doc).toContainText('You may not edit this change.');
  await expect(doc.getByRole('term').filter({ hasText: /^Backout plan$/ })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Title' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/audit-desk-change.png', fullPage: true });

  await page.getByRole('tab', { name: /^Evidence/ }).click();
  const sealed = page.getByTestId('sealed-record');
  await expect(sealed).toBeVisible();
  await expect(sealed.getByRole('heading', { level: 3 }).first()).toBeVisible();
  await expect(sealed).toContainText(/Approved by .+, \d/);
  await expect(sealed).toContainText('Reviewed: the plan, tests and backout are sound.');
  await expect(sealed.getByRole('term').filter({ hasText: /^For content$/ })).toBeVisible();
  await expect(sealed).not.toContainText('"contentHash"');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/audit-desk-evidence.png', fullPage: true });
  await sealed.screenshot({ path: 'test-results/audit-desk-sealed-record.png' });

  await page.getByRole('tab', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByText('Sealed the approval record')).toBeVisible();
  const changed = history.getByRole('list', { name: 'Changed fields' });
  await expect(changed.filter({ hasText: 'Change manager' })).toContainText('Alice Martin (change manager)');
  for (const text of await changed.allTextContents()) expect(text).not.toMatch(UUID);
  await page.screenshot({ path: 'test-results/audit-desk-history.png', fullPage: true });
  await signOut(page);
});

test('a requester has no audit trail in the navigation and is told so at /audit', async ({ page }) => {
  await signInAs(page, 'bob@example.com');
  await expect(page.getByRole('link', { name: 'Audit trail' })).toHaveCount(0);
  await page.goto('/audit');
  await expect(page.getByText('The audit trail is for auditors')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Verify the chain' })).toHaveCount(0);
});
