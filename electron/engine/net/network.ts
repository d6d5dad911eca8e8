import type { Endpoint } from '../../../shared/model/endpoint.ts';

/**
 * The network is injected into every engine component (STUN, UPnP, NAT-PMP, SIP, RTP) so unit
 * tests can drive it in memory; production uses `nodeNetwork` (node:dgram / node:net).
 */
export interface UdpSocket {
  readonly local: Endpoint;
  send(data: Uint8Array, to: Endpoint): Promise<void>;
  /** Subscribes to datagrams; returns an unsubscribe function. */
  onMessage(listener: (data: Uint8Array, from: Endpoint) => void): () => void;
  close(): Promise<void>;
  /**
   * connect(2) to one peer, for good: only its datagrams are received, and ICMP errors about it
   * (port / host / network unreachable) come to `onError` — operating systems report them for
   * connected UDP sockets only. There is deliberately no disconnect: on Linux, dissolving the
   * association of a socket bound to port 0 also drops its port. Optional (test doubles).
   */
  connect?(peer: Endpoint): Promise<void>;
  /** Asynchronous socket errors (ECONNREFUSED, EHOSTUNREACH… on a connected socket). */
  onError?(listener: (err: Error & { code?: string }) => void): () => void;
}

export interface TcpConnection {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  write(data: Uint8Array): Promise<void>;
  onData(listener: (data: Uint8Array) => void): () => void;
  onClose(listener: (error?: Error) => void): () => void;
  close(): Promise<void>;
}

export interface BindUdpOptions {
  /** Local address; defaults to the wildcard of `family`. */
  address?: string;
  /** Local port; 0 or undefined = ephemeral. */
  port?: number;
  family?: 4 | 6;
  /** Join/allow multicast and broadcast (SSDP). */
  multicast?: boolean;
}

export interface ConnectTcpOptions {
  remote: Endpoint;
  localAddress?: string;
  localPort?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Network {
  bindUdp(options?: BindUdpOptions): Promise<UdpSocket>;
  connectTcp(options: ConnectTcpOptions): Promise<TcpConnection>;
  /** DNS A/AAAA lookup; returns addresses of the requested family first. */
  resolve(host: string, family?: 4 | 6): Promise<string[]>;
}
