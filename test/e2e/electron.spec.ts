import { _electron as electron, expect, test } from '@playwright/test';
import path from 'node:path';
import { findElectronBinary } from '../../build/electron-binary.ts';

const binary = findElectronBinary(path.resolve(import.meta.dirname, '../..'));
const hasDisplay =
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

test.describe('desktop app (Electron)', () => {
  test.skip(!binary, 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD): desktop e2e skipped');
  test.skip(!hasDisplay, 'no display: desktop e2e skipped');

  test('opens the wizard through the preload bridge', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [path.resolve(import.meta.dirname, '../../dist/electron/main.cjs')],
    });
    try {
      const win = await app.firstWindow();
      await expect(win.getByRole('heading', { level: 1, name: 'Your connection' })).toBeVisible();
      await expect(win.getByTestId('host-info')).toContainText('desktop app');
      // The sandboxed renderer has no Node: `require` and `process` are absent.
      expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
        'undefined',
      );
      await win.screenshot({ path: 'test/artifacts/electron-network-step.png' });
    } finally {
      await app.close();
    }
  });
});
