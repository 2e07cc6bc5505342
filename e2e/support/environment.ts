/** Where the suite finds its browser and server; shared by playwright.config.ts and the specs. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const E2E_PORT = Number(process.env.CABINET_E2E_PORT ?? 8181);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
/** The SMTP server start-server.mjs runs for the suite, and the folder it keeps the messages in. */
export const E2E_SMTP_PORT = Number(process.env.CABINET_E2E_SMTP_PORT ?? 8125);
export const E2E_MAIL_DIR = 'test-results/e2e-mail';
export const E2E_ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

export const BROWSER_MISSING_MESSAGE =
  `Chromium was not found at ${CHROMIUM_PATH}, and CABINET_REQUIRE_BROWSER=1 says the browser tests must run. ` +
  'Install it with `apt-get install chromium` (do not use `npx playwright install`).';
