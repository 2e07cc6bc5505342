import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { expect, mailDir, test } from './support/test';
import { simpleParser } from 'mailparser';
import { axeFindings, type AxeFinding, axeRuleFindings, signIn, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';
import { apiAs, journeyCi, pipelineClient, randomSha } from './support/pipeline';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

const SHOTS = 'test-results/accessibility';
/** One JSON file per page state with what axe found there; `axe-summary.json` adds them up after each test. */
const FINDINGS = `${SHOTS}/findings`;
mkdirSync(FINDINGS, { recursive: true });

const slug = (state: string) => state.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();

/** "color-contrast (serious): …" and the elements, one a line, for a failure message. */
function describe(findings: AxeFinding[]): string {
  return findings
    .map((f) => `${f.id} (${f.impact}): ${f.help}\n    ${f.targets.slice(0, 15).join('\n    ')}${f.targets.length > 15 ? `\n    … and ${f.targets.length - 15} more` : ''}`)
    .join('\n  ');
}

/**
 * Waits until the page has settled (no loader, no transition), runs axe-core over it, keeps a screenshot and
 * records a soft failure that names every serious or critical finding (rule, impact, elements), and any empty
 * table header, so that one run lists the problems of every page state. `route` is the app.tsx route this state belongs to.
 */
async function check(page: Page, state: string, _opts: { route?: string } = {}): Promise<void> {
  await expect(page.getByText(/^Loading/)).toHaveCount(0);
  // Mantine fades dialogs, menus and tooltips in; axe would read their colours halfway.
  await page.waitForTimeout(300);
  // WCAG 2.1 A and AA (serious and critical), and the trial's empty table headers (a best practice, minor).
  const findings = [...(await axeFindings(page)), ...(await axeRuleFindings(page, ['empty-table-header']))];
  writeFileSync(`${FINDINGS}/${slug(state)}.json`, JSON.stringify({ state, url: page.url(), findings }, null, 2));
  await page.screenshot({ path: `${SHOTS}/${slug(state)}.png`, fullPage: true });
  expect.soft(findings, `axe-core on "${state}" (${page.url()}):\n  ${describe(findings)}`).toEqual([]);
}

test.afterEach(() => {
  const states = readdirSync(FINDINGS).map((f) => JSON.parse(readFileSync(`${FINDINGS}/${f}`, 'utf8')) as { state: string; findings: AxeFinding[] });
  const nodes = (fs: AxeFinding[]) => fs.reduce((n, f) => n + f.targets.length, 0);
  const byRule: Record<string, number> = {};
  for (const s of states) for (const f of s.findings) byRule[`${f.id} (${f.impact})`] = (byRule[`${f.id} (${f.impact})`] ?? 0) + f.targets.length;
  const summary = {
    states: states.length,
    statesWithFindings: states.filter((s) => s.findings.length > 0).length,
    elements: states.reduce((n, s) => n + nodes(s.findings), 0),
    byRule,
    perState: Object.fromEntries(states.map((s) => [s.state, nodes(s.findings)])),
  };
  writeFileSync(`${SHOTS}/axe-summary.json`, JSON.stringify(summary, null, 2));
});

/** Opens a change from the list by its title. */
async function openChange(page: Page, title: string): Promise<void> {
  await page.goto(`/changes?q=${encodeURIComponent(title)}`);
  await page.getByRole('row', { name: new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).getByRole('link').first().click();
  await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
}

/** Picks a segment of a segmented control (its radio input is hidden under the label a person clicks). */
const choose = (page: Page, group: string, label: string) => page.getByRole('radiogroup', { name: group }).getByText(label, { exact: true }).click();

test('the sign-in page, with a refusal that takes focus', async ({ page }) => {
  // The first journey: start the findings afresh.
  rmSync(FINDINGS, { recursive: true, force: true });
  mkdirSync(FINDINGS, { recursive: true });
  await page.goto('/sign-in');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await check(page, 'sign-in', { route: '/sign-in' });
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The refusal takes focus, so a screen reader reads it and the keyboard starts there.
  await expect(page.getByRole('alert')).toBeFocused();
  await check(page, 'sign-in refused');
});

test('a change manager’s changes: list, new change, every tab of a change, dialogs, refusals', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAs(page, 'alice@example.com');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Home', level: 1 })).toBeVisible();
  await check(page, 'home, change manager', { route: '/' });
  await page.goto('/changes');
  await check(page, 'change list', { route: '/changes' });
  await page.goto('/changes?q=no-such-change-anywhere');
  await expect(page.getByText('No change matches these filters.')).toBeVisible();
  await check(page, 'change list, nothing found');

  await page.goto('/changes/new');
  await expect(page.getByRole('heading', { name: 'New change', level: 1 })).toBeVisible();
  await check(page, 'new change', { route: '/changes/new' });
  await page.getByRole('button', { name: 'Create draft' }).click();
  await check(page, 'new change, refused');

  // A scheduled change with approvals, evidence and history: every tab.
  await openChange(page, 'Kubernetes 1.31 node pool upgrade in eu1');
  for (const tab of ['Details', 'Approvals', 'Evidence', 'Schedule', 'Incidents', 'Policy', 'Comments and work notes', 'History', 'Deliveries']) {
    await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
    await check(page, `change tab ${tab}`, { route: '/changes/:id' });
  }
  // Tabs with counts: "Evidence: 1 gate open", "Schedule: 1 conflict", "Incidents: 1".
  await openChange(page, 'Firewall rule cleanup on the edge');
  await page.getByRole('tab', { name: /^Incidents: \d+$/ }).click();
  await check(page, 'change with incidents');
  await page.getByRole('tab', { name: 'Review' }).click();
  await expect(page.getByRole('heading', { name: 'Post-implementation review' })).toBeVisible();
  await check(page, 'change with its completed post-implementation review');
  await openChange(page, 'Rotate the payments database credentials');
  await page.getByRole('tab', { name: /^Evidence: \d+ gates? open$/ }).click();
  await check(page, 'change with an evidence gate open');
  // A standard change from the catalogue: its pre-approval checks.
  await openChange(page, 'Monthly OS patching of the ETL runner');
  await expect(page.getByRole('region', { name: 'Pre-approval checks' })).toBeVisible();
  await check(page, 'standard change with its checks');
  await openChange(page, 'Hotfix: payment API leaking connections');
  await check(page, 'emergency change');
  await page.getByRole('button', { name: 'Break glass' }).click();
  await expect(page.getByRole('dialog', { name: 'Break glass' })).toBeVisible();
  await check(page, 'break-glass dialog');
  await page.keyboard.press('Escape');
  await page.goto('/changes/CHG9999999');
  await expect(page.getByRole('alert')).toBeVisible();
  await check(page, 'change not found');
  await signOut(page);
});

test('a refusal on the change page takes focus and is scrolled into view', async ({ page }) => {
  await signInAs(page, 'bob@example.com');
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'New change' }).click();
  await page.getByRole('radio', { name: /Normal change/ }).check();
  await page.getByLabel('Title').fill('Accessibility check: rotate the wiki’s signing key');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  // Scrolled away from the top, the refused step's alert still comes into view, with focus on it.
  await page.mouse.wheel(0, 2000);
  await page.getByRole('button', { name: /Submit for assessment/ }).click();
  const missing = page.getByRole('alert').filter({ hasText: 'Submit for assessment' });
  await expect(missing).toBeFocused();
  await expect(missing).toBeInViewport();
  await check(page, 'change refused: missing fields');
  await signOut(page);
});

