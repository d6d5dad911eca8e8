import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startWebMode } from './web-host.ts';

// The relay UI (issue #15) in Chromium, against a real coturn on loopback: the NAT step's Relay
// card allocates and lists candidates; the echo step's "through relay" toggle sends the demo echo
// call's media through coturn and shows the relayed call beside the direct one.
const hasCoturn = spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' }).status === 0;
test.skip(!hasCoturn, 'coturn (turnserver) is not installed: run test/lab/install-deps.sh');

const step = (page: Page, name: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();

// A port range no other spec uses; random within it so two runs on one machine do not collide.
const PORT = 34_000 + Math.floor(Math.random() * 500) * 2;
let coturn: ChildProcess;
let host: Awaited<ReturnType<typeof startWebMode>>;

test.beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'natscope-e2e-turn-'));
  coturn = spawn(
    'turnserver',
    [
      ...['-n', '--no-cli', '--no-tls', '--no-dtls', '--lt-cred-mech', '--realm', 'e2e.natscope.test'],
      ...['--user', 'e2e:relay-pass', '-L', '127.0.0.1', '--relay-ip', '127.0.0.1', '--allow-loopback-peers'],
      ...['--listening-port', String(PORT), '--min-port', String(PORT + 2), '--max-port', String(PORT + 60)],
      ...['--pidfile', path.join(dir, 'pid'), '--db', path.join(dir, 'db'), '--log-file', 'stdout'],
    ],
    { stdio: 'ignore' },
  );
  host = await startWebMode();
  await new Promise((r) => setTimeout(r, 500)); // coturn binds within milliseconds
});
test.afterAll(async () => {
  await host?.stop();
  coturn?.kill('SIGTERM');
});

test('Relay card allocates on coturn; the echo call through the relay has audio both ways', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Try it offline' }).click();
  await step(page, /NAT type/);
  await page.getByRole('button', { name: 'Run NAT tests' }).click();
  await expect(page.getByTestId('nat-headline')).toBeVisible({ timeout: 20_000 });

  const card = page.getByTestId('relay-card');
  await card.getByLabel('TURN server').fill(`127.0.0.1:${PORT}`);
  await card.getByLabel('TURN user').fill('e2e');
  await card.getByLabel('TURN password').fill('relay-pass');
  await card.getByRole('button', { name: 'Test relay' }).click();
  const result = page.getByTestId('relay-result');
  await expect(result).toContainText(/127\.0\.0\.1:\d+/, { timeout: 20_000 });
  await expect(result.getByRole('table', { name: 'Candidates' })).toContainText('relay');
  await expect(result).toContainText('A TURN relay works from here');
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test/artifacts/relay-card.png', fullPage: true });

  await step(page, /Echo test/);
  await page.getByLabel('Duration seconds').fill('4');
  await page.getByRole('button', { name: 'Start echo test' }).click();
  await expect(page.getByTestId('echo-result')).toContainText('Audio flows both ways', { timeout: 30_000 });
  await page.getByLabel(/Through relay/).check();
  await page.getByRole('button', { name: 'Start echo test' }).click();
  const compare = page.getByTestId('relay-compare');
  await expect(compare).toContainText(/through relay: MOS \d\.\d/, { timeout: 30_000 });
  await expect(compare).toContainText(/direct: MOS \d\.\d/);
  await expect(compare).toContainText(/relayed RTP 127\.0\.0\.1:\d+/);
  await page.screenshot({ path: 'test/artifacts/echo-through-relay.png', fullPage: true });
  await expect(page.locator('body')).not.toContainText('relay-pass');
});
