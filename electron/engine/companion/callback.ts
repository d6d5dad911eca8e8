/**
 * "Call me back in N seconds": a REGISTER carrying `X-NatScope-Callback: N` (1–120) makes the
 * server send an INVITE N seconds later to the REGISTER's *source* (the NAT mapping, never the
 * Contact address: no third party can be targeted) over the same socket or TCP connection. It
 * shows whether the NAT still lets inbound SIP reach a registered phone ("I can call out but get
 * no incoming calls"). RFC 3261 §17.1.1.2 Timer A retransmission (UDP), §17.1.1.3 ACK for
 * non-2xx, §13.2.2.4 ACK for 2xx, then BYE at once: no media is set up.
 *
 * Only a source that proved it receives schedules one (the dispatcher checks return routability:
 * a spoofed REGISTER cannot aim INVITEs at a victim). At most MAX_CALLBACKS_PER_SOURCE pending per
 * source (IPv4 /32, IPv6 /64), a bounded table with a fair share (source-quota.ts), and a callback
 * over TCP keeps its connection from idling out until it is done, and is dropped with it (it could
 * only ever go back over that connection).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { fromLatin1 } from '../../../shared/model/alg-reflect.ts';
import type { SipText } from '../../../shared/model/alg-sip.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { CompanionLogger } from './logger.ts';
import type { SipMessageContext } from './sip-listener.ts';
import { buildRequest, header, randomToken } from './sip-response.ts';
import { SourceQuota } from './source-quota.ts';

export const CALLBACK_HEADER = 'X-NatScope-Callback';
export const MAX_CALLBACK_DELAY_S = 120;
/**
 * Pending callbacks per source: `natscope incoming` registers once per idle time and keep-alive
 * run, each from its own port, all at once (9 with its defaults). The fair share still applies.
 */
export const MAX_CALLBACKS_PER_SOURCE = 16;
/** A phone that rang (1xx) but never answered finally is let go after this (64·T1, like Timer B). */
const FINAL_AFTER_PROVISIONAL_MS = 32_000;
/** The media port the callback INVITE's SDP names (the RFC 4566 example port; nothing listens). */
export const CALLBACK_SDP_PORT = 49170;

interface Pending {
  callId: string;
  source: Endpoint;
  sourceKey: string;
  unsubscribeClose: (() => void) | null;
  local: Endpoint;
  transport: 'UDP' | 'TCP';
  send: (b: Uint8Array) => Promise<void>;
  target: string;
  to: string;
  fromTag: string;
  branch: string;
  timers: TimerHandle[];
  answered: boolean;
}

export class CallbackScheduler {
  private readonly pending = new Set<Pending>();
  private readonly byCallId = new Map<string, Pending>();
  private readonly clock: Clock;
  private readonly logger: CompanionLogger;
  private readonly quota: SourceQuota;
  private readonly cleanups = new Set<TimerHandle>();

