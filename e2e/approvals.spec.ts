import { expect, test } from './support/test';
import { localDateTime, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const TITLE = 'Add a read replica to the payments database';



test('a normal change on a PCI database collects its approvals, stage by stage, before it may be scheduled', async ({ page }) => {
  test.setTimeout(150_000);

  // Bob (requester) files a normal change on pay-db-prod with every planning field and submits it.
  await signInAs(page, 'bob@example.com');
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'New change' }).click();
  await page.getByRole('radio', { name: /Normal change/ }).check();
  await page.getByLabel('Title').fill(TITLE);
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  // The URL changes before the lazily loaded change page replaces the form: wait for the change itself.
  await expect(page.getByTestId('change-state')).toHaveText('Draft');
  await expect(page.getByLabel('Title')).toHaveValue(TITLE);
  const changeUrl = new URL(page.url()).pathname;
  await page.getByLabel('Description', { exact: true }).fill('A streaming replica of pay-db-prod for reporting queries.');
  await page.getByLabel('Justification', { exact: true }).fill('Reports slow down checkout when they run on the primary.');
  const cis = page.getByRole('combobox', { name: 'Affected CIs' });
  await cis.click();
  await cis.fill('pay-db');
  await page.getByRole('option', { name: /pay-db-prod/ }).click();
  await page.keyboard.press('Escape');
  await page.getByLabel('Planned start').fill(localDateTime(10, 21));
  await page.getByLabel('Planned end').fill(localDateTime(10, 22));
  await page.getByLabel('Implementation plan').fill('1. Base backup.\n2. Start the replica.\n3. Point reports at it.');
  await page.getByLabel('Test plan').fill('Replication lag under 1 s; reports run on the replica.');
  await page.getByLabel('Backout plan', { exact: true }).fill('Stop the replica and point reports back at the primary.');
  await page.getByRole('combobox', { name: 'Assignment team' }).click();
  await page.getByRole('option', { name: 'Payments', exact: true }).click();
  const state = page.getByTestId('change-state');
  await page.getByRole('button', { name: /Submit for assessment/ }).click();
  await expect(state).toHaveText('Assess');
  // Nothing to approve yet.
  await page.getByRole('tab', { name: 'Approvals' }).click();
  await expect(page.getByText('No approvals yet.')).toBeVisible();
  await signOut(page);

  // Alice (change manager) requests authorization: the policy asks for approvals.
  await signInAs(page, 'alice@example.com');
  await page.goto(changeUrl);
  await page.getByRole('button', { name: /Request authorization/ }).click();
  await expect(state).toHaveText('Authorize');
  const tab = page.getByRole('tab', { name: /^Approvals/ });
  await expect(tab).toHaveText('Approvals (2 pending)');
  await tab.click();
  const panel = page.getByTestId('approvals-panel');
  const specialists = panel.getByRole('region', { name: 'Specialist review' });
  const compliance = panel.getByRole('region', { name: 'Compliance review' });
  const authority = panel.getByRole('region', { name: 'Change authority' });
  const dba = specialists.getByRole('listitem', { name: 'Database Administrators approval' });
  const security = specialists.getByRole('listitem', { name: 'Security approval' });
  const complianceReview = compliance.getByRole('listitem', { name: 'Compliance approval' });
  const cab = authority.getByRole('listitem', { name: 'Change Advisory Board approval' });
  await expect(dba).toContainText('A database is affected');
  await expect(dba).toContainText('any member');
  await expect(dba).toContainText('Pending');
  await expect(security).toContainText('A payment (PCI) system is affected');
  await expect(complianceReview).toContainText('A regulated system (SOX, HIPAA, GDPR or PCI) is affected');
  await expect(complianceReview).toContainText('Waiting');
  await expect(cab).toContainText('Waiting');
  await expect(cab).toContainText('50% of members');
  // Specialists come first, then compliance, then the change authority.
  await expect(panel.getByRole('heading', { level: 2 })).toHaveText(['Specialist review', 'Compliance review', 'Change authority']);
  // Alice is not in dba nor security: no buttons for her there, nor on the waiting CAB approval.
  await expect(panel.getByRole('button', { name: /^Approve/ })).toHaveCount(0);

  // Scheduling now is refused, and the page says which approvals are missing.
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  const blocked = page.getByRole('alert').filter({ hasText: 'needs these 4 approvals first' });
  await expect(blocked).toBeVisible();
  const pending = blocked.getByRole('list', { name: 'Pending approvals' });
  await expect(pending.getByRole('listitem').filter({ hasText: 'Database Administrators' })).toContainText('waiting for a decision');
  await expect(pending.getByRole('listitem').filter({ hasText: 'Compliance' })).toContainText('waiting for the stage before it');
  await expect(pending.getByRole('listitem').filter({ hasText: 'Change Advisory Board' })).toContainText('waiting for the stage before it');
  await expect(state).toHaveText('Authorize');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/approvals-pending.png', fullPage: true });
  await signOut(page);

  // Dave (DBA) finds it in his inbox and approves.
  await signInAs(page, 'dave@example.com');
  const nav = page.getByRole('navigation', { name: 'Changes' });
  // The navigation counts what waits for him (the demo data may hold more than this change).
  const badge = nav.getByTestId('nav-badge');
  await expect(badge).toHaveText(/^\d+ pending$/);
  const waiting = Number((await badge.textContent())!.split(' ')[0]);
  expect(waiting).toBeGreaterThanOrEqual(1);
  await nav.getByRole('link', { name: /My approvals/ }).click();
  await expect(page.getByRole('heading', { name: 'My approvals', level: 1 })).toBeVisible();
  const inbox = page.getByRole('table', { name: 'My approvals' });
  const row = inbox.getByRole('row').filter({ hasText: TITLE });
  await expect(row).toContainText('Specialist review');
  await expect(row).toContainText('A database is affected');
  await page.screenshot({ path: 'test-results/approvals-inbox.png', fullPage: true });
  // Approve opens the decision panel with the change's essentials; the decision is sent from there.
  await row.getByRole('button', { name: /^Approve/ }).click();
  const decision = page.getByRole('dialog', { name: new RegExp(`^Decide CHG\\d+: ${TITLE}$`) });
  await expect(decision.getByTestId('change-essentials')).toContainText('pay-db-prod');
  await decision.getByRole('button', { name: /^Approve CHG\d+$/ }).click();
  await expect(decision).toHaveCount(0);
  await expect(row).toHaveCount(0);
  if (waiting === 1) await expect(badge).toHaveCount(0);
  else await expect(badge).toHaveText(`${waiting - 1} pending`);
  await signOut(page);

  // Frank (security) approves the PCI review from the change page.
  await signInAs(page, 'frank@example.com');
  await page.goto(changeUrl);
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  await security.getByRole('button', { name: /^Approve/ }).click();
  await expect(security).toContainText('Approved');
  await expect(security.getByRole('list', { name: 'Votes' })).toContainText('Frank Li (network) approved');
  await signOut(page);

  // Grace (compliance) approves the compliance review, open now that the specialists are done.
  await signInAs(page, 'grace@example.com');
  await page.goto(changeUrl);
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  await expect(complianceReview).toContainText('Pending');
  await expect(cab).toContainText('Waiting');
  await complianceReview.getByRole('button', { name: /^Approve/ }).click();
  await expect(complianceReview).toContainText('Approved');
  await expect(complianceReview.getByRole('list', { name: 'Votes' })).toContainText('Grace Hopper (compliance) approved');
  await signOut(page);

  // Alice: the CAB stage is open now; a rejection without a reason is refused, then she approves.
  await signInAs(page, 'alice@example.com');
  await page.goto(changeUrl);
  await expect(tab).toHaveText('Approvals (1 pending)');
  await tab.click();
  await expect(cab).toContainText('Pending');
  await expect(dba.getByRole('list', { name: 'Votes' })).toContainText('Dave Kowalski (DBA) approved');
  await cab.getByRole('button', { name: /^Reject/ }).click();
  await cab.getByRole('form').getByRole('button', { name: 'Reject' }).click();
  await expect(cab.getByText('a rejection needs a comment')).toBeVisible();
  await cab.getByRole('button', { name: 'Cancel' }).click();
  await cab.getByRole('button', { name: /^Approve/ }).click();
  await expect(cab).toContainText('Approved');
  await expect(tab).toHaveText('Approvals');
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/approvals-panel.png', fullPage: true });

  // Every approval is in: Schedule goes through.
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(state).toHaveText('Scheduled');
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The history tells the story in words.
  await page.getByRole('tab', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByText(/^Approvals requested: /)).toBeVisible();
  await expect(history.getByText('Approved the Database Administrators approval (now approved)')).toBeVisible();
  await expect(history.getByText('Approved the Compliance approval (now approved)')).toBeVisible();
  await expect(history.getByText('Approved the Change Advisory Board approval (now approved)')).toBeVisible();
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/approvals-history.png', fullPage: true });
});
