// The only file that touches ipcRenderer. It exposes a two-function frame pipe to the sandboxed
// renderer; everything else (validation, typing) happens on both ends of the pipe.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_FRAME_CHANNEL, IPC_REQUEST_CHANNEL } from '../main/ipc-channels.ts';

contextBridge.exposeInMainWorld('natscope', {
  send: (frame: unknown) => ipcRenderer.send(IPC_REQUEST_CHANNEL, frame),
  onFrame: (listener: (frame: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, frame: unknown) => listener(frame);
    ipcRenderer.on(IPC_FRAME_CHANNEL, wrapped);
    return () => ipcRenderer.off(IPC_FRAME_CHANNEL, wrapped);
  },
});
