// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebSocketChannel } from './websocket-channel.ts';

/** Just enough of a browser WebSocket to drive the channel by hand. */
class FakeSocket {
  static last: FakeSocket | null = null;
  sent: string[] = [];
  private readonly handlers: Record<string, ((ev: unknown) => void)[]> = {};
  constructor() {
    FakeSocket.last = this;
  }
  addEventListener(type: string, h: (ev: unknown) => void) {
    (this.handlers[type] ??= []).push(h);
  }
  send(d: string) {
    this.sent.push(d);
  }
  fire(type: string, ev: unknown = {}) {
    for (const h of this.handlers[type] ?? []) h(ev);
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('web mode channel', () => {
  it('fails requests in flight when the host goes away, and says why once', async () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    const ch = createWebSocketChannel('ws://127.0.0.1:1/rpc?token=t');
    const frames: unknown[] = [];
    ch.onFrame((f) => frames.push(f));
    const lost: string[] = [];
    ch.onLost((r) => lost.push(r));
    const ws = FakeSocket.last!;
    ws.fire('open');
    ch.send({ type: 'request', id: 'a', method: 'call.echoTest', input: {} });
    ch.send({ type: 'request', id: 'b', method: 'app.info', input: {} });
    ws.fire('message', { data: JSON.stringify({ type: 'result', id: 'b', output: {} }) });
    ws.fire('close');
    ws.fire('error');
    expect(frames).toContainEqual({
      type: 'error',
      id: 'a',
      error: { code: 'unreachable', message: expect.stringContaining('closed the connection') },
    });
    // The answered request is not failed a second time.
    expect(frames.filter((f) => (f as { id: string }).id === 'b')).toHaveLength(1);
    expect(lost).toHaveLength(1);
    // Later requests fail at once instead of hanging.
    ch.send({ type: 'request', id: 'c', method: 'app.info', input: {} });
    await Promise.resolve();
    expect(frames.at(-1)).toMatchObject({ type: 'error', id: 'c' });
  });
});
