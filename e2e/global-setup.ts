import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the web app once for the whole run (each worker's Cabinet serves dist/web; e2e/support/test.ts).
 * CABINET_E2E_SKIP_BUILD=1 reuses the dist/web there is.
 */
export default function globalSetup(): void {
  if (process.env.CABINET_E2E_SKIP_BUILD === '1') return;
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const build = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('e2e: the web app did not build');
}
