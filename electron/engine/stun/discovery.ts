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
 * the whole run takes about one negative wait plus two round trips. The verdicts are drawn in
 * behaviour-verdicts.ts, the per-port mappings in port-test.ts, the TCP side in tcp-rtt.ts.
 */
import type { NatServerRun, PortObservation } from '../../../shared/contracts/nat.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import { classicNatType } from '../../../shared/model/nat-classic.ts';
import { tryGetAttribute } from './attribute.ts';
import { ChangedAddress, OtherAddress } from './attr-address.ts';
import { ErrorCode } from './attr-error-code.ts';
import { Software } from './attr-text.ts';
import { ipFamily, normalizeIp } from './ip.ts';
import { ProbeContext, changeRequest, mappedOf } from './probe.ts';
import { RunRecorder, emptyServerRun } from './recorder.ts';
import {
  concludeCapability,
  judgeFiltering,
  judgeHairpinning,
  judgeMapping,
  judgePortPreservation,
} from './behaviour-verdicts.ts';
import { isLocal, localEndpoint, portTest } from './port-test.ts';
import { tcpFallback, tcpRttProbe, type RttProbe } from './tcp-rtt.ts';
import type { UdpDiscoveryOptions } from './udp-discovery-options.ts';

export type { UdpDiscoveryOptions } from './udp-discovery-options.ts';

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
          // The server's host answered the TCP handshake (or refused it): independent evidence
          // that the path works and only UDP is missing (shared/model/udp-verdict.ts).
          result.tcpReachable = tcp.rttMs !== null;
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
    if (A) A = await judgeMapping(ctx, rec, result, { s0, P, A, mapped0 });
    else rec.finish('mapping', 'skipped', null, result.incapableReason ?? 'no alternate address');

    // ---- filtering verdict (probes started at t = 0)
    const [f2, f3] = await Promise.all([f2P, f3P]);
    A = await judgeFiltering(ctx, rec, result, { f2, f3, s0, P, A });
    concludeCapability(rec, result, A);

    // ---- hairpinning
    const [hair, selfHair] = await Promise.all([hairP, selfHairP]);
    judgeHairpinning(rec, result, { hair, selfHair, mapped0, negativeWaitMs: ctx.negativeWaitMs });

    // ---- port preservation
    judgePortPreservation(rec, result, { ephemeralLocal, mapped0, tested: await Promise.all([sipP, rtpP]) });
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
