/**
 * TURN client — RFC 8656: Allocate (§7.1) with the long-term credential mechanism (RFC 8489 §9.2:
 * the unauthenticated first request earns a 401 with REALM and NONCE, §9.2.4 the retry with
 * credentials, 438 Stale Nonce retried with the new nonce), Refresh (§8), CreatePermission (§10),
 * Send and Data indications (§11), ChannelBind (§12.1) and ChannelData (§12.4), and the refresh
 * schedule that keeps allocation, permissions (300 s) and channel bindings (600 s) alive (§7.1, §9,
 * §12). Success responses must carry a MESSAGE-INTEGRITY(-SHA256) that verifies with our key.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { addAttribute, tryGetAttribute } from '../stun/attribute.ts';
import { ErrorCode } from '../stun/attr-error-code.ts';
import { ChannelNumber, CHANNEL_MIN } from '../stun/attr-channel-number.ts';
import { Data, ReservationToken } from '../stun/attr-data.ts';
import { EvenPort } from '../stun/attr-even-port.ts';
import { PasswordAlgorithm, PasswordAlgorithms } from '../stun/attr-password-algorithm.ts';
import { RequestedTransport, TRANSPORT_TCP, TRANSPORT_UDP } from '../stun/attr-requested-transport.ts';
import { Nonce, Realm, Username } from '../stun/attr-text.ts';
import { Lifetime } from '../stun/attr-uint32.ts';
import { UserHash } from '../stun/attr-userhash.ts';
import { XorMappedAddress, XorPeerAddress, XorRelayedAddress } from '../stun/attr-xor-address.ts';
import { METHOD, PASSWORD_ALGORITHM } from '../stun/constants.ts';
import {
  createMessage,
  verifyIntegrity,
  verifyIntegritySha256,
  type DecodedStunMessage,
  type EncodeOptions,
  type StunMessage,
} from '../stun/message.ts';
import type { TurnControl } from './control.ts';
import {
  longTermSession,
  pickPasswordAlgorithm,
  resolveCredentials,
  type LongTermSession,
  type PasswordAlgorithmName,
  type TurnCredentials,
} from './credentials.ts';
import { describeError, methodName, TurnError, turnErrorFromResponse } from './errors.ts';

export const PERMISSION_REFRESH_MS = 240_000; // permissions last 300 s (§9)
export const CHANNEL_REFRESH_MS = 540_000; // channel bindings last 600 s (§12)

export interface TurnTransactionLog {
  method: string;
  /** 'success', 'error 401 Unauthorized', 'timeout', … */
  outcome: string;
  rttMs: number | null;
  atMs: number;
}

export interface AllocateOptions {
  /** Relayed transport: UDP (default) or TCP (RFC 6062). */
  relay?: 'udp' | 'tcp';
  lifetimeSeconds?: number;
  /** Ask for an even port and reserve the next one (RTP + RTCP, §7.2 EVEN-PORT with R). */
  evenPort?: boolean;
  /** Take the port an earlier allocation reserved (§7.2 RESERVATION-TOKEN). */
  reservationToken?: Uint8Array;
  signal?: AbortSignal;
}

export interface Allocation {
  relayed: Endpoint;
  mapped: Endpoint | null;
  lifetimeSeconds: number;
  realm: string;
  passwordAlgorithm: PasswordAlgorithmName;
  /** With `evenPort`: the token naming the reserved next port (null when the server reserved none). */
  reservationToken: Uint8Array | null;
  /** Time from the first Allocate to the allocation, including the 401 round trip. */
  elapsedMs: number;
}

export interface TurnClientOptions {
  control: TurnControl;
  credentials: TurnCredentials;
  clock: Clock;
  /** Unix seconds, for REST credential expiry. */
  wallSeconds?: () => number;
  /** The realm the user expects; a server announcing another is refused before any credential is sent. */
  expectedRealm?: string;
}

