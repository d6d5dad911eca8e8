import { createBridge, type Bridge, type FrameChannel } from '../../../shared/contracts/client.ts';
import { createWebSocketChannel } from './websocket-channel.ts';

/** What the Electron preload exposes on window (see electron/preload/preload.ts). */
interface PreloadApi {
  send(frame: unknown): void;
  onFrame(listener: (frame: unknown) => void): () => void;
}

export type BridgeKind = 'electron' | 'web';

export interface SelectedBridge {
  bridge: Bridge;
  kind: BridgeKind;
  /** Web mode only: the host's connection is gone (the desktop app's main process cannot vanish under its window). */
  onConnectionLost?: (listener: (reason: string) => void) => () => void;
}

/** Picks the Electron preload bridge when present, else the web-mode WebSocket with the URL's token. */
export function selectBridge(win: Window = window): SelectedBridge {
  const api = (win as unknown as { natscope?: PreloadApi }).natscope;
  if (api) {
    const channel: FrameChannel = { send: (f) => api.send(f), onFrame: (l) => api.onFrame(l) };
    return { bridge: createBridge(channel), kind: 'electron' };
  }
  const token = new URLSearchParams(win.location.search).get('token') ?? '';
  const wsUrl = `${win.location.protocol === 'https:' ? 'wss' : 'ws'}://${win.location.host}/rpc?token=${encodeURIComponent(token)}`;
  const channel = createWebSocketChannel(wsUrl);
  return { bridge: createBridge(channel), kind: 'web', onConnectionLost: (l) => channel.onLost(l) };
}
