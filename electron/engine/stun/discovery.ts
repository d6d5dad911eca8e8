/**
 * NAT behaviour discovery over UDP — RFC 5780 §4.
 *
 * Order and isolation are what make the verdicts right:
 *  - t=0, all at once, each on its own fresh socket: the Binding to the primary address (mapped
 *    address, OTHER-ADDRESS), the two filtering probes (§4.4 tests II and III: CHANGE-REQUEST
 *    IP+port and port only), and the mappings of local port 5060 and an RTP-range port. The
 *    filtering sockets never send to the alternate address, so no mapping test can open the NAT for
 *    them (the classic mistake of running §4.3 first on the same socket).
 *  - after the first answer: the mapping probes to the alternate IP (§4.3 tests II and III) and the
 *    hairpinning probes (§4.5: a second socket sends to the first one's mapped address; the first
 *    socket also sends to itself, which separates "no hairpinning" from "hairpinned, then filtered").
 *  - the server must prove it can run the tests: OTHER-ADDRESS must differ in IP *and* port, the
 *    alternate address must answer, and a CHANGE-REQUEST answer must come from exactly the address
 *    asked for. An answer from anywhere else means the server ignores CHANGE-REQUEST: the result is
 *    "server cannot run behaviour tests", never "Full Cone". When both filtering probes go
 *    unanswered and the mapping is endpoint-independent, a control probe from the mapping socket
 *    (which has talked to the alternate address, so the NAT lets the answer in) proves the server
 *    honours CHANGE-REQUEST at all.
 * Probes whose silence is the verdict wait `negativeWaitMs` (raised to 4×RTT+100 on slow paths);
 * the whole run takes about one negative wait plus two round trips.
 */
import type {
  FilteringBehaviour,
  MappingBehaviour,
  NatEvent,
  NatServerRun,
  NatTiming,
  PortObservation,
} from '../../../shared/contracts/nat.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import { classicNatType } from '../../../shared/model/nat-classic.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network, TcpConnection } from '../net/network.ts';
import { tryGetAttribute } from './attribute.ts';
import { ChangedAddress, OtherAddress } from './attr-address.ts';
import { ErrorCode } from './attr-error-code.ts';
import { Software } from './attr-text.ts';
import { ipFamily, normalizeIp } from './ip.ts';
import { ProbeContext, changeRequest, mappedOf } from './probe.ts';
import { RunRecorder, emptyServerRun } from './recorder.ts';
import { tcpBinding } from './tcp-discovery.ts';
import { sameEndpoint, type TransactionOutcome } from './transaction.ts';

export interface UdpDiscoveryOptions {
  network: Network;
  clock: Clock;
  /** The server as the user named it (labels logs and events). */
  server: string;
  /** Its resolved primary address. */
  target: Endpoint;
  /** Source address to bind (the OS's route source towards the server); null = wildcard. */
  localAddress: string | null;
  /** This machine's addresses, to tell "no NAT" when bound to the wildcard. */
  localAddresses?: readonly string[];
  timing: NatTiming;
  run: number;
  signal: AbortSignal;
  emit: (e: NatEvent) => void;
  /** Local SIP port to test (default 5060; null skips). */
  sipPort?: number | null;
  /** RTP range to pick a local port from (default 16384–32767, even ports). */
  rtpRange?: readonly [number, number];
  /** Try one Binding over TCP when UDP gets no answer (default true). */
  tcpFallback?: boolean;
  random?: () => number;
}

type ChangeVerdict = 'honoured' | 'silent' | 'ignored' | 'wrong-source' | 'rejected' | 'failed';

function judgeChange(o: TransactionOutcome, expected: Endpoint, primary: Endpoint): ChangeVerdict {
  if (o.outcome === 'timeout') return 'silent';
  if (o.outcome !== 'response' || !o.response || !o.from) return 'failed';
  if (o.response.cls === 'error') return 'rejected';
  if (sameEndpoint(o.from, expected)) return 'honoured';
  if (sameEndpoint(o.from, primary)) return 'ignored';
  return 'wrong-source';
}

