/**
 * The inbound-call test service ("I can call out but get no incoming calls"): validates the input,
 * resolves the server, then runs the companion probes (probes.ts) with the STUN comparison beside
 * them (stun-compare.ts), or the manual PBX mode (pbx-run.ts), and assembles the result
 * (result.ts). Cancelling returns what was measured so far, unfinished probes marked cancelled.
 */
import {
  DEFAULT_IDLE_SECONDS,
  IncomingInputSchema,
  MAX_CALLBACK_IDLE_SECONDS,
  type IncomingEvent,
  type IncomingResult,
} from '../../../shared/contracts/incoming.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { type Endpoint, formatEndpoint, parseHostPort } from '../../../shared/model/endpoint.ts';
import type { z } from 'zod';
import type { Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import type { CallContext } from '../call-context.ts';
import { PBX_RING_MS, runPbxTest } from './pbx-run.ts';
import { ARRIVAL_GRACE_MS, planUnits, runProbes } from './probes.ts';
import { assembleResult } from './result.ts';
import { compareStunLifetimes, type StunCompareOutcome } from './stun-compare.ts';

export type IncomingInputParsed = z.output<typeof IncomingInputSchema>;

export interface IncomingServiceDeps {
  network: Network;
  clock: Clock;
  /** The local address the OS would use towards `target` (no packet sent). */
  routeSource: (target: string) => Promise<string | null>;
}

const DEFAULT_STUN_PORT = 3478;

async function resolve(deps: IncomingServiceDeps, text: string, defaultPort: number, what: string) {
  let hp: { host: string; port: number };
  try {
    hp = parseHostPort(text, defaultPort);
  } catch (err) {
    throw new NatScopeError('bad-request', `bad ${what} "${text}": ${(err as Error).message}`);
  }
  const address = (await deps.network.resolve(hp.host, 4).catch(() => [] as string[]))[0];
  if (!address) throw new NatScopeError('unreachable', `cannot resolve ${hp.host}`);
  return { host: hp.host, endpoint: { address, port: hp.port } as Endpoint };
}

function idlesFor(input: IncomingInputParsed): number[] {
  if (input.account) {
    const idles = input.idleSeconds ?? [0];
    if (idles.length !== 1)
      throw new NatScopeError(
        'bad-request',
        'against your own PBX the test takes one idle time (one call at a time)',
      );
    return idles;
  }
  const idles = [...new Set(input.idleSeconds ?? DEFAULT_IDLE_SECONDS)].sort((a, b) => a - b);
  const bad = idles.find((s) => s < 1 || s > MAX_CALLBACK_IDLE_SECONDS);
  if (bad !== undefined)
    throw new NatScopeError(
      'bad-request',
      `idle time ${bad} s: a natscope server calls back after 1–${MAX_CALLBACK_IDLE_SECONDS} s`,
    );
  return idles;
}

export function createIncomingService(deps: IncomingServiceDeps) {
  return {
    async test(raw: IncomingInputParsed, ctx: CallContext<IncomingEvent>): Promise<IncomingResult> {
      const input = IncomingInputSchema.parse(raw);
      const idles = idlesFor(input);
      const t0 = deps.clock.now();
      const startedAt = new Date().toISOString();
      const server = await resolve(deps, input.server, input.transport === 'tls' ? 5061 : 5060, 'server');
      const localAddress =
        input.localAddress ?? (await deps.routeSource(server.endpoint.address)) ?? '0.0.0.0';
      const warnings: string[] = [];
      const base = {
        server: server.endpoint,
        serverName: server.host,
        transport: input.transport,
        localAddress,
        caPem: input.tlsCaPem,
        ringMs: input.account ? PBX_RING_MS : 0,
      };
      const common = {
        server: input.server,
        serverAddress: formatEndpoint(server.endpoint),
        transport: input.transport,
        startedAt,
      };
      if (input.account) {
        const unit = await runPbxTest(
          {
            base,
            account: input.account,
            idleSeconds: idles[0]!,
            waitSeconds: input.waitSeconds,
            t0,
            signal: ctx.signal,
            emit: (e) => ctx.emit(e),
            warn: (w) => warnings.push(w),
          },
          deps,
        );
        return assembleResult({
          ...common,
          mode: 'pbx',
          durationMs: Math.round(deps.clock.now() - t0),
          units: [unit],
          stun: null,
          warnings,
        });
      }

      const keepAlive = input.keepAliveCheck
        ? { method: input.keepAliveMethod, fixedInterval: input.keepAliveSeconds }
        : null;
      const units = planUnits({ idles, keepAlive }, () => deps.clock.now());
      const longest = idles[idles.length - 1]!;
      const budgetMs = longest * 1000 + ARRIVAL_GRACE_MS;
      ctx.emit({
        kind: 'plan',
        tests: units.map((u) => ({
          id: u.id,
          idleSeconds: u.idleSeconds,
          keepAliveSeconds: u.keepAliveSeconds,
        })),
        expectedDurationMs: budgetMs,
      });
      const stunRun = stunComparison(deps, input, server.host, localAddress, idles, budgetMs, ctx, warnings);
      const [results, stun] = await Promise.all([
        runProbes({ base, idles, keepAlive, t0, signal: ctx.signal, emit: (e) => ctx.emit(e) }, units, deps),
        stunRun,
      ]);
      if (ctx.signal.aborted) warnings.push('cancelled: idle times still running are marked cancelled');
      return assembleResult({
        ...common,
        mode: 'companion',
        durationMs: Math.round(deps.clock.now() - t0),
        units: results,
        stun,
        warnings,
      });
    },
  };
}

async function stunComparison(
  deps: IncomingServiceDeps,
  input: IncomingInputParsed,
  serverHost: string,
  localAddress: string,
  idles: number[],
  budgetMs: number,
  ctx: CallContext<IncomingEvent>,
  warnings: string[],
): Promise<(StunCompareOutcome & { server: string }) | null> {
  if (!input.stunCompare) return null;
  if (input.transport !== 'udp') {
    warnings.push('the STUN lifetime comparison is for UDP bindings: skipped over TCP/TLS');
    return null;
  }
  const label = input.stunServer ?? `${serverHost}:${DEFAULT_STUN_PORT}`;
  let target: Endpoint;
  try {
    target = (await resolve(deps, label, DEFAULT_STUN_PORT, 'STUN server')).endpoint;
  } catch (err) {
    warnings.push(`STUN comparison skipped: ${(err as Error).message}`);
    return null;
  }
  const out = await compareStunLifetimes({
    network: deps.network,
    clock: deps.clock,
    target,
    label,
    localAddress,
    idles,
    budgetMs,
    signal: ctx.signal,
    onProgress: (port, b, done) => ctx.emit({ kind: 'stun', port, ...b, done }),
  });
  return { ...out, server: label };
}
