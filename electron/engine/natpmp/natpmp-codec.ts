/**
 * NAT-PMP wire format (RFC 6886 §3.2 external address, §3.3 mapping requests, §3.5 result codes).
 * All fields big-endian. Decoders validate length, version and opcode and throw on anything else.
 */
export const NATPMP_PORT = 5351;
export const NATPMP_VERSION = 0;
export const OP_EXTERNAL_ADDRESS = 0;
export const OP_MAP_UDP = 1;
export const OP_MAP_TCP = 2;

export class NatPmpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NatPmpDecodeError';
  }
}

export function encodeExternalAddressRequest(): Uint8Array {
  return Uint8Array.of(NATPMP_VERSION, OP_EXTERNAL_ADDRESS);
}

export function encodeMapRequest(r: {
  protocol: 'udp' | 'tcp';
  internalPort: number;
  suggestedExternalPort: number;
  lifetimeSeconds: number;
}): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint8(0, NATPMP_VERSION);
  v.setUint8(1, r.protocol === 'udp' ? OP_MAP_UDP : OP_MAP_TCP);
  v.setUint16(2, 0);
  v.setUint16(4, r.internalPort);
  v.setUint16(6, r.suggestedExternalPort);
  v.setUint32(8, r.lifetimeSeconds >>> 0);
  return b;
}

/** Common header of every response: version 0, opcode 128+op, result code, epoch. */
export interface NatPmpHeader {
  opcode: number;
  resultCode: number;
  epoch: number;
}

export interface ExternalAddressResponse extends NatPmpHeader {
  externalIp: string;
}

export interface MapResponse extends NatPmpHeader {
  internalPort: number;
  externalPort: number;
  lifetimeSeconds: number;
}

export function decodeHeader(data: Uint8Array): NatPmpHeader {
  if (data.length < 8) throw new NatPmpDecodeError(`NAT-PMP answer too short (${data.length} bytes)`);
  if (data.length > 1100) throw new NatPmpDecodeError(`NAT-PMP answer too long (${data.length} bytes)`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (v.getUint8(0) !== NATPMP_VERSION)
    throw new NatPmpDecodeError(`NAT-PMP answer has version ${v.getUint8(0)}`);
  const op = v.getUint8(1);
  if (op < 128) throw new NatPmpDecodeError(`NAT-PMP packet with opcode ${op} is a request, not an answer`);
  return { opcode: op - 128, resultCode: v.getUint16(2), epoch: v.getUint32(4) };
}

/** Decodes an answer to opcode 0. A non-zero result may come without the address. */
export function decodeExternalAddressResponse(data: Uint8Array): ExternalAddressResponse {
  const h = decodeHeader(data);
  if (h.opcode !== OP_EXTERNAL_ADDRESS)
    throw new NatPmpDecodeError(`expected an external-address answer, got opcode ${h.opcode}`);
  if (h.resultCode !== 0) return { ...h, externalIp: '' };
  if (data.length < 12)
    throw new NatPmpDecodeError(`NAT-PMP external-address answer too short (${data.length} bytes)`);
  return { ...h, externalIp: `${data[8]}.${data[9]}.${data[10]}.${data[11]}` };
}

export function decodeMapResponse(data: Uint8Array, protocol: 'udp' | 'tcp'): MapResponse {
  const h = decodeHeader(data);
  const want = protocol === 'udp' ? OP_MAP_UDP : OP_MAP_TCP;
  if (h.opcode !== want)
    throw new NatPmpDecodeError(`expected a map answer for opcode ${want}, got opcode ${h.opcode}`);
  if (h.resultCode !== 0) return { ...h, internalPort: 0, externalPort: 0, lifetimeSeconds: 0 };
  if (data.length < 16) throw new NatPmpDecodeError(`NAT-PMP map answer too short (${data.length} bytes)`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    ...h,
    internalPort: v.getUint16(8),
    externalPort: v.getUint16(10),
    lifetimeSeconds: v.getUint32(12),
  };
}
