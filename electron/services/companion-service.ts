import type { DemoServer } from '../../shared/contracts/alg.ts';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import { formatEndpoint } from '../../shared/model/endpoint.ts';
import type { Clock } from '../engine/clock/clock.ts';
import type { Network } from '../engine/net/network.ts';
import {
  startCompanionServer,
  type CompanionServer,
  type CompanionServerOptions,
} from '../engine/companion/companion-server.ts';
import { silentLogger, type CompanionLogger } from '../engine/companion/logger.ts';
import type { ListenTcp } from '../engine/companion/tcp-listener.ts';
import { startSimulatedRouter, type SimulatedRouter } from '../engine/upnp/testing/simulated-router.ts';

export interface CompanionServiceDeps {
  network: Network;
  clock: Clock;
  listenTcp: ListenTcp;
  platform: string;
  /** Removes the mappings this run made on a router (the simulated one, before it goes away). */
  releaseMappings?: (gateway: string) => Promise<unknown>;
}

export type ServeOptions = Omit<CompanionServerOptions, 'network' | 'listenTcp' | 'clock' | 'logger'> & {
  logger?: CompanionLogger;
};

export const DEMO_PRIMARY = '127.0.0.2';
export const DEMO_ALTERNATE = '127.0.0.1';
/** The simulated router's address: its own loopback address where 127.0.0.2 works, else 127.0.0.1. */
export const DEMO_ROUTER = '127.0.0.3';
/** Port sets tried in turn for the demo (the standard ones first, then ones unlikely to be taken). */
const DEMO_PORTS = [
  { stun: 3478, stunAlt: 3479, sip: 5060, sipAlt: 5062 },
  { stun: 13478, stunAlt: 13479, sip: 15060, sipAlt: 15062 },
  { stun: 23478, stunAlt: 23479, sip: 25060, sipAlt: 25062 },
];

/**
 * The companion server as a service: `natscope server` (public host, runs until stopped) and the
 * loopback demo behind "Try it offline" / `natscope demo` (127.0.0.2 + 127.0.0.1, one at a time).
 */
export function createCompanionService(deps: CompanionServiceDeps) {
  let demo: { server: CompanionServer; router: SimulatedRouter | null; info: DemoServer } | null = null;
  let starting: Promise<DemoServer> | null = null;

  async function startDemoOnce(): Promise<DemoServer> {
    const warnings: string[] = [];
    let alternate: string | null = DEMO_ALTERNATE;
    let primary = DEMO_PRIMARY;
    if (!(await canBind(deps.network, DEMO_PRIMARY))) {
      // macOS routes only 127.0.0.1 to lo0 unless an alias is added.
      warnings.push(
        `${DEMO_PRIMARY} is not usable on this machine${deps.platform === 'darwin' ? ' (macOS: run `sudo ifconfig lo0 alias 127.0.0.2 up` to add it)' : ''}: the demo runs on 127.0.0.1 alone, so the RFC 5780 tests that need a second server address are skipped`,
      );
      primary = DEMO_ALTERNATE;
      alternate = null;
    }
    let lastErr: unknown;
    for (const ports of DEMO_PORTS) {
      try {
        const server = await startCompanionServer({
          address: primary,
          alternateAddress: alternate ?? undefined,
          stunPort: ports.stun,
          stunAltPort: ports.stunAlt,
          sipPorts: [ports.sip, ports.sipAlt],
          network: deps.network,
          listenTcp: deps.listenTcp,
          clock: deps.clock,
          logger: silentLogger,
          // the demo client is the only user: generous limits so every step can run at once
          limits: { sipPerSec: 200, sipBurst: 400, stunPerSec: 500, stunBurst: 1000 },
        });
        // The router step talks to a simulated router on loopback, never to the real LAN.
        const router = await startSimulatedRouter(
          deps.network,
          deps.listenTcp,
          alternate ? DEMO_ROUTER : DEMO_ALTERNATE,
        ).catch((e: Error) => {
          warnings.push(
            `the simulated router could not start (${e.message}): the demo skips the router step`,
          );
          return null;
        });
        if (ports.sip !== 5060)
          warnings.push(
            `the standard ports were busy; the demo uses STUN ${ports.stun}/${ports.stunAlt} and SIP ${ports.sip}/${ports.sipAlt}`,
          );
        const info: DemoServer = {
          label: 'loopback demo',
          running: true,
          stun: { primary, alternate, ports: [ports.stun, ports.stunAlt] },
          reflector: formatEndpoint({ address: primary, port: ports.sip }),
          altPort: ports.sipAlt,
          echoUri: `sip:echo@${formatEndpoint({ address: primary, port: ports.sip })}`,
          router: router ? { gateway: router.gateway, igdLocation: router.igdLocation } : null,
          warnings,
        };
        demo = { server, router, info };
        return info;
      } catch (err) {
        lastErr = err;
        if (!/EADDRINUSE|address already in use/i.test(String(err))) break;
      }
    }
    throw new NatScopeError(
      'internal',
      `could not start the loopback demo server: ${lastErr instanceof Error ? lastErr.message : String(lastErr)}`,
    );
  }

  return {
    /** Starts a companion server with the given options (for `natscope server`). */
    serve(o: ServeOptions): Promise<CompanionServer> {
      return startCompanionServer({
        ...o,
        network: deps.network,
        listenTcp: deps.listenTcp,
        clock: deps.clock,
        logger: o.logger ?? silentLogger,
      });
    },
    async startDemo(): Promise<DemoServer> {
      if (demo) return demo.info;
      starting ??= startDemoOnce().finally(() => (starting = null));
      return starting;
    },
    async stopDemo(): Promise<{ stopped: boolean }> {
      if (!demo) return { stopped: false };
      const d = demo;
      demo = null;
      // Mappings made on the simulated router go first, or the ledger would keep them as leftovers.
      if (d.router) await deps.releaseMappings?.(d.router.gateway).catch(() => undefined);
      await Promise.all([d.server.close(), d.router?.close()]);
      return { stopped: true };
    },
  };
}

async function canBind(network: Network, address: string): Promise<boolean> {
  try {
    const s = await network.bindUdp({ address, port: 0 });
    await s.close();
    return true;
  } catch {
    return false;
  }
}
