import type { FrameChannel } from '../../../shared/contracts/client.ts';
import type { ClientFrame } from '../../../shared/contracts/rpc.ts';

export interface WebSocketChannel extends FrameChannel {
  /** Called once when the connection is gone for good (never opened, or closed by the host). */
  onLost(listener: (reason: string) => void): () => void;
}

/**
 * Web mode's frame pipe. Frames sent before the socket opens are queued. When the socket cannot
 * open (wrong token, server gone) or closes later (the host stopped), every request still waiting
 * for its answer — queued or in flight — fails with a clear message instead of hanging, and the
 * `onLost` listeners hear why.
 */
export function createWebSocketChannel(url: string): WebSocketChannel {
  const listeners = new Set<(raw: unknown) => void>();
  const lostListeners = new Set<(reason: string) => void>();
  const queue: ClientFrame[] = [];
  /** Requests sent and not yet answered with a result or error frame. */
  const inFlight = new Set<string>();
  const ws = new WebSocket(url);
  let open = false;
  let lostReason: string | null = null;
  const deliver = (frame: unknown) => {
    for (const l of [...listeners]) l(frame);
  };
  const failRequest = (id: string, reason: string) =>
    deliver({ type: 'error', id, error: { code: 'unreachable', message: reason } });
  const lose = (reason: string) => {
    if (lostReason !== null) return;
    lostReason = reason;
    for (const f of queue.splice(0)) if (f.type === 'request') failRequest(f.id, reason);
    for (const id of [...inFlight]) failRequest(id, reason);
    inFlight.clear();
    for (const l of [...lostListeners]) l(reason);
  };
  const send = (frame: ClientFrame) => {
    // A cancelled request stays in flight: the host still answers it (with error "cancelled").
    if (frame.type === 'request') inFlight.add(frame.id);
    ws.send(JSON.stringify(frame));
  };
  ws.addEventListener('open', () => {
    open = true;
    for (const f of queue.splice(0)) send(f);
  });
  ws.addEventListener('message', (ev) => {
    let frame: unknown;
    try {
      frame = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    const f = frame as { type?: unknown; id?: unknown };
    if ((f.type === 'result' || f.type === 'error') && typeof f.id === 'string') inFlight.delete(f.id);
    deliver(frame);
  });
  const onGone = () =>
    lose(
      open
        ? 'the NatScope web host closed the connection (was "natscope serve" stopped?)'
        : 'cannot connect to the NatScope web host: open the exact URL "natscope serve" printed (it carries the access token)',
    );
  ws.addEventListener('close', onGone);
  ws.addEventListener('error', onGone);
  return {
    send(frame) {
      if (lostReason !== null) {
        const reason = lostReason;
        if (frame.type === 'request') queueMicrotask(() => failRequest(frame.id, reason));
        return;
      }
      if (open) send(frame);
      else queue.push(frame);
    },
    onFrame(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onLost(listener) {
      if (lostReason !== null) {
        const reason = lostReason;
        queueMicrotask(() => listener(reason));
      } else lostListeners.add(listener);
      return () => lostListeners.delete(listener);
    },
  };
}
