/**
 * The companion STUN server: RFC 8489 Binding, RFC 5780 behaviour discovery with two addresses
 * (CHANGE-REQUEST, OTHER-ADDRESS, RESPONSE-ORIGIN, RESPONSE-PORT, PADDING — the decision logic is
 * the STUN module's `answerBinding`) and RFC 3489 compatibility: classic requests (no magic cookie)
 * also get SOURCE-ADDRESS and CHANGED-ADDRESS (§11.2.5, §11.2.3) and no FINGERPRINT.
 *
 * Exposure: per-source (IPv4 /32, IPv6 /64) and total rate limits; datagrams over 2 KiB are
 * dropped (a Binding request is ~20–100 bytes, PADDING aside); RESPONSE-ADDRESS (RFC 3489 §11.2.2,
 * "send the answer elsewhere") is refused by answerBinding as an unknown attribute, so answers only
 * ever go to the request's source IP (RESPONSE-PORT changes the port, never the address). Every
 * answer fits in 3× its request (stun-budget.ts says what is left out of small requests' answers).
 *
 * Speed (issue #19): an ordinary Binding request is answered by stun-fast-answer.ts — read in place,
 * written into one reused buffer, sent without a promise or a name lookup — and everything else by
 * the general codec path below, which gives the same bytes.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { UDP_AMPLIFICATION_FACTOR } from '../../../shared/model/alg-reflect.ts';
import { sendAndForget, type Network, type UdpSocket } from '../net/network.ts';
import { udpBatchUnavailableReason } from '../net/udp-batch.ts';
import {
  addAttribute,
  ChangedAddress,
  decodeMessage,
  encodeMessage,
  looksLikeStun,
  normalizeIp,
  Padding,
  SourceAddress,
  tryGetAttribute,
  type DecodedStunMessage,
} from '../stun/codec.ts';
import { answerBinding, type ServerSlot } from '../stun/server.ts';
import type { CompanionLogger } from './logger.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { serveBatched } from './stun-batch-server.ts';
import { fitStunAnswer } from './stun-budget.ts';
import { FALLBACK, OVER_BUDGET, StunFastAnswer } from './stun-fast-answer.ts';

export const MAX_STUN_REQUEST_BYTES = 2048;
// 20 bytes: RFC 3489 parsers (Vovida stun-client) reject a SERVER string whose length is not a multiple of 4.
const SOFTWARE = 'NatScope companion 1';

export interface CompanionStunOptions {
  network: Pick<Network, 'bindUdp' | 'udpBatch'>;
  /** [primary] or [primary, alternate]. */
  ips: readonly string[];
  ports: readonly [number, number];
  rateLimiter: RateLimiter;
  logger: CompanionLogger;
  /** SO_RCVBUF asked for (default STUN_RECEIVE_BUFFER_BYTES). */
  receiveBufferBytes?: number;
  /** SO_REUSEPORT, for the worker threads of `natscope server --workers N`. */
  reusePort?: boolean;
  /**
   * Socket I/O: 'recvmmsg' (batched, the native addon; an error where it is missing), 'dgram'
   * (node:dgram, one datagram per call), or by default the first of them the network offers.
   */
  io?: StunIo;
}

export type StunIo = 'recvmmsg' | 'dgram';

export interface CompanionStunServer {
  readonly endpoints: Endpoint[];
  /** `refused` and `sources` where the limiter lives elsewhere (the worker threads' shared tables). */
  readonly stats: {
    answered: number;
    dropped: number;
    refused?: number;
    sources?: number;
    perThread?: number[];
  };
  /** How datagrams are read and sent (evidence for speed figures: see the server.started log). */
  readonly io: StunIo;
  close(): Promise<void>;
}

/** Kernel receive buffer asked for on each STUN socket: bursts wait there instead of being dropped. */
export const STUN_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** What both socket paths (node:dgram below, batched in stun-batch-server.ts) answer with. */
export interface StunAnswering {
  o: CompanionStunOptions;
  slots: ServerSlot[];
  stats: { answered: number; dropped: number };
  fast: StunFastAnswer;
  maxRequestBytes: number;
  receiveBufferBytes: number;
  /** Logs a warning when the kernel granted less receive buffer than asked for. */
  checkReceiveBuffer(granted: number | undefined): void;
  /** Counts a dropped request; at debug level logs why and from whom (`source` is built only then). */
  drop(reason: string, source: () => Endpoint): void;
  /** Counts an answer; at debug level logs to whom and from which server address and port. */
  answered(source: () => Endpoint, fromIp: number, fromPort: number, classic?: boolean): void;
  /** The general path's answer, or null: nothing to send, or a drop (counted and logged here). */
  general(data: Uint8Array, from: Endpoint, s: ServerSlot): GeneralAnswer | null;
}

