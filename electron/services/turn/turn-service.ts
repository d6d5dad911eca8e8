/**
 * "Would a relay fix it?": one TURN allocation over the chosen transport (engine/turn), the ICE-style
 * candidate summary (host and server-reflexive from the sockets used, relayed from the allocation,
 * each judged against the NAT behaviour the NAT step measured), and the relay findings. The
 * allocation is deleted (Refresh lifetime 0) before the method returns.
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import {
  TurnTestInputSchema,
  type Candidate,
  type NatFacts,
  type TurnEvent,
  type TurnReport,
  type TurnTestInput,
} from '../../../shared/contracts/turn.ts';
import { judgeCandidate } from '../../../shared/model/candidates.ts';
import type { DiagnosisFacts } from '../../../shared/model/diagnosis/facts.ts';
import { relayFactsOf, relayRules } from '../../../shared/model/diagnosis/relay-rules.ts';
import { factsFromResults } from '../../../shared/model/diagnosis/from-results.ts';
import { formatEndpoint, parseHostPort, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import { stunMappedAddress } from '../../engine/rtp/stun-binding.ts';
import { TurnClient, type Allocation } from '../../engine/turn/client.ts';
import { DEFAULT_TURN_PORT, openTurnControl } from '../../engine/turn/connect.ts';
import type { TurnControl } from '../../engine/turn/control.ts';
import { resolveCredentials, type TurnCredentials } from '../../engine/turn/credentials.ts';
import { TurnError } from '../../engine/turn/errors.ts';
import type { CallContext } from '../call-context.ts';
import { relayedEcho, type EchoCaller } from './relayed-echo.ts';
import type { CallResult } from '../../../shared/contracts/call.ts';

export interface TurnServiceDeps {
  network: Network;
  clock: Clock;
  /** The local address the OS would use towards `target` (no packet sent): host candidates name it. */
  routeSource?: (target: string) => Promise<string | null>;
  /** Unix seconds (REST credential expiry). */
  wallSeconds?: () => number;
  /** The echo call service, for `echoUri` (the direct and the relayed call). */
  call?: EchoCaller;
}

type Input = ReturnType<typeof TurnTestInputSchema.parse>;

export function createTurnService(deps: TurnServiceDeps) {
  return {
    test(input: TurnTestInput, ctx: CallContext<TurnEvent>): Promise<TurnReport> {
      const parsed = TurnTestInputSchema.safeParse(input);
      if (!parsed.success)
        throw new NatScopeError('bad-request', parsed.error.issues.map((i) => i.message).join('; '));
      return runTurnTest(parsed.data, ctx, deps);
    },
  };
}

function credentialsOf(i: Input): TurnCredentials {
  return i.secret !== undefined
    ? { kind: 'secret', secret: i.secret, user: i.username }
    : { kind: 'static', username: i.username!, password: i.password! };
}

