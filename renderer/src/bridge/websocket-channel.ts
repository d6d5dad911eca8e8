import type { FrameChannel } from '../../../shared/contracts/client.ts';
import type { ClientFrame } from '../../../shared/contracts/rpc.ts';

/**
 * Web mode's frame pipe. Frames sent before the socket opens are queued; if the socket cannot open
 * (wrong token, server gone) every queued call fails with a clear message instead of hanging.
 */
export function createWebSocketChannel(url: string): FrameChannel {
  const listeners = new Set<(raw: unknown) => void>();
  const queue: ClientFrame[] = [];
  const ws = new WebSocket(url);
  let open = false;
  let failed = false;
  const failAll = (reason: string) => {
    failed = true;
    for (const f of queue.splice(0)) {
      if (f.type !== 'request') continue;
      for (const l of listeners)
        l({ type: 'error', id: f.id, error: { code: 'unreachable', message: reason } });
    }
  };
  ws.addEventListener('open', () => {
    open = true;
    for (const f of queue.splice(0)) ws.send(JSON.stringify(f));
  });
  ws.addEventListener('message', (ev) => {
    let frame: unknown;
    try {
      frame = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    for (const l of listeners) l(frame);
  });
  const onGone = () =>
    failAll(
      open
        ? 'the NatScope web host closed the connection (was "natscope serve" stopped?)'
        : 'cannot connect to the NatScope web host: open the exact URL "natscope serve" printed (it carries the access token)',
    );
  ws.addEventListener('close', onGone);
  ws.addEventListener('error', onGone);
  return {
    send(frame) {
      if (failed) {
        if (frame.type === 'request')
          queueMicrotask(() => {
            for (const l of listeners)
              l({
                type: 'error',
                id: frame.id,
                error: { code: 'unreachable', message: 'not connected to the NatScope web host' },
              });
          });
        return;
      }
      if (open) ws.send(JSON.stringify(frame));
      else queue.push(frame);
    },
    onFrame(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