test('the change page’s tabs stay on one row at 1280 × 720', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await signInAs(page, 'alice@example.com');
  // The emergency change has the most tabs with counts (evidence gates, conflicts).
  await openChange(page, 'Hotfix: payment API leaking connections');
  const tabs = page.getByRole('tab');
  await expect(tabs.first()).toBeVisible();
  const tops = await tabs.evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
  expect(tops.length).toBeGreaterThanOrEqual(7);
  expect(new Set(tops).size, `tab tops ${tops.join(', ')}`).toBe(1);
  // A list wider than its column scrolls; the keyboard still reaches (and shows) the last tab.
  await tabs.first().focus();
  await page.keyboard.press('End');
  await expect(tabs.last()).toBeFocused();
  await expect(tabs.last()).toBeInViewport();
  await page.screenshot({ path: `${SHOTS}/change-tabs-1280.png` });
  await check(page, 'change page at 1280 x 720');
  await signOut(page);
});

test('the schedule: month, week, timeline by service and by CI, windows', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'alice@example.com');
  await page.goto('/schedule');
  await expect(page.getByRole('grid', { name: 'Month' })).toBeVisible();
  await check(page, 'schedule month', { route: '/schedule' });
  await choose(page, 'View', 'Week');
  await expect(page.getByRole('region', { name: 'Week, hour by hour' })).toBeVisible();
  await check(page, 'schedule week');
  await choose(page, 'View', 'Timeline');
  await expect(page.getByRole('region', { name: 'Timeline by service' })).toBeVisible();
  await check(page, 'schedule timeline by service');
  await choose(page, 'Rows', 'By CI');
  await expect(page.getByRole('region', { name: 'Timeline by CI' })).toBeVisible();
  await check(page, 'schedule timeline by CI');
  // A fortnight that starts on the last day of a month: two month labels side by side, neither over the other.
  await page.goto('/schedule?view=timeline&date=2026-11-30');
  const labels = page.locator('.cabinet-tl-monthlabel');
  await expect(labels).toHaveCount(2);
  const [nov, dec] = await labels.evaluateAll((els) => els.map((el) => el.getBoundingClientRect()));
  expect(nov!.right).toBeLessThanOrEqual(dec!.left + 1);
  await check(page, 'schedule timeline across two months');

  await page.goto('/schedule/windows');
  await check(page, 'windows', { route: '/schedule/windows' });
  await page.getByRole('button', { name: 'New window' }).click();
  await expect(page.getByRole('dialog', { name: 'New window' })).toBeVisible();
  await check(page, 'new window dialog');
  await page.keyboard.press('Escape');
  await signOut(page);
});

