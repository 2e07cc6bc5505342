import { expect, test } from './support/test';
import { signIn, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';
import { journeyCi, pipelineClient, randomSha } from './support/pipeline';

skipWithoutBrowser();

test('a production deployment with no change is queued as unauthorized, and a change manager reviews it without blame', async ({
  page,
  playwright,
}) => {
  test.setTimeout(120_000);
  // The admin sets up a pipeline account and a CI of the journey's own.
  await signIn(page);
  const pipeline = await pipelineClient(page, playwright, 'ledger-deploy');
  const ci = await journeyCi(page, 'ledger-api-prod');
  await signOut(page);

  // The pipeline records a production deployment that no change covers.
  const now = Date.now();
  const recorded = await pipeline.post('/api/v1/deployments', {
    data: {
      source: 'github',
      target: { ciIds: [ci.id], environment: 'production' },
      repository: 'acme/ledger',
      sha: randomSha(),
      startedAt: new Date(now - 10 * 60_000).toISOString(),
      finishedAt: new Date(now - 5 * 60_000).toISOString(),
      result: 'success',
      actor: 'hotfix-bot',
    },
  });
  expect(recorded.status(), await recorded.text()).toBe(201);
  const deployment = (await recorded.json()) as { id: string; unauthorizedChanges: { number: string }[] };
  expect(deployment.unauthorizedChanges).toHaveLength(1);
  const number = deployment.unauthorizedChanges[0]!.number;

  // Alice, a change manager, finds it at the top of the open queue.
  await signInAs(page, 'alice@example.com');
  await page.getByRole('navigation', { name: 'Delivery' }).getByRole('link', { name: 'Unauthorized changes' }).click();
  await expect(page.getByRole('heading', { name: 'Unauthorized changes', level: 1 })).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(number) });
  await expect(row).toContainText('Review due');
  await expect(row).toContainText(ci.name);
  await page.screenshot({ path: 'test-results/unauthorized-queue.png', fullPage: true });
  await row.getByRole('link', { name: number }).click();

  // The review asks about the process, and says so.
  const form = page.getByRole('form', { name: 'Blameless review' });
  await expect(form.getByTestId('blameless-note')).toContainText('This review is about the process, not a person');
  await expect(page.getByRole('table', { name: 'Deployments' })).toContainText('Production');
  await page.screenshot({ path: 'test-results/unauthorized-review-form.png', fullPage: true });
  // Refused first: "process fixed" needs to say what was fixed.
  await form.getByRole('radio', { name: 'The pipeline or tooling does not ask the gate' }).check();
  await form.getByRole('radio', { name: 'Process fixed' }).check();
  await form.getByRole('button', { name: 'Record the review' }).click();
  await expect(form.getByText(/say what was fixed/)).toBeVisible();
  await form.getByRole('combobox', { name: 'The fix', exact: true }).click();
  await page.getByRole('option', { name: 'Tooling: the pipeline asks the gate' }).click();
  await form.getByRole('textbox', { name: /Describe the fix/ }).fill('The ledger workflow now calls cabinet gate check before it deploys.');
  await form.getByRole('button', { name: 'Record the review' }).click();

  const review = page.getByTestId('unauthorized-review');
  await expect(review).toContainText('The pipeline or tooling does not ask the gate');
  await expect(review).toContainText('Process fixed');
  await expect(page.locator('[data-state="closed"]').first()).toHaveText('Reviewed');
  await page.screenshot({ path: 'test-results/unauthorized-reviewed.png', fullPage: true });

  // It has left the open queue; "Any state" still shows it, reviewed.
  await page.getByRole('navigation', { name: 'Delivery' }).getByRole('link', { name: 'Unauthorized changes' }).click();
  await expect(page.getByRole('table', { name: 'Unauthorized changes' })).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(number) })).toHaveCount(0);
  await page.goto('/unauthorized-changes?state=all');
  await expect(page.getByRole('row', { name: new RegExp(number) })).toContainText('Process fixed');

  // The deployment's page links the record.
  await page.goto(`/deployments/${deployment.id}`);
  await expect(page.getByText('No change covers this deployment.')).toBeVisible();
  await expect(page.getByTestId('deployment-unauthorized').getByRole('link', { name: number })).toBeVisible();
  await page.screenshot({ path: 'test-results/deployment-unauthorized.png', fullPage: true });
  await pipeline.dispose();
});
