/**
 * PCP wire format (RFC 6887): common request/response headers (§7.1, §7.2), ANNOUNCE (§14.1) and
 * MAP (§11.1) opcodes, result codes (§7.4). Addresses are 128-bit fields; IPv4 travels as an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d, §5). Options in answers are skipped after a bounds
 * check (§7.3). Decoders throw on anything malformed.
 */
export const PCP_VERSION = 2;
export const PCP_MAX_MESSAGE = 1100;
export const OP_ANNOUNCE = 0;
export const OP_MAP = 1;
export const IPPROTO_UDP = 17;
export const IPPROTO_TCP = 6;

export class PcpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PcpDecodeError';
  }
}

export function ipv4ToMapped(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  if (ip === '' || ip === '0.0.0.0') return out; // all-zeros: "no preference" (§11.1)
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`not an IPv4 address: ${ip}`);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(parts, 12);
  return out;
}

/** IPv4-mapped → dotted quad; all-zeros → '0.0.0.0'; other IPv6 → colon-hex. */
export function mappedToString(b: Uint8Array): string {
  const isMapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (isMapped) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  if (b.every((x) => x === 0)) return '0.0.0.0';
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

function header(
  opcode: number,
  lifetime: number,
  clientIp: string,
  dataLength: number,
): { buf: Uint8Array; view: DataView } {
  const buf = new Uint8Array(24 + dataLength);
  const view = new DataView(buf.buffer);
  view.setUint8(0, PCP_VERSION);
  view.setUint8(1, opcode & 0x7f); // R bit 0 = request
  view.setUint16(2, 0);
  view.setUint32(4, lifetime >>> 0);
  buf.set(ipv4ToMapped(clientIp), 8);
  return { buf, view };
}

export function encodeAnnounce(clientIp: string): Uint8Array {
  return header(OP_ANNOUNCE, 0, clientIp, 0).buf;
}

export interface MapRequest {
  clientIp: string;
  nonce: Uint8Array;
  protocol: 'udp' | 'tcp';
  internalPort: number;
  suggestedExternalPort: number;
  suggestedExternalIp?: string;
  lifetimeSeconds: number;
}

export function encodeMapRequest(r: MapRequest): Uint8Array {
  if (r.nonce.length !== 12) throw new Error('PCP nonce must be 12 bytes');
  const { buf, view } = header(OP_MAP, r.lifetimeSeconds, r.clientIp, 36);
  buf.set(r.nonce, 24);
  view.setUint8(36, r.protocol === 'udp' ? IPPROTO_UDP : IPPROTO_TCP);
  view.setUint16(40, r.internalPort);
  view.setUint16(42, r.suggestedExternalPort);
  buf.set(ipv4ToMapped(r.suggestedExternalIp ?? ''), 44);
  return buf;
}

export interface PcpResponse {
  version: number;
  opcode: number;
  resultCode: number;
  lifetimeSeconds: number;
  epoch: number;
  map?: {
    nonce: Uint8Array;
    protocol: number;
    internalPort: number;
    externalPort: number;
    externalIp: string;
  };
}

/**
 * Decodes a PCP answer. A NAT-PMP server answers a PCP request with a version-0 packet (result 1,
 * unsupported version): that is returned as `{version: 0, …}` so the caller can fall back (§9).
 */
export function decodeResponse(data: Uint8Array): PcpResponse {
  if (data.length < 4) throw new PcpDecodeError(`PCP answer too short (${data.length} bytes)`);
  if (data.length > PCP_MAX_MESSAGE) throw new PcpDecodeError(`PCP answer too long (${data.length} bytes)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(0);
  if (version === 0) {
    // NAT-PMP answer: version, opcode|128, result(16), [epoch].
    if ((view.getUint8(1) & 0x80) === 0) throw new PcpDecodeError('NAT-PMP request, not an answer');
    return {
      version: 0,
      opcode: view.getUint8(1) & 0x7f,
      resultCode: view.getUint16(2),
      lifetimeSeconds: 0,
      epoch: data.length >= 8 ? view.getUint32(4) : 0,
    };
  }
  if (data.length < 24) throw new PcpDecodeError(`PCP answer too short (${data.length} bytes)`);
  if (data.length % 4 !== 0)
    throw new PcpDecodeError(`PCP answer length ${data.length} is not a multiple of 4`);
  const rOp = view.getUint8(1);
  if ((rOp & 0x80) === 0) throw new PcpDecodeError('PCP request, not an answer (R bit clear)');
  const res: PcpResponse = {
    version,
    opcode: rOp & 0x7f,
    resultCode: view.getUint8(3),
    lifetimeSeconds: view.getUint32(4),
    epoch: view.getUint32(8),
  };
  if (version !== PCP_VERSION) return res; // UNSUPP_VERSION from a server of another version
  let off = 24;
  if (res.opcode === OP_MAP) {
    if (res.resultCode === 0 && data.length < 60)
      throw new PcpDecodeError(`PCP MAP answer too short (${data.length} bytes)`);
    if (data.length >= 60) {
      res.map = {
        nonce: data.slice(24, 36),
        protocol: view.getUint8(36),
        internalPort: view.getUint16(40),
        externalPort: view.getUint16(42),
        externalIp: mappedToString(data.subarray(44, 60)),
      };
      off = 60;
    }
  }
  // Options: code(8) reserved(8) length(16) data padded to 4 bytes; only bounds-checked.
  while (off < data.length) {
    if (off + 4 > data.length) throw new PcpDecodeError('truncated PCP option header');
    const len = view.getUint16(off + 2);
    const padded = (len + 3) & ~3;
    if (off + 4 + padded > data.length)
      throw new PcpDecodeError('PCP option runs past the end of the answer');
    off += 4 + padded;
  }
  return res;
}
