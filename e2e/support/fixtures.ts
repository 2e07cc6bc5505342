import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Page } from '@playwright/test';
import { expect, test } from './test';
import { CHROMIUM_PATH, E2E_ADMIN } from './environment';

/** Call at the top of every spec: without Debian's Chromium the whole suite is skipped. */
export function skipWithoutBrowser(): void {
  test.skip(!existsSync(CHROMIUM_PATH), `no browser at ${CHROMIUM_PATH} (set CABINET_REQUIRE_BROWSER=1 to fail instead)`);
}

/** Signs in through the sign-in page, as a person would: it lands on home; then opens the change list. */
export async function signIn(page: Page, email = E2E_ADMIN.email, password = E2E_ADMIN.password): Promise<void> {
  // NOTE: each full page load costs the browser about a second of CPU, a large share of the suite's time: after
  // signing out the sign-in page is already there, and the change list is opened through the menu, as people do.
  if (new URL(page.url(), 'http://x').pathname !== '/sign-in') await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Home', level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Changes' }).getByRole('link', { name: 'Changes', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Changes', level: 1 })).toBeVisible();
}

/** The password every demo person signs in with. */
export const DEMO_PASSWORD = 'demo-password-1';

/** Signs in as one of the demo people. */
export async function signInAs(page: Page, email: string): Promise<void> {
  await signIn(page, email, DEMO_PASSWORD);
}

/** Signs out through the account menu and waits for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Account menu for / }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
}

/**
 * A datetime-local value `days` from now at `hour`:00 local time. NOTE: a day that falls in or next to the demo's
 * year-end freeze (20 December to 3 January) moves 20 days later, so journeys that schedule a change do not
 * meet the freeze when the suite runs in December; the freeze journeys plan into it on purpose.
 */
export function localDateTime(days: number, hour: number): string {
  let d = new Date(Date.now() + days * 86_400_000);
  const nearFreeze = (d.getMonth() === 11 && d.getDate() >= 17) || (d.getMonth() === 0 && d.getDate() <= 5);
  if (nearFreeze) d = new Date(d.getTime() + 20 * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`;
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** An axe-core finding as tests report it: the rule, its impact and where. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) over the page, or the part `include` selects, and returns the serious
 * and critical findings. NOTE: the script is injected, so the spec needs `test.use({ bypassCSP: true })`; the
 * newest @axe-core/playwright needs Node 22.
 */
export async function axeFindings(page: Page, include?: string): Promise<AxeFinding[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async (selector) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(selector, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, include ?? 'html');
}

/**
 * Runs only the named axe-core rules (say the best-practice `empty-table-header`, which no WCAG tag selects) and
 * returns every finding, whatever its impact. Injects axe like `axeFindings`.
 */
export async function axeRuleFindings(page: Page, rules: string[]): Promise<AxeFinding[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async (ids) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run('html', { runOnly: { type: 'rule', values: ids } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, rules);
}
