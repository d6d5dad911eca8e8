import { BrowserWindow, session, shell } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  // The WebRTC echo opens the user's gateway over a secure WebSocket; its URL is typed after the
  // page loaded, so any wss: host is allowed — and nothing else (no ws:, no fetch, no remote script).
  'connect-src wss:',
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function rendererIndexUrl(distDir: string): string {
  return pathToFileURL(path.join(distDir, 'renderer', 'index.html')).toString();
}

/** A hardened window: isolated, sandboxed, no Node, strict CSP, no navigation, no new windows. */
export function createMainWindow(distDir: string): BrowserWindow {
  const indexUrl = rendererIndexUrl(distDir);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, allow) =>
    allow(permission === 'media'),
  );
  const win = new BrowserWindow({
    width: 1200,
    height: 820,
    title: 'NatScope',
    show: false,
    webPreferences: {
      preload: path.join(distDir, 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (url !== indexUrl) e.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never in an app window.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(indexUrl);
  return win;
}