async function runTurnTest(
  i: Input,
  ctx: CallContext<TurnEvent>,
  deps: TurnServiceDeps,
): Promise<TurnReport> {
  const { clock, network } = deps;
  const t0 = clock.now();
  const ms = (t: number) => Math.round((t - t0) * 10) / 10;
  const step = (s: TurnEvent['step'], status: TurnEvent['status'], summary: string) =>
    ctx.emit({ kind: 'step', step: s, status, summary });
  let hp: { host: string; port: number };
  try {
    hp = parseHostPort(i.server, DEFAULT_TURN_PORT[i.transport]);
  } catch (err) {
    throw new NatScopeError('bad-request', `bad TURN server "${i.server}": ${(err as Error).message}`);
  }
  const address = (await network.resolve(hp.host, 4).catch(() => [] as string[]))[0];
  if (!address) throw new NatScopeError('unreachable', `cannot resolve the TURN server name ${hp.host}`);
  const server: Endpoint = { address, port: hp.port };
  const credentials = credentialsOf(i);
  const localAddress = i.localAddress ?? (await deps.routeSource?.(address).catch(() => null)) ?? undefined;
  const wallSeconds = deps.wallSeconds ?? (() => Date.now() / 1000);
  const warnings: string[] = [];
  const candidates: Omit<Candidate, 'reachable' | 'why'>[] = [];
  const timing = { rtoMs: 250, timeoutMs: i.timeoutMs };

  // Server-reflexive UDP from a separate Binding when the allocation itself does not run over UDP.
  const srflxUdp =
    i.transport === 'udp'
      ? null
      : udpReflexive(
          deps,
          { address, port: i.transport === 'tcp' ? hp.port : 3478 },
          localAddress,
          ctx.signal,
        );

  step('connect', 'running', `${i.transport.toUpperCase()} to ${formatEndpoint(server)}`);
  let control: TurnControl | null = null;
  let client: TurnClient | null = null;
  let allocation: Allocation | null = null;
  let error: TurnReport['error'] = null;
  let connectMs: number | null = null;
  const tConnect = clock.now();
  try {
    control = await openTurnControl({
      network,
      clock,
      transport: i.transport,
      server,
      serverName: hp.host,
      tlsCaPem: i.tlsCaPem,
      localAddress,
      timing,
      signal: ctx.signal,
    });
    connectMs = i.transport === 'udp' ? 0 : Math.round((clock.now() - tConnect) * 10) / 10;
    step('connect', 'done', `connected from ${formatEndpoint(control.local)}`);
    client = new TurnClient({ control, credentials, clock, wallSeconds, expectedRealm: i.realm });
    step('allocate', 'running', `Allocate (${i.relay.toUpperCase()} relay)`);
    allocation = await client.allocate({
      relay: i.relay,
      lifetimeSeconds: i.lifetimeSeconds,
      signal: ctx.signal,
    });
    step('allocate', 'done', `relayed address ${formatEndpoint(allocation.relayed)}`);
  } catch (err) {
    const e = err instanceof TurnError ? err : new TurnError('connection', (err as Error).message);
    error = { code: e.code, stunCode: e.stunCode, message: e.message };
    step(control ? 'allocate' : 'connect', 'failed', e.message);
  }
  const allocatedAt = clock.now();

  step('candidates', 'running', 'host, server-reflexive and relayed candidates');
  if (control) {
    const tr = i.transport === 'udp' ? 'udp' : 'tcp';
    candidates.push({
      type: 'host',
      transport: tr,
      address: formatEndpoint(control.local),
      source: 'local socket',
      gatherMs: 0,
    });
    if (allocation?.mapped)
      candidates.push({
        type: 'srflx',
        transport: tr,
        address: formatEndpoint(allocation.mapped),
        source: `TURN Allocate over ${i.transport.toUpperCase()} (XOR-MAPPED-ADDRESS)`,
        gatherMs: ms(allocatedAt),
      });
  }
  if (srflxUdp) {
    const r = await srflxUdp;
    if (r.local)
      candidates.push({
        type: 'host',
        transport: 'udp',
        address: formatEndpoint(r.local),
        source: 'local socket',
        gatherMs: 0,
      });
    if (r.mapped)
      candidates.push({
        type: 'srflx',
        transport: 'udp',
        address: formatEndpoint(r.mapped),
        source: 'STUN Binding over UDP',
        gatherMs: r.ms,
      });
    else
      warnings.push(
        `no STUN answer over UDP from ${address}:3478 within 1.5 s: no UDP server-reflexive candidate`,
      );
  }
  if (allocation)
    candidates.push({
      type: 'relay',
      transport: i.relay,
      address: formatEndpoint(allocation.relayed),
      source: `TURN Allocate over ${i.transport.toUpperCase()}`,
      gatherMs: ms(allocatedAt),
    });
  if (i.nat?.mappedAddress)
    candidates.push({
      type: 'srflx',
      transport: 'udp',
      address: i.nat.mappedAddress,
      source: `NAT step (STUN ${i.nat.stunServer ?? 'server'})`,
      gatherMs: null,
    });
  const judged = candidates.map((c) => ({ ...c, ...judgeCandidate(c, i.nat) }));
  step('candidates', 'done', `${judged.length} candidate${judged.length === 1 ? '' : 's'}`);

  // Delete the allocation (Refresh with LIFETIME 0) before reporting; its transaction is logged too.
  if (client) await client.close().catch(() => {});
  else await control?.close().catch(() => {});
  const transactions = client ? [...client.log] : [];
  const firstRtt = transactions[0]?.rttMs ?? null;

  const report: TurnReport = {
    server: formatEndpoint(server),
    transport: i.transport,
    relay: i.relay,
    allocated: allocation !== null,
    relayedAddress: allocation ? formatEndpoint(allocation.relayed) : null,
    mappedAddress: allocation?.mapped ? formatEndpoint(allocation.mapped) : null,
    lifetimeSeconds: allocation?.lifetimeSeconds ?? null,
    realm: allocation?.realm ?? null,
    passwordAlgorithm: allocation?.passwordAlgorithm ?? null,
    credentials: credentials.kind === 'secret' ? 'rest' : 'static',
    username: credentials.kind === 'secret' ? resolveCredentials(credentials, wallSeconds()).username : null,
    timings: {
      connectMs,
      allocateMs: allocation ? Math.round(allocation.elapsedMs * 10) / 10 : null,
      firstRttMs: firstRtt,
      totalMs: ms(clock.now()),
    },
    error,
    candidates: judged,
    echo: null,
    transactions,
    findings: [],
    warnings,
  };
  let direct: CallResult | null = null;
  if (i.echoUri) {
    if (!deps.call) throw new NatScopeError('not-supported', 'this host cannot place echo calls');
    step('echo', 'running', `${i.echoUri}: direct, then through the relay`);
    const r = await relayedEcho(
      deps.call,
      {
        target: i.echoUri,
        sipTransport: i.echoTransport,
        durationSec: i.echoSeconds,
        tlsCaPem: i.echoCaPem,
        relay: {
          server: i.server,
          transport: i.transport,
          username: i.username,
          password: i.password,
          secret: i.secret,
          realm: i.realm,
          tlsCaPem: i.tlsCaPem,
        },
      },
      { signal: ctx.signal, emit: () => {} },
      report.allocated,
    );
    report.echo = r.echo;
    direct = r.direct;
    step('echo', r.echo.answered && !r.echo.oneWayAudio ? 'done' : 'failed', r.echo.summary);
    report.timings.totalMs = ms(clock.now());
  }
  report.findings = relayRules(relayFacts(report, i.nat, direct));
  step('done', error ? 'failed' : 'done', error ? error.message : `relayed address ${report.relayedAddress}`);
  return report;
}

