import {
  NatTimingSchema,
  type NatDiscoverInputSchema,
  type NatEvent,
  type NatReport,
  type NatServerListEntry,
  type NatServerRun,
  type NatTiming,
} from '../../shared/contracts/nat.ts';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import { formatEndpoint, parseHostPort, type Endpoint } from '../../shared/model/endpoint.ts';
import { compareRuns } from '../../shared/model/nat-compare.ts';
import { judgeUdp } from '../../shared/model/udp-verdict.ts';
import { DEFAULT_NAT_SERVERS, DEFAULT_STUN_PORT } from '../../shared/model/nat-servers.ts';
import type { z } from 'zod';
import type { Clock } from '../engine/clock/clock.ts';
import type { Network } from '../engine/net/network.ts';
import type { SystemSource } from '../engine/netinfo/system-source.ts';
import { discoverTcp } from '../engine/stun/tcp-discovery.ts';
import { discoverUdp } from '../engine/stun/discovery.ts';
import { ipFamily } from '../engine/stun/ip.ts';
import { measureLifetime } from '../engine/stun/lifetime.ts';
import { ProbeContext } from '../engine/stun/probe.ts';
import { RunRecorder } from '../engine/stun/recorder.ts';
import type { CallContext } from './call-context.ts';

export interface NatServiceDeps {
  network: Network;
  clock: Clock;
  /** routeSource: the local address the OS would use towards a target (no packet sent); interfaces: "is there a NAT?". */
  system: Pick<SystemSource, 'routeSource' | 'networkInterfaces'>;
}

function localAddresses(system: NatServiceDeps['system']): string[] {
  return Object.values(system.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal)
    .map((a) => a.address);
}

type DiscoverInput = z.output<typeof NatDiscoverInputSchema>;

interface Target {
  label: string;
  endpoint: Endpoint | null;
  error: string | null;
}

/**
 * NAT behaviour discovery (issue #4): runs the RFC 5780 tests against every server (concurrently,
 * fresh sockets each), repeats them `runs` times, compares the results into one report with a
 * confidence level, and optionally measures the binding lifetime.
 */
export function createNatService(deps: NatServiceDeps) {
  return {
    async defaultServers(): Promise<NatServerListEntry[]> {
      return DEFAULT_NAT_SERVERS.map((s) => ({ ...s }));
    },

    async discover(input: DiscoverInput, ctx: CallContext<NatEvent>): Promise<NatReport> {
      const started = deps.clock.now();
      const timing: NatTiming = NatTimingSchema.parse(input.timing ?? {});
      const targets = await Promise.all(input.servers.map((s) => resolveTarget(deps, s, input.family)));
      const usable = targets.filter((t) => t.endpoint);
      if (usable.length === 0) {
        throw new NatScopeError(
          'unreachable',
          `no STUN server could be resolved: ${targets.map((t) => t.error).join('; ')}`,
          { servers: input.servers },
        );
      }
      const family = input.family ?? ipFamily(usable[0]!.endpoint!.address);
      const warnings: string[] = [];
      for (const t of targets) if (t.error) warnings.push(t.error);
      const sameFamily = usable.filter((t) => ipFamily(t.endpoint!.address) === family);
      for (const t of usable)
        if (!sameFamily.includes(t))
          warnings.push(
            `${t.label} skipped: it resolves to IPv${ipFamily(t.endpoint!.address)}, not IPv${family}`,
          );
      const locals = localAddresses(deps.system);
      const runs: NatServerRun[] = [];
      try {
        for (let run = 1; run <= input.runs; run++) {
          const batch = await Promise.all(
            sameFamily.map(async (t, i) => {
              const localAddress = await deps.system.routeSource(t.endpoint!.address);
              const common = {
                network: deps.network,
                clock: deps.clock,
                server: t.label,
                target: t.endpoint!,
                localAddress,
                timing,
                run,
                signal: ctx.signal,
                emit: (e: NatEvent) => ctx.emit(e),
              };
              if (input.transport === 'tcp') return discoverTcp(common);
              // only one concurrent run may own local port 5060
              return discoverUdp({ ...common, localAddresses: locals, sipPort: i === 0 ? 5060 : null });
            }),
          );
          runs.push(...batch);
        }
      } catch (err) {
        if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'NAT discovery cancelled');
        throw err;
      }
      if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'NAT discovery cancelled');

      const cmp = compareRuns(runs);
      let lifetime: NatServerRun['lifetime'] = null;
      if (input.lifetime) {
        lifetime = await runLifetime(deps, input, timing, cmp.primary, ctx, family);
        cmp.primary.lifetime = lifetime;
      }
      const primary = cmp.primary;
      for (const r of runs)
        for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(`${r.server}: ${w}`);
      for (const r of runs)
        if (!r.serverCapable && r.incapableReason)
          warnings.push(`${r.server}: server cannot run behaviour tests: ${r.incapableReason}`);
      // "UDP blocked" only with independent evidence; a lone silent server is "did not answer".
      const udp = judgeUdp(runs);
      const classic = udp.udpBlocked
        ? 'udp-blocked'
        : cmp.values.classic === 'udp-blocked'
          ? null
          : cmp.values.classic;
      const report: NatReport = {
        mapping: cmp.values.mapping,
        filtering: cmp.values.filtering,
        hairpinning: cmp.values.hairpinning,
        natDetected: cmp.values.natDetected,
        udpBlocked: udp.udpBlocked,
        serverSilent: udp.serverSilent,
        udpEvidence: udp.evidence,
        portPreserved: cmp.values.portPreserved,
        mappedAddress: primary.mappedAddress,
        localAddress: primary.localAddress,
        classic,
        transport: input.transport,
        serverCapable: runs.some((r) => r.serverCapable),
        confidence: cmp.confidence,
        confidenceReason: cmp.confidenceReason,
        disagreements: cmp.disagreements,
        tests: primary.tests,
        servers: runs,
        transactions: runs.flatMap((r) => r.transactions),
        warnings,
        durationMs: Math.round(deps.clock.now() - started),
      };
      if (input.lifetime) {
        report.lifetimeSeconds = lifetime?.lifetimeSeconds ?? null;
        report.recommendedKeepAliveSeconds = lifetime?.recommendedKeepAliveSeconds ?? null;
      }
      return report;
    },
  };
}

