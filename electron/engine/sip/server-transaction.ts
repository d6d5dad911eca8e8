/**
 * Server transactions — RFC 3261 §17.2 with RFC 6026, run on the layer's injected Clock: INVITE
 * (§17.2.1: Timer G re-sends the final response over UDP until the ACK, Timer H gives up, Timer I
 * absorbs ACK repeats; a 2xx is re-sent too, as the UAS core must, §13.3.1.4) and non-INVITE
 * (§17.2.2: Timer J absorbs request repeats). Responses go where the request came from (RFC 3581 §4).
 *
 * | state                 | event                     | next       | action                                    |
 * | --------------------- | ------------------------- | ---------- | ----------------------------------------- |
 * | proceeding            | respond 1xx               | proceeding | send                                      |
 * | proceeding            | respond final, non-INVITE | completed  | send; Timer J                             |
 * | proceeding            | respond 2xx to INVITE     | accepted   | send; Timer G (UDP), Timer H              |
 * | proceeding            | respond 3xx–6xx to INVITE | completed  | send; Timer G (UDP), Timer H              |
 * | any but confirmed     | request repeat            | (same)     | re-send the last response (if any)        |
 * | accepted / completed  | ACK                       | confirmed  | stop G and H; Timer I                     |
 * | accepted / completed  | Timer H                   | terminated | onAckTimeout                              |
 * | completed / confirmed | Timer J / Timer I         | terminated | forget                                    |
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { TimerHandle } from '../clock/clock.ts';
import type { TransactionHost } from './transaction-host.ts';

export interface ServerTransactionEvents {
  /** Timer H fired: the ACK never came. */
  onAckTimeout(tx: ServerTransaction): void;
  onTerminated(tx: ServerTransaction): void;
}

type ServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export class ServerTransaction {
  readonly request: IncomingRequestMessage;
  readonly from: Endpoint;
  readonly key: string;
  state: ServerState = 'proceeding';
  private readonly layer: TransactionHost;
  private readonly events: ServerTransactionEvents;
  private lastResponse: string | null = null;
  private timers: TimerHandle[] = [];

  constructor(
    layer: TransactionHost,
    request: IncomingRequestMessage,
    from: Endpoint,
    key: string,
    events: ServerTransactionEvents,
  ) {
    this.layer = layer;
    this.events = events;
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
        this.events.onAckTimeout(this);
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
    this.events.onTerminated(this);
  }
}
