/**
 * The SIP transaction layer — RFC 3261 §17 with the RFC 6026 corrections, run on the injected
 * Clock. Client INVITE (§17.1.1: Timers A, B, D), client non-INVITE (§17.1.2: E, F, K), server
 * INVITE (§17.2.1: G, H, I; 2xx retransmitted until ACK as the UAS core must, §13.3.1.4) and
 * server non-INVITE (§17.2.2: J). Retransmitted responses and requests from the peer are
 * absorbed here (and logged as retransmissions) instead of reaching the UA.
 *
 * Why not SIP.js's transactions: they assume a reliable transport — Timers A, E and G are not
 * implemented ("FIXME: Timer A for unreliable transport not implemented"), Timers D, I, J and K are
 * fixed at 0, they run on the global setTimeout (not an injectable clock, so a test cannot drive
 * them), and SIP.js's Transport.send(message) has no destination, while over UDP each response must
 * go to the request's source address and port (RFC 3581 §4). SIP.js is still used for parsing and
 * grammar (sip-message.ts) and MD5 digest (digest.ts).
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { MessageLog } from './message-log.ts';
import { isResponse, parseSip, topVia, type SipResponse } from './sip-message.ts';
import type { SipTransport } from './transport.ts';

export interface SipTimers {
  T1: number;
  T2: number;
  T4: number;
}
export const RFC3261_TIMERS: SipTimers = { T1: 500, T2: 4000, T4: 5000 };

export interface ClientTransactionUser {
  onResponse(res: SipResponse, retransmission: boolean): void;
  /** Timer B or F fired: no final response (the UA treats it as 408, RFC 3261 §8.1.3.1). */
  onTimeout(): void;
  onTransportError(err: Error): void;
}

