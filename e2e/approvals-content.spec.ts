import { mkdirSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { axeFindings, localDateTime, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

/** App-wide findings issue 11 reworks: the palette's colour contrast, and tabs whose text carries a count. */
const KNOWN_APP_WIDE = ['color-contrast', 'label-content-name-mismatch'];

/**
 * No serious or critical axe-core finding on the page but the app-wide ones above; what this journey added
 * (withdrawn approvals, votes that no longer count, the edit scope note) has none at all.
 */
async function expectAccessible(page: Page): Promise<void> {
  const findings = await axeFindings(page);
  expect(findings.filter((f) => !KNOWN_APP_WIDE.includes(f.id))).toEqual([]);
  const ours = findings.flatMap((f) => f.targets).filter((t) => /vote-ended|withdrawn-reason|edit-scope|approvals-withdrawn"\] > p$/.test(t));
  expect(ours).toEqual([]);
}

const TITLE = 'Move the internal wiki to single sign-on';
const SHOTS = '/tmp/shots';



/**
 * Bob (requester, Payments) files a normal change on the wiki (no database, no PCI: one approval only) and
 * submits it; Alice (change manager, no party to it) requests authorization, approves it and schedules it.
 * Ends signed out.
 */
async function fileScheduledWikiChange(page: Page, title: string, day = 14): Promise<{ changeUrl: string; number: string }> {
  await signInAs(page, 'bob@example.com');
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'New change' }).click();
  await page.getByRole('radio', { name: /Normal change/ }).check();
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  const state = page.getByTestId('change-state');
  await expect(state).toHaveText('Draft');
  await expect(page.getByLabel('Title')).toHaveValue(title);
  const changeUrl = new URL(page.url()).pathname;
  const number = changeUrl.split('/').pop()!;
  await page.getByLabel('Description', { exact: true }).fill('Sign in to the wiki with the company identity provider.');
  await page.getByLabel('Justification', { exact: true }).fill('Shared wiki passwords fail the access review.');
  const cis = page.getByRole('combobox', { name: 'Affected CIs' });
  await cis.click();
  await cis.fill('wiki');
  await page.getByRole('option', { name: /wiki-saas/ }).click();
  await page.keyboard.press('Escape');
  await page.getByLabel('Planned start').fill(localDateTime(day, 20));
  await page.getByLabel('Planned end').fill(localDateTime(day, 21));
  await page.getByLabel('Implementation plan').fill('1. Register the wiki with the identity provider.\n2. Turn on SSO.');
  await page.getByLabel('Test plan').fill('Sign in as a test user through SSO.');
  await page.getByLabel('Backout plan', { exact: true }).fill('Turn SSO off; local passwords still work.');
  // Payments, by hand: routing would give the wiki to Platform, and Carol (Platform) must stay a stranger to it.
  await page.getByRole('combobox', { name: 'Assignment team' }).click();
  await page.getByRole('option', { name: 'Payments', exact: true }).click();
  await page.getByRole('button', { name: /Submit for assessment/ }).click();
  await expect(state).toHaveText('Assess');
  await signOut(page);

  // Alice requests authorization: the change is of low risk, so a change manager's approval is all it needs.
  await signInAs(page, 'alice@example.com');
  await page.goto(changeUrl);
  await page.getByRole('button', { name: /Request authorization/ }).click();
  await expect(state).toHaveText('Authorize');
  await expect(page.getByTestId('change-risk')).toHaveText('Low risk');
  const tab = page.getByRole('tab', { name: /^Approvals/ });
  await expect(tab).toHaveText('Approvals (1 pending)');
  await tab.click();
  const authority = page.getByTestId('approvals-panel').getByRole('region', { name: 'Change authority' });
  const approval = authority.getByRole('listitem', { name: 'Change Managers approval' });
  await expect(authority.getByRole('listitem', { name: /approval$/ })).toHaveCount(1);
  await expect(approval).toContainText('Pending');
  // Alice is no party to Bob's change and sits in the approving team: she approves, then schedules.
  await approval.getByRole('button', { name: /^Approve/ }).click();
  await expect(approval).toContainText('Approved');
  await expect(approval.getByRole('list', { name: 'Votes' })).toContainText('Alice Martin (change manager) approved');
  await expect(tab).toHaveText('Approvals');
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(state).toHaveText('Scheduled');
  await signOut(page);
  return { changeUrl, number };
}

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test('an approval is for a content: editing the plan of a scheduled change reopens authorization, and outsiders may not edit', async ({ page }) => {
  test.setTimeout(150_000);

  const { changeUrl, number } = await fileScheduledWikiChange(page, TITLE);
  const state = page.getByTestId('change-state');
  const tab = page.getByRole('tab', { name: /^Approvals/ });
  const panel = page.getByTestId('approvals-panel');
  const current = panel.getByRole('region', { name: 'Change authority' }).getByRole('listitem', { name: /approval$/ });

  // Bob rewords the description: not material, the approval stands and the change stays scheduled.
  await signInAs(page, 'bob@example.com');
  await page.goto(changeUrl);
  await expect(state).toHaveText('Scheduled');
  await page.getByLabel('Description', { exact: true }).fill('Sign in to the wiki with the company identity provider (Okta).');
  await expect(page.getByRole('tab', { name: /^Details/ })).toHaveText('Details •');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('tab', { name: /^Details/ })).toHaveText('Details');
  await expect(state).toHaveText('Scheduled');
  await expect(tab).toHaveText('Approvals');

  // Then he edits the implementation plan: that is not what was approved.
  await page.getByLabel('Implementation plan').fill('1. Register the wiki with the identity provider.\n2. Turn on SSO.\n3. Remove local passwords.');
  await expect(page.getByRole('tab', { name: /^Details/ })).toHaveText('Details •');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('tab', { name: /^Details/ })).toHaveText('Details');
  await expect(state).toHaveText('Authorize');
  await expect(page.getByRole('status').filter({ hasText: 'Saved. The change went back to Authorize' })).toBeVisible();
  await expect(tab).toHaveText('Approvals (1 pending)');
  await tab.click();
  // The new request stands in its stage; the old one, with Alice's vote struck through, under Withdrawn.
  await expect(current).toHaveCount(1);
  await expect(current).toContainText('Pending');
  await expect(current.getByRole('list', { name: 'Votes' })).toHaveCount(0);
  const withdrawn = panel.getByRole('region', { name: 'Withdrawn' });
  const old = withdrawn.getByRole('listitem', { name: /approval$/ });
  await expect(old).toHaveCount(1);
  await expect(old).toContainText('Withdrawn');
  await expect(old.getByTestId('withdrawn-reason')).toHaveText(new RegExp(`^Withdrawn: ${number} was changed \\(implementation plan\\) after its approvals were requested`));
  const vote = old.getByRole('list', { name: 'Votes' }).getByRole('listitem');
  await expect(vote).toContainText('Alice Martin (change manager) approved');
  await expect(vote).toHaveAttribute('data-vote-counts', 'false');
  // Its reason is the withdrawn approval's, said once above it.
  await expect(vote.getByTestId('vote-ended')).toHaveText(/^Superseded .+: it no longer counts\.$/);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${SHOTS}/approvals-withdrawn.png`, fullPage: true });
  await expectAccessible(page);

  // The history says why.
  await page.getByRole('tab', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByText('Authorization reopened: Implementation plan changed after approvals were requested')).toBeVisible();
  await signOut(page);

  // Carol is neither party, team member nor change manager of Bob's change: she may read it, not edit it.
  await signInAs(page, 'carol@example.com');
  await page.goto(changeUrl);
  await expect(page.getByRole('heading', { name: TITLE, level: 1 })).toBeVisible();
  // The change reads as a document (label and value), not as a form of disabled fields.
  const details = page.getByTestId('change-document');
  await expect(details.getByText('You may not edit this change.')).toBeVisible();
  await expect(details.getByRole('term').filter({ hasText: /^Implementation plan$/ })).toBeVisible();
  await expect(details.getByRole('term').filter({ hasText: /^Planned start$/ })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Change details' })).toHaveCount(0);
  await expect(page.getByLabel('Implementation plan')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toHaveCount(0);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${SHOTS}/change-form-unrelated.png`, fullPage: true });
  await expectAccessible(page);
});

