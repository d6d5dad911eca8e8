import { hostOfEndpoint } from '../endpoint.ts';
import type { AlgResult } from '../../contracts/alg.ts';
import type { CallResult } from '../../contracts/call.ts';
import type { IncomingResult } from '../../contracts/incoming.ts';
import { incomingFacts, incomingSection } from '../incoming/report.ts';
import type { NatReport } from '../../contracts/nat.ts';
import type { Hops, NetworkSnapshot } from '../../contracts/network.ts';
import type { RouterReport } from '../../contracts/router.ts';
import type { TurnReport } from '../../contracts/turn.ts';
import { relayFactsOf } from './relay-rules.ts';
import type { WebrtcResult } from '../../contracts/webrtc.ts';
import { webrtcFactsOf, webrtcSummary, websocketFactsOf } from './webrtc-rules.ts';
import type { CallSample, Report } from '../report/report.ts';
import type { DiagnosisFacts } from './facts.ts';

/**
 * Maps each step's contract output to (a) the facts the diagnosis rules read and (b) the report
 * section showing the raw evidence. Pure, so the CLI, the services and tests share it.
 */
export interface StepResults {
  network?: NetworkSnapshot;
  nat?: NatReport;
  router?: RouterReport;
  alg?: AlgResult;
  call?: CallResult;
  /** The TURN relay test. */
  turn?: TurnReport;
  /** The WebRTC echo (run in the browser). */
  webrtc?: WebrtcResult;
  /** The inbound-call test. */
  incoming?: IncomingResult;
  callSamples?: CallSample[];
  path?: Hops;
}

const ipOf = (ep: string | null) => (ep ? hostOfEndpoint(ep) : null);

export function factsFromResults(r: StepResults): DiagnosisFacts {
  const facts: DiagnosisFacts = {};
  if (r.network) {
    facts.network = {
      primaryAddress: r.network.primary?.address ?? null,
      primaryClass: r.network.primary?.class ?? null,
      localAddresses: r.network.interfaces.flatMap((i) => i.addresses.map((a) => a.address)),
    };
  }
  if (r.path) facts.path = { target: r.path.target, hops: r.path.hops };
  if (r.nat) {
    facts.nat = {
      udpBlocked: r.nat.udpBlocked,
      serverSilent: r.nat.serverSilent ?? false,
      udpEvidence: r.nat.udpEvidence ?? null,
      natDetected: r.nat.natDetected,
      mapping: r.nat.mapping,
      filtering: r.nat.filtering,
      hairpinning: r.nat.hairpinning,
      mappedAddress: r.nat.mappedAddress,
      localAddress: r.nat.localAddress,
      classic: r.nat.classic,
      lifetimeSeconds: r.nat.lifetimeSeconds ?? null,
      server: r.nat.servers.map((s) => s.server).join(', '),
    };
  }
  if (r.router) {
    const { upnp, natpmp, pcp } = r.router;
    const failures: NonNullable<DiagnosisFacts['router']>['mappingFailures'] = [];
    for (const rc of [natpmp.resultCode, pcp.resultCode]) {
      if (rc) failures.push({ via: rc.via, code: String(rc.code), message: rc.name });
    }
    if (r.router.findings.some((f) => f.id === 'mappings-refused') && failures.length === 0) {
      failures.push({ via: 'upnp', code: 'refused', message: 'the router refused every mapping' });
    }
    facts.router = {
      upnpFound: upnp.found,
      natpmpSupported: natpmp.supported,
      pcpSupported: pcp.supported,
      externalIp: upnp.externalIp ?? natpmp.externalIp ?? pcp.externalIp,
      manufacturer: upnp.manufacturer,
      model: upnp.model,
      mappingFailures: failures,
      mappingSuccesses: r.router.ownMappings.length,
    };
  }
  if (r.alg) {
    facts.alg = {
      algDetected: r.alg.algDetected,
      evidence: r.alg.mode,
      rewrites: r.alg.paths.map((p) => ({
        transport: p.transport.toLowerCase(),
        port: p.destinationPort,
        fields: [...new Set([...p.rewrittenFields, ...p.inboundRewrittenFields])],
        rewrittenTo: p.writtenAddresses[0] ?? null,
      })),
    };
  }
  const websocket = websocketFactsOf(r.call, r.webrtc);
  if (websocket) facts.websocket = websocket;
  if (r.webrtc) facts.webrtc = webrtcFactsOf(r.webrtc);
  // A call whose WebSocket never opened placed no call: websocket-blocked says why.
  if (r.call && r.call.websocket?.opened !== false) {
    const c = r.call;
    facts.call = {
      target: c.target,
      answered: c.answered,
      sipStatus: c.sipStatus,
      oneWayAudio: c.oneWayAudio,
      rtpSent: c.rtp?.sent ?? 0,
      rtpReceived: c.rtp?.received ?? 0,
      lossPercent: c.rtp?.lossPercent ?? null,
      jitterMs: c.rtp?.jitterMs ?? null,
      rttMs: c.rtp?.rttMs ?? null,
      mos: c.rtp?.mos ?? null,
      rtpSourceMismatch: c.media?.sourceMismatch ?? false,
    };
    if (c.registration) {
      facts.registration = {
        registrar: c.signaling.server,
        ok: c.registration.ok,
        sipStatus: c.registration.status,
        reason: c.registration.reason,
      };
    }
    facts.sipVia = { received: ipOf(c.signaling.viaReceived) };
  }
  if (r.turn) facts.relay = relayFactsOf(r.turn);
  if (r.incoming) facts.incoming = incomingFacts(r.incoming);
  return facts;
}

