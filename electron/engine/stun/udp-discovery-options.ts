/** What a UDP NAT behaviour discovery run (discovery.ts, RFC 5780 §4) is given. */
import type { NatEvent, NatTiming } from '../../../shared/contracts/nat.ts';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';

export interface UdpDiscoveryOptions {
  network: Network;
  clock: Clock;
  /** The server as the user named it (labels logs and events). */
  server: string;
  /** Its resolved primary address. */
  target: Endpoint;
  /** Source address to bind (the OS's route source towards the server); null = wildcard. */
  localAddress: string | null;
  /** This machine's addresses, to tell "no NAT" when bound to the wildcard. */
  localAddresses?: readonly string[];
  timing: NatTiming;
  run: number;
  signal: AbortSignal;
  emit: (e: NatEvent) => void;
  /** Local SIP port to test (default 5060; null skips). */
  sipPort?: number | null;
  /** RTP range to pick a local port from (default 16384–32767, even ports). */
  rtpRange?: readonly [number, number];
  /** Try one Binding over TCP when UDP gets no answer (default true). */
  tcpFallback?: boolean;
  random?: () => number;
}