type ClientState = 'calling' | 'trying' | 'proceeding' | 'accepted' | 'completed' | 'terminated';
type ServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export class ClientTransaction {
  readonly method: string;
  readonly branch: string;
  readonly dest: Endpoint;
  state: ClientState;
  private readonly layer: TransactionLayer;
  private readonly text: string;
  private readonly user: ClientTransactionUser;
  private retransmitTimer: TimerHandle | null = null;
  private timeoutTimer: TimerHandle | null = null;
  private endTimer: TimerHandle | null = null;
  private ackText: string | null = null;
  private readonly seen2xxTags = new Set<string>();
  /** How many times the request went out (1 + retransmissions). */
  sends = 0;

  constructor(
    layer: TransactionLayer,
    o: { method: string; branch: string; text: string; dest: Endpoint },
    user: ClientTransactionUser,
  ) {
    this.layer = layer;
    this.method = o.method;
    this.branch = o.branch;
    this.text = o.text;
    this.dest = o.dest;
    this.user = user;
    this.state = o.method === 'INVITE' ? 'calling' : 'trying';
  }

  start(): void {
    const { T1, T2 } = this.layer.timers;
    this.transmit(false);
    if (!this.layer.transport.reliable) {
      // Timer A (INVITE): T1, doubling without cap. Timer E (non-INVITE): T1, doubling up to T2.
      let interval = T1;
      const arm = () => {
        this.retransmitTimer = this.layer.clock.setTimeout(() => {
          if (this.state !== 'calling' && this.state !== 'trying' && this.state !== 'proceeding') return;
          // INVITE stops retransmitting once a provisional response arrived (§17.1.1.2).
          if (this.method === 'INVITE' && this.state === 'proceeding') return;
          this.transmit(true);
          interval =
            this.method === 'INVITE'
              ? interval * 2
              : this.state === 'proceeding'
                ? T2
                : Math.min(interval * 2, T2);
          arm();
        }, interval);
      };
      arm();
    }
    // Timer B / F: 64·T1 without a final response → timeout.
    this.timeoutTimer = this.layer.clock.setTimeout(() => {
      if (this.state === 'calling' || this.state === 'trying' || this.state === 'proceeding') {
        this.terminate();
        this.user.onTimeout();
      }
    }, 64 * T1);
  }

  private transmit(retransmission: boolean): void {
    this.sends++;
    this.layer.wireSend(this.text, this.dest, retransmission, (err) => this.transportError(err));
  }

  transportError(err: Error): void {
    if (this.state === 'terminated' || this.state === 'completed' || this.state === 'accepted') return;
    this.terminate();
    this.user.onTransportError(err);
  }

  /** Called by the layer for a response whose branch and CSeq method match; `logIndex` marks repeats. */
  receive(res: SipResponse): boolean {
    const code = res.statusCode;
    const { T1, T4 } = this.layer.timers;
    const unreliable = !this.layer.transport.reliable;
    switch (this.state) {
      case 'calling':
      case 'trying':
      case 'proceeding':
        if (code < 200) {
          this.state = 'proceeding';
          if (this.method === 'INVITE') this.retransmitTimer?.cancel();
          this.user.onResponse(res, false);
          return false;
        }
        this.retransmitTimer?.cancel();
        this.timeoutTimer?.cancel();
        if (this.method === 'INVITE' && code < 300) {
          // RFC 6026 §8.4 "Accepted": absorb 2xx repeats (the UA re-sends its ACK) for Timer M = 64·T1.
          this.state = 'accepted';
          this.seen2xxTags.add(res.toTag ?? '');
          this.endTimer = this.layer.clock.setTimeout(() => this.terminate(), 64 * T1);
          this.user.onResponse(res, false);
          return false;
        }
        this.state = 'completed';
        if (this.method === 'INVITE') {
          this.ackText = this.buildAck(res);
          this.layer.wireSend(this.ackText, this.dest, false, () => {});
        }
        // Timer D (32 s, INVITE) / Timer K (T4, non-INVITE); zero on reliable transports.
        this.endTimer = this.layer.clock.setTimeout(
          () => this.terminate(),
          unreliable ? (this.method === 'INVITE' ? 32_000 : T4) : 0,
        );
        this.user.onResponse(res, false);
        return false;
      case 'accepted':
        if (code >= 200 && code < 300) {
          const tag = res.toTag ?? '';
          if (this.seen2xxTags.has(tag)) {
            this.user.onResponse(res, true); // a 2xx repeat: the UA re-sends the ACK (§13.2.2.4)
            return true;
          }
          this.seen2xxTags.add(tag); // a 2xx from another fork
          this.user.onResponse(res, false);
          return false;
        }
        return true;
      case 'completed':
        // A repeated final response: re-send the ACK (INVITE) and absorb it.
        if (this.ackText && code >= 300) this.layer.wireSend(this.ackText, this.dest, true, () => {});
        return true;
      default:
        return true;
    }
  }

  /** §17.1.1.3: ACK for a non-2xx final response — same branch, To from the response. */
  private buildAck(res: SipResponse): string {
    const req = parseSip(this.text) as IncomingRequestMessage;
    const lines = [`ACK ${req.ruri} SIP/2.0`, `Via: ${req.getHeader('via')}`];
    for (const r of req.getHeaders('route')) lines.push(`Route: ${r}`);
    lines.push(
      `Max-Forwards: 70`,
      `From: ${req.getHeader('from')}`,
      `To: ${res.getHeader('to')}`,
      `Call-ID: ${req.callId}`,
      `CSeq: ${req.cseq} ACK`,
      `User-Agent: ${this.layer.userAgent}`,
      'Content-Length: 0',
      '',
      '',
    );
    return lines.join('\r\n');
  }

  terminate(): void {
    this.state = 'terminated';
    this.retransmitTimer?.cancel();
    this.timeoutTimer?.cancel();
    this.endTimer?.cancel();
    this.layer.forgetClient(this);
  }
}

export class ServerTransaction {
  readonly request: IncomingRequestMessage;
  readonly from: Endpoint;
  readonly key: string;
  state: ServerState = 'proceeding';
  private readonly layer: TransactionLayer;
  private lastResponse: string | null = null;
  private timers: TimerHandle[] = [];

  constructor(layer: TransactionLayer, request: IncomingRequestMessage, from: Endpoint, key: string) {
    this.layer = layer;
    this.request = request;
    this.from = from;
    this.key = key;
  }

