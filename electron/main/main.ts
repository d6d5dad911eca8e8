// Electron main process: one window, the services, and the IPC wiring. Probes run here.
import { app, BrowserWindow } from 'electron';
import path from 'node:path';
import { createHandlers } from '../services/handlers.ts';
import { createServices } from '../services/services.ts';
import { wireIpc } from './ipc.ts';
import { htmlToPdf } from './pdf.ts';
import { createMainWindow, rendererIndexUrl } from './window.ts';

// dist/electron/main.cjs → dist/
const distDir = path.resolve(__dirname, '..');

app.enableSandbox();
void app.whenReady().then(() => {
  const services = createServices('electron', { pdf: htmlToPdf });
  // Leftover mappings of a crashed run go first; this run's mappings are removed on quit.
  void services.router.cleanupStale({}, AbortSignal.timeout(20_000)).catch(() => undefined);
  let released = false;
  app.on('before-quit', (e) => {
    if (released) return;
    e.preventDefault();
    void services.router
      .releaseSession()
      .catch(() => undefined)
      .finally(() => {
        released = true;
        app.quit();
      });
  });
  const indexUrl = rendererIndexUrl(distDir);
  wireIpc(createHandlers(services), (wc, frameUrl) => {
    const win = BrowserWindow.fromWebContents(wc);
    return win !== null && frameUrl.split(/[?#]/)[0] === indexUrl;
  });
  createMainWindow(distDir);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(distDir);
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
