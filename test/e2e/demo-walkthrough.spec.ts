import { expect, test, type Page } from '@playwright/test';
import { startWebMode } from './web-host.ts';

// The offline demo drives every step against the loopback companion server: the UI's whole path
// (bridge → services → engine → real sockets) without any network beyond 127.0.0.0/8.
const step = (page: Page, name: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();

/**
 * On loopback audio flows both ways with sub-millisecond RTT and no loss: the echo step must end
 * call-ok (issue #12: a wrong RTT from the companion's RTCP once made it "poor call quality").
 */
async function expectAudioBothWays(page: Page) {
  await expect(page.locator('[data-testid="finding-call-ok"]')).toHaveCount(1);
  await expect(
    page.locator('[data-testid="finding-one-way-audio"], [data-testid="finding-no-audio"]'),
  ).toHaveCount(0);
}

let host: Awaited<ReturnType<typeof startWebMode>>;
test.beforeAll(async () => {
  host = await startWebMode();
});
test.afterAll(async () => {
  await host.stop();
});

test('Try it offline: NAT type, SIP ALG and Echo test steps work against the loopback companion server', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Try it offline' }).click();
  await expect(page.getByTestId('demo-banner')).toContainText('Loopback demo');

  await step(page, /NAT type/);
  await expect(page.getByLabel('STUN servers')).toHaveValue(/127\.0\.0\.\d:\d+/);
  await page.getByRole('button', { name: 'Run NAT tests' }).click();
  await expect(page.getByTestId('nat-headline')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('nat-mapping')).toContainText('Endpoint-independent');
  await page.getByText(/Raw STUN transaction log/).click();
  await page.screenshot({ path: 'test/artifacts/nat-step-demo.png', fullPage: true });

  await step(page, /SIP ALG/);
  await expect(page.getByLabel('Reflector')).toHaveValue(/127\.0\.0\.\d:\d+/);
  await page.getByRole('button', { name: 'Test for SIP ALG' }).click();
  await expect(page.getByTestId('alg-verdict')).toContainText('No SIP ALG detected', { timeout: 30_000 });
  await page.screenshot({ path: 'test/artifacts/alg-step-demo.png', fullPage: true });

  await step(page, /Echo test/);
  await page.getByLabel('Duration seconds').fill('4');
  await page.getByRole('button', { name: 'Start echo test' }).click();
  await expect(page.getByTestId('echo-result')).toContainText('Audio flows both ways', { timeout: 30_000 });
  await expect(page.getByTestId('echo-charts')).toBeVisible();
  await expect(page.getByTestId('sip-ladder')).toContainText('INVITE');
  await page.screenshot({ path: 'test/artifacts/echo-step-demo.png', fullPage: true });

  // The Report step builds from what this session ran: every area has a light, and no finding
  // contradicts a loopback path (no NAT, no ALG, audio both ways).
  await step(page, /Report/);
  await expect(page.getByTestId('report-lights')).toBeVisible();
  await expectAudioBothWays(page);
  // Over loopback no NAT can be seen: the report says so instead of claiming "no NAT".
  await expect(page.getByTestId('finding-loopback-only')).toBeVisible();
  await expect(page.locator('[data-testid="finding-no-nat"]')).toHaveCount(0);
  await expect(page.getByTestId('finding-no-sip-alg')).toBeVisible();
  await expect(page.locator('[data-testid="finding-sip-alg"]')).toHaveCount(0);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save HTML' }).click();
  const file = await (await download).path();
  await page.screenshot({ path: 'test/artifacts/report-step-demo.png', fullPage: true });

  // The exported HTML report is self-contained and its charts render in Chromium.
  const { readFile } = await import('node:fs/promises');
  const html = await readFile(file, 'utf8');
  expect(html).not.toMatch(/<script/i);
  await page.setContent(html);
  await expect(page.getByTestId('report-demo')).toContainText('Loopback demo');
  await expect(page.getByTestId('call-charts').locator('svg')).toHaveCount(4);
  await expect(page.getByRole('img', { name: 'Jitter chart' }).locator('path')).toHaveCount(1);
  await page.screenshot({ path: 'test/artifacts/report-html.png', fullPage: true });
});

test('Check my connection in the demo: one click, a verdict for every area, results kept across steps', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Try it offline' }).click();
  await expect(page.getByTestId('demo-banner')).toBeVisible();
  await page.getByRole('button', { name: 'Check my connection', exact: true }).click();
  await expect(page.getByTestId('check-duration')).toBeVisible({ timeout: 60_000 });
  // Every area has its verdict; the demo's loopback address is never called a public one.
  await expect(page.getByTestId('header-public-ip')).toContainText('loopback demo');
  await expect(page.getByTestId('verdict-nat-headline')).not.toHaveText(/Checking|Not checked/);
  await expect(page.getByTestId('verdict-alg-headline')).toContainText('No SIP ALG detected');
  await expect(page.getByTestId('verdict-call-headline')).toContainText('audio flows both ways');
  await expect(page.getByTestId('verdict-nat-headline')).toContainText('Loopback only');
  // The router step ran against the simulated router on loopback, and says so.
  await expect(page.getByTestId('verdict-router-headline')).toContainText(
    'UPnP IGD yes · NAT-PMP yes · PCP yes',
  );
  await step(page, /Router/);
  await expect(page.getByTestId('router-simulated')).toContainText('Simulated router');
  await expect(page.getByRole('table', { name: 'Port mappings' })).toContainText('Desk phone SIP');
  // The check's results are the steps' results: visiting the steps shows them without re-running.
  await step(page, /NAT type/);
  await expect(page.getByTestId('nat-headline')).toBeVisible();
  await step(page, /SIP ALG/);
  await expect(page.getByTestId('alg-verdict')).toContainText('No SIP ALG detected');
  await step(page, /Echo test/);
  await expect(page.getByTestId('echo-result')).toContainText('Audio flows both ways');
  await step(page, /Report/);
  await expectAudioBothWays(page);
  await step(page, /Your connection/);
  await expect(page.getByTestId('verdict-call-headline')).toContainText('audio flows both ways');
  await page.screenshot({ path: 'test/artifacts/check-demo.png', fullPage: true });
});

test('Echo test with the microphone: frames go out as G.711 and the echo comes back', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Try it offline' }).click();
  await expect(page.getByTestId('demo-banner')).toBeVisible();
  await step(page, /Echo test/);
  await page.getByText('Call settings').click();
  await page.getByLabel('Audio out').selectOption('microphone');
  // 8 s, not 4: on a loaded 2-core CI machine Chromium's fake microphone started late and only 19
  // frames went out in a 4 s call; > 100 frames still means 2 s of real audio went out.
  await page.getByLabel('Duration seconds').fill('8');
  await page.getByRole('button', { name: 'Start echo test' }).click();
  await expect(page.getByTestId('echo-result')).toContainText('Audio flows both ways', { timeout: 30_000 });
  // The (fake) microphone fed the RTP stream through call.pushAudio, and what came back is not
  // silence: the service falls back to silence when no frames arrive, which would read ≤ −60 dBFS.
  const audio = await page.getByTestId('echo-audio').innerText();
  const frames = Number(/Microphone: (\d+) frames/.exec(audio)?.[1]);
  const level = Number(/echo level (-?\d+) dBFS/.exec(audio)?.[1]);
  expect(frames, audio).toBeGreaterThan(100);
  expect(level, audio).toBeGreaterThan(-50);
  await page.screenshot({ path: 'test/artifacts/echo-step-microphone.png', fullPage: true });
});
