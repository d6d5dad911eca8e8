/**
 * The companion's answer to an ordinary Binding request, written straight into one reused buffer:
 * the request is read in place (no decoded message, no attribute arrays), the client address is
 * parsed to bytes without a regex, and the answer's attributes are written where they go — the
 * same bytes, attribute for attribute, as the general path (answerBinding → the RFC 3489 additions
 * and echoed PADDING of stun-server.ts → fitStunAnswer → encodeMessage), which
 * stun-fast-answer.test.ts checks over thousands of generated requests.
 *
 * Taken for: a Binding request (RFC 8489 §6.3.1) whose attributes are all well formed and known
 * (CHANGE-REQUEST, RESPONSE-PORT, PADDING, USERNAME, FINGERPRINT, comprehension-optional ones),
 * classic (RFC 3489) or not, from an IPv4 or IPv6 source. Everything else — errors to answer
 * (400, 420), MESSAGE-INTEGRITY, indications, malformed input, a mapped or scoped source address,
 * RESPONSE-PORT 0 — returns FALLBACK and goes the general way, which logs and answers it as before.
 */
import { ATTR, HEADER_LENGTH, MAGIC_COOKIE } from '../stun/constants.ts';
import { getU16, getU32, setU16, setU32, utf8 } from '../stun/bytes.ts';
import { appendFingerprint, fingerprintOf } from '../stun/fingerprint.ts';
import { ipToBytes, ipv4ToNumber, ipv6ToGroups, isV4MappedBytes } from '../stun/ip.ts';
import { FIT_FINGERPRINT, fitAttributes } from './stun-budget.ts';

/** Not handled here: take the general path. */
export const FALLBACK = -1;
/** The answer would not fit in 3× the request even without optional attributes: send nothing. */
export const OVER_BUDGET = -2;

export interface FastAnswerConfig {
  /** The server's addresses, [primary] or [primary, alternate]. */
  ips: readonly string[];
  ports: readonly [number, number];
  software: string;
  /** Requests over this size are not answered (MAX_STUN_REQUEST_BYTES); PADDING is echoed up to it. */
  maxRequestBytes: number;
  amplification: number;
}

const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;
// Answer attributes by kind (what each slot of the plan holds).
const K_XOR_MAPPED = 0;
const K_MAPPED = 1;
const K_ORIGIN = 2;
const K_OTHER = 3;
const K_SOFTWARE = 4;
const K_SOURCE = 5;
const K_CHANGED = 6;
const K_PADDING = 7;
const TYPE_OF = [
  ATTR.XOR_MAPPED_ADDRESS,
  ATTR.MAPPED_ADDRESS,
  ATTR.RESPONSE_ORIGIN,
  ATTR.OTHER_ADDRESS,
  ATTR.SOFTWARE,
  ATTR.SOURCE_ADDRESS,
  ATTR.CHANGED_ADDRESS,
  ATTR.PADDING,
];

export class StunFastAnswer {
  /** The answer's bytes (valid up to the length answer() returned); replaced when a send holds it. */
  out: Uint8Array;
  /** Set by answer(): which server address and port it goes out from, and the client port it goes to. */
  fromIp = 0;
  fromPort = 0;
  toPort = 0;

  private readonly cfg: FastAnswerConfig;
  private readonly twoIps: boolean;
  private readonly serverIps: Uint8Array[];
  private readonly software: Uint8Array;
  private readonly client = new Uint8Array(16);
  private readonly groups = new Uint16Array(8);
  private readonly kinds = new Int32Array(8);
  private readonly types = new Int32Array(8);
  private readonly lengths = new Int32Array(8);
  private count = 0;

  constructor(cfg: FastAnswerConfig) {
    this.cfg = cfg;
    this.twoIps = cfg.ips.length >= 2;
    this.serverIps = cfg.ips.slice(0, 2).map((ip) => ipToBytes(ip));
    this.software = utf8(cfg.software);
    this.out = this.newBuffer();
  }

  /** A fresh answer buffer: the previous one is still queued for sending. */
  replaceBuffer(): void {
    this.out = this.newBuffer();
  }

