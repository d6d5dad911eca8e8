/**
 * STUN over TCP — RFC 8489 §6.2.2 transactions and RFC 5780 §4.3 mapping behaviour for TCP: three
 * connections from the *same* local port (SO_REUSEADDR, which libuv sets when binding a TCP socket)
 * to the primary address, the alternate IP and the alternate IP+port, all open at once. Filtering
 * and hairpinning cannot be tested over TCP with a STUN server (RFC 5780 §4: CHANGE-REQUEST is UDP
 * only) and are reported as unknown.
 */
import type {
  MappingBehaviour,
  NatEvent,
  NatServerRun,
  NatTestName,
  NatTiming,
} from '../../../shared/contracts/nat.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network, TcpConnection } from '../net/network.ts';
import { tryGetAttribute } from './attribute.ts';
import { ChangedAddress, OtherAddress } from './attr-address.ts';
import { Software } from './attr-text.ts';
import { decodeMessage, encodeMessage, createMessage } from './message.ts';
import { normalizeIp } from './ip.ts';
import { mappedOf } from './probe.ts';
import { RunRecorder, emptyServerRun } from './recorder.ts';
import { StunTcpPort, sameEndpoint, type TransactionOutcome } from './transaction.ts';

export interface TcpBindingResult {
  mapped: Endpoint | null;
  local: Endpoint | null;
  other: Endpoint | null;
  software: string | null;
  rttMs: number | null;
  error: string | null;
  port: StunTcpPort | null;
}

export async function tcpBinding(o: {
  network: Network;
  clock: Clock;
  rec: RunRecorder;
  target: Endpoint;
  localAddress: string | null;
  localPort?: number;
  timeoutMs: number;
  signal: AbortSignal;
  test: NatTestName;
  step: string;
  keepOpen?: boolean;
  /** An already open connection to `target` to use instead of connecting. */
  conn?: TcpConnection;
}): Promise<TcpBindingResult> {
  const fail = (error: string): TcpBindingResult => ({
    mapped: null,
    local: null,
    other: null,
    software: null,
    rttMs: null,
    error,
    port: null,
  });
  const t0 = o.clock.now();
  let port: StunTcpPort;
  try {
    const conn =
      o.conn ??
      (await o.network.connectTcp({
        remote: o.target,
        localAddress: o.localAddress ?? undefined,
        localPort: o.localPort,
        timeoutMs: o.timeoutMs,
        signal: o.signal,
      }));
    port = new StunTcpPort(conn);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // log the attempt so the transaction list shows the connection failure
    const request = decodeMessage(encodeMessage(createMessage({ cls: 'request' })));
    const out: TransactionOutcome = {
      outcome: 'error',
      request,
      response: null,
      from: null,
      receivedOn: null,
      transmissions: 0,
      rttMs: null,
      startedAt: t0,
      strays: [],
      error: `TCP connect failed: ${message}`,
    };
    o.rec.log(out, {
      test: o.test,
      step: o.step,
      transport: 'tcp',
      local: { address: o.localAddress ?? '0.0.0.0', port: o.localPort ?? 0 },
      destination: o.target,
      mayGoUnanswered: false,
    });
    return fail(`TCP connect to ${formatEndpoint(o.target)} failed: ${message}`);
  }
  const local = { address: normalizeIp(port.conn.local.address), port: port.conn.local.port };
  const remaining = Math.max(100, o.timeoutMs - (o.clock.now() - t0));
  const out = await port.request(createMessage({ cls: 'request' }), o.clock, remaining, o.signal);
  o.rec.log(out, {
    test: o.test,
    step: o.step,
    transport: 'tcp',
    local,
    destination: o.target,
    mayGoUnanswered: false,
  });
  if (!o.keepOpen) await port.close().catch(() => {});
  const mapped = mappedOf(out);
  if (!mapped)
    return {
      ...fail(
        out.error ?? (out.outcome === 'timeout' ? 'no answer over TCP' : 'answer without a mapped address'),
      ),
      local,
    };
  const resp = out.response!;
  return {
    mapped,
    local,
    other: tryGetAttribute(resp, OtherAddress) ?? tryGetAttribute(resp, ChangedAddress) ?? null,
    software: tryGetAttribute(resp, Software) ?? null,
    rttMs: out.rttMs,
    error: null,
    port: o.keepOpen ? port : null,
  };
}

export interface TcpDiscoveryOptions {
  network: Network;
  clock: Clock;
  server: string;
  target: Endpoint;
  localAddress: string | null;
  timing: NatTiming;
  run: number;
  signal: AbortSignal;
  emit: (e: NatEvent) => void;
  random?: () => number;
}

