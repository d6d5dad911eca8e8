/**
 * TCP beside UDP discovery: a connect to the server measures the path's round trip without UDP
 * (a handshake or a refusal, both answer), so "no UDP answer" can be concluded after 4×RTT; and when
 * UDP is blocked, one Binding over that connection (RFC 8489 §6.2.2) tells "UDP blocked" from
 * "server down".
 */
import type { NatServerRun } from '../../../shared/contracts/nat.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { TcpConnection } from '../net/network.ts';
import type { UdpDiscoveryOptions } from './udp-discovery-options.ts';
import { isLocal } from './port-test.ts';
import type { RunRecorder } from './recorder.ts';
import { tcpBinding } from './tcp-discovery.ts';

export interface RttProbe {
  done: Promise<void>;
  /** Stops a connect still in progress (a path that drops SYNs must not hold the run open). */
  abort: AbortController;
  rttMs: number | null;
  conn: TcpConnection | null;
  error: string | null;
}

/** TCP connect to the server: a handshake or a refusal both measure the round trip. */
export function tcpRttProbe(o: UdpDiscoveryOptions, P: Endpoint): RttProbe {
  const t0 = o.clock.now();
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const p: RttProbe = { done: Promise.resolve(), abort, rttMs: null, conn: null, error: null };
  p.done = o.network
    .connectTcp({
      remote: P,
      localAddress: o.localAddress ?? undefined,
      timeoutMs: o.timing.timeoutMs,
      signal: abort.signal,
    })
    .then((conn) => {
      p.rttMs = o.clock.now() - t0;
      p.conn = conn;
    })
    .catch((err: unknown) => {
      const msg = err instanceof Error ? err.message : String(err);
      p.error = msg;
      // a refusal (RST) came back from the server's host: that is a round trip too
      if (/ECONNREFUSED/.test(msg) || (err as { code?: string }).code === 'ECONNREFUSED')
        p.rttMs = o.clock.now() - t0;
    })
    .finally(() => o.signal.removeEventListener('abort', onAbort));
  return p;
}

export async function tcpFallback(
  o: UdpDiscoveryOptions,
  rec: RunRecorder,
  result: NatServerRun,
  P: Endpoint,
  tcp: RttProbe,
): Promise<void> {
  rec.start('tcp-fallback', `UDP got no answer: one Binding over TCP to ${formatEndpoint(P)}`);
  if (!tcp.conn) {
    rec.finish('tcp-fallback', 'failed', null, `no STUN over TCP either (${tcp.error ?? 'no connection'})`);
    if (tcp.rttMs === null)
      rec.warn(
        'no answer over UDP or TCP: the server may be down, or everything is blocked; "udp-blocked" is uncertain',
      );
    else
      rec.warn(
        'the server’s host answers over TCP (it refused the connection) but never over UDP: UDP is blocked on this path',
      );
    return;
  }
  const r = await tcpBinding({
    network: o.network,
    clock: o.clock,
    rec,
    target: P,
    localAddress: o.localAddress,
    timeoutMs: o.timing.timeoutMs,
    signal: o.signal,
    test: 'tcp-fallback',
    step: 'Binding over TCP',
    conn: tcp.conn,
  });
  tcp.conn = null; // tcpBinding closed it
  if (r.mapped && r.local) {
    result.mappedAddress = formatEndpoint(r.mapped);
    result.localAddress = formatEndpoint(r.local);
    result.natDetected = !isLocal(r.mapped, r.local, o);
    rec.finish(
      'tcp-fallback',
      'done',
      formatEndpoint(r.mapped),
      `TCP works (mapped ${formatEndpoint(r.mapped)}) but UDP does not: UDP is blocked on this path`,
    );
    rec.warn(
      'UDP is blocked but TCP reaches the server: SIP over TCP/TLS and TURN over TCP/TLS can still work',
    );
  } else {
    rec.finish('tcp-fallback', 'failed', null, r.error ?? 'no answer over TCP either');
    rec.warn(
      'no answer over UDP or TCP: the server may be down, or everything is blocked; "udp-blocked" is uncertain',
    );
  }
}
