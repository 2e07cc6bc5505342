import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { axeFindings, localDateTime, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

/** Calls the API as the signed-in person (the session cookie, and the CSRF token the app would send). */
async function api(page: Page, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  const res = await page.request.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': me.csrfToken } });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (await res.json()) as Record<string, unknown>;
}

/** Bob files a normal change on the payments database, every plan field filled, and submits it; its number. */
async function fileChange(page: Page, title: string): Promise<string> {
  const change = await api(page, 'POST', '/api/v1/changes', {
    type: 'normal',
    title,
    description: 'Move the nightly reports to a streaming replica of pay-db-prod.',
    justification: 'Reports slow down checkout when they run on the primary.',
    ciIds: ['pay-db-prod'],
    plannedStart: new Date(localDateTime(12, 21)).toISOString(),
    plannedEnd: new Date(localDateTime(12, 22)).toISOString(),
    implementationPlan: '1. Base backup.\n2. Start the replica.\n3. Point reports at it.',
    testPlan: 'Replication lag under 1 s; reports run on the replica.',
    backoutPlan: 'Stop the replica and point reports back at the primary.',
  });
  await api(page, 'POST', `/api/v1/changes/${change.id as string}/transitions`, { to: 'assess' });
  return change.number as string;
}

/** No serious or critical axe-core finding inside the open dialog. */
async function expectAccessibleDialog(page: Page): Promise<void> {
  // Mantine fades dialogs in; axe would read their colours halfway.
  await page.waitForTimeout(400);
  const findings = await axeFindings(page, '[role="dialog"]');
  expect(findings, findings.map((f) => `${f.id} (${f.impact}): ${f.help} at ${f.targets.join(', ')}`).join('\n')).toEqual([]);
}

test('an approver reads the essentials of a change in the inbox, writes a comment and approves', async ({ page }) => {
  test.setTimeout(150_000);
  const title = `Reporting replica for payments ${Date.now()}`;
  await signInAs(page, 'bob@example.com');
  const number = await fileChange(page, title);
  await signOut(page);

  // Alice (change manager) asks for authorization; Schedule is not the filled button while approvals wait, and says why.
  await signInAs(page, 'alice@example.com');
  await page.goto(`/changes/${number}`);
  await page.getByRole('button', { name: 'Request authorization' }).click();
  await expect(page.getByTestId('change-state')).toHaveText('Authorize');
  const schedule = page.getByRole('button', { name: 'Schedule', exact: true });
  await expect(schedule).toHaveAttribute('data-ready', 'false');
  await expect(schedule).not.toHaveAttribute('data-primary', 'true');
  await expect(page.getByTestId('move-reasons')).toContainText('Schedule: Waiting on approvals: dba by');
  await page.screenshot({ path: 'test-results/acting-safely-refused-move.png' });
  await signOut(page);

  // Dave (DBA) decides from his inbox: the panel shows the change first.
  await signInAs(page, 'dave@example.com');
  await page.goto('/approvals');
  const row = page.getByRole('table', { name: 'My approvals' }).getByRole('row').filter({ hasText: title });
  await row.getByRole('button', { name: /^Approve/ }).click();
  const panel = page.getByRole('dialog', { name: `Decide ${number}: ${title}` });
  await expect(panel).toBeVisible();
  const essentials = panel.getByTestId('change-essentials');
  await expect(essentials).toContainText('A database is affected');
  await expect(essentials).toContainText('Normal change, Authorize');
  await expect(essentials).toContainText('Bob Okafor');
  await expect(essentials).toContainText('pay-db-prod');
  await expect(essentials).toContainText('Payments');
  await expect(essentials.getByRole('list', { name: 'Top risk reasons' }).getByRole('listitem').first()).toBeVisible();
  await expect(essentials).toContainText(/Planned window.*(CET|CEST)/);
  await expect(essentials).toContainText(/Conflicts(None|\d+ conflicts?)/);
  await expect(essentials).toContainText('Stop the replica and point reports back at the primary.');
  // Keyboard: focus starts at the top of the panel; Shift+Tab wraps to its last control, the decision button,
  // and once more to "Not now", then to the comment.
  await expect(panel.getByRole('button', { name: 'Close without deciding' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(panel.getByRole('button', { name: `Approve ${number}` })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  const comment = panel.getByRole('textbox', { name: 'Comment (optional)' });
  await expect(comment).toBeFocused();
  await page.keyboard.type('Fine: the replica is read-only and the backout is simple.');
  await expectAccessibleDialog(page);
  await panel.getByText('Why you are asked').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/acting-safely-inbox-panel.png' });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(panel.getByRole('button', { name: `Approve ${number}` })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(panel).toHaveCount(0);
  await expect(row).toHaveCount(0);

  // The vote carries the comment.
  await page.goto(`/changes/${number}`);
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  await expect(page.getByRole('list', { name: 'Votes' }).first()).toContainText('Fine: the replica is read-only and the backout is simple.');
  await signOut(page);
});

test('a requester cancels a change only after saying why, and the reason shows in its history', async ({ page }) => {
  test.setTimeout(120_000);
  const title = `Retire the old reporting job ${Date.now()}`;
  await signInAs(page, 'bob@example.com');
  const number = await fileChange(page, title);
  await page.goto(`/changes/${number}`);
  await expect(page.getByTestId('change-state')).toHaveText('Assess');

  await page.getByRole('button', { name: 'Cancel…' }).click();
  const dialog = page.getByRole('dialog', { name: `Cancel ${number}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`Cancelling ends ${number} for good`);
  const reason = dialog.getByRole('textbox', { name: /Why\?/ });
  await expect(reason).toBeFocused();
  // Without a reason, nothing happens.
  await dialog.getByRole('button', { name: 'Cancel the change' }).click();
  await expect(dialog.getByText('Give a reason: it is kept in the history.')).toBeVisible();
  await expect(page.getByTestId('change-state')).toHaveText('Assess');
  await expectAccessibleDialog(page);
  await reason.fill('The reporting team moves to the data warehouse instead.');
  await page.screenshot({ path: 'test-results/acting-safely-cancel-dialog.png' });
  await dialog.getByRole('button', { name: 'Cancel the change' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('change-state')).toHaveText('Cancelled');

  await page.getByRole('tab', { name: 'History' }).click();
  await expect(page.getByTestId('move-reason').first()).toHaveText('Reason: The reporting team moves to the data warehouse instead.');
  await signOut(page);
});

test('leaving an edit with unsaved changes asks first; staying keeps the edits', async ({ page }) => {
  test.setTimeout(120_000);
  const title = `Tune the reporting replica ${Date.now()}`;
  await signInAs(page, 'bob@example.com');
  const number = await fileChange(page, title);
  await page.goto(`/changes/${number}`);
  const field = page.getByLabel('Title');
  await expect(field).toHaveValue(title);
  await field.fill(`${title}, edited`);

  const changes = page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Changes', exact: true });
  await changes.click();
  const dialog = page.getByRole('dialog', { name: 'Leave without saving?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Stay on the page' })).toBeFocused();
  await expectAccessibleDialog(page);
  await dialog.getByRole('button', { name: 'Stay on the page' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`/changes/${number}$`));
  await expect(field).toHaveValue(`${title}, edited`);

  // Closing the tab asks too (the browser's own prompt).
  // NOTE: answered before the journey ends: a prompt still being dismissed while the context closes fails the close.
  const asked = new Promise<string>((resolve) => {
    page.once('dialog', async (d) => {
      const type = d.type();
      await d.dismiss();
      resolve(type);
    });
  });
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
});

test('leaving after saving does not ask', async ({ page }) => {
  test.setTimeout(120_000);
  const title = `Rename the reporting replica ${Date.now()}`;
  await signInAs(page, 'bob@example.com');
  const number = await fileChange(page, title);
  await page.goto(`/changes/${number}`);
  await page.getByLabel('Title').fill(`${title}, saved`);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Changes', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Changes', level: 1 })).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('a save after someone else saved the same change shows the stale-save dialog on screen; reloading keeps my edits, discarding drops them', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const title = `Resize the reporting replica ${Date.now()}`;
  await signInAs(page, 'bob@example.com');
  const number = await fileChange(page, title);
  await page.goto(`/changes/${number}`);
  await expect(page.getByLabel('Title')).toHaveValue(title);

  // Bob edits the title and the test plan here…
  await page.getByLabel('Title').fill(`${title}, mine`);
  await page.getByLabel('Test plan').fill('Replication lag under 500 ms for an hour.');

  // …while, in another browser, the same change is saved first: its title and description.
  const other = await browser.newContext();
  try {
    const otherPage = await other.newPage();
    await signInAs(otherPage, 'bob@example.com');
    await otherPage.goto(`/changes/${number}`);
    await expect(otherPage.getByLabel('Title')).toHaveValue(title);
    await otherPage.getByLabel('Title').fill(`${title}, theirs`);
    await otherPage.getByLabel('Description').fill('Move the nightly reports to a larger streaming replica.');
    await otherPage.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(otherPage.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  } finally {
    await other.close();
  }

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Someone else saved this change first' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toBeInViewport({ ratio: 1 });
  const keep = dialog.getByRole('button', { name: 'Reload and keep my edits' });
  await expect(keep).toBeFocused();
  await expect(dialog).toContainText('They changed Title, Description. Nothing of yours was saved.');
  await expect(dialog).toContainText('Reloading keeps your edits to Test plan.');
  await expect(dialog).toContainText('Your edits to Title are replaced by theirs');
  await page.screenshot({ path: 'test-results/acting-safely-stale-save.png' });
  await expectAccessibleDialog(page);

  // Reload and keep: their title and description, my test plan, still to be saved.
  await keep.click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByLabel('Title')).toHaveValue(`${title}, theirs`);
  await expect(page.getByLabel('Description')).toHaveValue('Move the nightly reports to a larger streaming replica.');
  await expect(page.getByLabel('Test plan')).toHaveValue('Replication lag under 500 ms for an hour.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  // Once more, the other save made through the API this time; discarding takes their copy and drops my edit.
  await page.getByRole('textbox', { name: 'Backout plan' }).fill('Point reports back at the primary first.');
  const changeId = ((await api(page, 'GET', `/api/v1/changes/${number}`)) as { id: string }).id;
  const latest = (await api(page, 'GET', `/api/v1/changes/${changeId}`)) as { version: number };
  await api(page, 'PATCH', `/api/v1/changes/${changeId}`, { justification: 'Checkout slowed down twice last week.', version: latest.version });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toBeInViewport({ ratio: 1 });
  await expect(dialog).toContainText('They changed Justification.');
  await dialog.getByRole('button', { name: 'Discard mine' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Reloaded; your edits were discarded.' })).toBeAttached();
  await expect(page.getByLabel('Justification')).toHaveValue('Checkout slowed down twice last week.');
  await expect(page.getByRole('textbox', { name: 'Backout plan' })).toHaveValue('Stop the replica and point reports back at the primary.');
  await expect(page.getByLabel('Test plan')).toHaveValue('Replication lag under 500 ms for an hour.');
});
