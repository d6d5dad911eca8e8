import { nodeSystemSource } from '../engine/netinfo/system-source.ts';
import { createAlgService } from './alg-service.ts';
import {
  checkDefaultsFromEnv,
  createAppService,
  type CheckDefaultsOverride,
  type HostKind,
} from './app-service.ts';
import { createCompanionService } from './companion-service.ts';
import { nodeListenTcp } from '../engine/companion/tcp-listener.ts';
import { takeNetworkSnapshot } from '../engine/netinfo/snapshot.ts';
import { createCallService } from './call-service.ts';
import { createNatService } from './nat-service.ts';
import { createNetworkService } from './network-service.ts';
import { createRouterService } from './router-service.ts';
import { createReportService } from './report-service.ts';
import { createTurnService } from './turn/turn-service.ts';
import { createWebSocketService } from './websocket-service.ts';
import { nodeNetwork } from '../engine/net/node-network.ts';
import { systemClock } from '../engine/clock/clock.ts';
import { defaultStateDir, openLedger } from '../engine/mappings/ledger.ts';
import { openRefusalLog } from '../engine/mappings/refusal-log.ts';
import { createSessionResults } from './session-results.ts';
import { createMonitorService } from './monitor/monitor-service.ts';

/**
 * The only API the front doors (Electron IPC, web host, CLI) call. Each service orchestrates engine
 * components, which get their network, clock and system access injected here.
 */
export interface ServiceOptions {
  /** HTML → PDF, provided by the Electron main process (printToPDF); absent in headless hosts. */
  pdf?: (html: string) => Promise<Uint8Array>;
  /** "Check my connection" defaults set by the host (serve flags); NATSCOPE_* environment variables otherwise. */
  checkDefaults?: CheckDefaultsOverride;
}

export function createServices(host: HostKind, options: ServiceOptions = {}) {
  const call = createCallService({
    network: nodeNetwork,
    clock: systemClock,
    routeSource: nodeSystemSource.routeSource,
  });
  const base = {
    alg: createAlgService({
      network: nodeNetwork,
      clock: systemClock,
      primaryAddress: async () => (await takeNetworkSnapshot(nodeSystemSource)).primary?.address ?? null,
    }),
    app: createAppService(host, options.checkDefaults ?? checkDefaultsFromEnv(process.env)),
    companion: createCompanionService({
      network: nodeNetwork,
      clock: systemClock,
      listenTcp: nodeListenTcp,
      platform: process.platform,
    }),
    call,
    nat: createNatService({ network: nodeNetwork, clock: systemClock, system: nodeSystemSource }),
    network: createNetworkService(nodeSystemSource),
    turn: createTurnService({
      network: nodeNetwork,
      clock: systemClock,
      routeSource: nodeSystemSource.routeSource,
      call: { echoTest: (i, c) => call.echoTest(i, c) },
    }),
    websocket: createWebSocketService({
      network: nodeNetwork,
      clock: systemClock,
      routeSource: nodeSystemSource.routeSource,
    }),
    router: createRouterService({
      network: nodeNetwork,
      clock: systemClock,
      system: nodeSystemSource,
      ledger: openLedger(defaultStateDir()),
      refusalLog: openRefusalLog(defaultStateDir()),
    }),
  };
  // Diagnosis, reports and the monitor orchestrate the other services, so they are built on top of them.
  const session = createSessionResults();
  return {
    ...base,
    session,
    report: createReportService({ ...base, pdf: options.pdf, session }),
    monitor: createMonitorService({
      network: nodeNetwork,
      clock: systemClock,
      routeSource: nodeSystemSource.routeSource,
      router: base.router,
      call: base.call,
      stateDir: defaultStateDir(),
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
