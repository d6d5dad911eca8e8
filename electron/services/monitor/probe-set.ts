/**
 * One interval's light probe set, and the resources it keeps for the whole run: the SIP port's
 * socket (STUN from it, and the registration over it, like a phone's), the router probe's IGD
 * location. Order: STUN and the router together (the STUN inbound check must come before the
 * SIP socket sends anything), then the registration refresh, then — every Nth interval — the echo
 * call. Each part reports its own failure in its section; an interval never throws for the network.
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { MonitorOptions, MonitorSample } from '../../../shared/contracts/monitor.ts';
import { hostOfEndpoint, parseHostPort, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { Network, UdpSocket } from '../../engine/net/network.ts';
import { StunUdpPort } from '../../engine/stun/index.ts';
import { echoProbe, type EchoCaller } from './echo-probe.ts';
import { RegistrationProbe } from './registration-probe.ts';
import { RouterProbe, type RouterProber } from './router-probe.ts';
import { StunProbe } from './stun-probe.ts';

export interface ProbeSetDeps {
  network: Network;
  clock: Clock;
  /** The local address the OS would use towards a host (no packet sent). */
  routeSource: (target: string) => Promise<string | null>;
  router: RouterProber;
  call: EchoCaller;
  wallNow: () => number;
}

export interface ProbeSet {
  run(seq: number, signal: AbortSignal): Promise<MonitorSample>;
  close(): Promise<void>;
}

async function resolve(network: Network, text: string, defaultPort: number): Promise<Endpoint> {
  let hp: { host: string; port: number };
  try {
    hp = parseHostPort(text, defaultPort);
  } catch (err) {
    throw new NatScopeError('bad-request', `bad server address "${text}": ${(err as Error).message}`);
  }
  const address = (await network.resolve(hp.host, 4).catch(() => [] as string[]))[0];
  if (!address) throw new NatScopeError('unreachable', `cannot resolve ${hp.host}`);
  return { address, port: hp.port };
}

async function bindSipPort(network: Network, address: string | undefined, port: number): Promise<UdpSocket> {
  try {
    return await network.bindUdp({ address, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NatScopeError(
      code === 'EADDRINUSE' ? 'refused' : 'not-supported',
      code === 'EADDRINUSE'
        ? `local UDP port ${port} is in use (a softphone or PBX on this computer?): pass another --sip-port`
        : `cannot bind UDP port ${port}: ${(err as Error).message}`,
    );
  }
}

export async function openProbeSet(deps: ProbeSetDeps, o: MonitorOptions): Promise<ProbeSet> {
  const { network, clock } = deps;
  const stunServer = o.stunServer ? await resolve(network, o.stunServer, 3478) : null;
  const towards =
    stunServer?.address ?? (o.account ? (await resolve(network, o.account.registrar, 5060)).address : null);
  const localAddress = towards ? ((await deps.routeSource(towards)) ?? undefined) : undefined;
  const sipSocket = stunServer || o.account ? await bindSipPort(network, localAddress, o.sipPort) : null;
  const sipStun = sipSocket ? new StunUdpPort(sipSocket) : null;
  const stun =
    stunServer && sipStun
      ? new StunProbe({
          network,
          clock,
          server: stunServer,
          label: o.stunServer!,
          sip: sipStun,
          localAddress,
          pings: o.pings,
        })
      : null;
  const registration =
    o.account && sipSocket
      ? new RegistrationProbe({
          network,
          clock,
          socket: sipSocket,
          account: o.account,
          expiresSec: Math.min(3600, Math.max(120, Math.ceil(o.intervalSec * 3))),
        })
      : null;
  const router = o.router ? new RouterProbe(deps.router) : null;

  return {
    // Each interval gets its own signal, linked to the run's and dropped after it: whatever a probe
    // leaves listening on it goes with the interval instead of piling up on a signal that lives for days.
    run: (seq, runSignal) => withChildSignal(runSignal, (signal) => runInterval(seq, signal)),
    async close() {
      await registration?.close().catch(() => {});
      sipStun?.detach();
      await sipSocket?.close().catch(() => {});
    },
  };

  async function runInterval(seq: number, signal: AbortSignal): Promise<MonitorSample> {
    const started = deps.wallNow();
    const t0 = clock.now();
    const [stunSample, routerSample] = await Promise.all([
      stun?.run(signal).catch((err: Error) => {
        if (signal.aborted) throw err;
        return null;
      }) ?? null,
      router?.run(signal) ?? null,
    ]);
    const reg = registration ? await registration.refresh(signal) : null;
    const echo = o.echoUri && seq % o.echoEvery === 0 ? await echoProbe(deps.call, o, signal) : null;
    const stunIp = stunSample?.sipPort.mapped ?? stunSample?.randomPort.mapped ?? null;
    return {
      type: 'interval',
      seq,
      at: new Date(started).toISOString(),
      durationMs: Math.round(clock.now() - t0),
      publicIp: stunIp ? hostOfEndpoint(stunIp) : (routerSample?.externalIp ?? null),
      stun: stunSample,
      router: routerSample,
      registration: reg,
      echo,
    };
  }
}

/** Runs `fn` with a fresh signal that aborts with `parent`; the link is removed afterwards. */
export async function withChildSignal<T>(
  parent: AbortSignal,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const child = new AbortController();
  const onAbort = () => child.abort(parent.reason);
  if (parent.aborted) onAbort();
  else parent.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(child.signal);
  } finally {
    parent.removeEventListener('abort', onAbort);
  }
}
