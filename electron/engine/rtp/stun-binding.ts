/**
 * A minimal STUN Binding request (RFC 8489 §6 / RFC 5389) sent from an existing socket — the
 * RTP or SIP socket itself, because the mapping that matters is that socket's. Reads
 * XOR-MAPPED-ADDRESS (§14.2), falling back to MAPPED-ADDRESS (§14.1). Retransmits per §6.2.1
 * (RTO 500 ms, doubling) within a bounded total wait.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../clock/clock.ts';
import type { UdpSocket } from '../net/network.ts';

const MAGIC = 0x2112a442;

export function buildBindingRequest(txId: Uint8Array): Uint8Array {
  const b = new Uint8Array(20);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0x0001);
  v.setUint16(2, 0);
  v.setUint32(4, MAGIC);
  b.set(txId, 8);
  return b;
}

export function parseBindingResponse(data: Uint8Array, txId: Uint8Array): Endpoint | null {
  if (data.length < 20) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (v.getUint16(0) !== 0x0101 || v.getUint32(4) !== MAGIC) return null;
  for (let i = 0; i < 12; i++) if (data[8 + i] !== txId[i]) return null;
  const len = v.getUint16(2);
  let mapped: Endpoint | null = null;
  for (let off = 20; off + 4 <= Math.min(data.length, 20 + len);) {
    const type = v.getUint16(off);
    const alen = v.getUint16(off + 2);
    const val = off + 4;
    if (val + alen > data.length) break;
    if ((type === 0x0020 || type === 0x0001) && alen >= 8 && v.getUint8(val + 1) === 0x01) {
      let port = v.getUint16(val + 2);
      let addr = v.getUint32(val + 4);
      if (type === 0x0020) {
        port ^= MAGIC >>> 16;
        addr = (addr ^ MAGIC) >>> 0;
      }
      const ep = {
        address: [addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255].join('.'),
        port,
      };
      if (type === 0x0020) return ep;
      mapped = ep;
    }
    off = val + Math.ceil(alen / 4) * 4;
  }
  return mapped;
}

export async function stunMappedAddress(
  socket: UdpSocket,
  server: Endpoint,
  clock: Clock,
  signal?: AbortSignal,
  totalMs = 3000,
): Promise<Endpoint | null> {
  const txId = new Uint8Array(12);
  crypto.getRandomValues(txId);
  const request = buildBindingRequest(txId);
  let result: Endpoint | null = null;
  const unsub = socket.onMessage((data) => {
    result ??= parseBindingResponse(data, txId);
  });
  try {
    let rto = 500;
    for (let waited = 0; waited < totalMs && !result;) {
      await socket.send(request, server).catch(() => {});
      const step = Math.min(rto, totalMs - waited);
      for (let t = 0; t < step && !result; t += 50) await sleep(clock, 50, signal);
      waited += step;
      rto *= 2;
    }
    return result;
  } finally {
    unsub();
  }
}
