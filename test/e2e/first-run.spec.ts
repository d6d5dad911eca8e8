import { expect, test, type Page } from '@playwright/test';
import { startWebMode } from './web-host.ts';

// What a first-time user meets on a small laptop screen, and when web mode's host goes away.
const step = (page: Page, name: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();

test('echo step at 1024×700: the MOS gauge, the pass/fail tiles and the charts are above the fold', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const host = await startWebMode();
  const page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
  try {
    await page.goto(host.url);
    await page.getByRole('button', { name: 'Try it offline' }).click();
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    await step(page, /Echo test/);
    await page.getByLabel('Duration seconds').fill('4');
    await page.getByRole('button', { name: 'Start echo test' }).click();
    await expect(page.getByTestId('echo-result')).toContainText('Audio flows both ways', { timeout: 30_000 });
    // The page as it opens (scrolled to the top): everything that says how the call sounded is
    // inside the first 700 px, without scrolling.
    await page.evaluate(() => window.scrollTo(0, 0));
    for (const id of ['mos-gauge', 'echo-thresholds', 'echo-charts']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.y + box!.height, `${id} ends at ${box!.y + box!.height} px`).toBeLessThanOrEqual(700);
      expect(box!.x + box!.width, `${id} ends at ${box!.x + box!.width} px`).toBeLessThanOrEqual(1024);
    }
    await page.screenshot({ path: 'test/artifacts/echo-1024x700.png' });
  } finally {
    await page.close();
    await host.stop();
  }
});

test('the web host stops mid-call: a banner says so and the call is failed, not left in "media"', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const host = await startWebMode();
  try {
    await page.goto(host.url);
    await page.getByRole('button', { name: 'Try it offline' }).click();
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    await step(page, /Echo test/);
    await page.getByLabel('Duration seconds').fill('30');
    await page.getByRole('button', { name: 'Start echo test' }).click();
    await expect(page.getByRole('button', { name: 'Hang up' })).toBeVisible({ timeout: 20_000 });
    // Media flowing: the live loss figure has a number (a few seconds into the 30 s call).
    await expect(page.getByTestId('echo-now-lossPercent')).toHaveText(/\d/, { timeout: 20_000 });
    await host.stop();
    await expect(page.getByTestId('connection-lost')).toContainText('Lost the connection to NatScope');
    await expect(page.getByRole('alert').filter({ hasText: 'The call was cut off' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Start echo test' })).toBeVisible();
    await expect(page.getByTestId('nav-echo')).not.toHaveAttribute('data-mark', 'running');
    await page.screenshot({ path: 'test/artifacts/connection-lost.png', fullPage: true });
  } finally {
    await host.stop();
  }
});

test('first run through every step: no console error, no failed request (favicon included)', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  const host = await startWebMode();
  try {
    await page.goto(host.url);
    await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', /favicon\.svg$/);
    expect((await page.request.get(new URL('/favicon.svg', host.url).href)).status()).toBe(200);
    await page.getByRole('button', { name: 'Try it offline' }).click();
    await page.getByRole('button', { name: 'Check my connection', exact: true }).click();
    await expect(page.getByTestId('check-duration')).toBeVisible({ timeout: 60_000 });
    const steps = await page
      .locator('[data-testid^="nav-"]')
      .evaluateAll((bs) => bs.map((b) => b.getAttribute('data-testid')!));
    for (const id of steps) {
      await page.getByTestId(id).click();
      await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    }
    expect(problems).toEqual([]);
  } finally {
    await host.stop();
  }
});
