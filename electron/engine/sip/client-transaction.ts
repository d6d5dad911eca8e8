/**
 * Client transactions — RFC 3261 §17.1 with the RFC 6026 "Accepted" state, run on the layer's
 * injected Clock: INVITE (§17.1.1: Timer A retransmits over UDP, Timer B gives up, Timer D absorbs
 * repeats of a non-2xx final) and non-INVITE (§17.1.2: Timers E, F, K).
 *
 * | state (INVITE: calling, else trying) | event                      | next        | action                          |
 * | ------------------------------------ | -------------------------- | ----------- | ------------------------------- |
 * | calling / trying / proceeding        | 1xx                        | proceeding  | pass up; INVITE stops Timer A   |
 * | calling / trying / proceeding        | 2xx to INVITE              | accepted    | pass up; Timer M (64·T1)        |
 * | calling / trying / proceeding        | other final                | completed   | INVITE: ACK (§17.1.1.3); D / K  |
 * | calling / trying / proceeding        | Timer B / F                | terminated  | onTimeout (408 to the UA)       |
 * | calling / trying / proceeding        | transport error            | terminated  | onTransportError                |
 * | accepted                             | 2xx repeat (same To tag)   | accepted    | pass up flagged (UA re-ACKs)    |
 * | accepted                             | 2xx of another fork        | accepted    | pass up as new                  |
 * | completed                            | final repeat               | completed   | INVITE: re-send the ACK         |
 * | accepted / completed                 | Timer M / D / K            | terminated  | forget                          |
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { TimerHandle } from '../clock/clock.ts';
import { parseSip, type SipResponse } from './sip-message.ts';
import type { TransactionHost } from './transaction-host.ts';

type ClientState = 'calling' | 'trying' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

export interface ClientTransactionUser {
  onResponse(res: SipResponse, retransmission: boolean): void;
  /** Timer B or F fired: no final response (the UA treats it as 408, RFC 3261 §8.1.3.1). */
  onTimeout(): void;
  onTransportError(err: Error): void;
}

export class ClientTransaction {
  readonly method: string;
  readonly branch: string;
  readonly dest: Endpoint;
  state: ClientState;
  private readonly layer: TransactionHost;
  private readonly onTerminated: (tx: ClientTransaction) => void;
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
    layer: TransactionHost,
    o: { method: string; branch: string; text: string; dest: Endpoint },
    user: ClientTransactionUser,
    onTerminated: (tx: ClientTransaction) => void,
  ) {
    this.layer = layer;
    this.onTerminated = onTerminated;
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
    this.onTerminated(this);
  }
}
