/**
 * Keep-alives on a registered flow — what a phone sends so its NAT binding (and so its incoming
 * calls) survive silence:
 *
 * - `crlf`: RFC 5626 §4.4.1 — a CRLFCRLF "ping"; on TCP/TLS the server answers a CRLF "pong" within
 *   10 s or the flow has failed (counted as `pongsMissed`). Over UDP phones send the same bytes
 *   (RFC 5626 itself uses STUN there, §4.4.2); a server need not answer, the outgoing datagram is
 *   what refreshes the binding.
 * - `options`: an OPTIONS request to the registrar (RFC 3261 §11), like Asterisk's qualify or
 *   FreeSWITCH's nat-options-ping from the other side; its final response counts as the pong.
 *
 * The first keep-alive goes one interval after start(); none is sent after stop().
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { SipTransport } from './transport.ts';

export type KeepAliveMethod = 'crlf' | 'options';

/** RFC 5626 §4.4.1: no pong within 10 s means the flow has failed. */
export const PONG_TIMEOUT_MS = 10_000;

export interface KeepAliveStats {
  method: KeepAliveMethod;
  intervalSeconds: number;
  sent: number;
  /** Answers seen: CRLF pongs, or final responses to OPTIONS. */
  pongs: number;
  /** Pings over a connection that got no pong within 10 s (RFC 5626 §4.4.1); null where none is expected. */
  pongsMissed: number | null;
  /** Sends that failed locally (connection closed, socket error). */
  sendErrors: number;
}

export interface KeepAliveOptions {
  method: KeepAliveMethod;
  intervalMs: number;
  transport: SipTransport;
  /** Where the pings go (the registrar hop). */
  dest: Endpoint;
  clock: Clock;
  /** For `options`: sends one OPTIONS, resolves with its final status (null: none). */
  sendOptions?: () => Promise<number | null>;
}

export class KeepAlive {
  private readonly o: KeepAliveOptions;
  private timer: TimerHandle | null = null;
  private readonly pending: TimerHandle[] = [];
  private unsubscribePong: (() => void) | null = null;
  private running = false;
  readonly stats: KeepAliveStats;

  constructor(o: KeepAliveOptions) {
    if (o.method === 'options' && !o.sendOptions) throw new Error('options keep-alive needs sendOptions');
    if (o.method === 'crlf' && !o.transport.sendPing)
      throw new Error(`the ${o.transport.protocol} transport has no CRLF keep-alive`);
    this.o = o;
    const expectPong = o.method === 'crlf' && o.transport.reliable;
    this.stats = {
      method: o.method,
      intervalSeconds: o.intervalMs / 1000,
      sent: 0,
      pongs: 0,
      pongsMissed: expectPong ? 0 : null,
      sendErrors: 0,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.o.method === 'crlf')
      this.unsubscribePong =
        this.o.transport.onPong?.(() => {
          this.stats.pongs++;
          // the oldest outstanding ping is answered
          this.pending.shift()?.cancel();
        }) ?? null;
    this.schedule();
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimeout(() => {
      if (!this.running) return;
      this.sendOne();
      this.schedule();
    }, this.o.intervalMs);
  }

  private sendOne(): void {
    this.stats.sent++;
    if (this.o.method === 'options') {
      void this.o.sendOptions!().then((status) => {
        if (status !== null) this.stats.pongs++;
      });
      return;
    }
    this.o.transport.sendPing!(this.o.dest).catch(() => this.stats.sendErrors++);
    if (this.stats.pongsMissed === null) return;
    this.pending.push(
      this.o.clock.setTimeout(() => {
        this.pending.shift();
        this.stats.pongsMissed!++;
      }, PONG_TIMEOUT_MS),
    );
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    for (const t of this.pending.splice(0)) t.cancel();
    this.unsubscribePong?.();
    this.unsubscribePong = null;
  }
}
