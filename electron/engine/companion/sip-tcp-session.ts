/**
 * One SIP-over-TCP connection of the companion server (RFC 3261 §18.3 framing), with every timer a
 * connection needs so none can be held for free:
 * - a message deadline: a message must be complete within `messageDeadlineMs` of its first byte
 *   (and the first one within that time of the accept), so a slowloris sender drips in vain;
 * - an idle timeout from the last complete message or RFC 5626 keep-alive (a pending callback holds
 *   it off: its silence is the test);
 * - a lifetime cap that nothing extends: CRLF keep-alives cannot hold a connection forever.
 * Write backpressure (a peer that does not read) is the listener's job (tcp-listener.ts).
 */
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { TcpConnection } from '../net/network.ts';
import type { CompanionLogger } from './logger.ts';
import { SipStreamFramer, type SipFramerLimits } from './sip-framer.ts';

export interface TcpSessionLimits extends SipFramerLimits {
  tcpIdleMs: number;
  /** From the first byte of a message (or the accept) to its last. */
  tcpMessageDeadlineMs: number;
  /** Longest a connection may live, whatever it sends. */
  tcpLifetimeMs: number;
}

export interface TcpSessionOptions {
  clock: Clock;
  limits: TcpSessionLimits;
  logger: CompanionLogger;
  /**
   * A complete message; `close` ends the connection (server-side active close), `holdOpen(ms)`
   * suspends the idle timeout for `ms` (never the lifetime cap).
   */
  onMessage(bytes: Uint8Array, close: () => void, holdOpen: (ms: number) => void): void;
  onClosed(): void;
}

export function serveTcpSession(c: TcpConnection, o: TcpSessionOptions): void {
  const { clock, limits, logger } = o;
  const framer = new SipStreamFramer(limits);
  let closing = false;
  const close = (reason?: string) => {
    if (closing) return;
    closing = true;
    if (reason) logger.log('info', 'sip.tcp.closed', { reason, source: formatEndpoint(c.remote) });
    void c.close();
  };
  const lifetime = clock.setTimeout(() => close('lifetime cap'), limits.tcpLifetimeMs);
  let idle: TimerHandle | null = null;
  // the first message is due within the deadline of the accept, as if it had started then
  let deadline: TimerHandle | null = clock.setTimeout(
    () => close('message not complete in time'),
    limits.tcpMessageDeadlineMs,
  );
  let heldUntil = 0;
  const armIdle = () => {
    idle?.cancel();
    idle = clock.setTimeout(() => close('idle'), Math.max(limits.tcpIdleMs, heldUntil - clock.now()));
  };
  const holdOpen = (ms: number) => {
    heldUntil = Math.max(heldUntil, clock.now() + ms);
    armIdle();
  };
  c.onClose(() => {
    closing = true;
    lifetime.cancel();
    idle?.cancel();
    deadline?.cancel();
    o.onClosed();
  });
  c.onData((data) => {
    if (closing) return;
    let progressed = false;
    for (const ev of framer.push(data)) {
      if (ev.kind === 'error') {
        logger.log('warn', 'sip.tcp.framing', { reason: ev.reason, source: formatEndpoint(c.remote) });
        return close();
      }
      progressed = true;
      if (ev.kind === 'keepalive') void c.write(new Uint8Array([13, 10])).catch(() => {});
      else o.onMessage(ev.bytes, () => close(), holdOpen);
    }
    if (progressed) {
      deadline?.cancel();
      deadline = null;
      armIdle();
    }
    if (framer.buffered > 0 && deadline === null)
      deadline = clock.setTimeout(() => close('message not complete in time'), limits.tcpMessageDeadlineMs);
  });
}
