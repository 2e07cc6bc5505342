import { expect, test } from './support/test';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

test('browse the CMDB: services, a service and its CIs, a CI and its relations', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'CMDB' }).getByRole('link', { name: 'Services' }).click();

  const services = page.getByRole('table', { name: 'Services' });
  await expect(services).toContainText('Payments');
  await expect(services).toContainText('Customer Portal');
  await page.screenshot({ path: 'test-results/services.png', fullPage: true });

  await services.getByRole('link', { name: 'Payments', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Payments', level: 1 })).toBeVisible();
  await expect(page.getByText('Tier 1')).toBeVisible();
  const cis = page.getByRole('table', { name: 'CIs of Payments' });
  await expect(cis.getByRole('link', { name: 'pay-api-prod' })).toBeVisible();
  await expect(cis.getByRole('link', { name: 'pay-db-prod' })).toBeVisible();
  await page.screenshot({ path: 'test-results/service-page.png', fullPage: true });

  await cis.getByRole('link', { name: 'pay-api-prod' }).click();
  await expect(page.getByRole('heading', { name: 'pay-api-prod', level: 1 })).toBeVisible();
  const outgoing = page.getByRole('table', { name: 'Outgoing' });
  await expect(outgoing).toContainText('depends on');
  await expect(outgoing.getByRole('link', { name: 'pay-db-prod' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Incoming' }).getByRole('link', { name: 'portal-web-prod' })).toBeVisible();
  await page.screenshot({ path: 'test-results/ci-page.png', fullPage: true });

  await outgoing.getByRole('link', { name: 'pay-db-prod' }).click();
  await expect(page.getByRole('heading', { name: 'pay-db-prod', level: 1 })).toBeVisible();
});

test('filter the CI list and keep the filters in the URL', async ({ page }) => {
  await signIn(page);
  await page.goto('/cmdb/cis');
  const table = page.getByRole('table', { name: 'Configuration items' });
  await expect(table).toContainText('wiki-saas');
  await page.getByRole('searchbox', { name: 'Search' }).fill('db');
  await expect(page).toHaveURL(/q=db/);
  await expect(table).not.toContainText('wiki-saas');
  await expect(table).toContainText('pay-db-prod');
  await expect(table).toContainText('dwh-db-01');

  await page.reload();
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('db');
  await expect(table).toContainText('pay-db-prod');
});

test('import CIs from pasted CSV: good rows are created, bad rows are listed with their problem', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'CMDB' }).getByRole('link', { name: 'Import CIs' }).click();
  await page
    .getByLabel('Data')
    .fill(
      [
        'name,type,environment,service,criticality,tags',
        'cache-redis-01,cache,production,Payments,high,pci',
        'cache-redis-02,cache,staging,Payments,low,',
        'mystery-box,server,production,No Such Service,low,',
      ].join('\n'),
    );
  await page.getByRole('button', { name: 'Import', exact: true }).click();

  const result = page.getByRole('region', { name: 'Import result' });
  await expect(result.getByText('Created', { exact: true }).locator('..')).toContainText('2');
  const errors = page.getByRole('table', { name: 'Import errors' });
  await expect(errors.getByRole('row')).toHaveCount(2);
  await expect(errors).toContainText('No Such Service');
  await page.screenshot({ path: 'test-results/ci-import.png', fullPage: true });

  await page.goto('/cmdb/cis?q=cache-redis');
  await expect(page.getByRole('table', { name: 'Configuration items' })).toContainText('cache-redis-02');
});