  constructor(clock: Clock, logger: CompanionLogger, maxPending = 100) {
    this.clock = clock;
    this.logger = logger;
    this.quota = new SourceQuota({ maxTotal: maxPending, maxPerSource: MAX_CALLBACKS_PER_SOURCE });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Schedules a callback if the REGISTER asks for one (the caller checked the source is verified). */
  maybeSchedule(ctx: SipMessageContext): void {
    const raw = header(ctx.msg, CALLBACK_HEADER);
    if (raw === null) return;
    const delay = Number(raw.trim());
    const source = formatEndpoint(ctx.source);
    if (!Number.isInteger(delay) || delay < 1 || delay > MAX_CALLBACK_DELAY_S) {
      return this.logger.log('warn', 'callback.refused', { reason: 'bad delay', source });
    }
    const refused = this.quota.acquire(ctx.sourceKey);
    if (refused) {
      const reason =
        refused === 'per-source'
          ? `${MAX_CALLBACKS_PER_SOURCE} already pending for this source`
          : 'too many pending';
      return this.logger.log('warn', 'callback.refused', { reason, source });
    }
    const contact = /<([^>]+)>/.exec(header(ctx.msg, 'Contact') ?? '')?.[1] ?? `sip:natscope@${source}`;
    const p: Pending = {
      callId: `${randomToken(8)}@natscope-callback`,
      source: ctx.source,
      sourceKey: ctx.sourceKey,
      unsubscribeClose: null,
      local: ctx.destination,
      transport: ctx.transport,
      send: ctx.reply,
      target: contact,
      to: (header(ctx.msg, 'To') ?? `<${contact}>`).replace(/;\s*tag=[^;]*/i, ''),
      fromTag: randomToken(),
      branch: `z9hG4bK${randomToken()}`,
      timers: [],
      answered: false,
    };
    this.pending.add(p);
    this.byCallId.set(p.callId, p);
    p.unsubscribeClose = ctx.tcp?.onClose(() => this.finish(p)) ?? null;
    // the silence before the callback is the test: the connection's idle timeout must not end it
    ctx.holdOpen?.((delay + 10) * 1000);
    this.logger.log('info', 'callback.scheduled', { source, delayS: delay, transport: ctx.transport });
    p.timers.push(this.clock.setTimeout(() => this.fire(p, 0, 500), delay * 1000));
  }

  private fire(p: Pending, attempt: number, interval: number): void {
    if (p.answered) return;
    if (attempt >= 4 || (p.transport === 'TCP' && attempt >= 1)) {
      p.timers.push(
        this.clock.setTimeout(() => {
          if (!p.answered) {
            this.logger.log('warn', 'callback.no-answer', {
              source: formatEndpoint(p.source),
              transport: p.transport,
            });
            this.finish(p);
          }
        }, 4000),
      );
      return;
    }
    void p.send(fromLatin1(this.request(p, 'INVITE', p.branch))).catch(() => {});
    if (attempt === 0)
      this.logger.log('info', 'callback.invite', {
        source: formatEndpoint(p.source),
        transport: p.transport,
      });
    p.timers.push(
      this.clock.setTimeout(
        () => this.fire(p, attempt + 1, interval * 2),
        p.transport === 'TCP' ? 0 : interval,
      ),
    );
  }

  /** A response from a phone we called back; true when it belonged to a callback. */
  handleResponse(msg: SipText): boolean {
    const p = this.byCallId.get(header(msg, 'Call-ID') ?? '');
    if (!p || msg.status === null) return false;
    if (msg.status < 200) {
      // provisional: stop retransmitting, wait for the final one (not for ever: the slot is held)
      if (!p.answered) p.timers.push(this.clock.setTimeout(() => this.finish(p), FINAL_AFTER_PROVISIONAL_MS));
      p.answered = true;
      return true;
    }
    p.answered = true;
    const toWithTag = header(msg, 'To') ?? p.to;
    if (msg.status < 300) {
      void p.send(fromLatin1(this.request(p, 'ACK', `z9hG4bK${randomToken()}`, toWithTag, 1)));
      void p.send(fromLatin1(this.request(p, 'BYE', `z9hG4bK${randomToken()}`, toWithTag, 2)));
    } else {
      void p.send(fromLatin1(this.request(p, 'ACK', p.branch, toWithTag, 1)));
    }
    this.logger.log('info', 'callback.answered', { source: formatEndpoint(p.source), status: msg.status });
    this.finish(p);
    return true;
  }

  private request(p: Pending, method: string, branch: string, to = p.to, cseq = 1): string {
    const body =
      method === 'INVITE'
        ? [
            'v=0',
            `o=NatScope 1 1 IN IP4 ${p.local.address}`,
            's=NatScope callback test',
            `c=IN IP4 ${p.local.address}`,
            't=0 0',
            // A real media port, not the discard port 9: the Linux SIP ALG drops an INVITE whose
            // SDP names port 9 (it cannot set up its RTP expectation), so every callback through
            // it would look lost while real calls get through (test/lab/incoming-alg.lab.test.ts).
            // a=inactive: no media is sent or expected.
            `m=audio ${CALLBACK_SDP_PORT} RTP/AVP 0 8`,
            'a=inactive',
            '',
          ].join('\r\n')
        : '';
    const me = `sip:natscope-callback@${formatEndpoint(p.local)}`;
    return buildRequest({
      method,
      target: p.target,
      transport: p.transport,
      local: p.local,
      branch,
      from: `<${me}>;tag=${p.fromTag}`,
      to,
      callId: p.callId,
      cseq,
      extra: [`Contact: <${me}>`, 'Subject: NatScope incoming-call test'],
      body,
    });
  }

  private finish(p: Pending): void {
    for (const t of p.timers) t.cancel();
    p.unsubscribeClose?.();
    if (!this.pending.delete(p)) return;
    this.quota.release(p.sourceKey);
    // keep the Call-ID briefly so late retransmitted responses are still recognised
    const t = this.clock.setTimeout(() => {
      this.cleanups.delete(t);
      this.byCallId.delete(p.callId);
    }, 32_000);
    this.cleanups.add(t);
  }

  close(): void {
    for (const p of this.pending) for (const t of p.timers) t.cancel();
    for (const t of this.cleanups) t.cancel();
    this.cleanups.clear();
    this.pending.clear();
    this.byCallId.clear();
  }
}
