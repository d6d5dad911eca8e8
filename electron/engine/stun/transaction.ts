/**
 * Client transactions — RFC 8489 §6.2.1 (UDP: retransmit with RTO doubling, Rc transmissions,
 * give up Rm×RTO after the last) and §6.2.2 (TCP: send once, wait). Responses are matched by
 * transaction ID *and* by where they came from (§6.3.1 leaves source checks to the usage; for the
 * RFC 5780 tests the source is the evidence), and may be expected on another local socket
 * (RESPONSE-PORT, hairpinning).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { TcpConnection, UdpSocket } from '../net/network.ts';
import { concatBytes } from './bytes.ts';
import { StunError } from './errors.ts';
import { normalizeIp } from './ip.ts';
import {
  decodeMessage,
  encodeMessage,
  looksLikeStun,
  stunFrameLength,
  transactionKey,
  type DecodedStunMessage,
  type EncodeOptions,
  type StunMessage,
} from './message.ts';

export interface RetransmitPolicy {
  /** Initial RTO (RFC 8489: 500 ms on the open internet unless the RTT is known). */
  rtoMs: number;
  /** Rc: transmissions in total (RFC default 7). */
  maxTransmissions: number;
  /** Rm: wait Rm × initial RTO after the last transmission (RFC default 16). */
  lastWaitFactor: number;
  /** Cap for the doubled RTO (RFC 8489 allows capping; keeps long waits probing). */
  maxRtoMs?: number;
  /**
   * Hard limit on the whole transaction, ms after the first transmission. A function so a caller can
   * stretch it once the path's RTT is known (negative probes wait longer on slow paths).
   */
  deadlineMs?: number | (() => number);
}

export const RFC8489_POLICY: RetransmitPolicy = { rtoMs: 500, maxTransmissions: 7, lastWaitFactor: 16 };

/** Transmission times (ms after the first) and the give-up time, ignoring any deadline. */
export function retransmitSchedule(p: RetransmitPolicy): { sendAt: number[]; giveUpAt: number } {
  const sendAt: number[] = [];
  let t = 0;
  let rto = p.rtoMs;
  for (let i = 0; i < p.maxTransmissions; i++) {
    sendAt.push(t);
    t += rto;
    rto = Math.min(rto * 2, p.maxRtoMs ?? Infinity);
  }
  const last = sendAt[sendAt.length - 1] ?? 0;
  return { sendAt, giveUpAt: last + p.lastWaitFactor * p.rtoMs };
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && normalizeIp(a.address) === normalizeIp(b.address);
}

type Listener = (msg: DecodedStunMessage, from: Endpoint) => void;

/**
 * A UDP socket speaking STUN: decodes every datagram once and routes it by transaction ID.
 * Undecodable datagrams are counted (and reported through `onMalformed`), never thrown.
 */
export class StunUdpPort {
  readonly socket: UdpSocket;
  private readonly byTid = new Map<string, Set<Listener>>();
  private readonly any = new Set<Listener>();
  private readonly unsubscribe: () => void;
  malformed = 0;
  onMalformed: ((err: StunError, from: Endpoint) => void) | undefined;

  constructor(socket: UdpSocket) {
    this.socket = socket;
    this.unsubscribe = socket.onMessage((data, from) => this.receive(data, from));
  }

  get local(): Endpoint {
    return this.socket.local;
  }

  private receive(data: Uint8Array, rawFrom: Endpoint): void {
    if (!looksLikeStun(data)) return;
    let msg: DecodedStunMessage;
    try {
      msg = decodeMessage(data);
    } catch (err) {
      this.malformed++;
      if (err instanceof StunError) this.onMalformed?.(err, rawFrom);
      return;
    }
    const from = { address: normalizeIp(rawFrom.address), port: rawFrom.port };
    for (const l of this.any) l(msg, from);
    const set = this.byTid.get(transactionKey(msg.transactionId));
    if (set) for (const l of [...set]) l(msg, from);
  }