function isIp(a: string): boolean {
  try {
    ipFamily(a);
    return true;
  } catch {
    return false;
  }
}

async function resolveTarget(deps: NatServiceDeps, spec: string, family: 4 | 6 | undefined): Promise<Target> {
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseHostPort(spec, DEFAULT_STUN_PORT));
  } catch (err) {
    throw new NatScopeError('bad-request', `bad server "${spec}": ${(err as Error).message}`);
  }
  const label = formatEndpoint({ address: host, port });
  try {
    const addrs = (await deps.network.resolve(host, family)).filter(isIp);
    const pick = family ? addrs.find((a) => ipFamily(a) === family) : addrs[0];
    if (!pick) return { label, endpoint: null, error: `${label}: no IPv${family ?? ''} address` };
    return { label, endpoint: { address: pick, port }, error: null };
  } catch (err) {
    return { label, endpoint: null, error: `${label}: cannot resolve (${(err as Error).message})` };
  }
}

async function runLifetime(
  deps: NatServiceDeps,
  input: DiscoverInput,
  timing: NatTiming,
  primary: NatServerRun,
  ctx: CallContext<NatEvent>,
  family: 4 | 6,
): Promise<NatServerRun['lifetime']> {
  const rec = new RunRecorder({
    clock: deps.clock,
    server: primary.server,
    run: primary.run,
    emit: (e) => ctx.emit(e),
  });
  const empty = (note: string) => ({
    lifetimeSeconds: null,
    aliveAfterSeconds: null,
    deadAfterSeconds: null,
    maxProbedSeconds: 0,
    recommendedKeepAliveSeconds: null,
    note,
  });
  if (input.transport !== 'udp') return empty('the lifetime test runs over UDP only');
  if (primary.udpBlocked || !primary.address) return empty('no UDP answer from the server');
  if (primary.natDetected === false && primary.filtering === 'endpoint-independent')
    return empty('no NAT and no filtering: there is no binding to expire');
  const [host, portText] = [
    primary.address.slice(0, primary.address.lastIndexOf(':')).replace(/^\[|\]$/g, ''),
    primary.address.slice(primary.address.lastIndexOf(':') + 1),
  ];
  const target = { address: host, port: Number(portText) };
  const localAddress = await deps.system.routeSource(target.address);
  const pctx = new ProbeContext({
    network: deps.network,
    clock: deps.clock,
    timing,
    rec,
    signal: ctx.signal,
    localAddress,
    family,
  });
  try {
    const result = await measureLifetime({
      ctx: pctx,
      target,
      maxSeconds: input.lifetimeMaxSeconds,
      emit: (e) => ctx.emit(e),
    });
    primary.transactions.push(...rec.transactions);
    primary.tests.push(...rec.testList());
    primary.warnings.push(...rec.warnings);
    return result;
  } catch (err) {
    if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'NAT discovery cancelled');
    throw err;
  } finally {
    await pctx.closeAll();
  }
}
