/**
 * Test doubles for the SIP/RTP engine: a manual clock and an in-memory UDP network. Used by the
 * unit tests only (never imported by production code).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { Network, TcpConnection, UdpSocket } from '../net/network.ts';

export class ManualClock implements Clock {
  private t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return { cancel: () => void (this.timers = this.timers.filter((x) => x.id !== id)) };
  }
  /** Advances time, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

/** An in-memory IPv4 UDP network; delivery is asynchronous (next macrotask) like a real socket. */
export class FakeNetwork implements Network {
  private readonly sockets = new Map<
    string,
    { listeners: Set<(d: Uint8Array, from: Endpoint) => void>; local: Endpoint }
  >();
  private nextPort = 40000;
  /** Drop filter: return true to drop a datagram. */
  drop: (data: Uint8Array, from: Endpoint, to: Endpoint) => boolean = () => false;
  readonly sent: { from: string; to: string; data: Uint8Array }[] = [];

  async bindUdp(o: { address?: string; port?: number } = {}): Promise<UdpSocket> {
    const address = o.address && o.address !== '0.0.0.0' ? o.address : '10.0.0.2';
    const port = o.port || this.nextPort++;
    const key = formatEndpoint({ address, port });
    if (this.sockets.has(key)) throw new Error(`EADDRINUSE ${key}`);
    const entry = { listeners: new Set<(d: Uint8Array, from: Endpoint) => void>(), local: { address, port } };
    this.sockets.set(key, entry);
    let closed = false;
    return {
      local: entry.local,
      send: async (data, to) => {
        if (closed) throw new Error('closed');
        const copy = data.slice();
        this.sent.push({ from: key, to: formatEndpoint(to), data: copy });
        if (this.drop(copy, entry.local, to)) return;
        const dest = this.sockets.get(formatEndpoint(to));
        if (dest) setImmediate(() => dest.listeners.forEach((l) => l(copy, entry.local)));
      },
      onMessage: (l) => {
        entry.listeners.add(l);
        return () => entry.listeners.delete(l);
      },
      close: async () => {
        closed = true;
        this.sockets.delete(key);
      },
    };
  }

  connectTcp(): Promise<TcpConnection> {
    return Promise.reject(new Error('no TCP in FakeNetwork'));
  }

  async resolve(host: string): Promise<string[]> {
    if (/^[\d.]+$/.test(host)) return [host];
    if (host === 'echo.test' || host === 'pbx.test') return ['10.0.0.1'];
    throw new Error(`ENOTFOUND ${host}`);
  }
}
