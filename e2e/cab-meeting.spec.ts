import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { localDateTime, signInAs, signOut, skipWithoutBrowser } from './support/fixtures';
import { apiAs, journeyCi } from './support/pipeline';

skipWithoutBrowser();

/** A datetime-local value `minutes` from now, read in the browser's zone (the one the page shows times in). */
async function inputMinutesFromNow(page: Page, minutes: number): Promise<string> {
  return page.evaluate((m) => {
    const d = new Date(Date.now() + m * 60_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, minutes);
}

/** An ISO instant for a datetime-local value of `localDateTime` (the test runner's zone, as the fixtures read it). */
const isoOf = (local: string) => new Date(local).toISOString();

test('a meeting from agenda to minutes: the CAB approves with a condition, which blocks implementation until it is met', async ({ page }) => {
  test.setTimeout(240_000);
  const stamp = Date.now();
  const boardName = `Journey CAB ${stamp}`;
  const title = `Move the card vault to new hosts (CAB journey ${stamp})`;
  const condition = 'Run the load test against the new hosts';

  // Alice (change manager) sets up a board through the API: she and Dave sit on it, and its scope takes this
  // journey's change only, so no other journey's change reaches its agenda.
  await signInAs(page, 'alice@example.com');
  const ci = await journeyCi(page, 'card-vault');
  const board = await apiAs<{ id: string }>(page, 'POST', '/api/v1/boards', {
    name: boardName,
    kind: 'cab',
    description: 'The board of the CAB meeting journey.',
    memberIds: ['alice@example.com', 'dave@example.com'],
    scope: `change.title.contains("CAB journey ${stamp}")`,
    quorum: { minMembers: 1 },
  });
  await signOut(page);

  // Bob files a normal change on the journey's CI, with every planning field, and submits it.
  await signInAs(page, 'bob@example.com');
  const bob = await apiAs<{ id: string }>(page, 'GET', '/api/v1/me');
  const change = await apiAs<{ id: string; number: string }>(page, 'POST', '/api/v1/changes', {
    type: 'normal',
    title,
    description: 'The card vault moves from the old hosts to the new cluster.',
    justification: 'The old hosts go out of support at the end of the quarter.',
    ciIds: [ci.id],
    plannedStart: isoOf(localDateTime(10, 21)),
    plannedEnd: isoOf(localDateTime(10, 22)),
    implementationPlan: '1. Copy the vault.\n2. Switch the clients.\n3. Retire the old hosts.',
    testPlan: 'Tokenise and detokenise a test card through the new hosts.',
    backoutPlan: 'Switch the clients back to the old hosts.',
    assignmentTeamId: 'payments-team',
    implementerId: bob.id,
  });
  await apiAs(page, 'POST', `/api/v1/changes/${change.id}/transitions`, { to: 'assess' });
  await signOut(page);

  // Alice judges it high risk and asks for its authorization: the policy routes its CAB approval to the board.
  await signInAs(page, 'alice@example.com');
  const read = await apiAs<{ version: number }>(page, 'GET', `/api/v1/changes/${change.id}`);
  await apiAs(page, 'POST', `/api/v1/changes/${change.id}/risk/override`, {
    level: 'high',
    justification: 'The card vault holds every stored card: the CAB must see this move.',
    version: read.version,
  });
  await apiAs(page, 'POST', `/api/v1/changes/${change.id}/transitions`, { to: 'authorize' });

  // She schedules a meeting of the board on its page, starting in a few minutes.
  await page.goto(`/boards/${board.id}`);
  await expect(page.getByRole('heading', { name: boardName, level: 1 })).toBeVisible();
  const schedule = page.getByRole('form', { name: 'Schedule a meeting' });
  await schedule.getByLabel('Start').fill(await inputMinutesFromNow(page, 10));
  await schedule.getByRole('textbox', { name: /^Duration/ }).fill('45');
  const meetingTitle = `Journey meeting ${stamp}`;
  await schedule.getByRole('textbox', { name: /^Title/ }).fill(meetingTitle);
  await schedule.getByRole('button', { name: 'Schedule the meeting' }).click();
  await expect(schedule.getByRole('link', { name: meetingTitle })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Next meetings' }).getByRole('link', { name: meetingTitle })).toBeVisible();

  // The meeting calendar lists it; the workbench opens from there.
  await page.goto(`/meetings?boardId=${board.id}`);
  await expect(page.getByRole('heading', { name: 'Meetings', level: 1 })).toBeVisible();
  const listed = page.getByRole('listitem', { name: meetingTitle });
  await expect(listed).toContainText(boardName);
  await expect(listed).toContainText('Planned');
  await listed.getByRole('link', { name: meetingTitle }).click();
  await expect(page.getByRole('heading', { name: meetingTitle, level: 1 })).toBeVisible();

  // The agenda built itself: the change is on it, with its risk and the time allotted to it.
  const agenda = page.getByRole('table', { name: 'Agenda items' });
  const row = agenda.getByRole('row').filter({ has: page.getByRole('link', { name: change.number }) });
  await expect(row).toContainText('High');
  await expect(row).toContainText('min');
  await page.screenshot({ path: 'test-results/cab-meeting-planned.png', fullPage: true });

  // Attendance: Alice and Dave are present.
  const attendance = page.getByRole('form', { name: 'Attendance' });
  await attendance.getByRole('checkbox', { name: /^Alice Martin/ }).check();
  await attendance.getByRole('checkbox', { name: /^Dave Kowalski/ }).check();
  await attendance.getByRole('button', { name: 'Save attendance' }).click();
  await expect(attendance.getByText('Not saved yet')).toHaveCount(0);
  await expect(attendance).toContainText('2 present');

  // She starts the meeting: the agenda freezes and the meeting's timer runs.
  await page.getByRole('button', { name: 'Start the meeting' }).click();
  await expect(page.getByText('In progress').first()).toBeVisible();
  await expect(page.getByRole('timer', { name: 'Meeting time' })).toContainText('of 45:00');
  await expect(page.getByText('Frozen when the meeting started')).toBeVisible();

  // The item: its pre-read, then it is discussed, with its own timer.
  await row.getByRole('button', { name: `Pre-read of ${change.number}` }).click();
  await expect(page.getByRole('heading', { name: title, level: 2 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Risk factors' })).toBeVisible();
  await expect(page.getByText('Copy the vault.', { exact: false })).toBeVisible();
  await page.getByRole('button', { name: 'Discuss now' }).click();
  await expect(page.getByRole('timer', { name: 'Time on this item' })).toBeVisible();
  await expect(row).toContainText('Under discussion');

  // The board approves it with a condition; a rationale is required first.
  const decision = page.getByRole('form', { name: `Decision on ${change.number}` });
  await decision.getByRole('radio', { name: 'Approve with conditions' }).check();
  await decision.getByRole('button', { name: 'Record the decision' }).click();
  await expect(decision.getByText('Give the rationale: every decision records why.')).toBeVisible();
  await decision.getByRole('textbox', { name: /^Rationale/ }).fill('Sound plan; the load on the new hosts is the one unknown.');
  await decision.getByRole('textbox', { name: /^Condition 1/ }).fill(condition);
  await page.screenshot({ path: 'test-results/cab-meeting-decision.png', fullPage: true });
  await decision.getByRole('button', { name: 'Record the decision' }).click();
  await expect(row).toContainText('Approved with conditions');
  await expect(page.getByRole('region', { name: `Decision on ${change.number}` })).toContainText(condition);

  // Notes, then the meeting ends: the minutes are written, with their hash, and can be downloaded.
  const notes = page.getByRole('form', { name: 'Notes' });
  await notes.getByRole('textbox', { name: /Meeting notes/ }).fill('The payments team joins the load test.');
  await notes.getByRole('button', { name: 'Save notes' }).click();
  await expect(notes.getByText(/^Saved /)).toBeVisible();
  await page.getByRole('button', { name: 'End the meeting' }).click();
  const ending = page.getByRole('dialog', { name: `End ${meetingTitle}?` });
  await ending.getByRole('button', { name: 'End and write the minutes' }).click();
  await expect(ending).toHaveCount(0);
  const minutes = page.getByRole('region', { name: 'Minutes' });
  await expect(minutes).toBeVisible();
  await expect(minutes).toContainText(change.number);
  await expect(minutes).toContainText(condition);
  await expect(minutes).toContainText('The payments team joins the load test.');
  await expect(minutes.getByTestId('minutes-hash')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(minutes.getByRole('link', { name: 'Download Markdown' })).toHaveAttribute('href', /\/minutes\?format=markdown$/);
  await expect(page.getByRole('button', { name: 'End the meeting' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/cab-meeting-minutes.png', fullPage: true });

  // On the change: the condition is open, and it blocks the start of the implementation.
  await page.goto(`/changes/${change.number}`);
  const state = page.getByTestId('change-state');
  await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
  const conditions = page.getByRole('region', { name: 'Conditions' });
  await expect(conditions).toContainText('1 open');
  await expect(conditions.getByRole('listitem', { name: condition })).toContainText('verified by any change manager');
  await page.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(state).toHaveText('Scheduled');
  await page.getByLabel('Actual start').fill(localDateTime(0, 21));
  await page.getByRole('button', { name: 'Start implementation' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'conditions_unmet' });
  await expect(refused).toBeVisible();
  await expect(state).toHaveText('Scheduled');
  await page.screenshot({ path: 'test-results/cab-meeting-condition-blocks.png', fullPage: true });

  // Alice marks it met, with a note; the implementation may start.
  await conditions.getByRole('button', { name: `Mark met: ${condition}` }).click();
  const verify = page.getByRole('dialog', { name: 'Mark the condition met?' });
  await verify.getByRole('textbox', { name: /How was it met/ }).fill('Load test passed at twice the peak load.');
  await verify.getByRole('button', { name: 'Mark met' }).click();
  await expect(verify).toHaveCount(0);
  await expect(conditions).toContainText('All met');
  await expect(conditions).toContainText('Load test passed at twice the peak load.');
  await page.getByRole('button', { name: 'Start implementation' }).click();
  await expect(state).toHaveText('Implement');

  // The journey's board takes no more work, so that later journeys' changes never meet it.
  const current = await apiAs<{ version: number }>(page, 'GET', `/api/v1/boards/${board.id}`);
  await apiAs(page, 'POST', `/api/v1/boards/${board.id}/deactivate`, { version: current.version, reason: 'End of the CAB meeting journey' });
  await signOut(page);
});
