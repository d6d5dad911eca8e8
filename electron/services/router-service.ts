/**
 * Router service: what the router's UPnP IGD, NAT-PMP and PCP say, its mapping table, and safe
 * add / delete / verify of mappings. The protocols are port mappers (engine/mappings/port-mapper.ts,
 * listed in router/mappers.ts); this service only orchestrates them. Safety rules live HERE (not
 * only in the UI):
 * - add needs `confirmExposure: true`; every mapping has a lease (default 600 s);
 * - a ledger entry is written before the router is asked, so crashes leave a record; mappings of
 *   this process are removed on cancel and on `releaseSession()` (exit); leftovers of dead
 *   processes are removed at the first router call of the next run;
 * - a mapping NatScope did not create is only deleted with `userPicked: true`.
 */
import type { CleanupOutput } from '../../shared/contracts/router.ts';
import { currentOwner } from '../engine/mappings/ledger.ts';
import { addMapping } from './router/add.ts';
import type { RouterContext, RouterServiceDeps } from './router/context.ts';
import { listMappings } from './router/list.ts';
import { createMappers } from './router/mappers.ts';
import { probeRouter } from './router/probe.ts';
import { cleanupStale, deleteMapping, releaseSession } from './router/remove.ts';
import { locateRouter, type RouterTarget } from './router/site.ts';
import { verifyMapping } from './router/verify.ts';

export type { RouterServiceDeps } from './router/context.ts';

type Args<F> = F extends (rc: RouterContext, ...rest: infer A) => unknown ? A : never;

export function createRouterService(deps: RouterServiceDeps) {
  const wallNow = deps.wallNow ?? (() => Date.now());
  let staleCleanup: Promise<CleanupOutput> | null = null;
  const rc: RouterContext = {
    deps,
    mappers: createMappers({
      network: deps.network,
      clock: deps.clock,
      wallNow,
      retry: deps.retry,
      ssdpTimeoutMs: deps.ssdpTimeoutMs,
      httpTimeoutMs: deps.httpTimeoutMs,
    }),
    ledger: deps.ledger,
    wallNow,
    owner: currentOwner(),
    session: new Set(),
    refusals: [],
    ensureStaleCleanup: () =>
      (staleCleanup ??= cleanupStale(rc).catch((err: unknown) => ({
        removed: [],
        failed: [],
        expired: 0,
        error: err instanceof Error ? err.message : String(err),
      }))),
    locate: (target: RouterTarget) => locateRouter(deps.system, target),
  };
  return {
    probe: (...a: Args<typeof probeRouter>) => probeRouter(rc, ...a),
    listMappings: (...a: Args<typeof listMappings>) => listMappings(rc, ...a),
    addMapping: (...a: Args<typeof addMapping>) => addMapping(rc, ...a),
    deleteMapping: (...a: Args<typeof deleteMapping>) => deleteMapping(rc, ...a),
    verifyMapping: (...a: Args<typeof verifyMapping>) => verifyMapping(rc, ...a),
    cleanupStale: async (_input: RouterTarget = {}, signal?: AbortSignal) => {
      const r = await cleanupStale(rc, signal);
      staleCleanup ??= Promise.resolve(r);
      return r;
    },
    releaseSession: (only: { gateway?: string } = {}) => releaseSession(rc, only),
    /** Ledger ids of this run's mappings (for tests and front doors). */
    sessionIds: () => [...rc.session],
  };
}

export type RouterService = ReturnType<typeof createRouterService>;