export async function discoverUdp(o: UdpDiscoveryOptions): Promise<NatServerRun> {
  const rec = new RunRecorder({ clock: o.clock, server: o.server, run: o.run, emit: o.emit });
  const family = ipFamily(o.target.address);
  const ctx = new ProbeContext({
    network: o.network,
    clock: o.clock,
    timing: o.timing,
    rec,
    signal: o.signal,
    localAddress: o.localAddress,
    family,
  });
  const P = { address: normalizeIp(o.target.address), port: o.target.port };
  const random = o.random ?? Math.random;
  let tcp: RttProbe | null = null;
  const result = emptyServerRun(rec, formatEndpoint(P), 'udp');
  try {
    rec.start('server-capability', `Binding request to ${formatEndpoint(P)}`);
    rec.start('filtering', 'CHANGE-REQUEST probes on fresh sockets');
    rec.start('port-preservation', 'comparing local and mapped ports');
    const [s0, s1, s2, h] = await Promise.all([ctx.bind(), ctx.bind(), ctx.bind(), ctx.bind()]);
    // A TCP connect to the server runs alongside: its handshake (or RST) measures the path's RTT
    // without UDP, so "no UDP answer" can be concluded after 4×RTT instead of a blind timeout, and
    // the connection is ready for the TCP fallback.
    tcp = o.tcpFallback === false ? null : tcpRttProbe(o, P);
    const answerDeadline = () =>
      tcp?.rttMs != null ? Math.max(ctx.negativeWaitMs, Math.ceil(4 * tcp.rttMs + 100)) : o.timing.timeoutMs;
    const ephemeralLocal = await localEndpoint(s0.local, o);
    result.localAddress = formatEndpoint(ephemeralLocal);

    // ---- t = 0: everything that needs nothing but the primary address
    const basicP = ctx.probe({
      test: 'server-capability',
      step: 'Binding to primary address',
      from: s0,
      to: P,
      deadlineMs: answerDeadline,
    });
    const f2P = ctx.probe({
      test: 'filtering',
      step: 'change IP and port (§4.4 test II)',
      from: s1,
      to: P,
      build: changeRequest(true, true),
      negative: true,
      accept: 'any',
    });
    const f3P = ctx.probe({
      test: 'filtering',
      step: 'change port (§4.4 test III)',
      from: s2,
      to: P,
      build: changeRequest(false, true),
      negative: true,
      accept: 'any',
    });
    const sipP =
      o.sipPort === null
        ? Promise.resolve(null)
        : portTest(ctx, o, 'port-5060', 'sip-5060', [o.sipPort ?? 5060], P, answerDeadline);
    const [lo, hi] = o.rtpRange ?? [16384, 32767];
    const rtpCandidates = Array.from({ length: 6 }, () => lo + 2 * Math.floor((random() * (hi - lo)) / 2));
    const rtpP = portTest(ctx, o, 'port-rtp', 'rtp', rtpCandidates, P, answerDeadline);

    const basic = await basicP;
    const mapped0 = mappedOf(basic);
    if (!mapped0) {
      const [f2, f3] = await Promise.all([f2P, f3P]);
      const anyAnswer = [f2, f3].some((x) => x.outcome === 'response');
      const ports = (await Promise.all([sipP, rtpP])).filter((x): x is PortObservation => x !== null);
      result.ports = ports;
      if (basic.outcome === 'response') {
        const err = basic.response?.cls === 'error' ? tryGetAttribute(basic.response, ErrorCode) : undefined;
        result.serverKind = 'basic';
        result.incapableReason = err
          ? `the server answered the Binding request with error ${err.code} ${err.reason}`
          : 'the server answered without a mapped address';
        rec.finish('server-capability', 'failed', 'false', result.incapableReason);
      } else if (basic.outcome === 'cancelled') {
        throw o.signal.reason ?? new Error('cancelled');
      } else {
        result.udpBlocked = !anyAnswer && ports.every((p) => p.mapped === null);
        const waited = Math.round(basic.rttMs ?? rec.elapsed());
        result.incapableReason =
          basic.outcome === 'error'
            ? `could not send: ${basic.error}`
            : `no answer from ${formatEndpoint(P)} over UDP (waited ${waited} ms${tcp?.rttMs != null ? `, 4× the ${Math.round(tcp.rttMs * 10) / 10} ms TCP round trip` : ''})`;
        rec.finish('server-capability', 'failed', 'false', result.incapableReason);
        if (result.udpBlocked && tcp) {
          await tcp.done;
          await tcpFallback(o, rec, result, P, tcp);
        }
      }
      rec.finish('filtering', 'skipped', null, 'no answer to the basic Binding request');
      rec.finish('port-preservation', 'skipped', null, 'no mapped address');
      for (const t of ['mapping', 'hairpinning'] as const)
        rec.finish(t, 'skipped', null, 'no mapped address');
      result.classic = classicNatType(result);
      return result;
    }
    ctx.observeRtt(basic.rttMs);
    result.mappedAddress = formatEndpoint(mapped0);
    result.natDetected = !isLocal(mapped0, ephemeralLocal, o);
    const resp = basic.response!;
    result.software = tryGetAttribute(resp, Software) ?? null;
    const other = tryGetAttribute(resp, OtherAddress) ?? tryGetAttribute(resp, ChangedAddress) ?? null;
    result.serverKind = tryGetAttribute(resp, OtherAddress) ? 'rfc5780' : other ? 'rfc3489' : 'basic';
    let A: Endpoint | null = null;
    if (!other)
      result.incapableReason =
        'the server sends no OTHER-ADDRESS (or CHANGED-ADDRESS): it has no alternate address';
    else if (normalizeIp(other.address) === P.address || other.port === P.port)
      result.incapableReason = `the alternate address ${formatEndpoint(other)} does not differ from ${formatEndpoint(P)} in both IP and port`;
    else A = { address: normalizeIp(other.address), port: other.port };
    result.otherAddress = other ? formatEndpoint(other) : null;

    // ---- after the first answer: mapping (§4.3) and hairpinning (§4.5), concurrently
    rec.start(
      'hairpinning',
      `sending to ${formatEndpoint(mapped0)} from a second socket and from the socket itself`,
    );
    const hairP = ctx.probe({
      test: 'hairpinning',
      step: 'from a second socket to the first socket’s mapped address (§4.5)',
      from: h,
      to: mapped0,
      receiveOn: s0,
      accept: 'any',
      classes: ['request'],
      negative: true,
    });
    // Same-socket variant: tells "the NAT does not hairpin" apart from "it hairpins, but a filter
    // (e.g. an inner NAT in double NAT) drops packets from a peer this socket never sent to".
    const selfHairP = ctx.probe({
      test: 'hairpinning',
      step: 'from the first socket to its own mapped address',
      from: s0,
      to: mapped0,
      receiveOn: s0,
      accept: 'any',
      classes: ['request'],
      negative: true,
    });
    let m2: TransactionOutcome | null = null;
    let m3: TransactionOutcome | null = null;
    if (A) {
      rec.start('mapping', `Binding requests to the alternate address ${formatEndpoint(A)}`);
      [m2, m3] = await Promise.all([
        ctx.probe({
          test: 'mapping',
          step: 'to alternate IP, primary port (§4.3 test II)',
          from: s0,
          to: { address: A.address, port: P.port },
        }),
        ctx.probe({ test: 'mapping', step: 'to alternate IP and port (§4.3 test III)', from: s0, to: A }),
      ]);
      const M1 = m2 ? mappedOf(m2) : null;
      const M2 = m3 ? mappedOf(m3) : null;
      let mapping: MappingBehaviour | null = null;
      if (!M1 && !M2) {
        result.incapableReason = `the alternate address ${formatEndpoint(A)} does not answer`;
        A = null;
        rec.finish('mapping', 'failed', null, result.incapableReason);
      } else {
        if (M1 && sameEndpoint(M1, mapped0))
          mapping = M2 && !sameEndpoint(M2, mapped0) ? null : 'endpoint-independent';
        else if (M1 && M2)
          mapping = sameEndpoint(M1, M2) ? 'address-dependent' : 'address-and-port-dependent';
        else if (!M1 && M2 && sameEndpoint(M2, mapped0)) mapping = 'endpoint-independent';
        result.mapping = mapping;
        const seen = [mapped0, M1, M2].map((x) => (x ? formatEndpoint(x) : '—')).join(' / ');
        if (mapping) rec.finish('mapping', 'done', mapping, `${mapping} (mapped addresses ${seen})`);
        else rec.finish('mapping', 'inconclusive', null, `inconsistent mapped addresses ${seen}`);
      }
    } else {
      rec.finish('mapping', 'skipped', null, result.incapableReason ?? 'no alternate address');
    }

    // ---- filtering verdict (probes started at t = 0)
    const [f2, f3] = await Promise.all([f2P, f3P]);
    if (A) {
      const v2 = judgeChange(f2, A, P);
      const v3 = judgeChange(f3, { address: P.address, port: A.port }, P);
      const bad = (
        [
          ['IP and port', v2, f2],
          ['port', v3, f3],
        ] as const
      ).find(([, v]) => v === 'ignored' || v === 'wrong-source' || v === 'rejected');
      if (bad) {
        const [what, v, out] = bad;
        const from = out.from ? formatEndpoint(out.from) : '?';
        result.incapableReason =
          v === 'ignored'
            ? `the server ignores CHANGE-REQUEST: asked to change ${what}, it answered from ${from} (its primary address)`
            : v === 'wrong-source'
              ? `asked to change ${what}, the server answered from ${from}, not from the address it announced`
              : `the server rejected CHANGE-REQUEST (${describeError(out)})`;
        A = null;
      } else {
        let filtering: FilteringBehaviour | null =
          v2 === 'honoured'
            ? 'endpoint-independent'
            : v3 === 'honoured'
              ? 'address-dependent'
              : v2 === 'silent' && v3 === 'silent'
                ? 'address-and-port-dependent'
                : null;
        if (v2 === 'honoured' && v3 === 'silent')
          rec.warn(
            'the change-port probe went unanswered although the change-IP-and-port one got through (packet loss?)',
          );
        // control: prove the server honours CHANGE-REQUEST where the NAT lets the answer in
        if (v2 === 'silent' && result.mapping === 'endpoint-independent') {
          const control = await ctx.probe({
            test: 'filtering',
            step: 'control: change IP and port from the socket that talked to the alternate address',
            from: s0,
            to: P,
            build: changeRequest(true, true),
            negative: true,
            accept: 'any',
            note: 'this socket has sent to the alternate address, so any NAT lets the answer in',
          });
          const vc = judgeChange(control, A, P);
          if (vc !== 'honoured') {
            result.incapableReason =
              vc === 'silent'
                ? 'the server did not answer CHANGE-REQUEST even where the NAT lets the answer in: it drops CHANGE-REQUEST'
                : `the control CHANGE-REQUEST was answered from ${control.from ? formatEndpoint(control.from) : '?'}, not ${formatEndpoint(A)}`;
            filtering = null;
            A = null;
          }
        } else if (v2 === 'silent' && result.mapping !== null) {
          rec.warn(
            'with this mapping behaviour the server’s CHANGE-REQUEST support cannot be double-checked; the filtering verdict rests on its OTHER-ADDRESS and answering alternate address',
          );
        }
        result.filtering = filtering;
      }
    }
    if (A && result.filtering) {
      rec.finish('filtering', 'done', result.filtering, `${result.filtering}`);
    } else {
      result.filtering = null;
      rec.finish(
        'filtering',
        'failed',
        null,
        `server cannot run behaviour tests: ${result.incapableReason ?? 'unknown reason'}`,
      );
    }
    result.serverCapable = A !== null && result.mapping !== null && result.filtering !== null;
    if (result.serverCapable) {
      rec.finish(
        'server-capability',
        'done',
        'true',
        `${result.serverKind === 'rfc3489' ? 'RFC 3489 server (CHANGED-ADDRESS)' : 'RFC 5780 server'}; alternate address ${result.otherAddress}`,
      );
    } else {
      result.incapableReason ??= 'mapping behaviour could not be determined';
      rec.finish(
        'server-capability',
        'failed',
        'false',
        `server cannot run behaviour tests: ${result.incapableReason}`,
      );
    }

    // ---- hairpinning
    const [hair, selfHair] = await Promise.all([hairP, selfHairP]);
    if (hair.outcome === 'response') {
      result.hairpinning = true;
      rec.finish(
        'hairpinning',
        'done',
        'true',
        `a second socket’s request to ${formatEndpoint(mapped0)} came back in from ${hair.from ? formatEndpoint(hair.from) : '?'}`,
      );
    } else if (selfHair.outcome === 'response') {
      result.hairpinning = true;
      rec.finish(
        'hairpinning',
        'done',
        'true',
        `the NAT hairpins (the socket’s own request came back), but a second socket’s packet was filtered — an inner NAT or firewall drops it until the receiver has sent to the sender`,
      );
      rec.warn(
        'hairpinned packets from a peer behind the same NAT are dropped until the receiver sends to it first (filtering, e.g. double NAT): local calls need ICE or a relay',
      );
    } else if (hair.outcome === 'timeout' && selfHair.outcome === 'timeout') {
      result.hairpinning = false;
      rec.finish(
        'hairpinning',
        'done',
        'false',
        `nothing came back within ${Math.round(ctx.negativeWaitMs)} ms`,
      );
    } else {
      rec.finish('hairpinning', 'failed', null, hair.error ?? selfHair.error ?? hair.outcome);
    }

    // ---- port preservation
    const ports: PortObservation[] = [
      {
        label: 'ephemeral',
        local: formatEndpoint(ephemeralLocal),
        mapped: formatEndpoint(mapped0),
        preserved: mapped0.port === ephemeralLocal.port,
      },
    ];
    for (const p of await Promise.all([sipP, rtpP])) if (p) ports.push(p);
    result.ports = ports;
    const known = ports.filter((p) => p.preserved !== null);
    result.portPreserved = known.length ? known.every((p) => p.preserved) : null;
    rec.finish(
      'port-preservation',
      'done',
      String(result.portPreserved),
      known.map((p) => `${p.local.split(':').pop()}→${p.mapped?.split(':').pop() ?? '—'}`).join(', '),
    );
    result.classic = classicNatType(result);
    return result;
  } finally {
    await ctx.closeAll();
    if (tcp) {
      tcp.abort.abort();
      await tcp.done;
      await tcp.conn?.close().catch(() => {});
    }
    result.tests = rec.testList();
    result.durationMs = Math.round(rec.elapsed());
  }
}

