import { expect, test } from '@playwright/test';
import { startWebMode } from './web-host.ts';

let host: Awaited<ReturnType<typeof startWebMode>>;
test.beforeAll(async () => {
  host = await startWebMode();
});
test.afterAll(async () => {
  await host.stop();
});

test('web mode shows the Network step with real interfaces, then walks the wizard', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Your connection' })).toBeVisible();
  await page.getByRole('button', { name: /Next: Network/ }).click();
  await expect(page.getByRole('heading', { name: 'Network' })).toBeVisible();
  // Focus moves to the new step's heading, so keyboard and screen-reader users land on it.
  await expect(page.getByRole('heading', { level: 1, name: 'Network' })).toBeFocused();
  await expect(page.getByTestId('host-info')).toContainText('web mode');
  // The loopback interface exists on every machine: the table shows real data from the engine.
  const table = page.getByRole('table', { name: 'Interfaces and addresses' });
  await expect(table.getByRole('cell', { name: '127.0.0.1' })).toBeVisible();
  await expect(table.getByText('Loopback').first()).toBeVisible();
  await expect(page.getByTestId('primary-address')).toBeVisible();
  await page.screenshot({ path: 'test/artifacts/network-step.png', fullPage: true });

  await page.getByRole('button', { name: /Refresh/ }).click();
  await expect(table.getByRole('cell', { name: '127.0.0.1' })).toBeVisible();

  await page.getByRole('button', { name: /Next: NAT type/ }).click();
  await expect(page.getByRole('heading', { name: 'NAT type' })).toBeVisible();
  await page.screenshot({ path: 'test/artifacts/wizard-nat-step.png', fullPage: true });
});

test('a page without the token cannot drive the engine', async ({ page }) => {
  await page.goto(host.url.replace(/\?token=.*/, ''));
  await expect(page.getByRole('alert').first()).toContainText('cannot connect to the NatScope web host');
});

test('the WebSocket refuses a foreign Origin even with the token', async () => {
  const { default: WebSocket } = await import('ws');
  const token = new URL(host.url).searchParams.get('token')!;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc?token=${token}`, {
    origin: 'http://evil.example',
  });
  const status = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
  });
  expect(status).toBe(403);
});