type Sections = Pick<Report, 'network' | 'nat' | 'router' | 'alg' | 'call' | 'relay' | 'incoming' | 'webrtc'>;

export function sectionsFromResults(r: StepResults): Sections {
  const out: Sections = {};
  if (r.network) {
    out.network = {
      interfaces: r.network.interfaces.flatMap((i) =>
        i.addresses.map((a) => ({ name: i.name, address: `${a.address}/${a.prefixLength}`, class: a.class })),
      ),
      gateways: r.network.gateways.map((g) => `${g.address} (${g.interface ?? '?'})`),
      primary: r.network.primary?.address ?? null,
      ...(r.path
        ? { hops: r.path.hops.map((h) => `${h.ttl}: ${h.address ?? '*'}`), hopsTarget: r.path.target }
        : {}),
    };
  }
  if (r.nat) {
    const n = r.nat;
    out.nat = {
      server: n.servers.map((s) => s.server).join(', '),
      summary: {
        classic: n.classic,
        mapping: n.mapping,
        filtering: n.filtering,
        hairpinning: n.hairpinning,
        natDetected: n.natDetected,
        udpBlocked: n.udpBlocked,
        portPreserved: n.portPreserved,
        mappedAddress: n.mappedAddress,
        localAddress: n.localAddress,
        lifetimeSeconds: n.lifetimeSeconds ?? null,
        confidence: `${n.confidence} — ${n.confidenceReason}`,
      },
      transactions: n.transactions.map((t) => ({
        test: `${t.test}: ${t.step}`,
        from: t.local,
        to: t.destination,
        request: ['Binding', ...t.sent.map((a) => `${a.name} ${a.value}`)].join(' '),
        responseFrom: t.responseFrom,
        response: t.response
          ? t.response.map((a) => `${a.name} ${a.value}`).join(', ')
          : t.outcome === 'response'
            ? ''
            : null,
        rttMs: t.rttMs,
      })),
    };
  }
  if (r.router) {
    const { upnp, natpmp, pcp } = r.router;
    out.router = {
      summary: {
        gateway: r.router.gateway,
        upnp: upnp.found,
        igdVersion: upnp.igdVersion,
        friendlyName: upnp.friendlyName,
        manufacturer: upnp.manufacturer,
        model: upnp.model,
        server: upnp.server,
        externalIp: upnp.externalIp ?? natpmp.externalIp ?? pcp.externalIp,
        connectionStatus: upnp.connectionStatus,
        uptimeSeconds: upnp.uptimeSeconds,
        natpmp: natpmp.supported,
        natpmpEpoch: natpmp.epoch,
        pcp: pcp.supported,
        routerFindings: r.router.findings.map((f) => f.title).join('; ') || null,
      },
      // The UPnP table also lists NAT-PMP/PCP mappings (miniupnpd does): one row per ledger entry.
      mappings: [
        ...upnp.mappings,
        ...r.router.ownMappings.filter(
          (m) =>
            m.via !== 'upnp' && !upnp.mappings.some((u) => u.ledgerId !== null && u.ledgerId === m.ledgerId),
        ),
      ].map((m) => ({
        protocol: m.protocol.toUpperCase(),
        externalPort: m.externalPort,
        internalClient: m.internalClient ?? '?',
        internalPort: m.internalPort,
        description: `${m.description ?? ''}${m.via !== 'upnp' ? ` (${m.via})` : ''}`,
        leaseSeconds: m.permanent ? null : m.leaseSeconds,
        createdByNatScope: m.createdByNatScope,
      })),
      partialReason: upnp.mappingsPartial ? (upnp.mappingsPartialReason ?? 'the table was cut short') : null,
    };
  }
  if (r.alg) {
    out.alg = {
      summary: {
        algDetected: r.alg.algDetected,
        mode: r.alg.mode,
        evidence: r.alg.evidence,
        target: r.alg.target,
        summary: r.alg.summary,
        loopbackDemo: r.alg.loopbackDemo,
      },
      rows: r.alg.paths.map((p) => ({
        transport: p.transport,
        port: p.destinationPort,
        sourcePort: p.sourcePort,
        verdict:
          p.status === 'untouched' || p.status === 'dropped' || p.status === 'error'
            ? p.status
            : p.status === 'skipped'
              ? 'error'
              : 'rewritten',
        fields: p.messages.flatMap((m) =>
          [...m.outbound, ...m.inbound].map((c) => ({
            name: `${m.method} ${c.field}`,
            sent: c.before,
            received: c.after,
          })),
        ),
      })),
    };
  }
  if (r.call) {
    const c = r.call;
    out.call = {
      summary: {
        target: c.target,
        transport: c.transport,
        answered: c.answered,
        sipStatus: c.sipStatus,
        endReason: c.endReason,
        oneWayAudio: c.oneWayAudio,
        rtpSent: c.rtp?.sent ?? null,
        rtpReceived: c.rtp?.received ?? null,
        lossPercent: c.rtp?.lossPercent ?? null,
        jitterMs: c.rtp?.jitterMs ?? null,
        rttMs: c.rtp?.rttMs ?? null,
        mos: c.rtp?.mos ?? null,
        audioLatencyMs: c.rtp?.audioLatencyMs ?? null,
        advertisedRtp: c.media?.advertisedRtp ?? null,
        remoteSdpRtp: c.media?.remoteSdpRtp ?? null,
        rtpSourceMismatch: c.media?.sourceMismatch ?? null,
        viaReceived: c.signaling.viaReceived,
        ...(c.websocket ? { websocketUrl: c.websocket.url, websocket: c.websocket.message } : {}),
        registration: c.registration
          ? `${c.registration.ok ? 'ok' : 'failed'} ${c.registration.status ?? ''} ${c.registration.reason}`.trim()
          : null,
      },
      samples: r.callSamples ?? [],
      ladder: c.messages.map((m) => ({
        direction: m.direction,
        time: Math.round(m.atMs),
        from: m.direction === 'sent' ? m.local : m.remote,
        to: m.direction === 'sent' ? m.remote : m.local,
        summary: m.summary,
        raw: m.raw,
      })),
    };
  }
  if (r.turn) {
    const t = r.turn;
    out.relay = {
      summary: {
        server: t.server,
        transport: t.transport,
        allocated: t.allocated,
        relayedAddress: t.relayedAddress,
        mappedAddress: t.mappedAddress,
        lifetimeSeconds: t.lifetimeSeconds,
        realm: t.realm,
        passwordAlgorithm: t.passwordAlgorithm,
        allocateMs: t.timings.allocateMs,
        error: t.error?.message ?? null,
        // The echo call through the relay beside the direct one (diagnose with --echo-uri).
        ...(t.echo ? { echo: t.echo.summary } : {}),
      },
      candidates: t.candidates,
    };
  }
  if (r.incoming) out.incoming = incomingSection(r.incoming);
  if (r.webrtc) out.webrtc = { summary: webrtcSummary(r.webrtc) };
  return out;
}
