// The only file that touches ipcMain: one channel in, one channel out, a Dispatcher per window.
import { ipcMain, type WebContents } from 'electron';
import { Dispatcher } from '../services/dispatcher.ts';
import type { Handlers } from '../services/handlers.ts';
import { IPC_FRAME_CHANNEL, IPC_REQUEST_CHANNEL } from './ipc-channels.ts';

export function wireIpc(
  handlers: Handlers,
  isTrustedSender: (wc: WebContents, frameUrl: string) => boolean,
): void {
  const dispatchers = new Map<number, Dispatcher>();
  ipcMain.on(IPC_REQUEST_CHANNEL, (event, frame: unknown) => {
    // Check who is talking: only our own window's top frame, loaded from our own files.
    if (!event.senderFrame || !isTrustedSender(event.sender, event.senderFrame.url)) return;
    const wc = event.sender;
    let d = dispatchers.get(wc.id);
    if (!d) {
      d = new Dispatcher(handlers, (out) => {
        if (!wc.isDestroyed()) wc.send(IPC_FRAME_CHANNEL, out);
      });
      dispatchers.set(wc.id, d);
      wc.once('destroyed', () => {
        d?.closeAll();
        dispatchers.delete(wc.id);
      });
    }
    d.receive(frame);
  });
}