export class TurnClient {
  readonly control: TurnControl;
  readonly log: TurnTransactionLog[] = [];
  private readonly o: TurnClientOptions;
  private readonly clock: Clock;
  private readonly t0: number;
  private session: LongTermSession | null = null;
  private readonly user: { username: string; password: string };
  private allocation: Allocation | null = null;
  private readonly permissions = new Map<string, TimerHandle>();
  private readonly channelByPeer = new Map<string, number>();
  private readonly peerByChannel = new Map<number, Endpoint>();
  private readonly channelTimers: TimerHandle[] = [];
  private nextChannel = CHANNEL_MIN;
  private refreshTimer: TimerHandle | null = null;
  private readonly dataListeners = new Set<(data: Uint8Array, peer: Endpoint) => void>();
  private readonly unsub: (() => void)[] = [];
  /** Refresh failures after the allocation was made (shown in reports, never thrown at a timer). */
  readonly backgroundErrors: string[] = [];

  constructor(o: TurnClientOptions) {
    this.o = o;
    this.control = o.control;
    this.clock = o.clock;
    this.t0 = o.clock.now();
    this.user = resolveCredentials(o.credentials, (o.wallSeconds ?? (() => Date.now() / 1000))());
    this.unsub.push(o.control.onIndication((m) => this.onIndication(m)));
    this.unsub.push(
      o.control.onChannelData((c, d) => {
        const peer = this.peerByChannel.get(c);
        if (peer) for (const l of this.dataListeners) l(d, peer);
      }),
    );
  }

  get current(): Allocation | null {
    return this.allocation;
  }

  async allocate(a: AllocateOptions = {}): Promise<Allocation> {
    const started = this.clock.now();
    const res = await this.authenticated(
      METHOD.ALLOCATE,
      (m) => {
        addAttribute(m, RequestedTransport, a.relay === 'tcp' ? TRANSPORT_TCP : TRANSPORT_UDP);
        if (a.lifetimeSeconds !== undefined) addAttribute(m, Lifetime, a.lifetimeSeconds);
        if (a.evenPort) addAttribute(m, EvenPort, { reserveNext: true });
        if (a.reservationToken) addAttribute(m, ReservationToken, a.reservationToken);
      },
      a.signal,
    );
    const relayed = tryGetAttribute(res, XorRelayedAddress);
    if (!relayed) throw new TurnError('protocol', 'the Allocate success response has no XOR-RELAYED-ADDRESS');
    const lifetimeSeconds = tryGetAttribute(res, Lifetime) ?? 600;
    this.allocation = {
      relayed,
      mapped: tryGetAttribute(res, XorMappedAddress) ?? null,
      lifetimeSeconds,
      realm: this.session!.realm,
      passwordAlgorithm: this.session!.algorithm,
      reservationToken: tryGetAttribute(res, ReservationToken) ?? null,
      elapsedMs: this.clock.now() - started,
    };
    this.scheduleRefresh(lifetimeSeconds);
    return this.allocation;
  }

  /** Refresh with this lifetime; 0 deletes the allocation (§8). Returns the granted lifetime. */
  async refresh(lifetimeSeconds: number, signal?: AbortSignal): Promise<number> {
    const res = await this.authenticated(
      METHOD.REFRESH,
      (m) => addAttribute(m, Lifetime, lifetimeSeconds),
      signal,
    );
    return tryGetAttribute(res, Lifetime) ?? lifetimeSeconds;
  }

  /** Installs (or refreshes) permissions for the peers' IP addresses (§10; ports do not matter). */
  async createPermission(peers: Endpoint[], signal?: AbortSignal): Promise<void> {
    await this.authenticated(
      METHOD.CREATE_PERMISSION,
      (m) => {
        for (const p of peers) addAttribute(m, XorPeerAddress, p);
      },
      signal,
    );
    for (const p of peers) {
      this.permissions.get(p.address)?.cancel();
      this.permissions.set(
        p.address,
        this.clock.setTimeout(
          () => void this.background(() => this.createPermission([p])),
          PERMISSION_REFRESH_MS,
        ),
      );
    }
  }

