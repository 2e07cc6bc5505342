import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Page } from '@playwright/test';
import { expect, mailDir, test } from './support/test';
import ICAL from 'ical.js';
import { simpleParser, type ParsedMail } from 'mailparser';
import { readBundleFiles } from '../src/policy/loader';
import { axeFindings, localDateTime, signIn, signOut, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

const DEFAULT_POLICY = new URL('../policies/default', import.meta.url).pathname;
const STAKEHOLDER = { email: 'nora.finance@example.com', name: 'Nora Finance', password: 'stakeholder-password-1' };
const TITLE = 'Resize the payments ledger database';

/** Calls the API as whoever is signed in on the page, with their CSRF token; fails on an error answer. */
async function call<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  const res = await page.request.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': me.csrfToken } });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (res.status() === 204 ? undefined : await res.json()) as T;
}

/** Applies the shipped policy, with `concernsBlockImplement` on or off. */
async function applyPolicy(page: Page, concernsBlockImplement: boolean): Promise<void> {
  const files = await readBundleFiles(DEFAULT_POLICY);
  if (concernsBlockImplement) files['schedule.yaml'] = `${files['schedule.yaml']!.trimEnd()}\n  concernsBlockImplement: true\n`;
  await call(page, 'POST', '/api/v1/policy/versions', { files });
}

/**
 * The messages the suite's SMTP server (e2e/start-server.mjs) accepted for `address`, parsed, oldest first;
 * waits until one whose subject matches `subject` is there.
 */
async function mailFor(address: string, subject: RegExp): Promise<{ raw: string; mail: ParsedMail }> {
  let found: { raw: string; mail: ParsedMail } | undefined;
  await expect(async () => {
    const files = readdirSync(mailDir()).filter((f) => f.endsWith('.json')).sort();
    const mine = files.map((f) => JSON.parse(readFileSync(path.join(mailDir(), f), 'utf8')) as { to: string[]; raw: string }).filter((m) => m.to.includes(address));
    const parsed = await Promise.all(mine.map(async (m) => ({ raw: m.raw, mail: await simpleParser(m.raw) })));
    found = parsed.find((m) => subject.test(m.mail.subject ?? ''));
    expect(found).toBeTruthy();
  }).toPass({ timeout: 45_000 });
  return found!;
}

/** The serious and critical axe findings of the page, as a readable list (empty when clean). */
async function axeProblems(page: Page): Promise<string[]> {
  await page.waitForTimeout(300);
  return (await axeFindings(page)).map((f) => `${f.id} (${f.impact}): ${f.targets.slice(0, 5).join(', ')}`);
}

