import { expect, test } from './support/test';
import { signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();

const BROKEN_TEAMS = `apiVersion: cabinet/v1
teams:
  - handle: cab
    name: Change Advisory Board
    colour: blue
  - handle: dba
`;

test('an admin reads the policy in force, and a broken bundle is refused with the line of each problem', async ({ page }) => {
  await signIn(page);
  await page.getByRole('navigation', { name: 'Governance' }).getByRole('link', { name: 'Policy' }).click();
  await expect(page.getByRole('heading', { name: 'Policy', level: 1 })).toBeVisible();

  // The version in force, and the normal lifecycle in order with who may move it on.
  // NOTE: other journeys on the same server may have applied versions of their own; the page shows whichever is in force.
  const inForce = (await (await page.request.get('/api/v1/policy')).json()) as { number: number; appliedByName: string };
  const active = page.getByRole('region', { name: 'Active version' });
  await expect(active).toContainText(`Version ${inForce.number}`);
  await expect(active).toContainText(inForce.appliedByName);
  const states = page.getByRole('table', { name: 'States of the normal change' });
  await expect(states.getByRole('row')).toHaveText([
    /State/,
    /Draft/,
    /Assess/,
    /Authorize/,
    /Scheduled/,
    /Implement/,
    /Review/,
    /Closed/,
    /Cancelled/,
    /Rejected/,
  ]);
  await expect(states.getByRole('row', { name: /Scheduled/ })).toContainText('Assignment team');
  await expect(
    page.getByRole('table', { name: 'Transitions of the normal change' }).getByRole('row', { name: /Submit for assessment/ }),
  ).toContainText('its requester');

  // The active version's test cases run against it, and all pass.
  const tests = page.getByRole('region', { name: 'Test cases' });
  await expect(tests.getByText(/^\d+ passed$/)).toBeVisible();
  await expect(tests.getByText('0 failed')).toBeVisible();

  // The teams the rules rely on exist (the demo put people in some of them).
  const teams = page.getByRole('table', { name: 'Teams declared by the policy' });
  for (const handle of ['change-managers', 'cab', 'ecab', 'security', 'dba', 'network', 'compliance'])
    await expect(teams).toContainText(`@${handle}`);
  await expect(teams.getByRole('row', { name: /@ecab/ })).toContainText('nobody yet');
  await expect(page.getByRole('table', { name: 'Policy versions' }).getByRole('row')).toHaveCount(inForce.number + 1);

  // Start from the active version, break teams.yaml, and apply.
  await page.getByRole('button', { name: 'Apply a new version' }).click();
  const form = page.getByRole('form', { name: 'Apply a new policy version' });
  await form.getByRole('button', { name: `Start from version ${inForce.number}` }).click();
  for (const name of ['bundle.yaml', 'change-models.yaml', 'teams.yaml'])
    await expect(form.getByRole('textbox', { name: `Name of ${name}` })).toHaveValue(name);
  await form.getByRole('button', { name: 'Edit teams.yaml' }).click();
  await form.getByRole('textbox', { name: 'Content of teams.yaml' }).fill(BROKEN_TEAMS);
  await form.getByRole('button', { name: 'Preview' }).click();

  const problems = form.getByRole('list', { name: 'Problems in the bundle' });
  await expect(problems.getByRole('listitem')).toHaveText([
    'teams.yaml:5:13 teams.0.colour unknown field "colour"',
    /^teams\.yaml:6:5 teams\.1\.name /,
  ]);
  await expect(form.getByText('2 problems in this file')).toBeVisible();
  // NOTE: a full-page shot taken while scrolled paints the fixed header and navigation mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/policy-page.png', fullPage: true });

  // Preview an edit before applying it: the ECAB for every change that is not standard. A shipped case
  // catches it, and the open changes that would need the ECAB are listed.
  await form.getByRole('button', { name: `Start from version ${inForce.number}` }).click();
  await form.getByRole('button', { name: 'Edit approvals.yaml' }).click();
  const approvals = form.getByRole('textbox', { name: 'Content of approvals.yaml' });
  await approvals.fill((await approvals.inputValue()).replace('when: change.type == "emergency"', 'when: change.type != "standard"'));
  await form.getByRole('button', { name: 'Preview' }).click();
  const preview = form.getByRole('region', { name: 'Preview' });
  await expect(preview.getByText(/^[1-9]\d* failed$/)).toBeVisible();
  await expect(preview.getByRole('list', { name: /^Mismatches of A normal change of low risk/ })).toContainText('got change_manager, ecab');
  await expect(preview.getByRole('table', { name: 'Open changes the new version would change' }).getByRole('row').nth(1)).toContainText(
    '+ ecab',
  );
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: 'test-results/policy-preview.png', fullPage: true });

  // Nothing was applied: the same content again is recognised as the version in force.
  await form.getByRole('button', { name: `Start from version ${inForce.number}` }).click();
  await form.getByRole('button', { name: 'Edit teams.yaml' }).click();
  await expect(form.getByRole('textbox', { name: 'Content of teams.yaml' })).toHaveValue(/handle: compliance/);
  await form.getByRole('button', { name: 'Preview' }).click();
  await expect(form.getByRole('region', { name: 'Preview' })).toContainText('The active version already has exactly this content.');
  await form.getByRole('button', { name: 'Apply as a new version' }).click();
  await expect(form.getByRole('status')).toHaveText(`Version ${inForce.number} already has exactly this content; nothing was applied.`);
  await expect(page.getByRole('table', { name: 'Policy versions' }).getByRole('row')).toHaveCount(inForce.number + 1);
});
