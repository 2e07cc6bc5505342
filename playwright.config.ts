import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from '@playwright/test';
import { BROWSER_MISSING_MESSAGE, CHROMIUM_PATH } from './e2e/support/environment';

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
  // Each worker runs its own Cabinet on its own demo database (e2e/support/test.ts), so journeys in different
  // workers never see each other's changes; a file's journeys run in order in one worker. One worker for every
  // two cores: a journey keeps about two busy (the browser rendering, the server, the runner), and on the 2-core
  // machine two workers made each journey twice as slow (docs/development.md).
  workers: Number(process.env.CABINET_E2E_WORKERS || Math.max(1, Math.floor(availableParallelism() / 2))),
  fullyParallel: false,
  // The web app is built once; without a browser there is nothing to build it for.
  globalSetup: hasBrowser ? './e2e/global-setup.ts' : undefined,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
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
});
