import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { UdpBatchGroup, UdpBatchOptions } from './udp-batch.ts';

/**
 * The network is injected into every engine component (STUN, UPnP, NAT-PMP, SIP, RTP) so unit
 * tests can drive it in memory; production uses `nodeNetwork` (node:dgram / node:net).
 */
export interface UdpSocket {
  readonly local: Endpoint;
  send(data: Uint8Array, to: Endpoint): Promise<void>;
  /**
   * Hot-path send (node-network only; see `sendAndForget` for any socket): the first `length`
   * bytes of `data` go to `address`:`port` at once — no promise, no callback, no name lookup. A
   * failure is dropped like a lost datagram. Returns true when `data` may be reused now, false when
   * the kernel queue was full and the datagram waits in Node's send queue holding `data`.
   */
  sendNow?(data: Uint8Array, length: number, port: number, address: string): boolean;
  /** The receive buffer the kernel granted (bytes), where known. */
  readonly receiveBufferBytes?: number;
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
  /**
   * Kernel receive buffer to ask for (SO_RCVBUF). Linux caps it at net.core.rmem_max; the socket's
   * `receiveBufferBytes` says what was granted.
   */
  receiveBufferBytes?: number;
  /** SO_REUSEPORT: several sockets (threads, processes) share the port; the kernel spreads datagrams over them. */
  reusePort?: boolean;
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
  /**
   * Batched UDP sockets (recvmmsg/sendmmsg, net/udp-batch.ts) for servers that answer many small
   * datagrams; absent, or returning null, where the native addon is not available.
   */
  udpBatch?(options: UdpBatchOptions): UdpBatchGroup | null;
  connectTcp(options: ConnectTcpOptions): Promise<TcpConnection>;
  /** DNS A/AAAA lookup; returns addresses of the requested family first. */
  resolve(host: string, family?: 4 | 6): Promise<string[]>;
}

/**
 * Sends `length` bytes of `data` to `address`:`port` without waiting for the result: the socket's
 * `sendNow` where it has one, else `send` with a copy. Returns true when `data` may be reused at once.
 */
export function sendAndForget(
  sock: UdpSocket,
  data: Uint8Array,
  length: number,
  port: number,
  address: string,
): boolean {
  if (sock.sendNow) return sock.sendNow(data, length, port, address);
  sock.send(data.slice(0, length), { address, port }).catch(() => {});
  return true;
}