  private newBuffer(): Uint8Array {
    // largest answer: 20 header + 3 × 24 (IPv6 addresses) + 3 × 24 + SOFTWARE + PADDING + FINGERPRINT
    return new Uint8Array(
      HEADER_LENGTH + 8 * 24 + 4 + this.software.length + 4 + this.cfg.maxRequestBytes + 8,
    );
  }

  /**
   * Writes the answer to `req` (from clientAddress:clientPort, arrived on server address `ip` and
   * port `port`, 0 primary / 1 alternate) into `out`. Returns its length, FALLBACK or OVER_BUDGET.
   */
  answer(req: Uint8Array, clientAddress: string, clientPort: number, ip: number, port: number): number {
    const clientLength = this.parseClient(clientAddress);
    if (clientLength < 0) return FALLBACK;
    return this.answerTo(req, clientLength, clientPort, ip, port);
  }

  /**
   * The same for a client address given as bytes (4: IPv4, 16: IPv6, network order) at
   * `src[offset…]` — how batched sockets (net/udp-batch.ts) deliver it. A v4-mapped IPv6 address
   * is left to the general path, which normalises it.
   */
  answerBytes(
    req: Uint8Array,
    src: Uint8Array,
    offset: number,
    length: 4 | 16,
    clientPort: number,
    ip: number,
    port: number,
  ): number {
    const c = this.client;
    for (let k = 0; k < length; k++) c[k] = src[offset + k]!;
    if (length === 16 && isV4MappedBytes(c)) return FALLBACK;
    return this.answerTo(req, length, clientPort, ip, port);
  }