  /** Listen for messages with this transaction ID; returns the unsubscribe function. */
  expect(tid: Uint8Array, listener: Listener): () => void {
    const key = transactionKey(tid);
    let set = this.byTid.get(key);
    if (!set) this.byTid.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byTid.delete(key);
    };
  }

  /** Listen for every STUN message (e.g. a server answering requests). */
  onAny(listener: Listener): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }

  send(bytes: Uint8Array, to: Endpoint): Promise<void> {
    return this.socket.send(bytes, to);
  }

  /** Stops reading the socket without closing it (a borrowed RTP or SIP socket). */
  detach(): void {
    this.unsubscribe();
    this.byTid.clear();
    this.any.clear();
  }

  async close(): Promise<void> {
    this.detach();
    await this.socket.close();
  }
}

export interface TransactionOutcome {
  outcome: 'response' | 'timeout' | 'cancelled' | 'error';
  /** The encoded request as decoded back (so the log shows exactly what went out). */
  request: DecodedStunMessage;
  response: DecodedStunMessage | null;
  from: Endpoint | null;
  /** Where the answer arrived (differs from the sending socket with RESPONSE-PORT / hairpinning). */
  receivedOn: Endpoint | null;
  transmissions: number;
  rttMs: number | null;
  startedAt: number;
  /** Answers with our transaction ID from a source we did not accept (logged, ignored). */
  strays: Endpoint[];
  error: string | null;
}

export interface UdpTransactionOptions {
  port: StunUdpPort;
  to: Endpoint;
  message: StunMessage;
  encode?: EncodeOptions;
  policy: RetransmitPolicy;
  clock: Clock;
  signal?: AbortSignal;
  /** Socket the answer is expected on; default `port`. */
  receiveOn?: StunUdpPort;
  /**
   * Which sources count as the answer: 'destination' (default) only `to`; 'any' takes the first
   * answer from anywhere and reports its source (CHANGE-REQUEST probes judge it themselves).
   */
  accept?: 'destination' | 'any';
  /** Message classes that end the transaction (default: success and error responses). */
  classes?: readonly DecodedStunMessage['cls'][];
}

/** Runs one UDP client transaction. Never rejects: failures are outcomes. */
export function udpTransaction(o: UdpTransactionOptions): Promise<TransactionOutcome> {
  const bytes = encodeMessage(o.message, o.encode);
  const request = decodeMessage(bytes);
  const schedule = retransmitSchedule(o.policy);
  const receiveOn = o.receiveOn ?? o.port;
  const classes = o.classes ?? ['success', 'error'];
  const startedAt = o.clock.now();
  const deadline = (): number => {
    const d = o.policy.deadlineMs;
    const limit = d === undefined ? Infinity : typeof d === 'function' ? d() : d;
    return Math.min(schedule.giveUpAt, limit);
  };
  return new Promise((resolve) => {
    let transmissions = 0;
    let timer: TimerHandle | undefined;
    const strays: Endpoint[] = [];
    let done = false;
    const finish = (
      r: Omit<TransactionOutcome, 'request' | 'transmissions' | 'startedAt' | 'strays' | 'receivedOn'> & {
        receivedOn?: Endpoint | null;
      },
    ) => {
      if (done) return;
      done = true;
      timer?.cancel();
      unsubscribe();
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, receivedOn: r.receivedOn ?? null, request, transmissions, startedAt, strays });
    };
    const unsubscribe = receiveOn.expect(request.transactionId, (msg, from) => {
      if (!classes.includes(msg.cls)) return;
      if ((o.accept ?? 'destination') === 'destination' && !sameEndpoint(from, o.to)) {
        strays.push(from);
        return;
      }
      finish({
        outcome: 'response',
        response: msg,
        from,
        rttMs: o.clock.now() - startedAt,
        receivedOn: receiveOn.local,
        error: null,
      });
    });
    const onAbort = () =>
      finish({ outcome: 'cancelled', response: null, from: null, rttMs: null, error: null });
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const tick = () => {
      if (done) return;
      const elapsed = o.clock.now() - startedAt;
      const giveUp = deadline();
      // Let pending I/O run first: on a starved event loop the expired timer and the answer can be
      // ready at the same moment, and timers run before the poll phase reads the socket.
      if (elapsed >= giveUp)
        return void setImmediate(() =>
          finish({ outcome: 'timeout', response: null, from: null, rttMs: null, error: null }),
        );
      const next = schedule.sendAt[transmissions];
      if (next !== undefined && elapsed >= next - 1) {
        transmissions++;
        o.port.send(bytes, o.to).catch((err: unknown) => {
          // e.g. EHOSTUNREACH / ENETUNREACH: no point retransmitting
          finish({
            outcome: 'error',
            response: null,
            from: null,
            rttMs: null,
            error: err instanceof Error ? err.message : String(err),
          });
        });
      }
      const following = schedule.sendAt[transmissions];
      const wakeAt = Math.min(following ?? Infinity, giveUp);
      timer = o.clock.setTimeout(tick, Math.max(1, wakeAt - (o.clock.now() - startedAt)));
    };
    tick();
  });
}

