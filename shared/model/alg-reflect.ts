/**
 * The SIP reflector's response format, shared by the companion server (which builds it) and the
 * ALG client (which rebuilds it to see what changed on the way back).
 *
 * The response to a probe is a deterministic function of (bytes received, transport, source,
 * destination): same input → same bytes. The client recovers that input from the body, rebuilds
 * the response it should have got, and compares byte for byte — so inbound rewriting shows up
 * without the server having to echo its own headers (which would double the response size).
 *
 * The received bytes travel base64-encoded: an ALG that mangles SIP headers or blindly replaces
 * IP address strings anywhere in the payload (the kernel's nf_nat_sip scans every "Contact:" line,
 * even inside a body) cannot touch them on the way back. Header behaviour follows RFC 3261 §8.2.6
 * (copy Via/From/To/Call-ID/CSeq, add a To tag) and RFC 3581 §4 (received/rport).
 */
import { formatEndpoint, type Endpoint } from './endpoint.ts';
import { parseSipText, parseVia, type SipText } from './alg-sip.ts';

export const REFLECT_CONTENT_TYPE = 'application/x-natscope-reflect';
export const REFLECT_MAGIC = 'NatScope-Reflect/1';
/** Request-URI user part (and header) that selects the reflector rather than the echo UAS. */
export const REFLECT_USER = 'natscope-reflect';
export const PROBE_HEADER = 'X-NatScope-Probe';
export const SERVER_HEADER_VALUE = 'NatScope-companion/1';
/** UDP anti-amplification: a reflect response is at most this many times the request's size. */
export const UDP_AMPLIFICATION_FACTOR = 3;

export interface ReflectContext {
  transport: 'UDP' | 'TCP';
  /** Where the request came from, as the server saw it (after every NAT on the way). */
  source: Endpoint;
  /** The server address and port it arrived on. */
  destination: Endpoint;
  /** The exact bytes received. */
  received: Uint8Array;
}

export function encodeReflectBody(ctx: ReflectContext): string {
  return [
    REFLECT_MAGIC,
    `transport: ${ctx.transport}`,
    `source: ${formatEndpoint(ctx.source)}`,
    `destination: ${formatEndpoint(ctx.destination)}`,
    `received-length: ${ctx.received.length}`,
    `received: ${toBase64(ctx.received)}`,
    '',
  ].join('\r\n');
}

/** Parses a reflect body; null when it is not one or is damaged (length/base64 mismatch). */
export function decodeReflectBody(body: string): ReflectContext | null {
  const lines = body.split(/\r?\n/);
  if (lines[0]?.trim() !== REFLECT_MAGIC) return null;
  const fields = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) fields.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  const transport = fields.get('transport');
  const source = parseEndpoint(fields.get('source'));
  const destination = parseEndpoint(fields.get('destination'));
  const received = fromBase64(fields.get('received') ?? '');
  const len = Number(fields.get('received-length'));
  if ((transport !== 'UDP' && transport !== 'TCP') || !source || !destination || !received) return null;
  if (received.length !== len) return null;
  return { transport, source, destination, received };
}

function parseEndpoint(s: string | undefined): Endpoint | null {
  if (!s) return null;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 0 && port <= 65535 ? { address: m[1]!, port } : null;
}

/** Which response status the reflector gives each method. INVITE gets a final error: no call. */
export function reflectStatus(method: string): { code: number; reason: string } {
  if (method === 'INVITE') return { code: 488, reason: 'Not Acceptable Here' };
  return { code: 200, reason: 'OK' };
}

/**
 * The reflector's full response text for a parsed request. Null when the request lacks the
 * headers a response must copy (Via, From, To, Call-ID, CSeq — RFC 3261 §8.1.1).
 */
export function buildReflectResponse(req: SipText, ctx: ReflectContext): string | null {
  if (req.kind !== 'request' || !req.method) return null;
  const need = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
  for (const n of need) if (!req.headers.some((h) => h.name === n)) return null;
  const { code, reason } = reflectStatus(req.method);
  const out: string[] = [`SIP/2.0 ${code} ${reason}`];
  let firstVia = true;
  for (const h of req.headers) {
    if (h.name !== 'Via') continue;
    out.push(`Via: ${firstVia ? stampVia(h.value, ctx.source) : h.value}`);
    firstVia = false;
  }
  const callId = req.headers.find((h) => h.name === 'Call-ID')!.value;
  const cseq = req.headers.find((h) => h.name === 'CSeq')!.value;
  for (const h of req.headers) {
    if (h.name === 'From' || h.name === 'Call-ID' || h.name === 'CSeq') out.push(`${h.name}: ${h.value}`);
    if (h.name === 'To') {
      out.push(`To: ${/;\s*tag=/i.test(h.value) ? h.value : `${h.value};tag=${tagFor(callId, cseq)}`}`);
    }
  }
  // RFC 3261 §10.3 step 8: a registrar answers with the bindings — here, the Contacts as received.
  if (req.method === 'REGISTER') {
    for (const h of req.headers) if (h.name === 'Contact') out.push(`Contact: ${h.value};expires=60`);
  } else {
    out.push(`Contact: <sip:${REFLECT_USER}@${formatEndpoint(ctx.destination)}>`);
  }
  out.push(`Server: ${SERVER_HEADER_VALUE}`);
  if (code === 488) out.push('Warning: 399 natscope "reflector only: no call is set up"');
  const body = encodeReflectBody(ctx);
  out.push(`Content-Type: ${REFLECT_CONTENT_TYPE}`);
  // the body is ASCII (base64 and endpoint text), so characters = bytes
  out.push(`Content-Length: ${body.length}`);
  return `${out.join('\r\n')}\r\n\r\n${body}`;
}

/** RFC 3581 §4: add received= always when rport is asked for, and fill rport with the source port. */
function stampVia(value: string, source: Endpoint): string {
  const via = parseVia(value);
  if (!via) return value;
  const hasRport = Object.prototype.hasOwnProperty.call(via.params, 'rport');
  let v = value;
  if (hasRport) v = v.replace(/;\s*rport(?:=[^;,\s]*)?/i, `;rport=${source.port}`);
  if (hasRport || via.host !== source.address) {
    if (!/;\s*received=/i.test(v)) v = `${v};received=${source.address}`;
  }
  return v;
}

/** Deterministic To tag so client and server compute the same bytes (FNV-1a of Call-ID + CSeq). */
function tagFor(callId: string, cseq: string): string {
  let h = 0x811c9dc5;
  for (const ch of `${callId}|${cseq}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `ns${h.toString(16).padStart(8, '0')}`;
}

/** Convenience for the client: rebuild the expected response from a decoded body. */
export function expectedReflectResponse(ctx: ReflectContext): string | null {
  const req = parseSipText(latin1(ctx.received));
  return req ? buildReflectResponse(req, ctx) : null;
}

/**
 * Bytes → string, one char per byte. SIP is mostly ASCII; mapping bytes 1:1 keeps the comparison
 * byte-exact even for non-UTF-8 input (which a fuzzer or a broken ALG may produce).
 */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < b.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < b.length ? B64[n & 63]! : '=';
  }
  return out;
}

export function fromBase64(s: string): Uint8Array | null {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const n =
      (B64.indexOf(s[i]!) << 18) |
      (B64.indexOf(s[i + 1]!) << 12) |
      ((s[i + 2] === '=' ? 0 : B64.indexOf(s[i + 2]!)) << 6) |
      (s[i + 3] === '=' ? 0 : B64.indexOf(s[i + 3]!));
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