  /** Binds a channel to the peer (which also installs its permission, §12.1) and returns it. */
  async channelBind(peer: Endpoint, signal?: AbortSignal): Promise<number> {
    const key = formatEndpoint(peer);
    const existing = this.channelByPeer.get(key);
    const channel = existing ?? this.nextChannel++;
    if (channel > 0x4fff) throw new TurnError('rejected', 'no channel numbers left');
    await this.authenticated(
      METHOD.CHANNEL_BIND,
      (m) => {
        addAttribute(m, ChannelNumber, channel);
        addAttribute(m, XorPeerAddress, peer);
      },
      signal,
    );
    if (existing === undefined) {
      this.channelByPeer.set(key, channel);
      this.peerByChannel.set(channel, peer);
      this.channelTimers.push(
        this.clock.setTimeout(() => void this.background(() => this.channelBind(peer)), CHANNEL_REFRESH_MS),
      );
    }
    return channel;
  }

  channelOf(peer: Endpoint): number | undefined {
    return this.channelByPeer.get(formatEndpoint(peer));
  }

  /** Relays data to the peer: ChannelData when a channel is bound, else a Send indication (§11.1). */
  async send(data: Uint8Array, peer: Endpoint): Promise<void> {
    const channel = this.channelOf(peer);
    if (channel !== undefined) return this.control.sendChannelData(channel, data);
    const m = createMessage({ cls: 'indication', method: METHOD.SEND });
    addAttribute(m, XorPeerAddress, peer);
    addAttribute(m, Data, data);
    return this.control.sendMessage(m);
  }

  onData(l: (data: Uint8Array, peer: Endpoint) => void): () => void {
    this.dataListeners.add(l);
    return () => void this.dataListeners.delete(l);
  }

  /** Deletes the allocation (Refresh lifetime 0, bounded) and closes the connection. */
  async close(): Promise<void> {
    this.stopTimers();
    if (this.allocation) {
      this.allocation = null;
      await this.refresh(0).catch(() => {});
    }
    for (const u of this.unsub) u();
    await this.control.close();
  }

  private stopTimers(): void {
    this.refreshTimer?.cancel();
    for (const t of this.permissions.values()) t.cancel();
    for (const t of this.channelTimers) t.cancel();
  }

  private scheduleRefresh(lifetimeSeconds: number): void {
    // a minute before expiry (§7), at least half way for short lifetimes
    const ms = Math.max(lifetimeSeconds * 500, (lifetimeSeconds - 60) * 1000);
    this.refreshTimer = this.clock.setTimeout(async () => {
      if (!this.allocation) return;
      await this.background(async () =>
        this.scheduleRefresh(await this.refresh(this.allocation!.lifetimeSeconds)),
      );
    }, ms);
  }

