import { expect, test } from './support/test';
import { localDateTime, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';
import { apiAs, journeyCi } from './support/pipeline';

skipWithoutBrowser();

/** An ISO instant for a datetime-local value of `localDateTime` (the test runner's zone, as the fixtures read it). */
const isoOf = (local: string) => new Date(local).toISOString();

test('an emergency change is decided by the ECAB’s votes, without a meeting, within its response time', async ({ page }) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const boardName = `Journey ECAB ${stamp}`;
  const title = `Hotfix the card vault timeouts (ECAB journey ${stamp})`;

  // Alice (change manager) sets up the ECAB: Dave and Frank, two of whom must agree; an hour to answer by default.
  await signInAs(page, 'alice@example.com');
  const ci = await journeyCi(page, 'card-vault-hotfix');
  const board = await apiAs<{ id: string; responseMinutes: number }>(page, 'POST', '/api/v1/boards', {
    name: boardName,
    kind: 'ecab',
    description: 'The emergency board of the ECAB journey.',
    memberIds: ['dave@example.com', 'frank@example.com'],
    scope: `change.title.contains("ECAB journey ${stamp}")`,
    quorum: { minMembers: 2 },
  });
  expect(board.responseMinutes).toBe(60);
  await signOut(page);

  // Bob files the emergency change and asks for its authorization at once.
  await signInAs(page, 'bob@example.com');
  const bob = await apiAs<{ id: string }>(page, 'GET', '/api/v1/me');
  const change = await apiAs<{ id: string; number: string }>(page, 'POST', '/api/v1/changes', {
    type: 'emergency',
    title,
    description: 'Card tokenisation times out for one request in twenty.',
    justification: 'Card payments fail while it lasts.',
    ciIds: [ci.id],
    // Well ahead, so it stays out of the journeys that look at this week and the next seven days.
    plannedStart: isoOf(localDateTime(12, 21)),
    plannedEnd: isoOf(localDateTime(12, 22)),
    implementationPlan: 'Deploy the patched client with the longer timeout.',
    testPlan: 'Tokenise a test card; watch the error rate for ten minutes.',
    backoutPlan: 'Redeploy the previous client.',
    assignmentTeamId: 'payments-team',
    implementerId: bob.id,
  });
  await apiAs(page, 'POST', `/api/v1/changes/${change.id}/transitions`, { to: 'authorize' });
  await signOut(page);

  // Dave sees the vote waiting on his home page, with its due time, and approves from the change page.
  await signInAs(page, 'dave@example.com');
  await page.goto('/');
  const votes = page.getByTestId('home-section-cab-votes');
  await expect(votes.getByRole('heading', { name: 'CAB votes waiting for you' })).toBeVisible();
  const waiting = votes.getByRole('listitem').filter({ hasText: change.number });
  await expect(waiting).toContainText(boardName);
  await expect(waiting).toContainText(/due/i);
  await page.screenshot({ path: 'test-results/ecab-home.png', fullPage: true });
  await waiting.getByRole('link', { name: change.number }).click();
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  const ecab = page.getByTestId('approvals-panel').getByRole('listitem', { name: `${boardName} approval` });
  await expect(ecab).toContainText('Pending');
  await expect(ecab).toContainText("the board's quorum (2 members)");
  await ecab.getByRole('button', { name: /^Approve/ }).click();
  await expect(ecab.getByRole('list', { name: 'Votes' })).toContainText('Dave Kowalski (DBA) approved');
  // One vote of the two the quorum needs: still pending.
  await expect(ecab).toContainText('Pending');
  await signOut(page);

  // Frank approves from his inbox: the board has decided, within the hour.
  await signInAs(page, 'frank@example.com');
  await page.goto('/approvals');
  const row = page.getByRole('table', { name: 'My approvals' }).getByRole('row').filter({ hasText: title });
  await row.getByRole('button', { name: /^Approve/ }).click();
  const decision = page.getByRole('dialog', { name: new RegExp(`^Decide ${change.number}: `) });
  await decision.getByRole('button', { name: new RegExp(`^Approve ${change.number}$`) }).click();
  await expect(row).toHaveCount(0);
  await page.goto(`/changes/${change.number}`);
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  await expect(ecab).toContainText('Approved');
  await page.screenshot({ path: 'test-results/ecab-approved.png', fullPage: true });
  await signOut(page);

  // The board's figures: one answer, within its response time.
  await signInAs(page, 'alice@example.com');
  const figures = await apiAs<{ response: { slaMinutes: number; withinSla: { numerator: number; denominator: number } } }>(page, 'GET', `/api/v1/boards/${board.id}/metrics`);
  expect(figures.response.slaMinutes).toBe(60);
  expect(figures.response.withinSla).toMatchObject({ numerator: 1, denominator: 1 });
  await page.goto(`/boards/${board.id}`);
  await expect(page.getByRole('heading', { name: boardName, level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Figures' })).toBeVisible();
  await page.screenshot({ path: 'test-results/ecab-figures.png', fullPage: true });
});
