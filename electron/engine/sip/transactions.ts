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
import type { Clock } from '../clock/clock.ts';
import { ClientTransaction, type ClientTransactionUser } from './client-transaction.ts';
import type { MessageLog } from './message-log.ts';
import { RFC3261_TIMERS, type SipTimers, type TransactionHost } from './transaction-host.ts';
import { ServerTransaction } from './server-transaction.ts';
import { isResponse, parseSip, topVia, type SipResponse } from './sip-message.ts';
import type { SipTransport } from './transport.ts';

export { ClientTransaction, type ClientTransactionUser } from './client-transaction.ts';
export { ServerTransaction } from './server-transaction.ts';

export { RFC3261_TIMERS, type SipTimers } from './transaction-host.ts';

export interface TransactionLayerOptions {
  transport: SipTransport;
  clock: Clock;
  log: MessageLog;
  userAgent: string;
  timers?: SipTimers;
}

export class TransactionLayer implements TransactionHost {
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
    // ICMP unreachable (RFC 3261 §18.4): fail the transactions towards that destination now.
    const offUnreachable = o.transport.onUnreachable?.((err) => {
      for (const tx of [...this.clients.values()])
        if (tx.dest.address === err.dest.address && tx.dest.port === err.dest.port) tx.transportError(err);
    });
    if (offUnreachable) this.unsubscribe.push(offUnreachable);
  }

  sendRequest(
    o: { method: string; branch: string; text: string; dest: Endpoint },
    user: ClientTransactionUser,
  ): ClientTransaction {
    const tx = new ClientTransaction(this, o, user, (t) => this.forgetClient(t));
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
    const tx = new ServerTransaction(this, req, from, key, {
      onAckTimeout: (t) => this.onAckTimeout?.(t),
      onTerminated: (t) => this.forgetServer(t),
    });
    this.servers.set(key, tx);
    if (this.onRequest) this.onRequest(req, tx);
  }

  private forgetClient(tx: ClientTransaction): void {
    const key = `${tx.branch}|${tx.method}`;
    if (this.clients.get(key) === tx) this.clients.delete(key);
  }

  private forgetServer(tx: ServerTransaction): void {
    if (this.servers.get(tx.key) === tx) this.servers.delete(tx.key);
  }

  /** Stops every timer; used when the test ends. */
  close(): void {
    for (const tx of [...this.clients.values()]) tx.terminate();
    for (const tx of [...this.servers.values()]) tx.terminate();
    for (const u of this.unsubscribe) u();
  }
}
