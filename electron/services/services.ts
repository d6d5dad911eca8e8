import type { CheckDefaultsOverride, HostKind } from './app-service.ts';
import { lazyService } from './lazy-service.ts';
import { nodeSystemSource } from '../engine/netinfo/system-source.ts';
import { createSessionResults } from './session-results.ts';
import type { runWebrtcHeadless } from './webrtc/headless-webrtc.ts';

type HeadlessArgs =
  Parameters<typeof runWebrtcHeadless> extends [infer I, infer C, infer O, unknown] ? [I, C, O] : never;

/**
 * The only API the front doors (Electron IPC, web host, CLI) call. Each service orchestrates engine
 * components, which get their network, clock and system access injected here.
 *
 * Each service is built on its first call, from modules imported then (`lazyService`), so a CLI
 * command loads only what it uses. Adding a service is one entry:
 * `name: lazyService(() => Promise.all([import('./name-service.ts'), engine()]), ([m, e]) => m.createNameService({ ...e }))`.
 */
export interface ServiceOptions {
  /** HTML → PDF, provided by the Electron main process (printToPDF); absent in headless hosts. */
  pdf?: (html: string) => Promise<Uint8Array>;
  /** "Check my connection" defaults set by the host (serve flags); NATSCOPE_* environment variables otherwise. */
  checkDefaults?: CheckDefaultsOverride;
}

/** The real network and clock, with the routing-table lookup calls need. */
async function engine() {
  const [{ nodeNetwork }, { systemClock }] = await Promise.all([
    import('../engine/net/node-network.ts'),
    import('../engine/clock/clock.ts'),
  ]);
  return { network: nodeNetwork, clock: systemClock, routeSource: nodeSystemSource.routeSource };
}

export function createServices(host: HostKind, options: ServiceOptions = {}) {
  const call = lazyService(
    () => Promise.all([import('./call-service.ts'), engine()]),
    ([m, e]) => m.createCallService(e),
  );
  const router = lazyService(
    () =>
      Promise.all([
        import('./router-service.ts'),
        engine(),
        import('../engine/mappings/ledger.ts'),
        import('../engine/mappings/refusal-log.ts'),
      ]),
    ([m, e, { openLedger, defaultStateDir }, { openRefusalLog }]) =>
      m.createRouterService({
        ...e,
        system: nodeSystemSource,
        ledger: openLedger(defaultStateDir()),
        refusalLog: openRefusalLog(defaultStateDir()),
      }),
  );
  const base = {
    alg: lazyService(
      () => Promise.all([import('./alg-service.ts'), engine(), import('../engine/netinfo/snapshot.ts')]),
      ([m, e, { takeNetworkSnapshot }]) =>
        m.createAlgService({
          ...e,
          primaryAddress: async () => (await takeNetworkSnapshot(nodeSystemSource)).primary?.address ?? null,
        }),
    ),
    app: lazyService(
      () => import('./app-service.ts'),
      (m) => m.createAppService(host, options.checkDefaults ?? m.checkDefaultsFromEnv(process.env)),
    ),
    companion: lazyService(
      () =>
        Promise.all([
          import('./companion-service.ts'),
          engine(),
          import('../engine/companion/tcp-listener.ts'),
        ]),
      ([m, e, { nodeListenTcp }]) =>
        m.createCompanionService({
          ...e,
          listenTcp: nodeListenTcp,
          platform: process.platform,
          releaseMappings: (gateway) => router.releaseSession({ gateway }),
        }),
    ),
    call,
    incoming: lazyService(
      () => Promise.all([import('./incoming/incoming-service.ts'), engine()]),
      ([m, e]) => m.createIncomingService(e),
    ),
    nat: lazyService(
      () => Promise.all([import('./nat-service.ts'), engine()]),
      ([m, e]) => m.createNatService({ ...e, system: nodeSystemSource }),
    ),
    network: lazyService(
      () => import('./network-service.ts'),
      (m) => m.createNetworkService(nodeSystemSource),
    ),
    turn: lazyService(
      () => Promise.all([import('./turn/turn-service.ts'), engine()]),
      ([m, e]) => m.createTurnService({ ...e, call: { echoTest: (i, c) => call.echoTest(i, c) } }),
    ),
    websocket: lazyService(
      () => Promise.all([import('./websocket-service.ts'), engine()]),
      ([m, e]) => m.createWebSocketService(e),
    ),
    router,
  };
  // The headless WebRTC echo (the CLI's; the app runs the echo in its own renderer).
  const webrtc = lazyService(
    () => Promise.all([import('./webrtc/headless-webrtc.ts'), engine()]),
    ([m, e]) => ({
      headless: (...[i, c, o]: HeadlessArgs) =>
        m.runWebrtcHeadless(i, c, o, {
          probe: base.websocket.probe,
          resolve: (h) => e.network.resolve(h, 4),
        }),
    }),
  );
  // Diagnosis, reports and the monitor orchestrate the other services, so they are built on top of them.
  const session = createSessionResults();
  const monitor = lazyService(
    () =>
      Promise.all([import('./monitor/monitor-service.ts'), engine(), import('../engine/mappings/ledger.ts')]),
    ([m, e, { defaultStateDir }]) =>
      m.createMonitorService({ ...e, router: base.router, call: base.call, stateDir: defaultStateDir() }),
  );
  return {
    ...base,
    webrtc,
    session,
    monitor,
    report: lazyService(
      () => import('./report-service.ts'),
      (m) =>
        m.createReportService({
          ...base,
          pdf: options.pdf,
          session,
          monitorHistory: (file) => monitor.history(file),
        }),
    ),
  };
}

export type Services = ReturnType<typeof createServices>;