test('a stakeholder follows Payments, hears of work on a database it depends on, raises a concern the owner answers before implementation', async ({ page }) => {
  test.setTimeout(180_000);

  // The admin turns on "concerns block implement", adds a ledger database Payments' API depends on (in no
  // service of its own), and a stakeholder from finance.
  await signIn(page);
  await applyPolicy(page, true);
  try {
    const ledger = await call<{ id: string }>(page, 'POST', '/api/v1/cis', { name: 'pay-ledger-db', type: 'database', environment: 'production', criticality: 'high' });
    const api = await call<{ id: string }>(page, 'GET', '/api/v1/cis/pay-api-prod');
    await call(page, 'POST', `/api/v1/cis/${api.id}/relations`, { toCiId: ledger.id, type: 'depends_on' });
    await call(page, 'POST', '/api/v1/users', { email: STAKEHOLDER.email, name: STAKEHOLDER.name, password: STAKEHOLDER.password, roles: ['stakeholder'], teamIds: [] });
    await signOut(page);

    // The stakeholder follows Payments, with what it depends on, from the service's page.
    await signIn(page, STAKEHOLDER.email, STAKEHOLDER.password);
    await page.goto('/cmdb/services');
    await page.getByRole('link', { name: 'Payments', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Payments', level: 1 })).toBeVisible();
    await page.getByRole('button', { name: 'Follow Payments' }).click();
    const form = page.getByRole('form', { name: 'Follow Payments' });
    await expect(form.getByRole('checkbox', { name: /Include what it depends on/ })).toBeChecked();
    await form.getByRole('checkbox', { name: 'Email' }).check();
    expect(await axeProblems(page), 'axe-core on the follow form').toEqual([]);
    await page.screenshot({ path: 'test-results/communication-follow-form.png', fullPage: true });
    await form.getByRole('button', { name: 'Start following' }).click();
    await expect(page.getByText('You follow Payments and what it depends on.')).toBeVisible();

    // My subscriptions, from the account menu, lists it.
    await page.getByRole('button', { name: /^Account menu for / }).click();
    await page.getByRole('menuitem', { name: 'My subscriptions' }).click();
    await expect(page.getByRole('heading', { name: 'My subscriptions', level: 1 })).toBeVisible();
    await expect(page.getByRole('table', { name: 'My subscriptions' }).getByRole('row').filter({ hasText: 'Payments' })).toContainText('Yes');
    expect(await axeProblems(page), 'axe-core on My subscriptions').toEqual([]);
    await signOut(page);

    // The admin files a standard change on the ledger database, owned by them, and schedules it.
    await signIn(page);
    const start = new Date(localDateTime(3, 21)).toISOString();
    const end = new Date(localDateTime(3, 23)).toISOString();
    // From a catalogue entry of its own: a standard change needs one (the admin's entry is active at once).
    const entry = await call<{ id: string }>(page, 'POST', '/api/v1/templates', { name: `Grow a database volume ${Date.now()}`, type: 'standard', fields: { title: 'Grow a database volume' } });
    const change = await call<{ id: string; number: string; version: number; type: string }>(page, 'POST', '/api/v1/changes', {
      type: 'standard', templateId: entry.id, title: TITLE, description: 'Grow the ledger volume before month end.', justification: 'Disk at 85%.',
      implementationPlan: '1. Snapshot.\n2. Grow the volume.', testPlan: 'Ledger writes succeed.', backoutPlan: 'Restore the snapshot.',
      ciIds: ['pay-ledger-db'], plannedStart: start, plannedEnd: end,
    });
    expect(change.type).toBe('standard');
    await call(page, 'POST', `/api/v1/changes/${change.id}/transitions`, { to: 'scheduled' });
    await signOut(page);

    // The stakeholder is emailed, with the window as a calendar invitation and a one-click unsubscribe.
    const { raw, mail } = await mailFor(STAKEHOLDER.email, new RegExp(`^${change.number} "${TITLE}" was scheduled for `));
    expect(mail.text).toContain('follows Payments (depends on pay-ledger-db)');
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const calendar = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
    expect(calendar, 'the invitation is attached').toBeTruthy();
    const vcalendar = new ICAL.Component(ICAL.parse(calendar!.content.toString('utf8')));
    expect(vcalendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const event = new ICAL.Event(vcalendar.getFirstSubcomponent('vevent')!);
    expect(event.startDate.toJSDate().toISOString()).toBe(start);
    expect(event.endDate.toJSDate().toISOString()).toBe(end);

    // The email's signed link raises a concern as the stakeholder, without signing in.
    const concernLink = /Raise a concern: (\S+)/.exec(mail.text ?? '')?.[1];
    expect(concernLink, 'the email carries a "raise a concern" link').toBeTruthy();
    await page.goto(concernLink!);
    await expect(page.getByRole('heading', { name: 'Raise a concern', level: 1 })).toBeVisible();
    expect(await axeProblems(page), 'axe-core on the concern link page').toEqual([]);
    await page.getByLabel('What worries you about it?').fill('Month-end settlement runs that night. Can it wait a day?');
    await page.getByRole('button', { name: 'Raise the concern' }).click();
    await expect(page.getByRole('heading', { name: 'Concern raised', level: 1 })).toBeVisible();
    await page.screenshot({ path: 'test-results/communication-concern-link.png', fullPage: true });

    // The stakeholder is told in Cabinet, opens the change and sees why they were told.
    await signIn(page, STAKEHOLDER.email, STAKEHOLDER.password);
    await page.goto('/notifications');
    const notice = page.getByRole('listitem', { name: new RegExp(`^${change.number} "${TITLE}" was scheduled for `) });
    await expect(async () => {
      await page.reload();
      await expect(notice).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 45_000 });
    await expect(notice).toContainText('On something you follow');
    await page.goto(`/changes/${change.number}`);
    await expect(page.getByRole('heading', { name: TITLE, level: 1 })).toBeVisible();
    const audience = page.getByRole('region', { name: 'Who will be told' });
    await expect(audience).toContainText(STAKEHOLDER.name);
    await expect(audience).toContainText('follows Payments (depends on pay-ledger-db)');

    // … and finds the concern the email's link raised on it.
    await page.getByRole('tab', { name: /^Concerns/ }).click();
    await expect(page.getByTestId('concern-counts')).toHaveText('1 open, 0 answered');
    await expect(page.getByText('Month-end settlement runs that night. Can it wait a day?')).toBeVisible();
    await expect(page.getByRole('tab', { name: 'Concerns: 1 open' })).toBeVisible();
    expect(await axeProblems(page), 'axe-core on the change page with a concern').toEqual([]);
    await signOut(page);

    // The owner cannot start the implementation while the concern is open; answers it; then can.
    await signIn(page);
    const current = await call<{ version: number }>(page, 'GET', `/api/v1/changes/${change.id}`);
    await call(page, 'PATCH', `/api/v1/changes/${change.id}`, { actualStart: start, version: current.version });
    await page.goto(`/changes/${change.number}`);
    await page.getByRole('button', { name: /Start implementation/ }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'until its concerns are answered' })).toBeVisible();
    await expect(page.getByTestId('change-state')).toHaveText('Scheduled');
    await page.getByRole('tab', { name: /^Concerns/ }).click();
    await page.getByRole('textbox', { name: 'Your answer' }).fill('We moved it to the day after settlement.');
    await page.getByRole('button', { name: 'Answer', exact: true }).click();
    await expect(page.getByTestId('concern-counts')).toHaveText('0 open, 1 answered');
    await page.getByRole('button', { name: /Start implementation/ }).click();
    await expect(page.getByTestId('change-state')).toHaveText('Implement');
    await page.screenshot({ path: 'test-results/communication-answered.png', fullPage: true });
  } finally {
    // Other journeys run on the same server: the shipped policy again.
    await page.goto('/changes');
    const me = await page.request.get('/api/v1/me');
    if (me.ok() && ((await me.json()) as { email: string }).email !== 'admin@example.com') await signOut(page).then(() => signIn(page));
    else if (!me.ok()) await signIn(page);
    await applyPolicy(page, false);
  }
});
