import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.CABINET_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // NOTE: the first-load budget is 400 KB of gzipped JS (docs/web.md); vendor code is split out so
    // that route chunks stay small and the vendor chunk stays cached between releases.
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: 'mantine', test: /node_modules[\\/]@mantine[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget, changeOrigin: false },
    },
  },
  test: {
    root: webRoot,
    // happy-dom ran the page tests in two thirds of jsdom's time (docs/development.md).
    environment: 'happy-dom',
    include: ['src/**/*.test.tsx'],
    setupFiles: ['src/test/setup.ts'],
    css: false,
    restoreMocks: true,
    pool: 'threads',
    // Vitest's default is one worker fewer than the cores: one on the 2-core CI machine. The page tests wait on
    // nothing but the CPU, so a worker a core ran them in two thirds of the time (docs/development.md).
    maxWorkers: Math.max(2, availableParallelism()),
    // A whole page rendered in happy-dom can take several seconds on a busy 2-core machine (docs/development.md).
    testTimeout: 20_000,
  },
});
