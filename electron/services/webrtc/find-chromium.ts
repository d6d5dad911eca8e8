/**
 * What `natscope webrtc` needs to drive a browser: the playwright-core package (an optional
 * dependency; it downloads no browser) and a Chromium or Chrome already on the machine. Each missing
 * piece is one line saying how to get it, never a stack trace.
 */
import { existsSync } from 'node:fs';
import { NatScopeError } from '../../../shared/contracts/errors.ts';

export type PlaywrightChromium = (typeof import('playwright-core'))['chromium'];

/** The usual places, most specific first: Debian/Ubuntu, Fedora, snap, macOS, Windows. */
const CANDIDATES: Record<string, string[]> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
  ],
  darwin: [
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ],
  win32: [
    `${process.env['PROGRAMFILES'] ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['LOCALAPPDATA'] ?? ''}\\Google\\Chrome\\Application\\chrome.exe`,
  ],
};

export async function loadPlaywright(): Promise<PlaywrightChromium> {
  try {
    const pw = await import('playwright-core');
    return pw.chromium;
  } catch {
    throw new NatScopeError(
      'not-supported',
      "natscope webrtc drives Chromium with the playwright-core package, which is not installed: run npm install playwright-core in NatScope's folder (it downloads no browser)",
    );
  }
}

/** --chromium, then NATSCOPE_CHROMIUM, then the usual install paths, then Playwright's own download. */
export function findChromium(
  given: string | undefined,
  pw: Pick<PlaywrightChromium, 'executablePath'>,
  places: string[] = CANDIDATES[process.platform] ?? [],
): string {
  if (given !== undefined) {
    if (!existsSync(given)) throw new NatScopeError('bad-request', `--chromium ${given}: no such file`);
    return given;
  }
  const env = process.env.NATSCOPE_CHROMIUM;
  if (env && existsSync(env)) return env;
  const found = places.find((p) => existsSync(p));
  if (found) return found;
  try {
    const own = pw.executablePath();
    if (own && existsSync(own)) return own;
  } catch {}
  throw new NatScopeError(
    'not-supported',
    'natscope webrtc needs Chromium or Google Chrome and found none: install one (Debian/Ubuntu: apt install chromium), or give --chromium PATH or NATSCOPE_CHROMIUM',
  );
}
