/**
 * What the router service's parts share for the life of the service: the mappers, the lease
 * ledger, the mappings this process made (removed on exit), the refusals seen (double-NAT signs).
 */
import type { CleanupOutput, MappingVia } from '../../../shared/contracts/router.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { LedgerOwner, MappingLedger } from '../../engine/mappings/ledger.ts';
import type { MapperSite } from '../../engine/mappings/port-mapper.ts';
import type { ReachabilityProber } from '../../engine/mappings/reachability.ts';
import type { RefusalLog } from '../../engine/mappings/refusal-log.ts';
import type { Network } from '../../engine/net/network.ts';
import type { RetryPolicy } from '../../engine/natpmp/transact.ts';
import type { SystemSource } from '../../engine/netinfo/system-source.ts';
import type { Mappers } from './mappers.ts';
import type { RouterTarget } from './site.ts';

export interface RouterServiceDeps {
  network: Network;
  clock: Clock;
  system: SystemSource;
  ledger: MappingLedger;
  /** Outside helper for reachability checks; default: none ("unverified"). */
  prober?: ReachabilityProber;
  /** Remembers double-NAT refusals across runs for the read-only router report. */
  refusalLog?: RefusalLog;
  /** Wall clock (ms since 1970) for leases in the ledger. */
  wallNow?: () => number;
  retry?: RetryPolicy;
  ssdpTimeoutMs?: number;
  httpTimeoutMs?: number;
}

export interface RouterContext {
  deps: RouterServiceDeps;
  mappers: Mappers;
  ledger: MappingLedger;
  wallNow: () => number;
  owner: LedgerOwner;
  /** Ledger ids created by this process and not kept: removed by releaseSession(). */
  session: Set<string>;
  /** Protocol refusals seen by this process (evidence for "mappings refused" / double NAT). */
  refusals: { via: MappingVia; code: number }[];
  /** The leftover cleanup of earlier runs, once per process, before the first router operation. */
  ensureStaleCleanup(): Promise<CleanupOutput>;
  locate(target: RouterTarget): Promise<MapperSite>;
}