  get method(): string {
    return this.request.method;
  }

  /** Where responses go: over UDP the request's source address and port (RFC 3581 §4), else the connection. */
  private get dest(): Endpoint {
    return this.from;
  }

  respond(text: string, status: number): void {
    if (this.state !== 'proceeding') return;
    this.lastResponse = text;
    this.layer.wireSend(text, this.dest, false, () => {});
    if (status < 200) return;
    const { T1, T2, T4 } = this.layer.timers;
    const unreliable = !this.layer.transport.reliable;
    if (this.method !== 'INVITE') {
      this.state = 'completed';
      // Timer J: keep absorbing request repeats for 64·T1 (unreliable) — §17.2.2.
      this.after(unreliable ? 64 * T1 : 0, () => this.terminate());
      return;
    }
    this.state = status < 300 ? 'accepted' : 'completed';
    if (unreliable) {
      // Timer G: re-send the final response at T1, doubling up to T2, until the ACK arrives.
      let interval = T1;
      const arm = () =>
        this.after(interval, () => {
          if (this.state !== 'completed' && this.state !== 'accepted') return;
          this.layer.wireSend(text, this.dest, true, () => {});
          interval = Math.min(interval * 2, T2);
          arm();
        });
      arm();
    }
    // Timer H: give up waiting for the ACK after 64·T1.
    this.after(64 * T1, () => {
      if (this.state === 'completed' || this.state === 'accepted') {
        this.layer.onAckTimeout?.(this);
        this.terminate();
      }
    });
    void T4;
  }

  /** ACK arrived (matched by branch for non-2xx, by Call-ID + CSeq for 2xx). */
  ack(): void {
    if (this.state !== 'completed' && this.state !== 'accepted') return;
    this.state = 'confirmed';
    for (const t of this.timers) t.cancel();
    this.timers = [];
    // Timer I: absorb ACK repeats for T4 on unreliable transports.
    this.after(this.layer.transport.reliable ? 0 : this.layer.timers.T4, () => this.terminate());
  }

  /** A repeat of the request: re-send the last response (if any) — §17.2.1 / §17.2.2. */
  repeat(): void {
    if (this.lastResponse && this.state !== 'confirmed')
      this.layer.wireSend(this.lastResponse, this.dest, true, () => {});
  }

  private after(ms: number, fn: () => void): void {
    this.timers.push(this.layer.clock.setTimeout(fn, ms));
  }

  terminate(): void {
    this.state = 'terminated';
    for (const t of this.timers) t.cancel();
    this.timers = [];
    this.layer.forgetServer(this);
  }
}

export interface TransactionLayerOptions {
  transport: SipTransport;
  clock: Clock;
  log: MessageLog;
  userAgent: string;
  timers?: SipTimers;
}

export class TransactionLayer {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly userAgent: string;
  private readonly log: MessageLog;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly unsubscribe: (() => void)[] = [];
  /** A new request from the peer, with its server transaction (not for ACK). */
  onRequest: ((req: IncomingRequestMessage, tx: ServerTransaction) => void) | null = null;
  /** An ACK that matched no INVITE server transaction by branch (ACK for a 2xx, §13.2.2.4). */
  onAck: ((ack: IncomingRequestMessage) => void) | null = null;
  /** A response matching no client transaction (e.g. a 2xx repeat after the transaction ended). */
  onStrayResponse: ((res: SipResponse) => void) | null = null;
  onAckTimeout: ((tx: ServerTransaction) => void) | null = null;
  /** Every received message, parsed, with its source (for NAT diagnosis of Via received/rport). */
  onAnyMessage: ((m: IncomingRequestMessage | SipResponse, from: Endpoint) => void) | null = null;
  /** Counters a diagnosis can use. */
  readonly counters = { unparseable: 0, absorbedResponses: 0, absorbedRequests: 0 };

