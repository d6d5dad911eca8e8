/**
 * Binds an RTP/RTCP socket pair: RTP on an even port, RTCP on the next odd one (RFC 3550 §11),
 * from a configurable range like FreeSWITCH's rtp-start-port / rtp-end-port.
 */
import type { Network, UdpSocket } from '../net/network.ts';

export interface PortRange {
  start: number;
  end: number;
}

export const DEFAULT_RTP_RANGE: PortRange = { start: 16384, end: 32767 };

export async function bindRtpPair(
  network: Network,
  o: { address?: string; range: PortRange; attempts?: number; random?: () => number },
): Promise<{ rtp: UdpSocket; rtcp: UdpSocket }> {
  const first = o.range.start + (o.range.start % 2);
  const pairs = Math.floor((o.range.end - first + 1) / 2);
  if (pairs < 1) throw new Error(`RTP port range ${o.range.start}-${o.range.end} holds no even/odd pair`);
  const attempts = Math.min(pairs, o.attempts ?? 50);
  // Start at a random pair so concurrent tests do not collide on the first port.
  const offset = Math.floor((o.random ?? Math.random)() * pairs);
  let lastError: unknown = null;
  for (let i = 0; i < attempts; i++) {
    const port = first + ((offset + i) % pairs) * 2;
    let rtp: UdpSocket | null = null;
    try {
      rtp = await network.bindUdp({ address: o.address, port });
      const rtcp = await network.bindUdp({ address: o.address, port: port + 1 });
      return { rtp, rtcp };
    } catch (err) {
      lastError = err;
      await rtp?.close();
    }
  }
  throw new Error(
    `no free RTP/RTCP port pair in ${o.range.start}-${o.range.end} after ${attempts} tries: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}
