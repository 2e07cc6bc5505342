/** Where the suite finds its browser and its servers; shared by playwright.config.ts, the server fixture and the specs. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/**
 * Each Playwright worker runs its own Cabinet on its own demo database, with its own SMTP server
 * (e2e/support/test.ts): worker N (its parallel index) listens on E2E_PORT + N and E2E_SMTP_PORT + N.
 */
export const E2E_PORT = Number(process.env.CABINET_E2E_PORT ?? 8181);
export const E2E_SMTP_PORT = Number(process.env.CABINET_E2E_SMTP_PORT ?? 8125);
export const E2E_ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

/**
 * Where worker `index` keeps things: its database's folder and DATABASE_URL, and the folder of the messages its
 * SMTP server accepted (one <n>.json each: `{ to, raw }`).
 */
export function e2eDirs(index: number): { db: string; databaseUrl: string; mail: string } {
  const db = `test-results/e2e-db-${index}`;
  return { db, databaseUrl: `sqlite:${db}/cabinet.db`, mail: `test-results/e2e-mail-${index}` };
}

export const BROWSER_MISSING_MESSAGE =
  `Chromium was not found at ${CHROMIUM_PATH}, and CABINET_REQUIRE_BROWSER=1 says the browser tests must run. ` +
  'Install it with `apt-get install chromium` (do not use `npx playwright install`).';
