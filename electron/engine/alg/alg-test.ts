/**
 * The conclusive SIP ALG test against a reflector (`natscope server`): every combination of
 * transport (UDP, TCP) × destination port (5060 and a non-standard one) × source port (5060 and
 * an ephemeral one), each carrying REGISTER, OPTIONS and INVITE-with-SDP, compared byte for byte
 * in both directions. Paths run one after another (an ALG keeps per-flow state; local port 5060
 * can only be bound once).
 */
import type { AlgMethod, AlgPath, AlgResult, AlgTransport } from '../../../shared/contracts/alg.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { judgeReflectorRun } from '../../../shared/model/alg-advice.ts';
import { classifyAddress } from '../../../shared/model/address-class.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';
import { probePath, type PathSpec } from './path-probe.ts';

export const DEFAULT_ALT_PORT = 5062;
export const ALL_METHODS: AlgMethod[] = ['REGISTER', 'OPTIONS', 'INVITE'];

export interface AlgTestOptions {
  network: Network;
  clock: Clock;
  reflector: { host: string; port: number };
  altPort?: number;
  transports?: AlgTransport[];
  methods?: AlgMethod[];
  sourcePorts?: ('sip' | 'random')[];
  /** Local address to bind and write into the messages; found by a TCP connect when absent. */
  localAddress?: string;
  /** Used when the local address cannot be found by connecting (e.g. TCP blocked). */
  fallbackLocalAddress?: string | null;
  timeoutMs?: number;
  routerModel?: string;
  signal?: AbortSignal;
  onPath?: (p: AlgPath) => void;
  onProgress?: (step: string, status: 'started' | 'done' | 'failed' | 'skipped', message?: string) => void;
}

export async function runAlgTest(o: AlgTestOptions): Promise<AlgResult> {
  const start = o.clock.now();
  const warnings: string[] = [];
  const addrs = await o.network.resolve(o.reflector.host, 4).catch(() => [] as string[]);
  const address = addrs[0];
  if (!address) throw new NatScopeError('unreachable', `cannot resolve reflector host "${o.reflector.host}"`);
  const target: Endpoint = { address, port: o.reflector.port };
  const altPort = o.altPort ?? DEFAULT_ALT_PORT;
  const timeoutMs = o.timeoutMs ?? 2000;
  let localAddress = o.localAddress ?? null;
  if (!localAddress) {
    localAddress = await localAddressTowards(o.network, target, Math.min(timeoutMs, 2000), o.signal);
    if (!localAddress) {
      localAddress = o.fallbackLocalAddress ?? null;
      warnings.push(
        `could not connect to ${formatEndpoint(target)} over TCP to learn the local address; using ${localAddress ?? 'the wildcard'}`,
      );
    }
  }
  const specs: PathSpec[] = [];
  for (const transport of o.transports ?? ['UDP', 'TCP']) {
    for (const destinationPort of unique([target.port, altPort])) {
      for (const sourcePortKind of o.sourcePorts ?? ['sip', 'random'])
        specs.push({ transport, destinationPort, sourcePortKind });
    }
  }
  const paths: AlgPath[] = [];
  for (const spec of specs) {
    o.signal?.throwIfAborted();
    const label = `${spec.transport} ${spec.destinationPort} from ${spec.sourcePortKind === 'sip' ? 'local port 5060' : 'a random port'}`;
    o.onProgress?.(label, 'started');
    const p = await probePath(spec, {
      network: o.network,
      clock: o.clock,
      target: address,
      localAddress: localAddress ?? (address.includes(':') ? '::' : '0.0.0.0'),
      methods: o.methods ?? ALL_METHODS,
      timeoutMs,
      signal: o.signal,
    });
    paths.push(p);
    o.onPath?.(p);
    o.onProgress?.(
      label,
      p.status === 'skipped' ? 'skipped' : p.status === 'error' ? 'failed' : 'done',
      p.note ?? p.status,
    );
  }
  const answered = paths.some((p) =>
    p.messages.some((m) => m.status === 'untouched' || m.status === 'rewritten'),
  );
  if (!answered) {
    const errs = paths.flatMap((p) => p.messages).find((m) => m.error)?.error;
    if (errs) throw new NatScopeError('server-incapable', errs);
    throw new NatScopeError(
      'unreachable',
      `no answer from a reflector at ${formatEndpoint(target)} (UDP and TCP, ports ${target.port} and ${altPort}): is \`natscope server\` running there and reachable?`,
    );
  }
  const loopbackDemo = classifyAddress(address) === 'loopback';
  const verdict = judgeReflectorRun(paths, { loopbackDemo, routerModel: o.routerModel });
  return {
    mode: 'reflector',
    target: formatEndpoint(target),
    loopbackDemo,
    ...verdict,
    paths,
    heuristics: [],
    warnings,
    durationMs: Math.round(o.clock.now() - start),
  };
}

/** The local address the OS uses towards the target (read off a short TCP connection). */
export async function localAddressTowards(
  network: Network,
  target: Endpoint,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | null> {
  try {
    const c = await network.connectTcp({ remote: target, timeoutMs, signal });
    const a = c.local.address.replace(/^::ffff:/i, '');
    await c.close();
    return a || null;
  } catch {
    return null;
  }
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
