// Issue #13 acceptance, as a new user meets it: Chromium (fresh profile) and `natscope serve` in the
// client's namespace behind the lab's home NAT (nftables masquerade, miniupnpd on the router), the
// lab's servers as the check's defaults: coturn and Vovida stund for STUN, `natscope server` as SIP
// reflector and echo service. One click on "Check my connection" must show the public IP and a
// verdict for every area within 15 s, and the steps must keep those results. The offline demo,
// run in the same namespace, must send nothing on the LAN interface and end with one Ctrl-C — where a router probe (SSDP,
// NAT-PMP to the gateway) or any STUN/SIP would show — while the real check's packets do show there.
//
// Named *.quiet.lab.test.ts: the 15 s bound is the user-facing promise and is measured
// end to end (Chromium included), so it runs alone, not beside three other lab files.
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
// Playwright's own expect for the page (it waits for the UI); Vitest's for values.
import { expect as ui, type Browser, type Page } from '@playwright/test';

import { startNatscopeServer } from './companion-peer.ts';
import { describeLab } from './describe-lab.ts';
import { labFixture } from './lab-fixture.ts';
import { launchLabChromium, startLabWebMode } from './lab-browser.ts';
import { upnpc } from './reference.ts';

const CHECK_BOUND_MS = 15_000;

const fx = labFixture('masquerade', { upnp: true }, async (lab) => {
  await startNatscopeServer(lab, ['--no-stun']);
});

const step = (page: Page, name: RegExp) =>
  page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name }).click();
const headline = (page: Page, area: string) => page.getByTestId(`verdict-${area}-headline`);

/** Every frame the client sends on its LAN interface (not what comes in: miniupnpd's SSDP NOTIFYs). */
async function captureClientSends() {
  const mac = (await fx.lab.exec('client', ['cat', '/sys/class/net/eth0/address'])).stdout.trim();
  expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  return fx.lab.capture('client', `ether src ${mac}`, { iface: 'eth0' });
}

