import { existsSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { CHROMIUM_PATH, E2E_ADMIN } from './environment';

/** Call at the top of every spec: without Debian's Chromium the whole suite is skipped. */
export function skipWithoutBrowser(): void {
  test.skip(!existsSync(CHROMIUM_PATH), `no browser at ${CHROMIUM_PATH} (set CABINET_REQUIRE_BROWSER=1 to fail instead)`);
}

/** Signs in through the sign-in page, as a person would, and waits for the change list. */
export async function signIn(page: Page, email = E2E_ADMIN.email, password = E2E_ADMIN.password): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
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
