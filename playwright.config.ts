import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { BROWSER_MISSING_MESSAGE, CHROMIUM_PATH, E2E_ADMIN, E2E_BASE_URL, E2E_PORT, E2E_SMTP_PORT } from './e2e/support/environment';

// NOTE: the browser is Debian's Chromium, never one downloaded by `npx playwright install`. Without it the
// specs skip themselves (see e2e/support/environment.ts), unless CABINET_REQUIRE_BROWSER=1 says a
// missing browser is a failure (CI).
const hasBrowser = existsSync(CHROMIUM_PATH);
if (!hasBrowser && process.env.CABINET_REQUIRE_BROWSER === '1') throw new Error(BROWSER_MISSING_MESSAGE);

export default defineConfig({
  testDir: 'e2e',
  // Per-test artefacts (traces, failure screenshots). Kept apart from test-results/e2e-db, which the
  // server is using while Playwright cleans this folder.
  outputDir: 'test-results/playwright',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: E2E_BASE_URL,
    viewport: { width: 1366, height: 768 },
    browserName: 'chromium',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    locale: 'en-GB',
    timezoneId: 'Europe/Amsterdam',
  },
  webServer: hasBrowser
    ? {
        // Builds the web app, deletes the previous test database, then runs `cabinet serve`.
        command: 'node e2e/start-server.mjs',
        url: `${E2E_BASE_URL}/healthz`,
        reuseExistingServer: false,
        timeout: 180_000,
        stdout: 'pipe',
        stderr: 'pipe',
        env: {
          PORT: String(E2E_PORT),
          HOST: '127.0.0.1',
          DATABASE_URL: 'sqlite:test-results/e2e-db/cabinet.db',
          CABINET_ADMIN_EMAIL: E2E_ADMIN.email,
          CABINET_ADMIN_PASSWORD: E2E_ADMIN.password,
          CABINET_DEMO: '1',
          CABINET_CHECK_TRANSACTIONS: '1',
          CABINET_LOG_LEVEL: 'warn',
          // Every spec signs in through the form; the default limit (10 a minute) would throttle the suite.
          CABINET_LOGIN_RATE_LIMIT: '1000',
          // The inline worker delivers notifications within a second, so journeys need not wait long.
          CABINET_WORKER_INTERVAL_MS: '1000',
          // Email goes to the SMTP server start-server.mjs runs; the journeys read what it received.
          CABINET_SMTP_URL: `smtp://127.0.0.1:${E2E_SMTP_PORT}`,
          CABINET_MAIL_FROM: 'cabinet@example.com',
          CABINET_PUBLIC_URL: E2E_BASE_URL,
        },
      }
    : undefined,
});