async function portTest(
  ctx: ProbeContext,
  o: UdpDiscoveryOptions,
  test: 'port-5060' | 'port-rtp',
  label: 'sip-5060' | 'rtp',
  candidates: readonly number[],
  P: Endpoint,
  deadlineMs: () => number,
): Promise<PortObservation | null> {
  ctx.rec.start(test, `Binding from local port ${candidates[0]}`);
  let sock;
  for (const port of candidates) {
    try {
      sock = await ctx.bind(port);
      break;
    } catch {
      /* in use: try the next candidate */
    }
  }
  if (!sock) {
    ctx.rec.finish(test, 'skipped', null, `local port ${candidates.join('/')} is in use here`);
    if (test === 'port-5060')
      ctx.rec.warn(
        'local port 5060 is in use (a SIP client or server runs here), so its mapping was not tested',
      );
    return null;
  }
  const local = await localEndpoint(sock.local, o);
  const out = await ctx.probe({
    test,
    step: `Binding from local port ${local.port}`,
    from: sock,
    to: P,
    deadlineMs,
  });
  const mapped = mappedOf(out);
  const obs: PortObservation = {
    label,
    local: formatEndpoint(local),
    mapped: mapped ? formatEndpoint(mapped) : null,
    preserved: mapped ? mapped.port === local.port : null,
  };
  if (mapped)
    ctx.rec.finish(
      test,
      'done',
      `${local.port}->${mapped.port}`,
      `local ${formatEndpoint(local)} appears as ${formatEndpoint(mapped)}`,
    );
  else ctx.rec.finish(test, 'failed', null, 'no answer');
  return obs;
}