/** The facts relay-rules read: the TURN result and, when given, what the NAT step measured. */
export function relayFacts(
  r: TurnReport,
  nat: NatFacts | undefined,
  direct: CallResult | null = null,
): DiagnosisFacts {
  const facts: DiagnosisFacts = { relay: relayFactsOf(r) };
  if (direct) facts.call = factsFromResults({ call: direct }).call;
  if (nat)
    facts.nat = {
      udpBlocked: nat.udpBlocked ?? false,
      natDetected: nat.natDetected ?? null,
      mapping: nat.mapping ?? null,
      filtering: nat.filtering ?? null,
      hairpinning: null,
      mappedAddress: null,
      localAddress: null,
      classic: null,
      lifetimeSeconds: null,
      server: r.server,
    };
  return facts;
}

async function udpReflexive(
  deps: TurnServiceDeps,
  stun: Endpoint,
  localAddress: string | undefined,
  signal: AbortSignal,
): Promise<{ local: Endpoint | null; mapped: Endpoint | null; ms: number | null }> {
  const t = deps.clock.now();
  try {
    const socket = await deps.network.bindUdp({ address: localAddress, family: 4 });
    try {
      const mapped = await stunMappedAddress(socket, stun, deps.clock, signal, 1500);
      return { local: socket.local, mapped, ms: mapped ? Math.round(deps.clock.now() - t) : null };
    } finally {
      await socket.close();
    }
  } catch {
    return { local: null, mapped: null, ms: null };
  }
}