export async function discoverTcp(o: TcpDiscoveryOptions): Promise<NatServerRun> {
  const rec = new RunRecorder({ clock: o.clock, server: o.server, run: o.run, emit: o.emit });
  const P = { address: normalizeIp(o.target.address), port: o.target.port };
  const random = o.random ?? Math.random;
  const open: StunTcpPort[] = [];
  const result = emptyServerRun(rec, formatEndpoint(P), 'tcp');
  try {
    rec.start(
      'tcp-mapping',
      `TCP connections from one local port to ${formatEndpoint(P)} and the alternate address`,
    );
    // an explicit local port makes libuv bind with SO_REUSEADDR, so the same port can connect thrice
    let first: TcpBindingResult | null = null;
    let localPort = 0;
    for (let attempt = 0; attempt < 5 && !first?.mapped; attempt++) {
      localPort = 20000 + Math.floor(random() * 30000);
      first = await tcpBinding({
        ...o,
        rec,
        target: P,
        localPort,
        timeoutMs: o.timing.timeoutMs,
        test: 'tcp-mapping',
        step: 'to primary address',
        keepOpen: true,
      });
      if (first.port) open.push(first.port);
      if (first.error && !/EADDRINUSE/.test(first.error)) break;
    }
    if (!first?.mapped || !first.local) {
      result.incapableReason = first?.error ?? 'no answer over TCP';
      rec.finish('tcp-mapping', 'failed', null, result.incapableReason);
      return result;
    }
    const mapped0 = first.mapped;
    result.serverKind = first.other ? 'rfc5780' : 'basic';
    result.software = first.software;
    result.mappedAddress = formatEndpoint(mapped0);
    result.localAddress = formatEndpoint(first.local);
    result.natDetected =
      normalizeIp(mapped0.address) !== first.local.address || mapped0.port !== first.local.port;
    result.portPreserved = mapped0.port === first.local.port;
    result.ports = [
      {
        label: 'ephemeral',
        local: result.localAddress,
        mapped: result.mappedAddress,
        preserved: result.portPreserved,
      },
    ];
    result.otherAddress = first.other ? formatEndpoint(first.other) : null;
    const A = first.other;
    if (!A || normalizeIp(A.address) === P.address || A.port === P.port) {
      result.incapableReason = A
        ? `alternate address ${formatEndpoint(A)} does not differ in IP and port`
        : 'the server sends no OTHER-ADDRESS';
      rec.finish(
        'tcp-mapping',
        'inconclusive',
        null,
        `mapped ${result.mappedAddress}; ${result.incapableReason}`,
      );
      return result;
    }
    const [r2, r3] = await Promise.all([
      tcpBinding({
        ...o,
        rec,
        target: { address: A.address, port: P.port },
        localPort,
        timeoutMs: o.timing.timeoutMs,
        test: 'tcp-mapping',
        step: 'to alternate IP, primary port',
        keepOpen: true,
      }),
      tcpBinding({
        ...o,
        rec,
        target: A,
        localPort,
        timeoutMs: o.timing.timeoutMs,
        test: 'tcp-mapping',
        step: 'to alternate IP and port',
        keepOpen: true,
      }),
    ]);
    for (const r of [r2, r3]) if (r.port) open.push(r.port);
    const M1 = r2.mapped;
    const M2 = r3.mapped;
    let mapping: MappingBehaviour | null = null;
    if (M1 && sameEndpoint(M1, mapped0))
      mapping = M2 && !sameEndpoint(M2, mapped0) ? null : 'endpoint-independent';
    else if (M1 && M2) mapping = sameEndpoint(M1, M2) ? 'address-dependent' : 'address-and-port-dependent';
    result.mapping = mapping;
    result.serverCapable = mapping !== null;
    if (!M1 && !M2)
      result.incapableReason = `the alternate address ${formatEndpoint(A)} does not answer over TCP (${r2.error ?? r3.error ?? ''})`;
    const seen = [mapped0, M1, M2].map((x) => (x ? formatEndpoint(x) : '—')).join(' / ');
    if (mapping) rec.finish('tcp-mapping', 'done', mapping, `${mapping} (mapped addresses ${seen})`);
    else
      rec.finish(
        'tcp-mapping',
        'inconclusive',
        null,
        result.incapableReason ?? `inconsistent mapped addresses ${seen}`,
      );
    rec.warn(
      'filtering and hairpinning cannot be measured over TCP with a STUN server; run with --transport udp for those',
    );
    return result;
  } finally {
    await Promise.all(open.map((p) => p.close().catch(() => {})));
    result.tests = rec.testList();
    result.durationMs = Math.round(rec.elapsed());
  }
}