test('during implementation the approved content is locked in the change form', async ({ page }) => {
  // The demo's payment API change is under way (Implement); Alice, a change manager, may still edit it.
  await signInAs(page, 'alice@example.com');
  const row = page.getByRole('row').filter({ hasText: 'Increase payment API connection pool' });
  await row.getByRole('link', { name: /^CHG\d+$/ }).click();
  await expect(page.getByTestId('change-state')).toHaveText('Implement');
  await expect(page.getByTestId('edit-scope')).toHaveText(/^The work is under way on what was approved: /);
  await expect(page.getByLabel('Implementation plan')).toBeDisabled();
  await expect(page.getByLabel('Planned start')).toBeDisabled();
  await expect(page.getByLabel('Title')).toBeEnabled();
  await expect(page.getByLabel('Actual end')).toBeEnabled();
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${SHOTS}/change-form-locked.png`, fullPage: true });
  await expectAccessible(page);
});

// The risk level in force is approved content: a hand-set level reopens authorization for the CAB.
test('overriding the risk level of a scheduled change reopens authorization for the new level', async ({ page }) => {
  test.setTimeout(120_000);
  // Another evening: on the same CI at the same time as the first test's change, it could not be scheduled
  // before a change manager acknowledged the overlap.
  const { changeUrl } = await fileScheduledWikiChange(page, 'Turn on wiki page history retention', 16);
  await signInAs(page, 'alice@example.com');
  await page.goto(changeUrl);
  const state = page.getByTestId('change-state');
  await expect(state).toHaveText('Scheduled');
  await page.getByRole('button', { name: 'Override level' }).click();
  const form = page.getByRole('form', { name: 'Override the risk level' });
  await form.getByRole('combobox', { name: 'Level' }).click();
  await page.getByRole('option', { name: 'Very high' }).click();
  await form.getByLabel('Justification').fill('Retention rewrites every page of the wiki; treat it as very high.');
  await form.getByRole('button', { name: 'Save override' }).click();
  await expect(page.getByTestId('risk-override')).toBeVisible();
  await expect(state).toHaveText('Authorize');
  await page.getByRole('tab', { name: /^Approvals/ }).click();
  const panel = page.getByTestId('approvals-panel');
  await expect(panel.getByRole('region', { name: 'Change authority' }).getByRole('listitem', { name: 'Change Advisory Board approval' })).toContainText('Pending');
  await expect(panel.getByRole('region', { name: 'Withdrawn' }).getByTestId('withdrawn-reason')).toHaveText(/^Withdrawn: CHG\d+ was changed/);
});
