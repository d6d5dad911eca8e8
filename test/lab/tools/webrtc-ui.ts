// Runs inside a lab namespace (the client): starts web mode (natscope serve), drives Chromium through
// the UI's WebRTC step against the lab gateway, saves a screenshot, and prints what the page showed
// as one JSON line. Argv: WSS_URL TARGET USER PASSWORD SPKI_PIN SCREENSHOT [STUN_URL].
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, FAKE_MICROPHONE_ARGS } from '../../e2e/chromium-flags.ts';
import { startWebMode } from '../../e2e/web-host.ts';

const [wsUrl, target, user, password, pin, screenshot, stun] = process.argv.slice(2) as string[];
const host = await startWebMode();
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [
    ...CHROMIUM_ARGS,
    ...FAKE_MICROPHONE_ARGS,
    '--autoplay-policy=no-user-gesture-required',
    `--ignore-certificate-errors-spki-list=${pin}`,
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(host.url);
  await page
    .getByRole('navigation', { name: 'Steps' })
    .getByRole('button', { name: /WebRTC echo/ })
    .click();
  await page.getByLabel('SIP WebSocket').fill(wsUrl!);
  await page.getByLabel('Echo extension').fill(target!);
  await page.getByText('Account, STUN/TURN and audio').click();
  await page.getByLabel('Register with an account').check();
  await page.getByLabel('User', { exact: true }).fill(user!);
  await page.getByLabel('Password', { exact: true }).fill(password!);
  if (stun) await page.getByLabel('STUN server').fill(stun);
  await page.getByLabel('WebRTC duration seconds').fill('5');
  await page.getByRole('button', { name: 'Start WebRTC echo' }).click();
  await page.getByTestId('webrtc-findings').waitFor({ timeout: 60_000 });
  await page.screenshot({ path: screenshot!, fullPage: true });
  const out = {
    pair: await page.getByTestId('webrtc-pair').textContent(),
    findings: await page.getByTestId('webrtc-findings').textContent(),
    charts: await page.getByTestId('echo-charts').count(),
    mos: await page.getByTestId('echo-now-mos').textContent(),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await browser.close();
  await host.stop();
}