async function localEndpoint(local: Endpoint, o: UdpDiscoveryOptions): Promise<Endpoint> {
  const address = normalizeIp(local.address);
  if (address !== '0.0.0.0' && address !== '::') return { address, port: local.port };
  return { address: o.localAddress ?? o.localAddresses?.[0] ?? address, port: local.port };
}

function isLocal(mapped: Endpoint, local: Endpoint, o: UdpDiscoveryOptions): boolean {
  const ip = normalizeIp(mapped.address);
  const mine = new Set([normalizeIp(local.address), ...(o.localAddresses ?? []).map(normalizeIp)]);
  return mine.has(ip) && mapped.port === local.port;
}

function describeError(o: TransactionOutcome): string {
  const e = o.response ? tryGetAttribute(o.response, ErrorCode) : undefined;
  return e ? `${e.code} ${e.reason}` : 'error response';
}

interface RttProbe {
  done: Promise<void>;
  /** Stops a connect still in progress (a path that drops SYNs must not hold the run open). */
  abort: AbortController;
  rttMs: number | null;
  conn: TcpConnection | null;
  error: string | null;
}

/** TCP connect to the server: a handshake or a refusal both measure the round trip. */
function tcpRttProbe(o: UdpDiscoveryOptions, P: Endpoint): RttProbe {
  const t0 = o.clock.now();
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const p: RttProbe = { done: Promise.resolve(), abort, rttMs: null, conn: null, error: null };
  p.done = o.network
    .connectTcp({
      remote: P,
      localAddress: o.localAddress ?? undefined,
      timeoutMs: o.timing.timeoutMs,
      signal: abort.signal,
    })
    .then((conn) => {
      p.rttMs = o.clock.now() - t0;
      p.conn = conn;
    })
    .catch((err: unknown) => {
      const msg = err instanceof Error ? err.message : String(err);
      p.error = msg;
      // a refusal (RST) came back from the server's host: that is a round trip too
      if (/ECONNREFUSED/.test(msg) || (err as { code?: string }).code === 'ECONNREFUSED')
        p.rttMs = o.clock.now() - t0;
    })
    .finally(() => o.signal.removeEventListener('abort', onAbort));
  return p;
}

