import { createBridge, type Bridge, type FrameChannel } from '../../../shared/contracts/client.ts';
import { createWebSocketChannel } from './websocket-channel.ts';

/** What the Electron preload exposes on window (see electron/preload/preload.ts). */
interface PreloadApi {
  send(frame: unknown): void;
  onFrame(listener: (frame: unknown) => void): () => void;
}

export type BridgeKind = 'electron' | 'web';

/** Picks the Electron preload bridge when present, else the web-mode WebSocket with the URL's token. */
export function selectBridge(win: Window = window): { bridge: Bridge; kind: BridgeKind } {
  const api = (win as unknown as { natscope?: PreloadApi }).natscope;
  if (api) {
    const channel: FrameChannel = { send: (f) => api.send(f), onFrame: (l) => api.onFrame(l) };
    return { bridge: createBridge(channel), kind: 'electron' };
  }
  const token = new URLSearchParams(win.location.search).get('token') ?? '';
  const wsUrl = `${win.location.protocol === 'https:' ? 'wss' : 'ws'}://${win.location.host}/rpc?token=${encodeURIComponent(token)}`;
  return { bridge: createBridge(createWebSocketChannel(wsUrl)), kind: 'web' };
}
