/**
 * What every layer of the user agent shares (SIP.js core's UserAgentCore role): our identity in
 * headers (From §8.1.1.3, Contact §8.1.1.8, Via §8.1.1.7 with RFC 3581 rport), the pre-loaded route
 * to an outbound proxy (§8.1.2), next-hop lookup (RFC 3263 §4, A/AAAA only) and the first Via
 * received/rport a server told us (what it saw as our address: NAT evidence). The layers above it —
 * registration.ts, invite-client.ts, dialog.ts, incoming-requests.ts — send through it.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { viaHeader } from './request-builder.ts';
import { parseUri, randomToken, topVia, type SipMessage } from './sip-message.ts';
import type { TransactionLayer } from './transactions.ts';

export interface SipAccount {
  /** User part of the address of record. */
  username: string;
  /** Digest user name when it differs from `username`. */
  authUsername?: string;
  password: string;
  /** Domain of the address of record (the registrar's domain). */
  domain: string;
}

export interface UserAgentOptions {
  layer: TransactionLayer;
  /** Where INVITEs go: the outbound proxy, else the target's host (RFC 3261 §8.1.2). */
  nextHop: Endpoint;
  /** Where REGISTERs go: the outbound proxy, else the registrar (default: nextHop). */
  registrarHop?: Endpoint;
  resolve: (host: string) => Promise<string[]>;
  /** Via sent-by (our local transport address; RFC 7118 ".invalid" host on WSS). */
  viaSentBy: Endpoint | string;
  /** The address advertised in Contact (local or STUN-mapped), or a host name (RFC 7118 ".invalid"). */
  contact: Endpoint | string;
  account?: SipAccount;
  /** Outbound proxy URI, pre-loaded as a loose Route (RFC 3261 §8.1.2). */
  outboundProxyUri?: string;
  userAgent: string;
  /** Bound for a call to be answered after it started ringing. */
  answerTimeoutMs?: number;
}

export interface ViaObservation {
  received: string | null;
  rport: number | null;
}

export class UaCore {
  readonly o: UserAgentOptions;
  readonly layer: TransactionLayer;
  /** One From tag for every request of this UA (dialogs are told apart by Call-ID). */
  readonly fromTag = randomToken(6);
  /** Via received/rport from the first response: what the server saw as our address. */
  firstVia: ViaObservation | null = null;
  /** Digest nonce count, shared by every request of this UA (RFC 7616 §3.4 nc). */
  private nc = 0;

  constructor(o: UserAgentOptions) {
    this.o = o;
    this.layer = o.layer;
  }

  get userAgent(): string {
    return this.o.userAgent;
  }

  get account(): SipAccount | undefined {
    return this.o.account;
  }

  nextNonceCount(): number {
    return ++this.nc;
  }

  /**
   * Records what the first response's top Via says about our address (RFC 3581 §4). A response
   * whose Via says nothing (a stateless challenge that copies our Via as sent) does not count: the
   * next one may.
   */
  observe(m: SipMessage): void {
    if (this.firstVia || !('statusCode' in m)) return;
    const v = topVia(m);
    if (v && (v.received !== null || v.rport !== null))
      this.firstVia = { received: v.received, rport: v.rport };
  }

  contactHeader(): string {
    const proto = this.layer.transport.protocol;
    const user = this.o.account?.username ?? 'natscope';
    // RFC 7118 §5.2: "transport=ws" for WS and WSS alike.
    const t = proto === 'UDP' ? '' : `;transport=${proto === 'WSS' ? 'ws' : proto.toLowerCase()}`;
    const c = this.o.contact;
    return `<sip:${user}@${typeof c === 'string' ? c : formatEndpoint(c)}${t}>`;
  }

  fromHeader(): string {
    if (this.o.account)
      return `<sip:${this.o.account.username}@${this.o.account.domain}>;tag=${this.fromTag}`;
    // RFC 3323 §4.1.1.3 anonymous From for calls without an account.
    return `"NatScope" <sip:anonymous@anonymous.invalid>;tag=${this.fromTag}`;
  }

  via(branch: string): string {
    return viaHeader(this.layer.transport.protocol, this.o.viaSentBy, branch);
  }

  preloadedRoutes(): string[] {
    return this.o.outboundProxyUri ? [`<${this.o.outboundProxyUri.replace(/;lr\b/, '')};lr>`] : [];
  }

  /** Next hop for a URI: its host (resolved) and port, default 5060/5061 (RFC 3263 A/AAAA only). */
  async hopFor(uri: string): Promise<Endpoint | null> {
    const u = parseUri(uri);
    if (!u) return null;
    if (this.layer.transport.remote) return this.layer.transport.remote;
    const host = String(u.host);
    const addrs = await this.o.resolve(host.replace(/^\[|\]$/g, '')).catch(() => []);
    const address = addrs[0];
    if (!address) return null;
    return { address, port: u.port ?? (u.scheme === 'sips' ? 5061 : 5060) };
  }

  /** Sends outside any transaction (the ACK for a 2xx, RFC 3261 §13.2.2.4). */
  sendStateless(text: string, dest: Endpoint, retransmission: boolean): void {
    this.layer.sendStateless(text, dest, retransmission);
  }
}
