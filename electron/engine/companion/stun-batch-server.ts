/**
 * The companion STUN server over batched sockets (net/udp-batch.ts: recvmmsg/sendmmsg on the
 * event loop), chosen by stun-server.ts when the native addon is there. Same answers, limits and
 * logs as its node:dgram path — the same StunFastAnswer writes each answer (straight into the
 * outbox slot it leaves from), the same general path answers the rest — but a block of datagrams
 * per call into JavaScript and one sendmmsg per block, with the source address kept as bytes:
 * no string, object or buffer per datagram (issue #19).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { DatagramBlock, UdpBatchGroup, UdpBatchSocket } from '../net/udp-batch.ts';
import { looksLikeStun } from '../stun/codec.ts';
import type { ServerSlot } from '../stun/server.ts';
import { sourceKeyWordsOfBytes } from './source-key.ts';
import { FALLBACK, OVER_BUDGET } from './stun-fast-answer.ts';
import type { CompanionStunServer, StunAnswering } from './stun-server.ts';

export function serveBatched(a: StunAnswering, group: UdpBatchGroup): CompanionStunServer {
  const { o, fast, stats } = a;
  const out = group.outbox;
  const outViews = Array.from({ length: out.slots }, (_, j) =>
    out.bytes.subarray(out.offset(j), out.offset(j) + out.slotBytes),
  );
  // one socket per (address, port), at index ip * 2 + port
  const sockets: UdpBatchSocket[] = [];
  const key = new Uint32Array(3); // a source's rate-limit key, reused for every datagram
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

  // the datagram being answered, and one function (made once, not per datagram) that names its
  // source for the debug log
  let current: DatagramBlock = out;
  let currentIndex = 0;
  const source = (): Endpoint => ({
    address: current.addressText(currentIndex),
    port: current.port(currentIndex),
  });

  function answerOne(inbox: DatagramBlock, i: number, s: ServerSlot): void {
    current = inbox;
    currentIndex = i;
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
    const addressLength = family === 4 ? 4 : 16;
    sourceKeyWordsOfBytes(r, p, addressLength, key);
    if (!o.rateLimiter.allowKey(key[0]!, key[1]!, key[2]!)) return a.drop('rate-limit', source);

    fast.out = outViews[pending]!;
    const n =
      inbox.scope(i) !== 0
        ? FALLBACK // a scoped (link-local) source: the general path keeps its zone
        : fast.answerBytes(data, r, p, addressLength, inbox.port(i), s.ip, s.port);
    if (n === OVER_BUDGET) return a.drop('answer over 3x', source);
    if (n === FALLBACK) return answerInGeneral(inbox, i, s, data);
    const from = sockets[fast.fromIp * 2 + fast.fromPort] ?? sockets[s.ip * 2 + s.port]!;
    a.answered(source, fast.fromIp, fast.fromPort);
    queue(inbox, i, n, from, fast.toPort);
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
    const r = a.general(data, source(), s);
    if (!r) return;
    if (r.answer.length > out.slotBytes) return a.drop('answer larger than a send slot', source);
    outViews[pending]!.set(r.answer);
    // generalStunAnswer only answers the source IP: the record's own address bytes (and zone) are it
    const from = sockets[r.from.ip * 2 + r.from.port] ?? sockets[s.ip * 2 + s.port]!;
    a.answered(() => r.client, r.from.ip, r.from.port, r.classic);
    queue(inbox, i, r.answer.length, from, r.to.port);
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
