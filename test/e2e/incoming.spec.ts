import { expect, test, type Page } from '@playwright/test';
import { startWebMode } from './web-host.ts';

// The Incoming calls step against the offline demo's loopback companion server: the live timeline
// of the parallel registrations (each turning green as its call back arrives), then the verdict,
// the keep-alive card and the row on the verdict page.
const step = (page: Page, name: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();

let host: Awaited<ReturnType<typeof startWebMode>>;
test.beforeAll(async () => {
  host = await startWebMode();
});
test.afterAll(async () => {
  await host.stop();
});

test('Incoming calls in the demo: a live timeline, every idle time turns green, then the verdict', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Try it offline' }).click();
  await expect(page.getByTestId('demo-banner')).toContainText('Loopback demo');

  await step(page, /Incoming calls/);
  await expect(page.getByLabel('Server', { exact: true })).toHaveValue(/127\.0\.0\.\d:\d+/);
  await page.getByLabel('Idle times').fill('3, 6, 9');
  await page.getByRole('button', { name: 'Test incoming calls' }).click();
  const timeline = page.getByTestId('incoming-timeline');
  await expect(timeline).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('tl-idle-3')).toHaveAttribute('data-state', 'arrived', { timeout: 15_000 });
  await expect(page.getByTestId('tl-idle-9')).toHaveAttribute('data-state', /idle|registering/);
  await page.screenshot({ path: 'test/artifacts/incoming-step-running.png', fullPage: true });

  await expect(page.getByTestId('incoming-result')).toBeVisible({ timeout: 30_000 });
  for (const id of ['idle-3', 'idle-6', 'idle-9'])
    await expect(page.getByTestId(`tl-${id}`)).toHaveAttribute('data-state', 'arrived');
  await expect(page.getByTestId('incoming-finding-incoming-calls-ok')).toContainText(
    'Incoming calls arrived after every silence tried (up to 9 s)',
  );
  await expect(page.getByRole('table', { name: 'Keep-alive settings' })).toContainText('qualify_frequency');
  // the STUN lifetimes beside it, on a random port and on 5060 (their values are the lab's business:
  // on a loaded machine a loopback STUN probe may go unanswered, and the card then says why)
  await expect(page.getByTestId('incoming-stun')).toContainText(/random port: \w/);
  await expect(page.getByTestId('incoming-stun')).toContainText(/port 5060: \w/);
  await page.screenshot({ path: 'test/artifacts/incoming-step-demo.png', fullPage: true });

  await step(page, /Your connection/);
  await expect(page.getByText('Incoming calls arrived after every silence tried')).toBeVisible();
});

test('Against my own PBX: the "call now" prompt, then an honest "no call" when nobody called', async ({
  page,
}) => {
  test.setTimeout(60_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Try it offline' }).click();
  await expect(page.getByTestId('demo-banner')).toContainText('Loopback demo');
  await step(page, /Incoming calls/);
  // the demo's companion server stands in for a PBX: it accepts the REGISTER, and nobody calls
  await page.getByRole('checkbox', { name: /Against my own PBX/ }).check();
  await expect(page.getByLabel('Idle times')).toHaveValue('0');
  await page.getByLabel('Extension', { exact: true }).fill('1001');
  await page.getByLabel('Extension password').fill('pw-7Hq2x');
  await page.getByLabel('Wait').fill('5');
  await page.getByRole('button', { name: 'Test incoming calls' }).click();
  await expect(page.getByTestId('incoming-prompt')).toContainText('Call 1001 now from another phone', {
    timeout: 15_000,
  });
  await expect(page.getByTestId('tl-pbx-0')).toHaveAttribute('data-state', 'missed', { timeout: 20_000 });
  await expect(page.getByTestId('incoming-finding-no-incoming-calls')).toContainText('never reached');
  await expect(page.getByTestId('incoming-result')).toContainText('not run against your own PBX');
  // the password never reaches the page's text
  await expect(page.locator('body')).not.toContainText('pw-7Hq2x');
});
