import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startWebMode } from './web-host.ts';

// The Monitor step in the offline demo: a live run against the loopback companion server (STUN,
// echo), its timeline and summary, and its history as the report's timeline page.
const step = (page: Page, name: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();

let host: Awaited<ReturnType<typeof startWebMode>>;
test.beforeAll(async () => {
  // Its own state directory: the run writes the default history there, not in the user's.
  host = await startWebMode({
    env: { NATSCOPE_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'natscope-e2e-')) },
  });
});
test.afterAll(async () => {
  await host.stop();
});

test('Monitor: a live run in the demo, its timeline, and its history in the report', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Try it offline' }).click();
  await expect(page.getByTestId('demo-banner')).toContainText('Loopback demo');
  await step(page, /Monitor/);
  await expect(page.getByLabel('STUN server')).toHaveValue(/127\.0\.0\.\d:\d+/);
  await page.getByLabel('Interval (s)').fill('1');
  await page.getByLabel('Echo call every N intervals').fill('4');
  await page.getByLabel('Echo call seconds').fill('2');
  await page.getByRole('button', { name: 'Start monitoring' }).click();
  await expect(page.getByTestId('monitor-last')).toContainText('#4', { timeout: 45_000 });
  await expect(page.getByTestId('monitor-last')).toContainText('loss 0 %');
  await expect(page.getByTestId('monitor-timeline')).toBeVisible();
  await expect(page.getByTestId('monitor-summary')).toContainText(/This run.*no events/);
  await page.getByRole('button', { name: 'Stop monitoring' }).click();
  await expect(page.getByRole('button', { name: 'Start monitoring' })).toBeVisible({ timeout: 15_000 });
  // stopped: the summary now covers the whole history, with the echo calls' MOS
  await expect(page.getByTestId('monitor-summary')).toContainText(/MOS \d\.\d\d mean/);
  await page.screenshot({ path: 'test/artifacts/monitor-step-demo.png', fullPage: true });

  await step(page, /Report/);
  await page.getByText("Add the saved monitor history as the report's timeline page").click();
  await expect(page.getByTestId('monitor-in-report')).toContainText(/In the report: .*intervals/, {
    timeout: 15_000,
  });
});