/**
 * A screenshot of what the user sees (the viewport) into test/artifacts; with
 * NATSCOPE_DOCS_SCREENSHOTS=1 also into docs/screenshots/, the README's pictures.
 */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test/artifacts/check-lab-${name}.png` });
  if (process.env.NATSCOPE_DOCS_SCREENSHOTS === '1') {
    mkdirSync('docs/screenshots', { recursive: true });
    await page.screenshot({ path: `docs/screenshots/${name}.png` });
  }
}

async function withBrowser(fn: (browser: Browser) => Promise<void>): Promise<void> {
  const browser = await launchLabChromium(fx.lab, 'client');
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

describeLab('lab: "Check my connection" in Chromium behind a NAT', () => {
  it(
    'one click: the public IP and a verdict for every area within 15 s; every step keeps its result',
    fx.withLogs(async () => {
      const lab = fx.lab;
      const s = lab.addr.serverPrimary;
      const web = await startLabWebMode(lab, 'client', [
        '--stun-server',
        `${s}:${lab.ports.coturn}`,
        '--stun-server',
        `${s}:${lab.ports.stund}`,
        '--reflector',
        s,
        '--echo-uri',
        `sip:echo@${s}:5060`,
      ]);
      // A mapping another program made (miniupnpc), as a softphone would: the Router step lists it.
      const add = await upnpc(
        lab,
        ['-e', 'Desk phone SIP', '-a', lab.addr.client, '5080', '5080', 'UDP', '600'],
        {
          discover: false,
        },
      );
      expect(add.code, add.out).toBe(0);
      // The same capture as the demo's below: the check's STUN, SIP and router discovery must show
      // in it, which is what makes the demo's empty capture mean something.
      const lan = await captureClientSends();
      await withBrowser(async (browser) => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 1120 } });
        await page.goto(web.url);
        const t0 = Date.now();
        await page.getByRole('button', { name: 'Check my connection', exact: true }).click();
        await ui(page.getByTestId('check-duration')).toBeVisible({ timeout: 60_000 });
        const elapsedMs = Date.now() - t0;
        const shown = await page.getByTestId('check-duration').innerText();
        console.log(`[check-connection lab] click to verdict: ${elapsedMs} ms (page: "${shown}")`);

        // The public address is the router's WAN address, in the header and on the verdict page.
        await ui(page.getByTestId('header-public-ip')).toContainText(lab.addr.clientPublic);
        await ui(headline(page, 'public-ip')).toContainText(lab.addr.clientPublic);
        // A verdict for every area, and the right one for this lab (masquerade: endpoint-independent
        // mapping, port-dependent filtering; miniupnpd offers all three protocols; no ALG; a clean call).
        await ui(headline(page, 'nat')).toContainText(/port-restricted cone/i);
        await ui(headline(page, 'router')).toContainText('UPnP IGD yes · NAT-PMP yes · PCP yes');
        await ui(headline(page, 'alg')).toContainText('No SIP ALG detected');
        await ui(headline(page, 'call')).toContainText('audio flows both ways');
        await ui(page.getByTestId('header-verdict')).not.toBeEmpty();
        await shot(page, 'verdict');
        expect(elapsedMs, `click to verdict took ${elapsedMs} ms`).toBeLessThan(CHECK_BOUND_MS);

        // Switching steps shows the check's results, without running anything again.
        const verdicts = await page.getByTestId('verdict-rows').innerText();
        await step(page, /Network/);
        await ui(page.getByTestId('primary-address')).toContainText(lab.addr.client);
        await shot(page, 'network');
        await step(page, /NAT type/);
        await ui(page.getByTestId('nat-mapping')).toContainText('Endpoint-independent');
        // Each step's form shows what the check ran with: its own button repeats that measurement.
        await ui(page.getByLabel('STUN servers')).toHaveValue(
          `${s}:${lab.ports.coturn}\n${s}:${lab.ports.stund}`,
        );
        await shot(page, 'nat');
        await step(page, /Router/);
        await ui(page.getByTestId('router-external-ip')).toContainText(lab.addr.routerWan);
        await ui(page.getByRole('table', { name: 'Port mappings' })).toContainText('Desk phone SIP');
        await shot(page, 'router');
        await step(page, /SIP ALG/);
        await ui(page.getByTestId('alg-verdict')).toContainText('No SIP ALG detected');
        await ui(page.getByLabel(/^Reflector/)).toHaveValue(s);
        await shot(page, 'alg');
        await step(page, /Echo test/);
        await ui(page.getByTestId('echo-result')).toContainText('Audio flows both ways');
        await ui(page.getByLabel('SIP URI')).toHaveValue(`sip:echo@${s}:5060`);
        await shot(page, 'echo');
        await step(page, /Report/);
        await ui(page.getByTestId('finding-nat-detected')).toBeVisible();
        await shot(page, 'report');
        await step(page, /Your connection/);
        expect(await page.getByTestId('verdict-rows').innerText()).toBe(verdicts);
      });
      const seen = await lan.stop();
      const to = (port: number) => seen.packets.some((p) => p.includes(`> ${s}.${port}:`));
      expect(to(lab.ports.coturn), 'STUN to coturn on the LAN capture').toBe(true);
      expect(to(5060), 'SIP to the echo service on the LAN capture').toBe(true);
      expect(
        seen.packets.some((p) => p.includes(`> 239.255.255.250.1900:`) || p.includes(`.5351:`)),
        'router discovery (SSDP or NAT-PMP) on the LAN capture',
      ).toBe(true);
      await web.peer.stop(5000, 'SIGINT');
    }),
  );

  it(
    'the offline demo sends no packet on the LAN interface, and one Ctrl-C ends it',
    fx.withLogs(async () => {
      const lab = fx.lab;
      const web = await startLabWebMode(lab, 'client', []);
      const lan = await captureClientSends();
      await withBrowser(async (browser) => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(web.url);
        await page.getByRole('button', { name: 'Try it offline' }).click();
        await ui(page.getByTestId('demo-banner')).toBeVisible();
        await page.getByRole('button', { name: 'Check my connection', exact: true }).click();
        await ui(page.getByTestId('check-duration')).toBeVisible({ timeout: 60_000 });
        await ui(headline(page, 'router')).toContainText('UPnP IGD yes');
        await ui(headline(page, 'call')).toContainText('audio flows both ways');
        // The router step's own buttons too: refreshing the simulated router's table.
        await step(page, /Router/);
        await ui(page.getByTestId('router-simulated')).toBeVisible();
        await page.getByRole('button', { name: 'Refresh' }).click();
        await ui(page.getByRole('table', { name: 'Port mappings' })).toBeVisible();
        await page.getByRole('button', { name: 'Stop demo' }).click();
        await ui(page.getByTestId('demo-banner')).toHaveCount(0);
      });
      // One Ctrl-C ends web mode with the demo's servers: no socket in the namespace is still bound (TCP listening, UDP).
      web.peer.child.kill('SIGINT');
      const exit = await Promise.race([web.peer.exitPromise, sleep(5000).then(() => 'still running')]);
      expect(exit, web.peer.log()).not.toBe('still running');
      expect((await lab.exec('client', ['ss', '-Htuln'])).stdout.trim()).toBe('');
      const seen = await lan.stop();
      expect(
        seen.packets.map((p) => p.split('\n')[0]),
        seen.text,
      ).toEqual([]);
    }),
  );
});
