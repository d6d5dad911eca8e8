/**
 * The STUN-mapped address of an existing socket — the RTP, RTCP or SIP socket itself, because the
 * mapping that matters for "advertise the STUN-mapped address" is that socket's. One Binding
 * transaction (RFC 8489 §6, retransmissions per §6.2.1) on the shared STUN engine; the socket is
 * borrowed, read only for the transaction's duration, and never closed here.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { UdpSocket } from '../net/network.ts';
import { createMessage } from '../stun/message.ts';
import { mappedOf } from '../stun/probe.ts';
import { StunUdpPort, udpTransaction } from '../stun/transaction.ts';

export async function stunMappedAddress(
  socket: UdpSocket,
  server: Endpoint,
  clock: Clock,
  signal?: AbortSignal,
  totalMs = 3000,
): Promise<Endpoint | null> {
  const port = new StunUdpPort(socket);
  try {
    const outcome = await udpTransaction({
      port,
      to: server,
      message: createMessage({ cls: 'request' }),
      policy: { rtoMs: 500, maxTransmissions: 7, lastWaitFactor: 16, deadlineMs: totalMs },
      clock,
      signal,
    });
    return mappedOf(outcome);
  } finally {
    port.detach();
  }
}
