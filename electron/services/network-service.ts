import type { Hops, NetworkSnapshot } from '../../shared/contracts/network.ts';
import { probeHops } from '../engine/path/hop-probe.ts';
import { takeNetworkSnapshot } from '../engine/netinfo/snapshot.ts';
import type { SystemSource } from '../engine/netinfo/system-source.ts';

export function createNetworkService(src: SystemSource) {
  return {
    snapshot(): Promise<NetworkSnapshot> {
      return takeNetworkSnapshot(src);
    },
    /** The first routers towards `target` (system ping with rising TTL): reveals a CGN in 100.64/10. */
    async hops({ target }: { target: string }): Promise<Hops> {
      try {
        const hops = await probeHops(
          target,
          (args, ms) => src.run(src.platform === 'win32' ? 'ping.exe' : 'ping', args, ms),
          src.platform,
        );
        const silent = hops.every((h) => h.address === null);
        return {
          target,
          hops,
          error: silent ? 'no router answered (ICMP filtered, or no ping on this system)' : null,
        };
      } catch (err) {
        return { target, hops: [], error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
