/**
 * The fake router's LAN made of real loopback sockets, for the offline demo: its SSDP, IGD (HTTP +
 * SOAP) and NAT-PMP/PCP answer on a 127.0.0.0/8 address, so the router step runs the real UPnP /
 * NAT-PMP / PCP clients end to end without a packet leaving this computer.
 */
import type { Endpoint } from '../../../../shared/model/endpoint.ts';
import type { ListenTcp, TcpListener } from '../../companion/tcp-listener.ts';
import type { Network, TcpConnection, UdpSocket } from '../../net/network.ts';
import type { RouterLan, TcpHandler } from './fake-lan.ts';

const MAX_REQUEST_BYTES = 64 * 1024;

export class LoopbackLan implements RouterLan {
  private readonly network: Network;
  private readonly listen: ListenTcp;
  private readonly pending: Promise<void>[] = [];
  private readonly sockets: UdpSocket[] = [];
  private readonly listeners: TcpListener[] = [];
  private readonly errors: string[] = [];
  /** The port each TCP server really got ("address:asked" → bound), when the asked one was taken. */
  private readonly ports = new Map<string, number>();

  constructor(network: Network, listen: ListenTcp) {
    this.network = network;
    this.listen = listen;
  }

  host(ip: string): Network {
    return {
      // The fake router binds fire-and-forget: a failed bind is recorded for ready() instead of
      // rejecting a promise nobody waits for.
      bindUdp: (o) =>
        new Promise<UdpSocket>((resolve) => {
          const p = this.network.bindUdp({ ...o, address: o?.address ?? ip }).then(
            (s) => {
              this.sockets.push(s);
              resolve(s);
            },
            (e: Error) => void this.errors.push(`UDP ${ip}:${o?.port ?? 0}: ${e.message}`),
          );
          this.pending.push(p);
        }),
      connectTcp: (o) => this.network.connectTcp(o),
      resolve: (h, f) => this.network.resolve(h, f),
    };
  }

  listenTcp(ep: Endpoint, handler: TcpHandler): void {
    this.pending.push(this.serve(ep, handler));
  }

  /** Resolves once every socket is bound; rejects naming what could not be. */
  async ready(): Promise<void> {
    await Promise.all(this.pending);
    if (this.errors.length) throw new Error(this.errors.join('; '));
  }

  portOf(ep: Endpoint): number {
    return this.ports.get(`${ep.address}:${ep.port}`) ?? ep.port;
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      ...this.sockets.map((s) => s.close()),
      ...this.listeners.map((l) => l.close()),
    ]);
  }

  private async serve(ep: Endpoint, handler: TcpHandler): Promise<void> {
    const onConnection = (c: TcpConnection) => this.answer(c, handler);
    let l: TcpListener;
    try {
      l = await this.listen(
        { address: ep.address, port: ep.port, maxConnections: 8, maxQueuedBytes: 1 << 20 },
        onConnection,
      );
    } catch {
      try {
        l = await this.listen(
          { address: ep.address, port: 0, maxConnections: 8, maxQueuedBytes: 1 << 20 },
          onConnection,
        );
      } catch (e) {
        this.errors.push(`TCP ${ep.address}:${ep.port}: ${(e as Error).message}`);
        return;
      }
    }
    this.listeners.push(l);
    this.ports.set(`${ep.address}:${ep.port}`, l.local.port);
  }

  /** Reads one whole HTTP request (headers + Content-Length body), replies, closes. */
  private answer(c: TcpConnection, handler: TcpHandler): void {
    let buf = '';
    let handled = false;
    c.onData((d) => {
      if (handled) return;
      buf += new TextDecoder().decode(d);
      if (buf.length > MAX_REQUEST_BYTES) return void c.close();
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const cl = /content-length:\s*(\d+)/i.exec(buf.slice(0, end));
      if (cl && buf.length < end + 4 + Number(cl[1])) return;
      handled = true;
      void Promise.resolve(handler(buf)).then(async (reply) => {
        if (reply === 'hang') return;
        if (reply === 'reset') return c.close();
        for (const chunk of reply.chunks)
          await c.write(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
        if (reply.close !== false) await c.close();
      });
    });
  }
}
