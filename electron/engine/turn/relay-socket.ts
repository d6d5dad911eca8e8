/**
 * A relayed transport address as a `UdpSocket` (RFC 8656 §2: the relayed transport address is what
 * peers see). Whatever speaks UDP — the RTP session of the echo call — can run through the relay
 * unchanged: `send` installs a permission and binds a channel for a new peer on first use (§12.1;
 * ChannelData costs 4 bytes instead of a 36-byte Send indication), `onMessage` delivers what peers
 * send to the relayed address, `local` is the relayed address.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { UdpSocket } from '../net/network.ts';
import type { TurnClient } from './client.ts';

export class RelayedUdpSocket implements UdpSocket {
  readonly local: Endpoint;
  private readonly client: TurnClient;
  private readonly binding = new Map<string, Promise<unknown>>();
  private readonly listeners = new Set<(data: Uint8Array, from: Endpoint) => void>();
  private readonly unsubscribe: () => void;
  private closed = false;
  /** Channel bindings that failed (the data then went as Send indications). */
  readonly bindErrors: string[] = [];

  constructor(client: TurnClient, relayed: Endpoint) {
    this.client = client;
    this.local = relayed;
    this.unsubscribe = client.onData((d, from) => {
      for (const l of this.listeners) l(d, from);
    });
  }

  /** Binds the channel ahead of the first packet (so the first RTP packets are not Send indications). */
  prepare(peer: Endpoint): Promise<unknown> {
    const key = formatEndpoint(peer);
    let p = this.binding.get(key);
    if (!p) {
      p = this.client.channelBind(peer).catch((err: unknown) => {
        this.bindErrors.push((err as Error).message);
        return this.client.createPermission([peer]).catch(() => {});
      });
      this.binding.set(key, p);
    }
    return p;
  }

  async send(data: Uint8Array, to: Endpoint): Promise<void> {
    if (this.closed) throw new Error('relayed socket closed');
    await this.prepare(to);
    await this.client.send(data, to);
  }

  onMessage(listener: (data: Uint8Array, from: Endpoint) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.listeners.clear();
  }
}