test('a change manager’s other pages: approvals, policy, templates, incidents, CMDB, own pages', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAs(page, 'alice@example.com');
  await page.goto('/approvals');
  await check(page, 'my approvals', { route: '/approvals' });
  await page.goto('/notifications');
  await check(page, 'notifications', { route: '/notifications' });
  await page.goto('/sla/breaches');
  await check(page, 'SLA breaches', { route: '/sla/breaches' });
  await page.goto('/me/delegations');
  await check(page, 'delegations', { route: '/me/delegations' });
  await page.goto('/me/calendar-feeds');
  await check(page, 'calendar feeds', { route: '/me/calendar-feeds' });
  await page.goto('/me/preferences');
  await check(page, 'preferences', { route: '/me/preferences' });
  await page.goto('/me/subscriptions');
  await expect(page.getByRole('heading', { name: /subscriptions/i, level: 1 })).toBeVisible();
  await check(page, 'subscriptions', { route: '/me/subscriptions' });

  await page.goto('/policy');
  await expect(page.getByRole('heading', { name: 'Policy', level: 1 })).toBeVisible();
  await check(page, 'policy', { route: '/policy' });

  await page.goto('/templates');
  await check(page, 'templates', { route: '/templates' });
  await page.goto('/templates/new');
  await check(page, 'new template', { route: '/templates/new' });
  await page.goto('/templates');
  await page.getByRole('link', { name: 'Monthly OS patching', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Monthly OS patching', level: 1 })).toBeVisible();
  await check(page, 'template', { route: '/templates/:id' });
  await page.getByRole('tab', { name: /^Versions/ }).click();
  await expect(page.getByRole('table', { name: 'Versions' })).toBeVisible();
  await check(page, 'template, its versions');
  await page.getByRole('tab', { name: /^Suspension log/ }).click();
  await expect(page.getByRole('table', { name: 'Suspension log' })).toBeVisible();
  await check(page, 'template, its suspension log');
  await page.getByRole('button', { name: 'File a change from this entry' }).click();
  await expect(page.getByRole('dialog', { name: /^File a change from/ })).toBeVisible();
  await check(page, 'template, filing a change from it');
  await page.keyboard.press('Escape');
  await page.goto('/templates?type=standard&state=all');
  await expect(page.getByRole('heading', { name: 'Standard change catalogue', level: 1 })).toBeVisible();
  await check(page, 'standard change catalogue, every state');
  await page.goto('/catalogue/reviews');
  await expect(page.getByRole('heading', { name: 'Catalogue reviews', level: 1 })).toBeVisible();
  await check(page, 'catalogue reviews', { route: '/catalogue/reviews' });
  await page.goto('/catalogue/candidates');
  await expect(page.getByRole('heading', { name: 'Candidates for the catalogue', level: 1 })).toBeVisible();
  await check(page, 'catalogue candidates', { route: '/catalogue/candidates' });
  // A change manager judges an emergency change that was not urgent: the dialog, the record, the counts.
  await openChange(page, 'Hotfix: payment API leaking connections');
  await page.getByRole('button', { name: 'Reclassify' }).click();
  const reclassify = page.getByRole('dialog', { name: /^Reclassify CHG/ });
  await expect(reclassify).toBeVisible();
  await check(page, 'reclassify dialog');
  await reclassify.getByRole('combobox', { name: 'It should have been' }).click();
  await page.getByRole('option', { name: 'Normal' }).click();
  await reclassify.getByRole('textbox', { name: /Why/ }).fill('Nothing was down: it could have waited for the CAB.');
  await reclassify.getByRole('button', { name: 'Record the reclassification' }).click();
  await expect(page.getByText('Was not urgent: emergency → normal')).toBeVisible();
  await page.goto('/catalogue/misclassification');
  await expect(page.getByRole('table', { name: 'Reclassifications per team' })).toBeVisible();
  await check(page, 'misclassification', { route: '/catalogue/misclassification' });
  await page.goto('/reviews?state=all');
  await expect(page.getByRole('heading', { name: 'Post-implementation reviews', level: 1 })).toBeVisible();
  await check(page, 'change reviews', { route: '/reviews' });

  // The boards (docs/cab.md#boards): the list, the form, and a board set up through the API.
  const boardName = `Accessibility CAB ${Date.now()}`;
  await apiAs(page, 'POST', '/api/v1/boards', {
    name: boardName,
    kind: 'cab',
    description: 'Decides the changes to payments.',
    memberIds: ['bob@example.com'],
    members: [{ userId: 'alice@example.com', domains: ['security'] }],
    // Narrow on purpose: an active CAB board takes the CAB approvals of the changes in its scope, and the other
    // journeys on this database expect theirs to go to the cab team.
    scope: 'change.type != "standard" && change.title.contains("Accessibility CAB item")',
    quorum: { minMembers: 1, requiredDomains: ['security'] },
    recurrence: { start: '2027-01-05T10:00', timeZone: 'Europe/London', rrule: 'FREQ=WEEKLY;BYDAY=TU', durationMinutes: 60, daysAhead: 7, holidays: ['2027-04-06'] },
  });
  await page.goto('/boards');
  await expect(page.getByRole('heading', { name: 'Boards', level: 1 })).toBeVisible();
  await check(page, 'boards', { route: '/boards' });
  await page.goto('/boards/new');
  await expect(page.getByRole('heading', { name: 'New board', level: 1 })).toBeVisible();
  // With its regular-meetings fields showing.
  await page.getByLabel('Meets regularly').check();
  await expect(page.getByLabel('Days ahead')).toBeVisible();
  await check(page, 'new board', { route: '/boards/new' });
  await page.goto('/boards');
  await page.getByRole('link', { name: boardName, exact: true }).click();
  await expect(page.getByRole('heading', { name: boardName, level: 1 })).toBeVisible();
  await check(page, 'board', { route: '/boards/:id' });

  // ---- The board's meetings (issue 15): the meeting calendar and the CAB workbench of a meeting scheduled on it.
  const meetingBoard = await apiAs<{ id: string }>(page, 'GET', `/api/v1/boards/${encodeURIComponent(boardName)}`);
  const meeting = await apiAs<{ id: string; title: string }>(page, 'POST', `/api/v1/boards/${meetingBoard.id}/meetings`, {
    start: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    durationMinutes: 60,
    title: `Accessibility meeting ${Date.now()}`,
  });
  await page.goto('/meetings');
  await expect(page.getByRole('heading', { name: 'Meetings', level: 1 })).toBeVisible();
  await check(page, 'meetings', { route: '/meetings' });
  await page.getByRole('link', { name: meeting.title, exact: true }).click();
  await expect(page.getByRole('heading', { name: meeting.title, level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Agenda', level: 2 })).toBeVisible();
  await check(page, 'meeting workbench', { route: '/meetings/:id' });
  // ---- end of the meetings block.

  await page.goto('/incidents');
  await check(page, 'incidents', { route: '/incidents' });
  await page.goto('/incidents?state=closed');
  await check(page, 'incidents, none in this state');
  await page.goto('/incidents/new');
  await check(page, 'new incident', { route: '/incidents/new' });
  await page.goto('/incidents/import');
  await check(page, 'incident import', { route: '/incidents/import' });
  await page.goto('/incidents');
  await page.getByRole('row', { name: /Payment API connections exhausted/ }).getByRole('link').first().click();
  await expect(page.getByRole('heading', { name: 'Payment API connections exhausted', level: 1 })).toBeVisible();
  await check(page, 'incident', { route: '/incidents/:id' });

  // Problems and known errors: the lists, the forms, and a problem and a known error opened through them.
  await page.goto('/problems?state=all');
  await expect(page.getByRole('heading', { name: 'Problems', level: 1 })).toBeVisible();
  await check(page, 'problems', { route: '/problems' });
  await page.goto('/problems/new');
  await check(page, 'new problem', { route: '/problems/new' });
  await page.getByRole('textbox', { name: 'Title' }).fill('Payment API pool runs dry under load');
  await page.getByRole('textbox', { name: 'Root cause' }).fill('The pool holds 10 connections.');
  await page.getByRole('button', { name: 'Open problem' }).click();
  await expect(page.getByRole('heading', { name: 'Payment API pool runs dry under load', level: 1 })).toBeVisible();
  await check(page, 'problem', { route: '/problems/:id' });
  await page.getByRole('link', { name: 'Record a known error' }).click();
  await expect(page.getByRole('heading', { name: 'Record a known error', level: 1 })).toBeVisible();
  await check(page, 'new known error', { route: '/known-errors/new' });
  await page.getByRole('textbox', { name: 'Title' }).fill('Payments time out at peak');
  await page.getByRole('textbox', { name: 'Workaround' }).fill('Restart pay-api:\n1. drain it\n2. restart it');
  await page.getByRole('button', { name: 'Record and publish' }).click();
  await expect(page.getByRole('heading', { name: 'Payments time out at peak', level: 1 })).toBeVisible();
  await check(page, 'known error', { route: '/known-errors/:id' });
  await page.getByRole('button', { name: 'Share the workaround' }).click();
  await expect(page.getByText('Workaround shared')).toBeVisible();
  await check(page, 'known error, its workaround shared');
  await page.goto('/known-errors');
  await check(page, 'known errors', { route: '/known-errors' });

  await page.goto('/cmdb/services');
  await check(page, 'services', { route: '/cmdb/services' });
  await page.getByRole('link', { name: 'Payments', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Payments', level: 1 })).toBeVisible();
  await check(page, 'service', { route: '/cmdb/services/:id' });
  await page.goto('/cmdb/cis');
  await check(page, 'CIs', { route: '/cmdb/cis' });
  await page.getByRole('link', { name: 'pay-db-prod', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'pay-db-prod', level: 1 })).toBeVisible();
  await check(page, 'CI', { route: '/cmdb/cis/:id' });
  await page.goto('/cmdb/import');
  await check(page, 'CI import', { route: '/cmdb/import' });

  await page.goto('/nothing-here');
  await check(page, 'not found', { route: '*' });
  await signOut(page);
});

test('an approver’s inbox, an auditor’s desk and a read-only change, an admin’s pages', async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, 'dave@example.com');
  await page.goto('/approvals');
  await expect(page.getByRole('button', { name: /^Approve/ }).first()).toBeVisible();
  await check(page, 'my approvals with approvals waiting');
  // Reject opens the decision panel: the change's essentials, then the reason it asks for.
  await page.getByRole('button', { name: /^Reject/ }).first().click();
  await expect(page.getByLabel('Why do you reject it?')).toBeVisible();
  await check(page, 'my approvals, rejecting');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await signOut(page);

  await signInAs(page, 'bob@example.com');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Home', level: 1 })).toBeVisible();
  await check(page, 'home, requester');
  await page.goto('/approvals');
  await check(page, 'my approvals, none waiting');
  await signOut(page);

  await signInAs(page, 'erin@example.com');
  await page.goto('/audit');
  await check(page, 'audit desk', { route: '/audit' });
  await openChange(page, 'Nightly ETL moved to the new runner');
  await check(page, 'closed change, read-only');
  await signOut(page);

  await signIn(page);
  await page.goto('/admin/users');
  await check(page, 'users', { route: '/admin/users' });
  await page.getByRole('button', { name: 'New user' }).click();
  await expect(page.getByRole('dialog', { name: 'New user' })).toBeVisible();
  await check(page, 'new user dialog');
  await page.keyboard.press('Escape');
  await page.goto('/admin/teams');
  await check(page, 'teams', { route: '/admin/teams' });
  await page.getByRole('button', { name: 'New team' }).click();
  await expect(page.getByRole('dialog', { name: 'New team' })).toBeVisible();
  await check(page, 'new team dialog');
  await page.keyboard.press('Escape');
  await page.goto('/admin/tokens');
  await check(page, 'tokens', { route: '/admin/tokens' });
  await page.goto('/admin/deliveries');
  await expect(page.getByRole('heading', { name: 'Deliveries', level: 1 })).toBeVisible();
  await check(page, 'deliveries', { route: '/admin/deliveries' });
  await page.goto('/admin/webhooks');
  await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
  await check(page, 'webhooks', { route: '/admin/webhooks' });
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await expect(page.getByRole('form', { name: 'Add a webhook' })).toBeVisible();
  await check(page, 'webhook form');
  await page.getByRole('button', { name: /^Account menu for / }).click();
  await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeVisible();
  await check(page, 'account menu');
  await page.keyboard.press('Escape');
});

/** The path of the first link to `prefix` in a message the e2e SMTP server kept for `to`, once one came. */
async function linkInMail(to: string, prefix: string): Promise<string> {
  let found: string | undefined;
  await expect
    .poll(
      async () => {
        for (const f of readdirSync(mailDir()).sort().reverse()) {
          const m = JSON.parse(readFileSync(`${mailDir()}/${f}`, 'utf8')) as { to: string[]; raw: string };
          if (!m.to.includes(to.toLowerCase())) continue;
          const text = (await simpleParser(m.raw)).text ?? '';
          found = new RegExp(`${prefix.replace(/\//g, '\\/')}[A-Za-z0-9_.-]+`).exec(text)?.[0];
          if (found) return true;
        }
        return false;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  return found!;
}

test('email settings, external addresses, and the pages the links in email open', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  const call = async <T,>(method: string, path: string, body?: unknown): Promise<T> => {
    const me = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
    const res = await page.request.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': me.csrfToken } });
    expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
    return (res.status() === 204 ? undefined : await res.json()) as T;
  };

  // Quiet hours and the digest, on the preferences page.
  await page.goto('/me/preferences');
  await page.getByRole('checkbox', { name: /Quiet hours/ }).check();
  await page.getByRole('radio', { name: /Daily, at 07:00/ }).check();
  await page.getByRole('button', { name: 'Save email settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Email settings saved.' })).toBeVisible();
  await check(page, 'preferences, quiet hours and digest');
  await call('PATCH', '/api/v1/me/preferences', { quietHours: null, digest: 'off' });

  // An external address on a CI of its own, waiting for confirmation; its confirmation page.
  const suffix = Date.now().toString(36);
  const service = await call<{ id: string }>('POST', '/api/v1/services', { name: `Mail check ${suffix}`, tier: 3 });
  const ci = await call<{ id: string; name: string }>('POST', '/api/v1/cis', { name: `mail-check-${suffix}`, type: 'server', environment: 'test', serviceId: service.id });
  const list = `ops-${suffix}@lists.example.org`;
  await page.goto('/me/subscriptions');
  const form = page.getByRole('form', { name: 'Add an external address' });
  await form.getByRole('textbox', { name: /Email address/ }).fill(list);
  await form.getByRole('textbox', { name: /Name or id/ }).fill(`Mail check ${suffix}`);
  await form.getByRole('button', { name: 'Add and send the confirmation' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${list} was added` })).toBeVisible();
  await expect(page.getByText('Waiting for confirmation')).toBeVisible();
  await check(page, 'subscriptions, an external address waiting for confirmation');
  await page.goto(await linkInMail(list, '/api/v1/subscription-confirmations/'));
  await expect(page.getByRole('heading', { name: 'Confirm email from Cabinet', level: 1 })).toBeVisible();
  await check(page, 'the confirmation page of an external address');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('heading', { name: 'Confirmed', level: 1 })).toBeVisible();
  await check(page, 'an external address confirmed');

  // A team that follows the CI by email hears of a change on it: the "raise a concern" page of Frank's email.
  const teams = await call<{ items: { id: string; handle: string }[] }>('GET', '/api/v1/teams');
  const network = teams.items.find((t) => t.handle === 'network')!;
  const follow = await call<{ id: string }>('POST', '/api/v1/subscriptions', { target: { kind: 'ci', id: ci.id }, channels: ['email'], teamId: network.id });
  const start = Date.now() + 30 * 86_400_000;
  // A standard change is made from a catalogue entry (the admin's entry is active at once).
  const entry = await call<{ id: string }>('POST', '/api/v1/templates', { name: `Mail check ${suffix}`, type: 'standard', fields: { title: 'Mail check' } });
  const change = await call<{ id: string; type: string }>('POST', '/api/v1/changes', {
    type: 'standard', templateId: entry.id, title: `Mail check ${suffix}`, description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', ciIds: [ci.id],
    plannedStart: new Date(start).toISOString(), plannedEnd: new Date(start + 3_600_000).toISOString(),
  });
  expect(change.type).toBe('standard');
  await call('POST', `/api/v1/changes/${change.id}/transitions`, { to: 'scheduled' });
  const concernLink = await linkInMail('frank@example.com', '/api/v1/concern-links/');
  await page.goto(concernLink);
  await expect(page.getByRole('heading', { name: 'Raise a concern', level: 1 })).toBeVisible();
  await check(page, 'the raise-a-concern page of an email link');
  await page.getByLabel('What worries you about it?').fill('The network team is moving racks that week.');
  await page.getByRole('button', { name: 'Raise the concern' }).click();
  await expect(page.getByRole('heading', { name: 'Concern raised', level: 1 })).toBeVisible();
  await check(page, 'a concern raised from an email link');

  await call('POST', `/api/v1/changes/${change.id}/transitions`, { to: 'cancelled', comment: 'Only a check of the email pages.' });
  await call('DELETE', `/api/v1/subscriptions/${follow.id}`);
  const mine = await call<{ items: { id: string; subscriber: { name: string } }[] }>('GET', '/api/v1/me/subscriptions');
  for (const s of mine.items.filter((x) => x.subscriber.name === list)) await call('DELETE', `/api/v1/subscriptions/${s.id}`);
  await page.goto('/changes');
  await signOut(page);
});

test('a person chooses a time zone, and every time shows it', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, 'frank@example.com');
  // The browser's zone until Frank chooses one (playwright.config.ts runs the browser in Amsterdam).
  await expect(page.getByTestId('time-zone')).toHaveText(/^Times in (CET|CEST|GMT\+1|GMT\+2)$/);
  try {
    await page.getByRole('button', { name: /^Account menu for / }).click();
    await page.getByRole('menuitem', { name: 'Preferences' }).click();
    await expect(page.getByRole('heading', { name: 'Preferences', level: 1 })).toBeVisible();
    const zone = page.getByRole('combobox', { name: 'Show times in' });
    await expect(zone).toHaveValue('The browser’s zone (Europe/Amsterdam)');
    await zone.click();
    await zone.fill('New York');
    await page.getByRole('option', { name: 'America/New York' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved. Times are shown in America/New_York.' })).toBeVisible();
    await check(page, 'preferences, saved');
    await expect(page.getByTestId('time-zone')).toHaveText(/^Times in (EST|EDT|GMT-5|GMT-4)$/);

    // Every time carries the zone: the change list's planned starts …
    await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Changes' }).click();
    await expect(page.getByRole('table', { name: 'Changes' }).getByRole('row', { name: /Kubernetes 1\.31 node pool upgrade/ })).toContainText(/(EST|EDT|GMT-5|GMT-4)/);
    // … and the week view lays out and names changes in New York time: the demo's 22:00 UTC is 17:00 or 18:00.
    await page.goto('/schedule?view=week');
    await expect(page.getByTestId('schedule-zone')).toHaveText(/^Times in America\/New_York \((EST|EDT|GMT-5|GMT-4)\)$/);
    const blocks = page.locator('.cabinet-week-block');
    if ((await blocks.count()) > 0) await expect(blocks.first()).toHaveAccessibleName(/ (17|18):00–/);
    await check(page, 'schedule week in New York time');
  } finally {
    // Back to the browser's zone, so that other journeys see Frank's times as they expect.
    await page.evaluate(async () => {
      const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
      await fetch('/api/v1/me/preferences', { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ timeZone: null }) });
    });
  }
  await page.reload();
  await expect(page.getByTestId('time-zone')).toHaveText(/^Times in (CET|CEST|GMT\+1|GMT\+2)$/);
  await signOut(page);
});

test('the delivery pages: deployments, gate checks, unauthorized changes, DORA, integrations', async ({ page, playwright }) => {
  test.setTimeout(180_000);
  await signIn(page);
  // A gate check, a deployment no change covers (an unauthorized change) on a CI of the test's own.
  const pipeline = await pipelineClient(page, playwright, 'a11y');
  const ci = await journeyCi(page, 'a11y-deploy');
  const sha = randomSha();
  const target = { ciIds: [ci.id], environment: 'production' };
  const asked = await pipeline.post('/api/v1/gate/checks', {
    data: { target, source: 'generic', repository: 'acme/a11y', ref: 'main', sha, pipeline: { id: 'deploy', runId: String(Date.now()), attempt: 1 }, actor: 'ci' },
  });
  expect(asked.ok(), await asked.text()).toBe(true);
  const gateCheck = (await asked.json()) as { id: string };
  const recorded = await pipeline.post('/api/v1/deployments', {
    data: { source: 'generic', target, repository: 'acme/a11y', sha, startedAt: new Date(Date.now() - 60_000).toISOString(), finishedAt: new Date().toISOString(), result: 'failure' },
  });
  expect(recorded.ok(), await recorded.text()).toBe(true);
  const deployment = (await recorded.json()) as { id: string; unauthorizedChanges: { id: string }[] };
  await pipeline.dispose();

  await page.goto('/deployments');
  await expect(page.getByRole('table', { name: 'Deployments' })).toBeVisible();
  await check(page, 'deployments', { route: '/deployments' });
  await page.goto(`/deployments/${deployment.id}`);
  await expect(page.getByRole('heading', { name: 'Pull requests' })).toBeVisible();
  await check(page, 'deployment', { route: '/deployments/:id' });
  await page.goto('/gate/checks');
  await expect(page.getByRole('table', { name: 'Gate checks' })).toBeVisible();
  await check(page, 'gate checks', { route: '/gate/checks' });
  await page.goto(`/gate/checks/${gateCheck.id}`);
  await expect(page.getByTestId('gate-decision')).toBeVisible();
  await check(page, 'gate check', { route: '/gate/checks/:id' });
  await page.goto('/unauthorized-changes');
  await expect(page.getByRole('table', { name: 'Unauthorized changes' })).toBeVisible();
  await check(page, 'unauthorized changes', { route: '/unauthorized-changes' });
  await page.goto(`/unauthorized-changes/${deployment.unauthorizedChanges[0]!.id}`);
  await expect(page.getByRole('form', { name: 'Blameless review' })).toBeVisible();
  await page.getByRole('button', { name: 'Record the review' }).click();
  await check(page, 'unauthorized change, review refused', { route: '/unauthorized-changes/:id' });
  await page.goto('/dora');
  await expect(page.getByRole('region', { name: 'Change failure rate' })).toBeVisible();
  await check(page, 'DORA metrics', { route: '/dora' });
  for (const tab of ['GitHub App', 'GitLab', 'Argo CD']) {
    await page.goto('/admin/integrations');
    await page.getByRole('tab', { name: tab }).click();
    await expect(page.getByTestId('integration-state')).toBeVisible();
    await check(page, `integrations, ${tab}`, { route: '/admin/integrations' });
  }
  await signOut(page);
});

test('every route of the app is among the pages checked', () => {
  const app = readFileSync('web/src/app.tsx', 'utf8');
  const routes = [...app.matchAll(/<Route\s+(?:path="([^"]+)"|index)\s+element=\{<(?!Navigate)/g)].map((m) => (m[1] === undefined ? '/' : m[1] === '*' || m[1].startsWith('/') ? m[1] : `/${m[1]}`));
  expect(routes.length).toBeGreaterThan(20);
  const spec = readFileSync('e2e/accessibility.spec.ts', 'utf8');
  const checked = new Set([...spec.matchAll(/route: '([^']+)'/g)].map((m) => m[1]!));
  expect(routes.filter((r) => !checked.has(r)), 'routes of app.tsx that no check() here visits').toEqual([]);
});
