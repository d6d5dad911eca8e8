import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';
import { startWebMode } from './web-host.ts';

// axe-core (Deque's engine, the one browser devtools use) on every step, in the light and the dark
// colour scheme, with real results on screen (the offline demo's "Check my connection"): no
// serious or critical violations. The app's CSP forbids injected scripts, so this context bypasses
// CSP for the audit script only.
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

interface AxeResult {
  violations: AxeViolation[];
  passes: unknown[];
}

async function audit(page: Page, where: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<AxeResult> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return { violations: r.violations, passed: r.passes.length };
  });
  // An audit that checked nothing (script not loaded, empty page) must not pass as clean.
  expect(result.passed, `${where}: axe ran no rules`).toBeGreaterThan(10);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${where}: [${v.impact}] ${v.id} — ${v.help}\n${v.nodes
          .slice(0, 4)
          .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`)
          .join('\n')}`,
    );
}

let host: Awaited<ReturnType<typeof startWebMode>>;
test.beforeAll(async () => {
  host = await startWebMode();
});
test.afterAll(async () => {
  await host.stop();
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no serious or critical axe violations on any step (${colorScheme})`, async ({ browser }) => {
    test.setTimeout(120_000);
    const context = await browser.newContext({
      colorScheme,
      bypassCSP: true,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    const found: string[] = [];
    await page.goto(host.url);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    found.push(...(await audit(page, 'first screen')));
    await page.getByRole('button', { name: 'Try it offline' }).click();
    await page.getByRole('button', { name: 'Check my connection', exact: true }).click();
    await expect(page.getByTestId('check-duration')).toBeVisible({ timeout: 60_000 });
    found.push(...(await audit(page, 'verdict page')));
    // Every step the sidebar offers (features add steps through the registry).
    const steps = await page
      .locator('[data-testid^="nav-"]')
      .evaluateAll((bs) => bs.map((b) => b.getAttribute('data-testid')!.slice(4)));
    expect(steps).toEqual(expect.arrayContaining(['network', 'nat', 'router', 'alg', 'echo', 'report']));
    for (const step of steps) {
      await page.getByTestId(`nav-${step}`).click();
      await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
      // Disclosures open, so what they hide is audited too.
      await page
        .locator('main details')
        .evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      found.push(...(await audit(page, step)));
      await page.screenshot({ path: `test/artifacts/a11y-${step}-${colorScheme}.png`, fullPage: true });
    }
    await page.getByTestId('nav-router').click();
    await page.getByRole('button', { name: 'Add mapping…' }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    found.push(...(await audit(page, 'add-mapping dialog')));
    await context.close();
    expect(found, found.join('\n')).toEqual([]);
  });
}
