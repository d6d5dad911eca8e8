/**
 * The page `natscope webrtc` loads in a headless Chromium (webrtc.html): it exposes the WebRTC echo
 * as window.natscopeWebrtc(input) and hands every event, and every WebSocket probe request, to the
 * functions the CLI exposed on the page (Playwright's exposeFunction).
 */
import type { WebSocketSummary } from '../../../../shared/contracts/websocket.ts';
import type { WebrtcEchoInput, WebrtcEvent, WebrtcResult } from '../../../../shared/contracts/webrtc.ts';
import { runWebrtcEcho } from './run-echo.ts';

declare global {
  interface Window {
    natscopeWebrtc?: (input: WebrtcEchoInput) => Promise<WebrtcResult>;
    natscopeWebrtcCancel?: () => void;
    natscopeWebrtcEvent?: (e: WebrtcEvent) => Promise<void>;
    natscopeWebrtcProbe?: (url: string) => Promise<WebSocketSummary | null>;
  }
}

const controller = new AbortController();
window.natscopeWebrtcCancel = () => controller.abort();
window.natscopeWebrtc = (input) =>
  runWebrtcEcho(input, {
    signal: controller.signal,
    onEvent: (e) => void window.natscopeWebrtcEvent?.(e),
    probe: (url) => window.natscopeWebrtcProbe?.(url) ?? Promise.resolve(null),
  });
