import type { AlgEvent, AlgResult, AlgTestInput } from '../../shared/contracts/alg.ts';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import { judgeHeuristics } from '../../shared/model/alg-advice.ts';
import { formatEndpoint, parseHostPort, type Endpoint } from '../../shared/model/endpoint.ts';
import { classifyAddress } from '../../shared/model/address-class.ts';
import { runAlgTest } from '../engine/alg/alg-test.ts';
import { runHeuristics } from '../engine/alg/heuristics.ts';
import type { Clock } from '../engine/clock/clock.ts';
import type { Network } from '../engine/net/network.ts';
import type { CallContext } from './call-context.ts';

export interface AlgServiceDeps {
  network: Network;
  clock: Clock;
  /** The OS's primary outbound address (fallback for the address written into probes). */
  primaryAddress: () => Promise<string | null>;
}

/**
 * The "SIP ALG" step (issue #7): the conclusive reflector test when a `natscope server` is given,
 * otherwise heuristics against ordinary SIP/STUN servers (weaker evidence, labelled as such).
 */
export function createAlgService(deps: AlgServiceDeps) {
  return {
    async test(input: AlgTestInput, ctx: CallContext<AlgEvent>): Promise<AlgResult> {
      const progress = (step: string, status: 'started' | 'done' | 'failed' | 'skipped', message?: string) =>
        ctx.emit({ kind: 'progress', step, status, ...(message ? { message } : {}) });
      const primary = async () => input.localAddress ?? (await deps.primaryAddress().catch(() => null));
      try {
        if (input.reflector) {
          const { host, port } = hostPort(input.reflector, 5060, 'reflector');
          return await runAlgTest({
            network: deps.network,
            clock: deps.clock,
            reflector: { host, port },
            altPort: input.altPort,
            transports: input.transports,
            methods: input.methods,
            sourcePorts: input.sourcePorts,
            localAddress: input.localAddress ?? (isLoopbackHost(host) ? '127.0.0.1' : undefined),
            fallbackLocalAddress: await primary(),
            timeoutMs: input.timeoutMs,
            routerModel: input.routerModel,
            signal: ctx.signal,
            onPath: (path) => ctx.emit({ kind: 'path', path }),
            onProgress: progress,
          });
        }
        if (!input.sipServer && !input.stunServer) {
          throw new NatScopeError(
            'bad-request',
            'give a reflector (natscope server) for the conclusive test, or a SIP and/or STUN server for the heuristics',
          );
        }
        const start = deps.clock.now();
        const sip = input.sipServer
          ? await resolve(deps.network, hostPort(input.sipServer, 5060, 'SIP server'))
          : undefined;
        const stun = input.stunServer
          ? await resolve(deps.network, hostPort(input.stunServer, 3478, 'STUN server'))
          : undefined;
        progress('heuristics', 'started');
        const local = (await primary()) ?? '0.0.0.0';
        const h = await runHeuristics({
          network: deps.network,
          clock: deps.clock,
          sipServer: sip,
          stunServer: stun,
          localAddress: local,
          timeoutMs: input.timeoutMs ?? 2000,
        });
        progress('heuristics', 'done');
        const verdict = judgeHeuristics(h.findings, input.routerModel);
        return {
          mode: 'heuristic',
          target: [sip, stun]
            .filter((x): x is Endpoint => !!x)
            .map(formatEndpoint)
            .join(', '),
          loopbackDemo: [sip, stun].some((x) => x && classifyAddress(x.address) === 'loopback'),
          ...verdict,
          paths: [],
          heuristics: h.findings,
          warnings: h.warnings,
          durationMs: Math.round(deps.clock.now() - start),
        };
      } catch (err) {
        if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'ALG test cancelled');
        throw err;
      }
    },
  };
}

function hostPort(s: string, def: number, what: string): { host: string; port: number } {
  try {
    return parseHostPort(s, def);
  } catch (err) {
    throw new NatScopeError('bad-request', `${what}: ${(err as Error).message}`);
  }
}

async function resolve(network: Network, hp: { host: string; port: number }): Promise<Endpoint> {
  const a = (await network.resolve(hp.host, 4).catch(() => []))[0];
  if (!a) throw new NatScopeError('unreachable', `cannot resolve "${hp.host}"`);
  return { address: a, port: hp.port };
}

function isLoopbackHost(h: string): boolean {
  return h === 'localhost' || classifyAddress(h) === 'loopback';
}