  constructor(o: TransactionLayerOptions) {
    this.transport = o.transport;
    this.clock = o.clock;
    this.log = o.log;
    this.userAgent = o.userAgent;
    this.timers = o.timers ?? RFC3261_TIMERS;
    this.unsubscribe.push(o.transport.onMessage((text, from) => this.receive(text, from)));
    this.unsubscribe.push(
      o.transport.onClose((err) => {
        const e = err ?? new Error('connection closed');
        for (const tx of [...this.clients.values()]) tx.transportError(e);
      }),
    );
  }

  sendRequest(
    o: { method: string; branch: string; text: string; dest: Endpoint },
    user: ClientTransactionUser,
  ): ClientTransaction {
    const tx = new ClientTransaction(this, o, user);
    this.clients.set(`${o.branch}|${o.method}`, tx);
    tx.start();
    return tx;
  }

  /** Sends outside any transaction: the ACK for a 2xx (RFC 3261 §13.2.2.4). */
  sendStateless(text: string, dest: Endpoint, retransmission = false): void {
    this.wireSend(text, dest, retransmission, () => {});
  }

  wireSend(text: string, dest: Endpoint, retransmission: boolean, onError: (e: Error) => void): void {
    const remote = this.transport.remote ?? dest;
    this.log.record({
      direction: 'sent',
      transport: this.transport.protocol,
      local: this.transport.local,
      remote,
      text,
      retransmission,
    });
    this.transport
      .send(text, dest)
      .catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
  }

  private receive(text: string, from: Endpoint): void {
    const msg = parseSip(text);
    if (!msg) {
      this.counters.unparseable++;
      this.log.record({
        direction: 'received',
        transport: this.transport.protocol,
        local: this.transport.local,
        remote: from,
        text,
      });
      return;
    }
    const via = topVia(msg);
    if (isResponse(msg)) {
      const tx = via ? this.clients.get(`${via.branch}|${msg.method}`) : undefined;
      // Log first, then mark repeats: the log entry is shared by reference.
      const entry = this.log.record({
        direction: 'received',
        transport: this.transport.protocol,
        local: this.transport.local,
        remote: from,
        text,
      });
      this.onAnyMessage?.(msg, from);
      if (!tx) {
        this.onStrayResponse?.(msg);
        return;
      }
      const absorbed = tx.receive(msg);
      if (absorbed) {
        this.counters.absorbedResponses++;
        if (entry) entry.retransmission = true;
      }
      return;
    }
    const req = msg;
    const entry = this.log.record({
      direction: 'received',
      transport: this.transport.protocol,
      local: this.transport.local,
      remote: from,
      text,
    });
    this.onAnyMessage?.(req, from);
    const key = `${via?.branch ?? ''}|${via?.host ?? ''}:${via?.port ?? ''}|${req.method === 'ACK' ? 'INVITE' : req.method}`;
    const existing = this.servers.get(key);
    if (req.method === 'ACK') {
      if (existing && existing.state === 'completed') {
        existing.ack();
        return;
      }
      // ACK for a 2xx: new branch; match by Call-ID and CSeq number.
      for (const tx of this.servers.values()) {
        if (tx.method === 'INVITE' && tx.request.callId === req.callId && tx.request.cseq === req.cseq) {
          if (tx.state !== 'accepted' && entry) entry.retransmission = true;
          tx.ack();
        }
      }
      this.onAck?.(req);
      return;
    }
    if (existing) {
      this.counters.absorbedRequests++;
      if (entry) entry.retransmission = true;
      existing.repeat();
      return;
    }
    const tx = new ServerTransaction(this, req, from, key);
    this.servers.set(key, tx);
    if (this.onRequest) this.onRequest(req, tx);
  }

  forgetClient(tx: ClientTransaction): void {
    const key = `${tx.branch}|${tx.method}`;
    if (this.clients.get(key) === tx) this.clients.delete(key);
  }

  forgetServer(tx: ServerTransaction): void {
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
  }

  /** Stops every timer; used when the test ends. */
  close(): void {
    for (const tx of [...this.clients.values()]) tx.terminate();
    for (const tx of [...this.servers.values()]) tx.terminate();
    for (const u of this.unsubscribe) u();
  }
}
