import { expect, test } from './support/test';
import { signIn, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';
import { apiAs, journeyCi, pipelineClient, randomSha } from './support/pipeline';

skipWithoutBrowser();

const ENTRY = 'Restart a stuck queue consumer';
/** `YYYY-MM-DDTHH:mm` in UTC, `minutes` from now: a window's wall-clock start in the UTC zone. */
const utcWallClock = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 16);

test('a deploy held by a freeze is released when the freeze exception is approved', async ({ page, playwright }) => {
  test.setTimeout(180_000);
  // The admin sets up a pipeline account and a CI of the journey's own.
  await signIn(page);
  const pipeline = await pipelineClient(page, playwright, 'consumer-deploy');
  const ci = await journeyCi(page, 'ledger-consumer-prod');
  const freezeName = `Ledger close ${ci.name.split('-').at(-1)}`;
  await signOut(page);

  // Bob files a standard change from the catalogue on that CI, for the next two hours, and schedules it.
  await signInAs(page, 'bob@example.com');
  const templates = await apiAs<{ items: { id: string; name: string }[] }>(page, 'GET', `/api/v1/templates?q=${encodeURIComponent(ENTRY)}`);
  const entry = templates.items.find((t) => t.name === ENTRY)!;
  const change = await apiAs<{ id: string; number: string; version: number }>(page, 'POST', `/api/v1/templates/${entry.id}/changes`, {
    title: `Restart the consumers of ${ci.name}`,
    description: 'The ledger consumers lag behind; restart them.',
    ciIds: [ci.id],
    plannedStart: new Date(Date.now() - 5 * 60_000).toISOString(),
    plannedEnd: new Date(Date.now() + 120 * 60_000).toISOString(),
  });
  await apiAs(page, 'POST', `/api/v1/changes/${change.id}/transitions`, { to: 'scheduled', version: change.version });
  await signOut(page);

  // Then the finance office freezes that CI, from an hour ago to tomorrow.
  await signInAs(page, 'alice@example.com');
  await apiAs(page, 'POST', '/api/v1/windows', {
    name: freezeName,
    kind: 'freeze',
    start: utcWallClock(-60),
    timeZone: 'UTC',
    durationMinutes: 24 * 60,
    scope: { ciIds: [ci.id] },
  });
  await signOut(page);
  await signInAs(page, 'bob@example.com');

  // The pipeline asks the gate: the freeze holds the deployment.
  const asked = await pipeline.post('/api/v1/gate/checks', {
    data: {
      target: { ciIds: [ci.id], environment: 'production' },
      source: 'jenkins',
      repository: 'acme/ledger-consumer',
      ref: 'main',
      sha: randomSha(),
      pipeline: {
        id: 'ledger-consumer/deploy',
        runId: String(Date.now()),
        attempt: 1,
        url: 'https://jenkins.example.com/job/ledger-consumer/42/',
      },
      actor: 'jenkins',
      changeNumber: change.number,
    },
  });
  expect(asked.status(), await asked.text()).toBe(200);
  const check = (await asked.json()) as { id: string; decision: string; reasons: { code: string }[] };
  expect(check.decision).toBe('pending');
  expect(check.reasons.map((r) => r.code)).toContain('freeze');

  // The gate check's page shows it held by the freeze, naming the freeze and when it ends.
  await page.goto(`/gate/checks/${check.id}`);
  await expect(page.getByTestId('gate-decision')).toContainText('The deployment waits');
  const reasons = page.getByRole('list', { name: 'Reasons' });
  const freeze = reasons.getByRole('listitem').filter({ hasText: 'Freeze:' });
  await expect(freeze).toContainText(freezeName);
  await expect(freeze.getByRole('link', { name: freezeName })).toHaveAttribute('href', '/schedule/windows');
  await page.screenshot({ path: 'test-results/gate-check-held.png', fullPage: true });

  // Bob follows the change link and asks for a freeze exception on its Schedule tab.
  await page.getByRole('link', { name: change.number }).first().click();
  await expect(page.getByRole('heading', { name: `Restart the consumers of ${ci.name}`, level: 1 })).toBeVisible();
  await page.getByRole('tab', { name: /^Evidence/ }).click();
  await expect(page.getByRole('list', { name: 'Gate checks' }).getByRole('listitem', { name: 'Gate check: pending' })).toContainText(
    freezeName,
  );
  await page.screenshot({ path: 'test-results/change-gate-checks.png', fullPage: true });
  await page.getByRole('tab', { name: /^Schedule/ }).click();
  await page.getByRole('button', { name: 'Request a freeze exception' }).click();
  const form = page.getByRole('form', { name: 'Request a freeze exception' });
  await form
    .getByRole('textbox', { name: 'Why it cannot wait' })
    .fill('The ledger consumers are stuck and the month-end close waits on them.');
  await form.getByRole('textbox', { name: 'What could go wrong' }).fill('A restart replays the last minute of messages.');
  await form.getByRole('textbox', { name: 'Mitigation' }).fill('Consumers are idempotent; on-call watches the lag.');
  const accepter = form.getByRole('combobox', { name: 'Who accepts the risk' });
  await accepter.click();
  await accepter.fill('Bob');
  await page.getByRole('option', { name: /Bob Okafor/ }).click();
  await form.getByRole('button', { name: 'Request the exception' }).click();
  await expect(page.getByRole('list', { name: 'Freeze exceptions' })).toBeVisible();
  await signOut(page);

  // Alice (the CAB) approves the exception from "My approvals".
  await signInAs(page, 'alice@example.com');
  await page
    .getByRole('navigation', { name: 'Changes' })
    .getByRole('link', { name: /My approvals/ })
    .click();
  const row = page.getByRole('table', { name: 'My approvals' }).getByRole('row', { name: new RegExp(change.number) });
  await row.getByRole('button', { name: /^Approve/ }).click();
  const decision = page.getByRole('dialog', { name: new RegExp(`^Decide ${change.number}`) });
  await decision.getByRole('button', { name: new RegExp(`^Approve ${change.number}$`) }).click();
  await expect(decision).toHaveCount(0);

  // The long-poll answers allow, and the check's page says so.
  const waited = await pipeline.get(`/api/v1/gate/checks/${check.id}?wait=30&decision=pending`);
  const answer = (await waited.json()) as { decision: string; reasons: unknown[] };
  expect(answer.decision, JSON.stringify(answer.reasons)).toBe('allow');
  await page.goto(`/gate/checks/${check.id}`);
  await expect(page.getByTestId('gate-decision')).toContainText('The deployment may go out.');
  await page.screenshot({ path: 'test-results/gate-check-allowed.png', fullPage: true });
  await page.goto('/gate/checks?decision=allow');
  await expect(page.getByRole('table', { name: 'Gate checks' }).getByRole('row', { name: /acme\/ledger-consumer/ })).toContainText(
    'Allowed',
  );
  await page.screenshot({ path: 'test-results/gate-checks.png', fullPage: true });
  await pipeline.dispose();
});