  private async background(f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
    } catch (err) {
      this.backgroundErrors.push((err as Error).message);
    }
  }

  private onIndication(m: DecodedStunMessage): void {
    if (m.method !== METHOD.DATA) return;
    const peer = tryGetAttribute(m, XorPeerAddress);
    const data = tryGetAttribute(m, Data);
    if (peer && data) for (const l of this.dataListeners) l(data, peer);
  }

  /** A request with the long-term credential dance; resolves with the verified success response. */
  async authenticated(
    method: number,
    build: (m: StunMessage) => void,
    signal?: AbortSignal,
  ): Promise<DecodedStunMessage> {
    const name = methodName(method);
    // 1 unauthenticated try (when no session yet) + 1 credentialed + 2 stale-nonce retries
    for (let attempt = 0; attempt < 4; attempt++) {
      const m = createMessage({ cls: 'request', method });
      build(m);
      const enc = this.addCredentials(m);
      const out = await this.control.request(m, enc, signal);
      this.log.push({
        method: name,
        outcome:
          out.outcome === 'response'
            ? out.response!.cls === 'success'
              ? 'success'
              : `error ${describeError(out.response!)}`
            : out.outcome === 'error'
              ? `error: ${out.error}`
              : out.outcome,
        rttMs: out.rttMs === null ? null : Math.round(out.rttMs * 10) / 10,
        atMs: Math.round(out.startedAt - this.t0),
      });
      if (out.outcome === 'cancelled') throw new TurnError('cancelled', `${name} cancelled`);
      if (out.outcome === 'timeout')
        throw new TurnError(
          'timeout',
          `no answer to ${name} from ${formatEndpoint(this.control.server)} over ${this.control.transport.toUpperCase()}`,
        );
      if (out.outcome !== 'response' || !out.response)
        throw new TurnError(
          'connection',
          `${name} to ${formatEndpoint(this.control.server)} failed: ${out.error ?? 'no response'}`,
        );
      const res = out.response;
      if (res.cls === 'success') {
        if (this.session && !this.verify(res))
          throw new TurnError(
            'protocol',
            `the ${name} answer does not carry a valid MESSAGE-INTEGRITY: not from a server that knows the password`,
          );
        return res;
      }
      const err = tryGetAttribute(res, ErrorCode);
      const code = err?.code ?? 0;
      if (code === 401 && this.session === null) this.startSession(res, name);
      else if (code === 438) this.renewNonce(res, name);
      else throw turnErrorFromResponse(name, code, err?.reason ?? 'without ERROR-CODE');
    }
    throw new TurnError('rejected', `${name}: the server kept asking for a new nonce`);
  }

  private startSession(res: DecodedStunMessage, name: string): void {
    const realm = tryGetAttribute(res, Realm);
    const nonce = tryGetAttribute(res, Nonce);
    if (realm === undefined || nonce === undefined)
      throw new TurnError(
        'protocol',
        `${name}: 401 without REALM and NONCE (not a long-term credential challenge)`,
      );
    if (this.o.expectedRealm !== undefined && this.o.expectedRealm !== realm)
      throw new TurnError(
        'wrong-realm',
        `the server's realm is "${realm}", not "${this.o.expectedRealm}": these credentials belong to another realm or server`,
      );
    const offered = tryGetAttribute(res, PasswordAlgorithms);
    const algorithm = pickPasswordAlgorithm(offered);
    if (!algorithm)
      throw new TurnError(
        'unsupported-algorithm',
        `the server offers only password algorithms NatScope does not know (${offered?.map((a) => a.algorithm).join(', ')})`,
      );
    this.session = longTermSession({ ...this.user, realm, nonce, algorithm, offered });
  }

  private renewNonce(res: DecodedStunMessage, name: string): void {
    const nonce = tryGetAttribute(res, Nonce);
    if (!this.session || nonce === undefined)
      throw new TurnError('protocol', `${name}: 438 Stale Nonce without a NONCE`);
    const realm = tryGetAttribute(res, Realm) ?? this.session.realm;
    this.session = longTermSession({
      ...this.user,
      realm,
      nonce,
      algorithm: this.session.algorithm,
      offered: this.session.offered,
    });
  }

  addCredentials(m: StunMessage): EncodeOptions {
    const s = this.session;
    if (!s) return {};
    if (s.userHash) addAttribute(m, UserHash, s.userHash);
    else addAttribute(m, Username, s.username);
    addAttribute(m, Realm, s.realm);
    addAttribute(m, Nonce, s.nonce);
    if (s.offered) {
      // §9.2.4: echo the server's list and name the algorithm picked, then MESSAGE-INTEGRITY-SHA256.
      addAttribute(m, PasswordAlgorithms, s.offered);
      addAttribute(m, PasswordAlgorithm, {
        algorithm: s.algorithm === 'sha256' ? PASSWORD_ALGORITHM.SHA256 : PASSWORD_ALGORITHM.MD5,
        parameters: new Uint8Array(),
      });
      return { integritySha256Key: s.key };
    }
    return { integrityKey: s.key };
  }

  verify(res: DecodedStunMessage): boolean {
    const key = this.session!.key;
    if (res.integritySha256Offset !== null) return verifyIntegritySha256(res, key);
    return verifyIntegrity(res, key);
  }
}
