/**
 * The companion STUN server over batched sockets (net/udp-batch.ts: recvmmsg/sendmmsg on the
 * event loop), chosen by stun-server.ts when the native addon is there. Same answers, limits and
 * logs as its node:dgram path — the same StunFastAnswer writes each answer (straight into the
 * outbox slot it leaves from), the same general path answers the rest — but a block of datagrams
 * per call into JavaScript and one sendmmsg per block, with the source address kept as bytes:
 * no string, object or buffer per datagram (issue #19).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { DatagramBlock, UdpBatchGroup, UdpBatchSocket } from '../net/udp-batch.ts';
import { looksLikeStun } from '../stun/codec.ts';
import type { ServerSlot } from '../stun/server.ts';
import { KEY_IPV4, KEY_IPV6_64 } from './source-key.ts';
import { FALLBACK, OVER_BUDGET } from './stun-fast-answer.ts';
import type { CompanionStunServer, StunAnswering } from './stun-server.ts';

export function serveBatched(a: StunAnswering, group: UdpBatchGroup): CompanionStunServer {
  const { o, fast, stats, debug } = a;
  const out = group.outbox;
  const outViews = Array.from({ length: out.slots }, (_, j) =>
    out.bytes.subarray(out.offset(j), out.offset(j) + out.slotBytes),
  );
  // one socket per (address, port), at index ip * 2 + port
  const sockets: UdpBatchSocket[] = [];
  let pending = 0;
  const flush = () => {
    if (pending > 0) group.send(pending);
    pending = 0;
  };
  try {
    for (const s of a.slots)
      sockets[s.ip * 2 + s.port] = group.bind(
        {
          address: o.ips[s.ip],
          port: o.ports[s.port],
          receiveBufferBytes: a.receiveBufferBytes,
          reusePort: o.reusePort,
        },
        (inbox, count) => {
          for (let i = 0; i < count; i++) answerOne(inbox, i, s);
          flush();
        },
      );
  } catch (err) {
    group.close();
    throw err;
  }
  a.checkReceiveBuffer(sockets[0]?.receiveBufferBytes);

  const source = (inbox: DatagramBlock, i: number): Endpoint => ({
    address: inbox.addressText(i),
    port: inbox.port(i),
  });
  const dropped = (reason: string, inbox: DatagramBlock, i: number) => {
    stats.dropped++;
    if (debug) o.logger.log('debug', 'stun.drop', { reason, source: formatEndpoint(source(inbox, i)) });
  };

  function answerOne(inbox: DatagramBlock, i: number, s: ServerSlot): void {
    const length = inbox.length(i);
    const at = inbox.offset(i);
    const data = inbox.bytes.subarray(at, at + length);
    if (inbox.truncated(i) || length > a.maxRequestBytes || !looksLikeStun(data)) {
      stats.dropped++;
      return;
    }
    const family = inbox.family(i);
    const r = inbox.recordBytes;
    const p = inbox.addressOffset(i);
    const w0 = ((r[p]! << 24) | (r[p + 1]! << 16) | (r[p + 2]! << 8) | r[p + 3]!) >>> 0;
    const plain = family === 4 || !isV4MappedAt(r, p); // a mapped address is counted as its IPv4 source
    const allowed = !plain
      ? o.rateLimiter.allowAddress(inbox.addressText(i))
      : family === 4
        ? o.rateLimiter.allowKey(KEY_IPV4, 0, w0)
        : o.rateLimiter.allowKey(
            KEY_IPV6_64,
            w0,
            ((r[p + 4]! << 24) | (r[p + 5]! << 16) | (r[p + 6]! << 8) | r[p + 7]!) >>> 0,
          );
    if (!allowed) return dropped('rate-limit', inbox, i);

    const slot = pending;
    fast.out = outViews[slot]!;
    const n =
      inbox.scope(i) !== 0
        ? FALLBACK // a scoped (link-local) source: the general path keeps its zone
        : fast.answerBytes(data, r, p, family === 4 ? 4 : 16, inbox.port(i), s.ip, s.port);
    if (n === OVER_BUDGET) return dropped('answer over 3x', inbox, i);
    if (n === FALLBACK) return answerInGeneral(inbox, i, s, data);
    stats.answered++;
    const from = sockets[fast.fromIp * 2 + fast.fromPort] ?? sockets[s.ip * 2 + s.port]!;
    queue(inbox, i, n, from, fast.toPort);
    if (debug)
      o.logger.log('debug', 'stun.answer', {
        source: formatEndpoint(source(inbox, i)),
        from: formatEndpoint({ address: o.ips[fast.fromIp]!, port: o.ports[fast.fromPort]! }),
      });
  }

  /** An answer in outViews[pending] goes back to the request's source IP (port: `port`). */
  function queue(inbox: DatagramBlock, i: number, length: number, from: UdpBatchSocket, port: number): void {
    const family = inbox.family(i);
    out.setRecord(pending, length, from.index, family, port, inbox.scope(i));
    out.copyAddress(pending, inbox, i, family === 4 ? 4 : 16);
    if (++pending === out.slots) flush();
  }

  /** Everything the fast path leaves: errors to answer, integrity, malformed input (logged). */
  function answerInGeneral(inbox: DatagramBlock, i: number, s: ServerSlot, data: Uint8Array): void {
    const r = a.general(data, source(inbox, i), s);
    if ('drop' in r) {
      if (r.warn) {
        stats.dropped++;
        return o.logger.log('warn', 'stun.error', { error: r.drop, source: formatEndpoint(r.client) });
      }
      stats.dropped++;
      if (debug) o.logger.log('debug', 'stun.drop', { reason: r.drop, source: formatEndpoint(r.client) });
      return;
    }
    if (!r.answer) return;
    if (r.answer.length > out.slotBytes) return dropped('answer larger than a send slot', inbox, i);
    stats.answered++;
    outViews[pending]!.set(r.answer);
    // generalStunAnswer only answers the source IP: the record's own address bytes (and zone) are it
    const from = sockets[r.from.ip * 2 + r.from.port] ?? sockets[s.ip * 2 + s.port]!;
    queue(inbox, i, r.answer.length, from, r.to.port);
    if (debug)
      o.logger.log('debug', 'stun.answer', {
        source: formatEndpoint(r.client),
        from: formatEndpoint({ address: o.ips[r.from.ip]!, port: o.ports[r.from.port] }),
        classic: r.classic,
      });
  }

  return {
    endpoints: a.slots.map((s) => ({ address: o.ips[s.ip]!, port: o.ports[s.port] })),
    stats,
    io: 'recvmmsg',
    close: async () => {
      group.close();
    },
  };
}

function isV4MappedAt(b: Uint8Array, p: number): boolean {
  for (let k = 0; k < 10; k++) if (b[p + k] !== 0) return false;
  return b[p + 10] === 0xff && b[p + 11] === 0xff;
}