/** STUN over a TCP connection (RFC 8489 §6.2.2): frames are delimited by the header's length field. */
export class StunTcpPort {
  readonly conn: TcpConnection;
  private buffer: Uint8Array = new Uint8Array(0);
  private readonly byTid = new Map<string, Listener>();
  private readonly unsubscribe: (() => void)[] = [];
  closed = false;
  error: string | null = null;
  private readonly closeListeners = new Set<() => void>();

  constructor(conn: TcpConnection) {
    this.conn = conn;
    this.unsubscribe.push(conn.onData((d) => this.receive(d)));
    this.unsubscribe.push(
      conn.onClose((err) => {
        this.closed = true;
        if (err) this.error = err.message;
        for (const l of this.closeListeners) l();
      }),
    );
  }

  private receive(data: Uint8Array): void {
    this.buffer = this.buffer.length ? concatBytes([this.buffer, data]) : data.slice();
    for (;;) {
      let len: number | null;
      try {
        len = stunFrameLength(this.buffer);
      } catch (err) {
        // not STUN: the stream is unusable from here on
        this.error = (err as Error).message;
        this.buffer = new Uint8Array(0);
        void this.conn.close();
        return;
      }
      if (len === null || this.buffer.length < len) return;
      const frame = this.buffer.slice(0, len);
      this.buffer = this.buffer.slice(len);
      try {
        const msg = decodeMessage(frame);
        this.byTid.get(transactionKey(msg.transactionId))?.(msg, this.conn.remote);
      } catch {
        /* malformed frame: ignored like a bad datagram */
      }
    }
  }

  /** One request, one answer (no retransmission over a reliable transport). Never rejects. */
  request(
    message: StunMessage,
    clock: Clock,
    timeoutMs: number,
    signal?: AbortSignal,
    encode?: EncodeOptions,
  ): Promise<TransactionOutcome> {
    const bytes = encodeMessage(message, encode);
    const request = decodeMessage(bytes);
    const startedAt = clock.now();
    const key = transactionKey(request.transactionId);
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: Pick<TransactionOutcome, 'outcome' | 'response' | 'from' | 'rttMs' | 'error'>) => {
        if (done) return;
        done = true;
        timer.cancel();
        this.byTid.delete(key);
        this.closeListeners.delete(onClose);
        signal?.removeEventListener('abort', onAbort);
        resolve({
          ...r,
          request,
          transmissions: 1,
          startedAt,
          strays: [],
          receivedOn: r.response ? this.conn.local : null,
        });
      };
      const timer = clock.setTimeout(
        () =>
          void setImmediate(() =>
            finish({ outcome: 'timeout', response: null, from: null, rttMs: null, error: null }),
          ),
        timeoutMs,
      );
      const onAbort = () =>
        finish({ outcome: 'cancelled', response: null, from: null, rttMs: null, error: null });
      const onClose = () =>
        finish({
          outcome: 'error',
          response: null,
          from: null,
          rttMs: null,
          error: this.error ?? 'connection closed',
        });
      this.closeListeners.add(onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.byTid.set(key, (msg, from) => {
        if (msg.cls === 'success' || msg.cls === 'error')
          finish({ outcome: 'response', response: msg, from, rttMs: clock.now() - startedAt, error: null });
      });
      if (signal?.aborted) return onAbort();
      if (this.closed) return onClose();
      this.conn
        .write(bytes)
        .catch((err: unknown) =>
          finish({ outcome: 'error', response: null, from: null, rttMs: null, error: String(err) }),
        );
    });
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe) u();
    await this.conn.close();
  }
}
