/**
 * The outside end of the reachability check (see reachability.ts for the protocol): answers a
 * probe request by sending a token datagram to the requester's own address at the asked port.
 * It never sends to any other address, and at most 20 requests per source address per 10 s are
 * served. Each probe leaves from a FRESH socket: a NAT keeps a connection-tracking entry for an
 * earlier, unanswered probe from the same source port (30 s on Linux), and that stale entry would
 * bypass a mapping made since. Runs on a host outside the NAT (the lab's server, a companion server).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Network, UdpSocket } from '../net/network.ts';

export async function startProbeHelper(
  network: Network,
  bind: Endpoint,
): Promise<{ local: Endpoint; close(): Promise<void> }> {
  const socket: UdpSocket = await network.bindUdp({ address: bind.address, port: bind.port, family: 4 });
  const budget = new Map<string, { count: number; since: number }>();
  const senders = new Set<UdpSocket>();
  socket.onMessage((d, from) => {
    const m = /^NATSCOPE-PROBE\/1 (\d{1,5}) ([0-9a-f]{16,64})$/.exec(
      new TextDecoder().decode(d.subarray(0, 200)),
    );
    if (!m) return;
    const port = Number(m[1]);
    if (port < 1 || port > 65535) return;
    const now = Date.now();
    const b = budget.get(from.address);
    if (!b || now - b.since > 10_000) budget.set(from.address, { count: 1, since: now });
    else if (++b.count > 20) return;
    const token = m[2]!;
    void socket
      .send(new TextEncoder().encode(`NATSCOPE-PROBE-ACK/1 ${token} ${from.address}:${port}`), from)
      .catch(() => {});
    const data = new TextEncoder().encode(`NATSCOPE-PROBE-DATA/1 ${token}`);
    void network.bindUdp({ address: bind.address, family: 4 }).then((sender) => {
      senders.add(sender);
      // A few copies: UDP may drop one.
      for (const delay of [0, 100, 300]) {
        setTimeout(
          () => void sender.send(data, { address: from.address, port }).catch(() => {}),
          delay,
        ).unref();
      }
      setTimeout(() => {
        senders.delete(sender);
        void sender.close();
      }, 1000).unref();
    });
  });
  return {
    local: socket.local,
    close: async () => {
      await socket.close();
      await Promise.all([...senders].map((s) => s.close()));
    },
  };
}