async function tcpFallback(
  o: UdpDiscoveryOptions,
  rec: RunRecorder,
  result: NatServerRun,
  P: Endpoint,
  tcp: RttProbe,
): Promise<void> {
  rec.start('tcp-fallback', `UDP got no answer: one Binding over TCP to ${formatEndpoint(P)}`);
  if (!tcp.conn) {
    rec.finish('tcp-fallback', 'failed', null, `no STUN over TCP either (${tcp.error ?? 'no connection'})`);
    if (tcp.rttMs === null)
      rec.warn(
        'no answer over UDP or TCP: the server may be down, or everything is blocked; "udp-blocked" is uncertain',
      );
    else
      rec.warn(
        'the server’s host answers over TCP (it refused the connection) but never over UDP: UDP is blocked on this path',
      );
    return;
  }
  const r = await tcpBinding({
    network: o.network,
    clock: o.clock,
    rec,
    target: P,
    localAddress: o.localAddress,
    timeoutMs: o.timing.timeoutMs,
    signal: o.signal,
    test: 'tcp-fallback',
    step: 'Binding over TCP',
    conn: tcp.conn,
  });
  tcp.conn = null; // tcpBinding closed it
  if (r.mapped && r.local) {
    result.mappedAddress = formatEndpoint(r.mapped);
    result.localAddress = formatEndpoint(r.local);
    result.natDetected = !isLocal(r.mapped, r.local, o);
    rec.finish(
      'tcp-fallback',
      'done',
      formatEndpoint(r.mapped),
      `TCP works (mapped ${formatEndpoint(r.mapped)}) but UDP does not: UDP is blocked on this path`,
    );
    rec.warn(
      'UDP is blocked but TCP reaches the server: SIP over TCP/TLS and TURN over TCP/TLS can still work',
    );
  } else {
    rec.finish('tcp-fallback', 'failed', null, r.error ?? 'no answer over TCP either');
    rec.warn(
      'no answer over UDP or TCP: the server may be down, or everything is blocked; "udp-blocked" is uncertain',
    );
  }
}
