// End-to-end tests in Debian's chromium (never a downloaded browser) against the built API and web app,
// which e2e/global-setup.ts starts on a free port with embedded MongoDB-wire and Redis under a temp dir.
import { execSync } from 'node:child_process';
import { defineConfig } from '@playwright/test';

const chromium = process.env.CHROMIUM_PATH ?? execSync('command -v chromium', { shell: '/bin/sh' }).toString().trim();

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  outputDir: 'test-results/artifacts',
  globalSetup: './e2e/global-setup.ts',
  use: {
    browserName: 'chromium',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: chromium,
      // Root (CI containers) cannot use Chromium's sandbox.
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    },
  },
});