  private answerTo(
    req: Uint8Array,
    clientLength: number,
    clientPort: number,
    ip: number,
    port: number,
  ): number {
    const n = req.length;
    if (n < HEADER_LENGTH || n > this.cfg.maxRequestBytes || getU16(req, 0) !== BINDING_REQUEST)
      return FALLBACK;
    const bodyLength = getU16(req, 2);
    if ((bodyLength & 3) !== 0 || n !== HEADER_LENGTH + bodyLength) return FALLBACK;
    const classic = getU32(req, 4) !== MAGIC_COOKIE;

    // the request's attributes, as decodeMessage and answerBinding would take them
    let changeIp = false;
    let changePort = false;
    let seenChange = false;
    let responsePort = -1;
    let padding = -1;
    let fingerprint = false;
    for (let off = HEADER_LENGTH; off < n;) {
      if (n - off < 4 || fingerprint) return FALLBACK; // truncated, or anything after FINGERPRINT
      const type = getU16(req, off);
      const len = getU16(req, off + 2);
      const next = off + 4 + ((len + 3) & ~3);
      if (next > n) return FALLBACK;
      if (type === ATTR.FINGERPRINT) {
        if (len !== 4 || getU32(req, off + 4) !== fingerprintOf(req, 0, off)) return FALLBACK;
        fingerprint = true;
      } else if (type === ATTR.CHANGE_REQUEST) {
        if (!seenChange) {
          if (len !== 4) return FALLBACK;
          const flags = getU32(req, off + 4);
          changeIp = (flags & 0x4) !== 0;
          changePort = (flags & 0x2) !== 0;
          seenChange = true;
        }
      } else if (type === ATTR.RESPONSE_PORT) {
        if (responsePort < 0) {
          if (len !== 2 && len !== 4) return FALLBACK;
          responsePort = getU16(req, off + 4);
          if (responsePort === 0) return FALLBACK;
        }
      } else if (type === ATTR.PADDING) {
        if (padding < 0) padding = len;
      } else if (type < 0x8000 && type !== ATTR.USERNAME) return FALLBACK; // MESSAGE-INTEGRITY, unknown
      off = next;
    }
    if ((changeIp || changePort) && !this.twoIps) return FALLBACK; // RFC 5780 §6.1: a 420 to send

    const fromIp = changeIp ? 1 - ip : ip;
    const fromPort = changePort ? 1 - port : port;

    // the plan: what answerBinding and stun-server.ts add, in their order
    this.count = 0;
    const ips = this.serverIps;
    if (!classic) this.add(K_XOR_MAPPED, 4 + clientLength);
    this.add(K_MAPPED, 4 + clientLength);
    if (this.twoIps) {
      this.add(K_ORIGIN, 4 + ips[fromIp]!.length);
      this.add(K_OTHER, 4 + ips[1 - ip]!.length);
    }
    this.add(K_SOFTWARE, this.software.length);
    if (classic) {
      this.add(K_SOURCE, 4 + ips[fromIp]!.length);
      if (this.twoIps) this.add(K_CHANGED, 4 + ips[1 - ip]!.length);
    }
    if (padding >= 0) this.add(K_PADDING, Math.min(padding, this.cfg.maxRequestBytes));
    const count = this.count;
    const keep = fitAttributes(this.types, this.lengths, count, {
      budget: this.cfg.amplification * n,
      classic,
      wantFingerprint: !classic,
      requestHadFingerprint: fingerprint,
    });
    if (keep < 0) return OVER_BUDGET;

    const out = this.out;
    setU16(out, 0, BINDING_SUCCESS);
    // cookie (or RFC 3489 ID bytes) and transaction ID, copied without a subarray view (no garbage)
    for (let k = 4; k < HEADER_LENGTH; k++) out[k] = req[k]!;
    let off = HEADER_LENGTH;
    const ports = this.cfg.ports;
    for (let i = 0; i < count; i++) {
      if ((keep & (1 << i)) === 0) continue;
      const len = this.lengths[i]!;
      setU16(out, off, this.types[i]!);
      setU16(out, off + 2, len);
      const v = off + 4;
      switch (this.kinds[i]) {
        case K_XOR_MAPPED:
          this.writeClient(out, v, clientPort, clientLength);
          out[v + 2]! ^= req[4]!;
          out[v + 3]! ^= req[5]!;
          for (let k = 0; k < clientLength; k++) out[v + 4 + k]! ^= req[4 + k]!;
          break;
        case K_MAPPED:
          this.writeClient(out, v, clientPort, clientLength);
          break;
        case K_ORIGIN:
        case K_SOURCE:
          this.writeServer(out, v, fromIp, ports[fromPort]!);
          break;
        case K_OTHER:
        case K_CHANGED:
          this.writeServer(out, v, 1 - ip, ports[1 - port]!);
          break;
        case K_SOFTWARE:
          out.set(this.software, v);
          break;
        default: // K_PADDING: zeros
          out.fill(0, v, v + len);
      }
      const end = v + ((len + 3) & ~3);
      out.fill(0, v + len, end);
      off = end;
    }
    if ((keep & FIT_FINGERPRINT) !== 0) {
      off = appendFingerprint(out, off);
    }
    setU16(out, 2, off - HEADER_LENGTH);
    this.fromIp = fromIp;
    this.fromPort = fromPort;
    this.toPort = responsePort > 0 ? responsePort : clientPort;
    return off;
  }

  private add(kind: number, length: number): void {
    this.kinds[this.count] = kind;
    this.types[this.count] = TYPE_OF[kind]!;
    this.lengths[this.count++] = length;
  }

  /** The client's address into `client`: 4 or 16 bytes; −1 for a mapped, scoped or unknown form. */
  private parseClient(address: string): number {
    const v4 = ipv4ToNumber(address);
    if (v4 >= 0) {
      setU32(this.client, 0, v4);
      return 4;
    }
    // "::ffff:a.b.c.d" and "fe80::1%eth0" are normalised by the general path: leave them to it
    if (address.indexOf('%') >= 0 || address.indexOf('.') >= 0) return -1;
    if (!ipv6ToGroups(address, this.groups)) return -1;
    for (let k = 0; k < 8; k++) setU16(this.client, k * 2, this.groups[k]!);
    return 16;
  }

  private writeClient(out: Uint8Array, v: number, port: number, length: number): void {
    out[v] = 0;
    out[v + 1] = length === 4 ? FAMILY_IPV4 : FAMILY_IPV6;
    setU16(out, v + 2, port);
    for (let k = 0; k < length; k++) out[v + 4 + k] = this.client[k]!;
  }

  private writeServer(out: Uint8Array, v: number, which: number, port: number): void {
    const a = this.serverIps[which]!;
    out[v] = 0;
    out[v + 1] = a.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6;
    setU16(out, v + 2, port);
    out.set(a, v + 4);
  }
}
