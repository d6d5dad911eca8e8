import { expect, test, type Page } from '@playwright/test';
import { startWebMode } from './web-host.ts';

// The mapping table and the add dialog against the offline demo's simulated router (UPnP IGD v2
// with a phone's SIP port, its RTP range and a NAS already mapped): real UPnP SOAP on loopback.
let host: Awaited<ReturnType<typeof startWebMode>>;
test.beforeAll(async () => {
  host = await startWebMode();
});
test.afterAll(async () => {
  await host.stop();
});

async function routerStep(page: Page) {
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Try it offline' }).click();
  await expect(page.getByTestId('demo-banner')).toBeVisible();
  await page.getByTestId('nav-router').click();
  await expect(page.getByTestId('router-simulated')).toBeVisible();
  return page.getByRole('table', { name: 'Port mappings' });
}

const firstPorts = (page: Page) =>
  page
    .getByRole('table', { name: 'Port mappings' })
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => r.querySelectorAll('td')[5]?.textContent?.trim().split(' ')[0] ?? ''),
    );

test('mapping table: PortMapper columns, ranges folded, every column sorts both ways', async ({ page }) => {
  const table = await routerStep(page);
  for (const col of ['Enabled', 'Remote host', 'External IP', 'External port', 'Internal', 'Description'])
    await expect(table.getByRole('columnheader', { name: col })).toBeVisible();
  // The phone's four RTP ports are one row, badged RTP; its SIP port is badged SIP; the NAS is neither.
  const range = table.getByTestId('mapping-range');
  await expect(range).toContainText('16384–16387');
  await expect(range).toContainText('RTP');
  await range.getByRole('button', { name: 'Show 4 ports' }).click();
  await expect(table.locator('tr.sub')).toHaveCount(4);
  await expect(firstPorts(page)).resolves.toEqual([
    '443',
    '5060',
    '16384–16387',
    '16384',
    '16385',
    '16386',
    '16387',
  ]);
  const header = table.getByRole('columnheader', { name: 'External port' });
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await expect((await firstPorts(page))[0]).toBe('16384–16387');
  await table.getByRole('columnheader', { name: 'Description' }).getByRole('button').click();
  await expect(table.getByRole('columnheader', { name: 'Description' })).toHaveAttribute(
    'aria-sort',
    'ascending',
  );
  await page.screenshot({ path: 'test/artifacts/router-table-demo.png', fullPage: true });
});

test('add dialog: traps focus, closes on Escape, warns about a port another host has, adds a range', async ({
  page,
}) => {
  const table = await routerStep(page);
  const opener = page.getByRole('button', { name: 'Add mapping…' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Add a port mapping' });
  await expect(dialog).toBeVisible();
  // Focus is inside, and Tab from the last control wraps to the first.
  await expect(dialog.getByLabel('Via')).toBeFocused();
  for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Shift+Tab');
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  // The default is a SIP port nobody else has (5060 is the desk phone's).
  await expect(dialog.getByLabel('External port')).toHaveValue('5062');
  await dialog.getByLabel('External port').fill('5060');
  await expect(dialog.getByTestId('add-mapping-conflict')).toContainText(
    'already mapped to another host: 192.168.1.20:5060 (Desk phone SIP)',
  );
  await page.screenshot({ path: 'test/artifacts/router-add-dialog.png' });
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();

  // A range adds one mapping per port; they come back from the router as one folded row.
  await opener.click();
  await dialog.getByLabel('External port').fill('40000-40003');
  await dialog.getByLabel('Internal port').fill('40000');
  await dialog.getByText('I understand; open this port').click();
  await dialog.getByRole('button', { name: 'Add 4 mappings' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('4 mappings added (40000–40003).')).toBeVisible();
  await expect(table.getByTestId('mapping-range').filter({ hasText: '40000–40003' })).toContainText(
    'NatScope',
  );
});
