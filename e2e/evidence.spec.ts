import { expect, test } from './support/test';
import { localDateTime, signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const PASSWORD = 'demo-password-1';
const TITLE = 'Rotate the payments database credentials';

test('test evidence attached to a regulated change satisfies its gate, and the change may then be implemented', async ({ page }) => {
  test.setTimeout(90_000);

  // Alice opens the demo's scheduled PCI change: its approvals are in, its test evidence is not.
  await signIn(page, 'alice@example.com', PASSWORD);
  await page.goto(`/changes?q=${encodeURIComponent('payments database credentials')}`);
  await page.getByRole('table', { name: 'Changes' }).getByRole('row').filter({ hasText: TITLE }).getByRole('link').first().click();
  const state = page.getByTestId('change-state');
  await expect(state).toHaveText('Scheduled');
  await expect(page.getByRole('tab', { name: 'Evidence: 1 gate open' })).toBeVisible();

  // Implementation is refused: the gate names what is missing.
  await page.getByLabel('Actual start').fill(localDateTime(0, 21));
  await page.getByRole('button', { name: 'Start implementation' }).click();
  const refused = page.getByRole('alert').filter({ hasText: '“Start implementation” needs evidence first' });
  await expect(refused).toBeVisible();
  await expect(refused.getByRole('list', { name: 'Unsatisfied gates' })).toContainText('regulated_evidence: missing Test evidence');
  await expect(state).toHaveText('Scheduled');
  await page.screenshot({ path: 'test-results/evidence-gate-refused.png', fullPage: true });
  await refused.getByRole('button', { name: 'Show the evidence' }).click();

  const panel = page.getByTestId('evidence-panel');
  const gate = panel.getByRole('listitem', { name: 'Gate regulated_evidence' });
  await expect(gate).toContainText('1 missing');
  await expect(gate.getByRole('list', { name: 'Evidence needed' })).toContainText('Missing: Test evidence');
  await expect(gate.getByRole('list', { name: 'Evidence needed' })).toContainText('✓ Approval record');
  await expect(panel.getByRole('listitem', { name: 'Approval record' })).toContainText('Sealed by Cabinet');

  // Attach the test evidence.
  await panel.getByRole('button', { name: 'Add evidence' }).click();
  const form = panel.getByRole('form', { name: 'Add evidence' });
  await form.getByLabel('Title').fill('Credential rotation rehearsed on staging');
  await form.getByLabel('Link').fill('https://ci.example.com/pipelines/4711');
  await form.getByLabel('Details').fill('Rotated on staging-db; every service reconnected within 5 s; no failed payments.');
  await page.screenshot({ path: 'test-results/evidence-form.png', fullPage: true });
  await form.getByRole('button', { name: 'Add evidence' }).click();
  await expect(form).toHaveCount(0);
  const item = panel.getByRole('listitem', { name: 'Credential rotation rehearsed on staging' });
  await expect(item).toContainText('Test evidence');
  await expect(item).toContainText('Added by Alice Martin (change manager)');
  await expect(item.getByTestId('evidence-sha')).toHaveText(/^sha256 [0-9a-f]{12}$/);
  await expect(gate).toContainText('Satisfied');
  await expect(page.getByRole('tab', { name: 'Evidence', exact: true })).toBeVisible();
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/evidence-panel.png', fullPage: true });

  // The Policy tab shows the rules that fired for this change.
  await page.getByRole('tab', { name: 'Policy' }).click();
  const policy = page.getByTestId('policy-panel');
  await expect(policy).toContainText(/This change follows policy v\d+/);
  await expect(policy.getByRole('table', { name: 'Approval rules' })).toContainText('A regulated system (SOX, HIPAA, GDPR or PCI) is affected');
  await expect(policy.getByRole('table', { name: 'Risk factors' })).toContainText('regulated');
  await expect(policy.getByRole('table', { name: 'Gates' })).toContainText('Satisfied');
  await page.screenshot({ path: 'test-results/policy-tab.png', fullPage: true });

  // With its evidence in, the change may be implemented.
  await page.getByRole('button', { name: 'Start implementation' }).click();
  await expect(state).toHaveText('Implement');
});
