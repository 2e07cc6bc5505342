import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { localDateTime, signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const PASSWORD = 'demo-password-1';
const TEMPLATE = 'Vacuum and reindex the warehouse database';
const CHANGE_TITLE = 'Vacuum and reindex dwh-db-01';
const INCIDENT = 'Nightly reports missing after the reindex';

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account menu for / }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

/** A full-page screenshot from the top (a page opened from the bottom of a long form keeps its scroll). */
async function screenshot(page: Page, path: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
}

/** Opens a Mantine select or multi-select, optionally types into it, and picks the option. */
async function choose(page: Page, combobox: string, option: string | RegExp, search?: string): Promise<void> {
  const box = page.getByRole('combobox', { name: combobox });
  await box.click();
  if (search) await box.fill(search);
  await page.getByRole('option', { name: option }).click();
  await page.keyboard.press('Escape');
}

test('a template with a CI becomes a change, the change causes an incident, and the change and the CI both show it', async ({ page }) => {
  test.setTimeout(150_000);

  // Alice (change manager) adds a template on dwh-db-01, kept by the DBAs.
  await signIn(page, 'alice@example.com', PASSWORD);
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Templates' }).click();
  await expect(page.getByRole('heading', { name: 'Change templates', level: 1 })).toBeVisible();
  // The demo's catalogue, with how its changes fared.
  await expect(page.getByRole('table', { name: 'Templates' }).getByRole('row', { name: /Monthly OS patching/ })).toContainText('Used once');
  await screenshot(page, 'test-results/templates-list.png');
  await page.getByRole('link', { name: 'New template' }).click();
  // Nothing filled in: the server's problems appear under their fields.
  await page.getByRole('button', { name: 'Create template' }).click();
  await expect(page.getByText('Fix the fields marked in red, then create the template again.')).toBeVisible();
  await expect(page.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('combobox', { name: 'Type of change' })).toHaveAttribute('aria-invalid', 'true');
  await screenshot(page, 'test-results/new-template-errors.png');
  await page.getByLabel('Name').fill(TEMPLATE);
  await choose(page, 'Type of change', 'Normal');
  await page.getByLabel('Description', { exact: true }).fill('Monthly maintenance of the data warehouse database.');
  await choose(page, 'Affected CIs', /dwh-db-01/, 'dwh');
  await choose(page, 'Assignment team', 'Database Administrators');
  await page.getByLabel('Change title').fill(CHANGE_TITLE);
  await page.getByLabel('Change description').fill('VACUUM FULL and REINDEX on the fact tables.');
  await page.getByLabel('Implementation plan').fill('1. Pause the ETL\n2. VACUUM FULL\n3. REINDEX\n4. Resume the ETL');
  await page.getByLabel('Test plan').fill('Run the nightly report by hand');
  await page.getByRole('textbox', { name: 'Backout plan' }).fill('Restore the snapshot taken before');
  await page.getByRole('button', { name: 'Create template' }).click();

  await expect(page.getByRole('heading', { name: TEMPLATE, level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/templates\/[^/]+$/);
  const history = page.getByRole('region', { name: 'History' });
  await expect(history).toContainText('Never used');
  await expect(history).toContainText('None finished');
  await expect(page.getByRole('button', { name: 'Retire' })).toBeVisible();
  await screenshot(page, 'test-results/template-page.png');
  await signOut(page);

  // Bob (requester) files a change from it: the form arrives filled in.
  await signIn(page, 'bob@example.com', PASSWORD);
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Templates' }).click();
  await expect(page.getByRole('link', { name: 'New template' })).toHaveCount(0);
  await page.getByRole('link', { name: `Use ${TEMPLATE}` }).click();
  await expect(page).toHaveURL(/\/changes\/new\?template=/);
  await expect(page.getByRole('combobox', { name: 'Start from a template' })).toHaveValue(TEMPLATE);
  await expect(page.getByLabel('Title')).toHaveValue(CHANGE_TITLE);
  await expect(page.getByRole('radio', { name: /Normal change/ })).toBeChecked();
  await expect(page.getByRole('radio', { name: /Standard change/ })).toBeDisabled();
  await expect(page.getByLabel('Implementation plan')).toHaveValue(/REINDEX/);
  await expect(page.getByRole('textbox', { name: 'Backout plan' })).toHaveValue('Restore the snapshot taken before');
  await expect(page.getByTestId('template-summary')).toContainText('Assignment team: Database Administrators');
  await expect(page.getByText('dwh-db-01', { exact: true })).toBeVisible();
  await page.getByLabel('Planned start').fill(localDateTime(10, 22));
  await page.getByLabel('Planned end').fill(localDateTime(10, 23));
  await screenshot(page, 'test-results/new-change-from-template.png');
  await page.getByRole('button', { name: 'Create draft' }).click();

  await expect(page).toHaveURL(/\/changes\/CHG\d+$/);
  await expect(page.getByRole('heading', { name: CHANGE_TITLE, level: 1 })).toBeVisible();
  const changeNumber = new URL(page.url()).pathname.split('/').pop()!;
  const made = page.getByTestId('made-from-template');
  await expect(made).toHaveText(`Made from template ${TEMPLATE}`);
  await expect(made.getByRole('link', { name: TEMPLATE })).toHaveAttribute('href', /\/templates\//);

  // Bob reports what the change broke, from the change's Incidents tab: the change and its CI come along.
  await page.getByRole('tab', { name: 'Incidents', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Incidents caused by this change' })).toContainText('No incident is known');
  await page.getByRole('link', { name: 'Report an incident' }).click();
  await expect(page.getByRole('heading', { name: 'Report an incident', level: 1 })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Caused by change' })).toHaveValue(`${changeNumber} · ${CHANGE_TITLE}`);
  await expect(page.getByText('dwh-db-01', { exact: true })).toBeVisible();
  await page.getByLabel('Title').fill(INCIDENT);
  await page.getByLabel('Description', { exact: true }).fill('The finance dashboards are empty this morning.');
  await choose(page, 'Priority', '2 · High');
  await screenshot(page, 'test-results/new-incident.png');
  await page.getByRole('button', { name: 'Report incident' }).click();

  await expect(page).toHaveURL(/\/incidents\/INC\d+$/);
  await expect(page.getByRole('heading', { name: INCIDENT, level: 1 })).toBeVisible();
  const incidentNumber = new URL(page.url()).pathname.split('/').pop()!;
  await expect(page.getByRole('group', { name: 'Incident actions' }).getByRole('button', { name: 'Resolve' })).toBeVisible();
  await screenshot(page, 'test-results/incident-page.png');

  // The change lists the incident it caused.
  await page.getByRole('link', { name: changeNumber }).first().click();
  await expect(page.getByRole('heading', { name: CHANGE_TITLE, level: 1 })).toBeVisible();
  await page.getByRole('tab', { name: 'Incidents: 1' }).click();
  const caused = page.getByRole('table', { name: 'Incidents caused by this change' });
  await expect(caused.getByRole('row', { name: new RegExp(incidentNumber) })).toContainText(INCIDENT);
  await screenshot(page, 'test-results/change-incidents-tab.png');

  // So does the CI, marked as one of the last 30 days.
  await caused.getByRole('link', { name: 'dwh-db-01' }).click();
  await expect(page.getByRole('heading', { name: 'dwh-db-01', level: 1 })).toBeVisible();
  const onCi = page.getByRole('table', { name: 'Incidents on this CI' }).getByRole('row', { name: new RegExp(incidentNumber) });
  await expect(onCi).toContainText(INCIDENT);
  await expect(onCi).toContainText('last 30 days');
  await expect(page.getByTestId('ci-recent-incidents')).toContainText('1 in the last 30 days');
  await screenshot(page, 'test-results/ci-page-incidents.png');

  // The incident list shows it among the open ones, and a CI filter kept in the address narrows it down.
  await page.getByRole('link', { name: 'All incidents on this CI' }).click();
  await expect(page).toHaveURL(/\/incidents\?ciId=.+&state=all$/);
  await expect(page.getByRole('combobox', { name: 'CI' })).toHaveValue('dwh-db-01');
  await expect(page.getByRole('table', { name: 'Incidents' }).getByRole('row', { name: new RegExp(incidentNumber) })).toContainText(
    changeNumber,
  );
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'State' })).toHaveValue('Any state');
  await expect(page.getByRole('table', { name: 'Incidents' }).getByRole('row')).toHaveCount(2);
});

test('a change manager checks an incident log with a dry run before importing it', async ({ page }) => {
  await signIn(page, 'alice@example.com', PASSWORD);
  await page.getByRole('navigation', { name: 'Operations' }).getByRole('link', { name: 'Incidents', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Incidents', level: 1 })).toBeVisible();
  // Open ones by default: the demo's payment API incident, not the resolved firewall one.
  const list = page.getByRole('table', { name: 'Incidents' });
  await expect(list).toContainText('Payment API connections exhausted');
  await expect(list).not.toContainText('Edge firewall drops load balancer health checks');
  await screenshot(page, 'test-results/incidents-list.png');

  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Import incidents', level: 1 })).toBeVisible();
  const opened = new Date(Date.now() - 3 * 86_400_000).toISOString();
  await page
    .getByLabel('CSV', { exact: true })
    .fill(
      [
        'number,title,priority,state,opened_at,ci,caused_by',
        `INC7000001,Warehouse load failed,3,resolved,${opened},dwh-db-01;no-such-ci,CHG9999999`,
        `INC7000002,Portal slow,9,new,${opened},portal-web-prod,`,
      ].join('\n'),
    );
  await expect(page.getByRole('checkbox', { name: /Dry run/ })).toBeChecked();
  await page.getByRole('button', { name: 'Check' }).click();

  const result = page.getByRole('region', { name: 'Import result' });
  await expect(result.getByRole('heading', { name: 'Dry run: nothing was saved' })).toBeVisible();
  await expect(result.getByRole('table', { name: 'Import errors' })).toContainText('INC7000002');
  await expect(result.getByRole('list', { name: 'CIs not found' })).toContainText('no-such-ci');
  await expect(result.getByRole('list', { name: 'Changes not found' })).toContainText('CHG9999999');
  await screenshot(page, 'test-results/incident-import-dry-run.png');

  // Nothing was saved, until the import for real.
  await page.getByRole('button', { name: 'Import for real' }).click();
  await expect(result.getByRole('heading', { name: 'Result' })).toBeVisible();
  await page.goto('/incidents?state=all&q=INC7000001');
  await expect(page.getByRole('table', { name: 'Incidents' })).toContainText('Warehouse load failed');
  // What matched nothing is kept with the incident.
  await page.getByRole('link', { name: 'INC7000001' }).click();
  await expect(page.getByRole('heading', { name: 'Warehouse load failed', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Kept from the import' })).toContainText('CHG9999999');
  await expect(page.getByRole('group', { name: 'Incident actions' }).getByRole('button', { name: 'Close' })).toBeVisible();
  await screenshot(page, 'test-results/incident-imported.png');
});
