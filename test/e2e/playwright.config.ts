import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FAKE_MICROPHONE_ARGS } from './chromium-flags.ts';

// Drives Debian's Chromium (never a downloaded browser) against web mode (`natscope serve`).

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../artifacts/e2e-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: process.env.NATSCOPE_TEST_REPORT_DIR
    ? [['list'], ['json', { outputFile: `${process.env.NATSCOPE_TEST_REPORT_DIR}/playwright.json` }]]
    : [['list']],
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [
        ...CHROMIUM_ARGS,
        // A synthetic microphone (a beep) for the echo test's "hear yourself" path; no prompt.
        ...FAKE_MICROPHONE_ARGS,
      ],
    },
  },
});
