import type { NetworkSnapshot } from '../../shared/contracts/network.ts';
import { takeNetworkSnapshot } from '../engine/netinfo/snapshot.ts';
import type { SystemSource } from '../engine/netinfo/system-source.ts';

export function createNetworkService(src: SystemSource) {
  return {
    snapshot(): Promise<NetworkSnapshot> {
      return takeNetworkSnapshot(src);
    },
  };
}
