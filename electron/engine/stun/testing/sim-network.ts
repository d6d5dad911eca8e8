/**
 * An in-memory IPv4 network with a configurable NAT (RFC 4787 mapping/filtering behaviours,
 * hairpinning, port preservation, idle timeout, UDP blocking) for unit-testing NAT discovery on
 * every NAT type without root, namespaces or real time beyond a few milliseconds.
 */
import type { Endpoint } from '../../../../shared/model/endpoint.ts';
import type { BindUdpOptions, Network, UdpSocket } from '../../net/network.ts';

export type Dependence = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

export interface SimNatConfig {
  publicIp: string;
  mapping: Dependence;
  filtering: Dependence;
  hairpin?: boolean;
  /** Keep the internal port as the public port when free (masquerade does). */
  preservePorts?: boolean;
  /** Idle timeout of a mapping, ms. */
  timeoutMs?: number;
  udpBlocked?: boolean;
  /** The clock the idle timeout runs on (default: real time), e.g. a test's manual clock. */
  now?: () => number;
}

interface Mapping {
  key: string;
  internal: Endpoint;
  publicPort: number;
  remotes: Set<string>;
  remoteIps: Set<string>;
  lastActive: number;
}

const ep = (e: Endpoint) => `${e.address}:${e.port}`;

export class SimNat {
  readonly cfg: SimNatConfig;
  private readonly byKey = new Map<string, Mapping>();
  private readonly byPort = new Map<number, Mapping>();
  private nextPort = 40000;
  readonly internalIps = new Set<string>();

  constructor(cfg: SimNatConfig) {
    this.cfg = cfg;
  }

  private now(): number {
    return this.cfg.now ? this.cfg.now() : performance.now();
  }

  private alive(m: Mapping): boolean {
    const t = this.cfg.timeoutMs;
    if (t !== undefined && this.now() - m.lastActive > t) {
      this.byKey.delete(m.key);
      this.byPort.delete(m.publicPort);
      return false;
    }
    return true;
  }

  /** Outbound translation; null = dropped. */
  outbound(src: Endpoint, dst: Endpoint): Endpoint | null {
    if (this.cfg.udpBlocked) return null;
    const key =
      this.cfg.mapping === 'endpoint-independent'
        ? ep(src)
        : this.cfg.mapping === 'address-dependent'
          ? `${ep(src)}>${dst.address}`
          : `${ep(src)}>${ep(dst)}`;
    let m = this.byKey.get(key);
    if (m && !this.alive(m)) m = undefined;
    if (!m) {
      let port = this.cfg.preservePorts && !this.byPort.has(src.port) ? src.port : this.nextPort++;
      while (this.byPort.has(port)) port = this.nextPort++;
      m = { key, internal: src, publicPort: port, remotes: new Set(), remoteIps: new Set(), lastActive: 0 };
      this.byKey.set(key, m);
      this.byPort.set(port, m);
    }
    m.remotes.add(ep(dst));
    m.remoteIps.add(dst.address);
    m.lastActive = this.now();
    return { address: this.cfg.publicIp, port: m.publicPort };
  }

  /** Inbound translation of a packet to the public address; null = filtered. */
  inbound(src: Endpoint, publicPort: number, hairpinned: boolean): Endpoint | null {
    if (this.cfg.udpBlocked) return null;
    const m = this.byPort.get(publicPort);
    if (!m || !this.alive(m)) return null;
    if (!hairpinned) {
      if (this.cfg.filtering === 'address-dependent' && !m.remoteIps.has(src.address)) return null;
      if (this.cfg.filtering === 'address-and-port-dependent' && !m.remotes.has(ep(src))) return null;
    }
    m.lastActive = this.now();
    return m.internal;
  }
}

type Handler = (data: Uint8Array, from: Endpoint) => void;

export class SimNetwork {
  private readonly sockets = new Map<string, Set<Handler>>();
  private readonly hostNat = new Map<string, SimNat>();
  private readonly nats: SimNat[] = [];
  private nextEphemeral = 50000;
  latencyMs = 1;
  /** Every datagram that crossed the network (for assertions). */
  readonly trace: { from: string; to: string; delivered: boolean }[] = [];

  addNat(cfg: SimNatConfig): SimNat {
    const nat = new SimNat(cfg);
    this.nats.push(nat);
    return nat;
  }

  /** A `Network` for a host; `nat` puts the host behind that NAT. */
  host(ip: string, nat?: SimNat): Network {
    if (nat) {
      nat.internalIps.add(ip);
      this.hostNat.set(ip, nat);
    }
    return {
      bindUdp: (o?: BindUdpOptions) => this.bind(ip, o),
      connectTcp: () => Promise.reject(new Error('TCP is not simulated')),
      resolve: (host) => Promise.resolve([host]),
    };
  }

  private async bind(hostIp: string, o: BindUdpOptions = {}): Promise<UdpSocket> {
    const address = o.address && o.address !== '0.0.0.0' ? o.address : hostIp;
    let port = o.port ?? 0;
    if (port === 0) while (this.sockets.has(`${address}:${(port = this.nextEphemeral++)}`));
    const key = `${address}:${port}`;
    if (this.sockets.has(key))
      throw Object.assign(new Error(`bind EADDRINUSE ${key}`), { code: 'EADDRINUSE' });
    const handlers = new Set<Handler>();
    this.sockets.set(key, handlers);
    const local = { address, port };
    let closed = false;
    return {
      local,
      send: async (data, to) => {
        if (closed) throw new Error('socket closed');
        this.route(local, to, data.slice());
      },
      onMessage: (l) => {
        handlers.add(l);
        return () => handlers.delete(l);
      },
      close: async () => {
        closed = true;
        handlers.clear();
        this.sockets.delete(key);
      },
    };
  }

  private route(src: Endpoint, dst: Endpoint, data: Uint8Array): void {
    let from = src;
    let to: Endpoint | null = dst;
    const srcNat = this.hostNat.get(src.address);
    const dstNatPublic = this.nats.find((n) => n.cfg.publicIp === dst.address);
    const sameLan = srcNat && srcNat.internalIps.has(dst.address);
    if (srcNat && !sameLan) {
      const hairpin = dstNatPublic === srcNat;
      if (hairpin && !srcNat.cfg.hairpin) to = null;
      else {
        const translated = srcNat.outbound(src, dst);
        if (!translated) to = null;
        else {
          from = translated;
          if (hairpin) to = srcNat.inbound(from, dst.port, true);
        }
      }
    }
    if (to && dstNatPublic && !(srcNat === dstNatPublic)) to = dstNatPublic.inbound(from, dst.port, false);
    const handlers = to ? this.sockets.get(ep(to)) : undefined;
    this.trace.push({ from: ep(from), to: ep(dst), delivered: !!handlers });
    if (!handlers) return;
    const f = { ...from };
    setTimeout(() => {
      for (const h of handlers) h(data, f);
    }, this.latencyMs);
  }
}