type GeneralAnswer = Extract<GeneralStunResult, { answer: Uint8Array }>;

// an answer is at most 3 × a request of MAX_STUN_REQUEST_BYTES, and in practice far less
const SEND_SLOT_BYTES = 4096;

export async function startCompanionStun(o: CompanionStunOptions): Promise<CompanionStunServer> {
  const slots: ServerSlot[] = [];
  for (let ip = 0; ip < Math.min(2, o.ips.length); ip++)
    for (let port = 0; port < 2; port++) slots.push({ ip: ip as 0 | 1, port: port as 0 | 1 });
  const receiveBufferBytes = o.receiveBufferBytes ?? STUN_RECEIVE_BUFFER_BYTES;
  const debug = o.logger.enabled?.('debug') ?? true;
  const a: StunAnswering = {
    o,
    slots,
    stats: { answered: 0, dropped: 0 },
    fast: new StunFastAnswer({
      ips: o.ips,
      ports: o.ports,
      software: SOFTWARE,
      maxRequestBytes: MAX_STUN_REQUEST_BYTES,
      amplification: UDP_AMPLIFICATION_FACTOR,
    }),
    maxRequestBytes: MAX_STUN_REQUEST_BYTES,
    receiveBufferBytes,
    checkReceiveBuffer(granted) {
      if (granted !== undefined && granted < receiveBufferBytes)
        o.logger.log('warn', 'stun.receive-buffer', {
          grantedBytes: granted,
          hint: 'bursts beyond this are dropped by the kernel before the server sees them: raise net.core.rmem_max (see the README)',
        });
    },
    drop(reason, source) {
      this.stats.dropped++;
      if (debug) o.logger.log('debug', 'stun.drop', { reason, source: formatEndpoint(source()) });
    },
    answered(source, fromIp, fromPort, classic) {
      this.stats.answered++;
      if (debug)
        o.logger.log('debug', 'stun.answer', {
          source: formatEndpoint(source()),
          from: formatEndpoint({ address: o.ips[fromIp]!, port: o.ports[fromPort]! }),
          ...(classic === undefined ? {} : { classic }),
        });
    },
    general(data, from, s) {
      const r = generalStunAnswer(data, from, s, o.ips, o.ports);
      if ('drop' in r) {
        if (!r.warn) this.drop(r.drop, () => r.client);
        else {
          this.stats.dropped++;
          o.logger.log('warn', 'stun.error', { error: r.drop, source: formatEndpoint(r.client) });
        }
        return null;
      }
      return r.answer ? r : null;
    },
  };
  const group =
    o.io === 'dgram'
      ? null
      : (o.network.udpBatch?.({ receiveSlotBytes: MAX_STUN_REQUEST_BYTES, sendSlotBytes: SEND_SLOT_BYTES }) ??
        null);
  if (group) return serveBatched(a, group);
  if (o.io === 'recvmmsg')
    throw new Error(
      `batched UDP (recvmmsg) is not available: ${udpBatchUnavailableReason() || 'no batch sockets'}`,
    );
  return serveWithDgram(a);
}

