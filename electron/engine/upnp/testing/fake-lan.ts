/**
 * An in-memory LAN for unit tests of the UPnP / NAT-PMP / PCP clients: UDP sockets per host
 * address (with SSDP multicast to every socket on port 1900) and TCP "servers" that receive the
 * whole HTTP request and answer with scripted chunks — or never, or with garbage.
 */
import type { Endpoint } from '../../../../shared/model/endpoint.ts';
import type {
  BindUdpOptions,
  ConnectTcpOptions,
  Network,
  TcpConnection,
  UdpSocket,
} from '../../net/network.ts';

type UdpListener = (data: Uint8Array, from: Endpoint) => void;

interface FakeSocket extends UdpSocket {
  deliver(data: Uint8Array, from: Endpoint): void;
}

/** What a TCP server does with one request: answer chunks then close, or hang. */
export type TcpReply = { chunks: (string | Uint8Array)[]; close?: boolean } | 'hang' | 'reset';
export type TcpHandler = (request: string) => TcpReply | Promise<TcpReply>;

const key = (e: Endpoint) => `${e.address}:${e.port}`;

/** Where a fake router lives: this in-memory LAN, or real loopback sockets (loopback-lan.ts). */
export interface RouterLan {
  /** The Network as seen from a host with address `ip`. */
  host(ip: string): Network;
  /** A TCP server at `ep` that gets each whole HTTP request and answers with a scripted reply. */
  listenTcp(ep: Endpoint, handler: TcpHandler): void;
}

export class FakeLan implements RouterLan {
  private readonly sockets = new Map<string, FakeSocket>();
  private readonly tcp = new Map<string, TcpHandler>();
  private nextPort = 40000;
  /** Every datagram sent, for assertions. */
  readonly sent: { from: Endpoint; to: Endpoint; data: Uint8Array }[] = [];
  /** Every TCP request received by a fake server. */
  readonly requests: { to: Endpoint; text: string }[] = [];

  listenTcp(ep: Endpoint, handler: TcpHandler): void {
    this.tcp.set(key(ep), handler);
  }

  /** The Network as seen from a host with address `ip`. */
  host(ip: string): Network {
    return {
      bindUdp: (o?: BindUdpOptions) => this.bind(ip, o ?? {}),
      connectTcp: (o: ConnectTcpOptions) => this.connect(ip, o),
      resolve: async (h) => [h],
    };
  }

  private async bind(ip: string, o: BindUdpOptions): Promise<UdpSocket> {
    const address = o.address ?? ip;
    if (address !== ip && address !== '0.0.0.0') throw new Error(`EADDRNOTAVAIL ${address}`);
    const port = o.port || this.nextPort++;
    const local = { address: address === '0.0.0.0' ? ip : address, port };
    if (this.sockets.has(key(local))) throw new Error(`EADDRINUSE ${key(local)}`);
    const listeners = new Set<UdpListener>();
    let closed = false;
    const sock: FakeSocket = {
      local,
      send: async (data, to) => {
        if (closed) throw new Error('socket closed');
        const copy = data.slice();
        this.sent.push({ from: local, to, data: copy });
        queueMicrotask(() => this.route(copy, local, to));
      },
      onMessage: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      close: async () => {
        closed = true;
        listeners.clear();
        this.sockets.delete(key(local));
      },
      deliver: (data, from) => {
        for (const l of [...listeners]) l(data, from);
      },
    };
    this.sockets.set(key(local), sock);
    return sock;
  }

  private route(data: Uint8Array, from: Endpoint, to: Endpoint): void {
    if (to.address === '239.255.255.250') {
      for (const s of this.sockets.values())
        if (s.local.port === to.port && s.local.address !== from.address) s.deliver(data, from);
      return;
    }
    this.sockets.get(key(to))?.deliver(data, from);
  }

  private async connect(ip: string, o: ConnectTcpOptions): Promise<TcpConnection> {
    const handler = this.tcp.get(key(o.remote));
    if (!handler) throw new Error(`connect ECONNREFUSED ${key(o.remote)}`);
    const requests = this.requests;
    const dataL = new Set<(d: Uint8Array) => void>();
    const closeL = new Set<(e?: Error) => void>();
    let buf = '';
    let closed = false;
    const close = (err?: Error) => {
      if (closed) return;
      closed = true;
      for (const l of closeL) l(err);
    };
    return {
      local: { address: ip, port: this.nextPort++ },
      remote: o.remote,
      async write(d) {
        buf += new TextDecoder().decode(d);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const cl = /content-length:\s*(\d+)/i.exec(buf.slice(0, end));
        if (cl && buf.length < end + 4 + Number(cl[1])) return;
        const text = buf;
        buf = '';
        requests.push({ to: o.remote, text });
        const reply = await handler(text);
        if (reply === 'hang') return;
        if (reply === 'reset') return void setTimeout(() => close(new Error('ECONNRESET')), 0);
        setTimeout(() => {
          for (const c of reply.chunks) {
            const bytes = typeof c === 'string' ? new TextEncoder().encode(c) : c;
            for (const l of dataL) l(bytes);
          }
          if (reply.close !== false) close();
        }, 0);
      },
      onData(l) {
        dataL.add(l);
        return () => dataL.delete(l);
      },
      onClose(l) {
        closeL.add(l);
        return () => closeL.delete(l);
      },
      async close() {
        close();
      },
    };
  }
}

export function httpReply(status: number, body: string, extra: Record<string, string> = {}): TcpReply {
  const bytes = new TextEncoder().encode(body);
  const head = [
    `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Internal Server Error'}`,
    'Content-Type: text/xml; charset="utf-8"',
    'Connection: close',
    `Content-Length: ${bytes.length}`,
    'Server: FakeLan/1.0 UPnP/1.1 MiniUPnPd/2.3.1',
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  return { chunks: [head, bytes] };
}
