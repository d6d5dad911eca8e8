import { BrowserWindow } from 'electron';

/**
 * HTML report → PDF with Chromium's printer: an invisible, sandboxed window with JavaScript off
 * (the report has no scripts) loads the HTML and prints it. The window is destroyed afterwards.
 */
export async function htmlToPdf(html: string): Promise<Uint8Array> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
    const pdf = await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
    return new Uint8Array(pdf);
  } finally {
    win.destroy();
  }
}