/** One datagram per call through node:dgram: where the native addon is not built, and for test networks. */
async function serveWithDgram(a: StunAnswering): Promise<CompanionStunServer> {
  const { o, slots, stats, fast } = a;
  // one socket per (address, port), at index ip * 2 + port
  const sockets: UdpSocket[] = [];
  try {
    for (const s of slots)
      sockets[s.ip * 2 + s.port] = await o.network.bindUdp({
        address: o.ips[s.ip],
        port: o.ports[s.port],
        receiveBufferBytes: a.receiveBufferBytes,
        reusePort: o.reusePort,
      });
  } catch (err) {
    await Promise.all(sockets.filter(Boolean).map((s) => s.close()));
    throw err;
  }
  a.checkReceiveBuffer(sockets[0]?.receiveBufferBytes);
  // the request's source, for the debug log: one function made once, not one per datagram
  let from: Endpoint = { address: '', port: 0 };
  const source = () => from;
  for (const s of slots) {
    const sock = sockets[s.ip * 2 + s.port]!;
    sock.onMessage((data, sender) => {
      from = sender;
      if (data.length > MAX_STUN_REQUEST_BYTES || !looksLikeStun(data)) {
        stats.dropped++;
        return;
      }
      if (!o.rateLimiter.allowAddress(from.address)) return a.drop('rate-limit', source);
      const length = fast.answer(data, from.address, from.port, s.ip, s.port);
      if (length === OVER_BUDGET) return a.drop('answer over 3x', source);
      if (length === FALLBACK) return answerInGeneral(data, from, s);
      const out = sockets[fast.fromIp * 2 + fast.fromPort] ?? sock;
      // answers go to the source IP only; RESPONSE-PORT changes the port, never the address
      if (!sendAndForget(out, fast.out, length, fast.toPort, from.address)) fast.replaceBuffer();
      a.answered(source, fast.fromIp, fast.fromPort);
    });
  }

  /** Everything the fast path leaves: errors to answer, integrity, malformed input (logged). */
  function answerInGeneral(data: Uint8Array, rawFrom: Endpoint, s: ServerSlot): void {
    const r = a.general(data, rawFrom, s);
    if (!r) return;
    const out = sockets[r.from.ip * 2 + r.from.port] ?? sockets[s.ip * 2 + s.port]!;
    sendAndForget(out, r.answer, r.answer.length, r.to.port, r.to.address);
    a.answered(() => r.client, r.from.ip, r.from.port, r.classic);
  }

  return {
    endpoints: slots.map((s) => ({ address: o.ips[s.ip]!, port: o.ports[s.port] })),
    stats,
    io: 'dgram',
    close: async () => {
      await Promise.all(sockets.filter(Boolean).map((x) => x.close()));
    },
  };
}

export type GeneralStunResult =
  | { drop: string; warn?: boolean; client: Endpoint }
  | { answer: null; client: Endpoint }
  | { answer: Uint8Array; from: ServerSlot; to: Endpoint; classic: boolean; client: Endpoint };

/**
 * The companion's answer through the general codec (decodeMessage → answerBinding → the RFC 3489
 * additions and echoed PADDING → fitStunAnswer → encodeMessage). `answer: null` = nothing to send
 * (an indication or a response); `drop` = a malformed request or an answer over 3×.
 */
export function generalStunAnswer(
  data: Uint8Array,
  rawFrom: Endpoint,
  s: ServerSlot,
  ips: readonly string[],
  ports: readonly [number, number],
): GeneralStunResult {
  const client = { address: normalizeIp(rawFrom.address), port: rawFrom.port };
  let req: DecodedStunMessage;
  try {
    req = decodeMessage(data);
  } catch (err) {
    return { drop: (err as Error).message, client };
  }
  let r;
  try {
    r = answerBinding(req, client, s, { ips, ports, software: SOFTWARE });
  } catch (err) {
    return { drop: (err as Error).message, warn: true, client };
  }
  if (!r || r.to.address !== client.address) return { answer: null, client }; // answers go to the source IP only
  if (req.classic && r.message.cls === 'success') {
    addAttribute(r.message, SourceAddress, { address: ips[r.from.ip]!, port: ports[r.from.port] });
    if (ips.length >= 2)
      addAttribute(r.message, ChangedAddress, { address: ips[1 - s.ip]!, port: ports[1 - s.port] });
  }
  const pad = tryGetAttribute(req, Padding);
  if (pad !== undefined && r.message.cls === 'success')
    addAttribute(r.message, Padding, Math.min(pad, MAX_STUN_REQUEST_BYTES));
  const fit = fitStunAnswer(r.message, {
    budget: UDP_AMPLIFICATION_FACTOR * data.length,
    classic: req.classic,
    wantFingerprint: !req.classic,
    requestHadFingerprint: req.hasFingerprint,
  });
  if (!fit) return { drop: 'answer over 3x', client };
  const answer = encodeMessage(r.message, { fingerprint: fit.fingerprint });
  return { answer, from: r.from, to: r.to, classic: req.classic, client };
}
