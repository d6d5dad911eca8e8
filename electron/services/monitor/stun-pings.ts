/**
 * Loss and round-trip time of one interval, smokeping style but over STUN (RFC 8489 Binding
 * requests, one transmission each, never retransmitted): `count` requests paced `spacingMs` apart
 * from one socket, each given `waitMs` for its answer. Loss is round-trip (either leg); jitter is
 * the mean difference of consecutive round-trip times (RFC 3550 §6.4.1's D, without smoothing).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../../engine/clock/clock.ts';
import { createMessage, StunUdpPort, udpTransaction } from '../../engine/stun/index.ts';

export interface PingResult {
  sent: number;
  received: number;
  lossPercent: number | null;
  rttMs: number | null;
  jitterMs: number | null;
}

export async function stunPings(o: {
  port: StunUdpPort;
  server: Endpoint;
  clock: Clock;
  count: number;
  signal: AbortSignal;
  /** 30 ms keeps 20 pings under the companion server's 50/s per-source STUN limit. */
  spacingMs?: number;
  waitMs?: number;
}): Promise<PingResult> {
  const spacing = o.spacingMs ?? 30;
  const wait = o.waitMs ?? 1000;
  const pending: Promise<number | null>[] = [];
  for (let i = 0; i < o.count && !o.signal.aborted; i++) {
    if (i > 0) await sleep(o.clock, spacing, o.signal).catch(() => {});
    pending.push(
      udpTransaction({
        port: o.port,
        to: o.server,
        message: createMessage({ cls: 'request' }),
        policy: { rtoMs: wait, maxTransmissions: 1, lastWaitFactor: 1, deadlineMs: wait },
        clock: o.clock,
        signal: o.signal,
      }).then((t) => (t.outcome === 'response' && t.response?.cls === 'success' ? t.rttMs : null)),
    );
  }
  const rtts = await Promise.all(pending);
  if (o.signal.aborted) throw o.signal.reason;
  return pingStats(rtts);
}

/** Stats of one burst: each entry is a round-trip time, or null for a ping that got no answer. */
export function pingStats(rtts: (number | null)[]): PingResult {
  const got = rtts.filter((r): r is number => r !== null);
  const sent = rtts.length;
  if (sent === 0) return { sent: 0, received: 0, lossPercent: null, rttMs: null, jitterMs: null };
  const sorted = [...got].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length === 0 ? null : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  let diff = 0;
  for (let i = 1; i < got.length; i++) diff += Math.abs(got[i]! - got[i - 1]!);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    sent,
    received: got.length,
    lossPercent: r2(((sent - got.length) / sent) * 100),
    rttMs: median === null ? null : r2(median),
    jitterMs: got.length > 1 ? r2(diff / (got.length - 1)) : null,
  };
}
