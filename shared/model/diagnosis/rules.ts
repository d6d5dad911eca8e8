import { hostOfEndpoint } from '../endpoint.ts';
import { classifyAddress, isPrivateClass } from '../address-class.ts';
import { findRouterQuirk } from '../../data/router-quirks.ts';
import type { DiagnosisFacts } from './facts.ts';
import type { Finding } from './findings.ts';
import { sortFindings } from './findings.ts';
import { relayRules } from './relay-rules.ts';

/**
 * Pure rules that turn probe facts into findings. Each rule reads only the sections it needs and
 * returns nothing when those are missing, so a partial run still yields sound findings.
 */
type Rule = (f: DiagnosisFacts) => Finding[];

const REF = {
  rfc4787: {
    title: 'RFC 4787 — NAT behavioural requirements for UDP',
    url: 'https://www.rfc-editor.org/rfc/rfc4787',
  },
  rfc5780: {
    title: 'RFC 5780 — NAT behaviour discovery using STUN',
    url: 'https://www.rfc-editor.org/rfc/rfc5780',
  },
  rfc6598: {
    title: 'RFC 6598 — Shared address space (100.64.0.0/10)',
    url: 'https://www.rfc-editor.org/rfc/rfc6598',
  },
  // Documentation home pages: the NAT pages move, the sites stay. Titles say what to look up there.
  fsNat: { title: 'FreeSWITCH docs — "NAT Traversal"', url: 'https://developer.signalwire.com/freeswitch/' },
  fsAutoNat: { title: 'FreeSWITCH docs — "Auto NAT"', url: 'https://developer.signalwire.com/freeswitch/' },
  asteriskNat: {
    title: 'Asterisk docs — "Configuring res_pjsip to work through NAT"',
    url: 'https://docs.asterisk.org/',
  },
};

const ipOf = (ep: string | null): string | null => (ep ? hostOfEndpoint(ep) : null);

const safeClass = (ip: string | null) => {
  if (!ip) return null;
  try {
    return classifyAddress(ip);
  } catch {
    return null;
  }
};

/** A router beyond the first hop answering from 100.64.0.0/10 (RFC 6598): the ISP runs a CGN. */
function cgnHop(path: DiagnosisFacts['path']): string | null {
  return (
    path?.hops.find((h) => h.ttl >= 2 && h.address !== null && safeClass(h.address) === 'cgnat')?.address ??
    null
  );
}

const natShape: Rule = ({ nat, router, network, path }) => {
  if (!nat || nat.udpBlocked) return [];
  const mappedIp = ipOf(nat.mappedAddress);
  const out: Finding[] = [];
  if (nat.natDetected === false) {
    out.push({
      id: 'no-nat',
      area: 'nat',
      severity: 'ok',
      title: 'No NAT: this computer has a public address',
      evidence: { localAddress: nat.localAddress, mappedAddress: nat.mappedAddress, server: nat.server },
      advice: [
        'SIP and RTP need no NAT traversal from here. If calls still fail, look at a firewall (inbound UDP to your RTP range) rather than NAT.',
      ],
      references: [REF.rfc5780],
    });
    return out;
  }
  const routerExt = router?.externalIp ?? null;
  const routerExtClass = safeClass(routerExt);
  const primaryClass = network?.primaryClass ?? null;
  const cgnHopAddress = cgnHop(path);
  const cgnat = routerExtClass === 'cgnat' || primaryClass === 'cgnat' || cgnHopAddress !== null;
  // A router behind another NAT refuses every mapping with these codes (miniupnpd does so when its
  // own STUN check finds a restrictive NAT outside): UPnP 501, NAT-PMP result 3, PCP NO_RESOURCES (8).
  const refusedAll =
    router !== undefined &&
    router.mappingSuccesses === 0 &&
    router.mappingFailures.some((m) => ['501', '3', '8', 'NO_RESOURCES'].includes(m.code));
  // Our own NAT (private LAN address) with a CGN further out is two NATs in a row.
  const ownNatBeforeCgn = cgnHopAddress !== null && primaryClass === 'private';
  const doubleNat =
    (routerExtClass !== null && isPrivateClass(routerExtClass)) ||
    (routerExt !== null && mappedIp !== null && routerExt !== mappedIp) ||
    refusedAll ||
    ownNatBeforeCgn;
  if (doubleNat) {
    out.push({
      id: 'double-nat',
      area: 'router',
      severity: 'problem',
      title: 'Double NAT: your router is itself behind another NAT',
      evidence: {
        routerExternalIp: routerExt,
        routerExternalClass: routerExtClass,
        stunMappedAddress: nat.mappedAddress,
        routerRefusedEveryMapping: refusedAll,
        cgnHop: cgnHopAddress,
      },
      advice: [
        'Port mappings made on your router (UPnP, NAT-PMP, manual forwarding) do not reach the internet: the outer NAT still blocks inbound SIP and RTP.',
        'Ask your provider for a public IP address or for bridge mode on the outer device, or put your router in the outer device’s DMZ.',
        'Until then, register over TCP/TLS with keep-alives and let the far end handle NAT (FreeSWITCH: NDLB-force-rport / apply-nat-acl; Asterisk: direct_media=no, rtp_symmetric=yes, force_rport=yes, rewrite_contact=yes), or use a media relay (TURN / rtpengine).',
      ],
      references: [REF.fsNat, REF.asteriskNat],
    });
  }
  if (cgnat) {
    out.push({
      id: 'cgnat',
      area: 'router',
      severity: 'warning',
      title: 'Carrier-grade NAT (CGNAT): your provider shares one public address among customers',
      evidence: {
        routerExternalIp: routerExt,
        primaryAddressClass: primaryClass,
        stunMappedAddress: nat.mappedAddress,
        cgnHop: cgnHopAddress,
        path: path ? path.hops.map((h) => `${h.ttl}:${h.address ?? '*'}`).join(' ') : null,
      },
      advice: [
        'Inbound calls and port forwarding cannot work through CGNAT. Ask your provider for a public IPv4 address (often a paid option) or use IPv6.',
        'Keep registrations alive from the inside (short keep-alive interval) and rely on the SIP server’s NAT handling for media.',
      ],
      references: [REF.rfc6598],
    });
  }
  if (nat.natDetected) {
    out.push({
      id: 'nat-detected',
      area: 'nat',
      severity: 'info',
      title: `NAT detected (${nat.classic ?? 'behaviour unknown'})`,
      evidence: {
        localAddress: nat.localAddress,
        mappedAddress: nat.mappedAddress,
        mapping: nat.mapping,
        filtering: nat.filtering,
        server: nat.server,
      },
      advice: [
        `Tell your SIP endpoint its public address: FreeSWITCH ext-sip-ip / ext-rtp-ip = ${mappedIp ?? 'your public IP'} (or "autonat:${mappedIp ?? 'IP'}", or "stun:your.stun.server"); Asterisk external_media_address / external_signaling_address = ${mappedIp ?? 'your public IP'} with local_net set to your LAN.`,
        'On a SIP phone: enable STUN (or set the public address) and NAT keep-alive, or leave NAT handling to the server (rport, symmetric RTP).',
      ],
      references: [REF.fsNat, REF.asteriskNat],
    });
  }
  return out;
};

const udpBlocked: Rule = ({ nat }) =>
  nat?.udpBlocked
    ? [
        {
          id: 'udp-blocked',
          area: 'nat',
          severity: 'problem',
          title: 'UDP is blocked: no STUN answer came back',
          evidence: { server: nat.server },
          advice: [
            'SIP over UDP and RTP cannot work from this network. Check the firewall for outbound UDP (ports 3478, 5060 and your RTP range).',
            'If only UDP is filtered, use SIP over TCP or TLS — but RTP media still needs UDP or a TURN relay over TCP/TLS.',
          ],
          references: [REF.rfc4787],
        },
      ]
    : [];

const symmetric: Rule = ({ nat, router }) => {
  if (!nat || nat.udpBlocked || !nat.mapping || nat.mapping === 'endpoint-independent') return [];
  const canMap = router ? router.upnpFound || router.natpmpSupported || router.pcpSupported : false;
  return [
    {
      id: 'symmetric-nat',
      area: 'nat',
      severity: 'problem',
      title: `Symmetric NAT: the public port changes with each destination (${nat.mapping} mapping)`,
      evidence: { mapping: nat.mapping, filtering: nat.filtering, routerCanMapPorts: router ? canMap : null },
      advice: [
        'The address STUN reports is not the one the SIP server or the far phone will see, so media sent to the advertised address is lost (one-way or no audio).',
        canMap
          ? 'Your router supports port mapping: let the PBX open its ports (FreeSWITCH auto-nat uses UPnP / NAT-PMP; set rtp-start-port/rtp-end-port to a small range you map).'
          : 'Media needs a relay (TURN, rtpengine) or NAT traversal on the far end: the server must send RTP back to where it comes from (FreeSWITCH: apply-nat-acl + NDLB-force-rport; Asterisk: rtp_symmetric=yes, force_rport=yes, rewrite_contact=yes, direct_media=no).',
        'If the router has a "full cone" / "endpoint-independent" NAT option (sometimes called "NAT type: open" for games), enable it.',
      ],
      references: [REF.rfc4787, REF.asteriskNat],
    },
  ];
};

const hairpin: Rule = ({ nat }) =>
  nat && !nat.udpBlocked && nat.natDetected && nat.hairpinning === false
    ? [
        {
          id: 'no-hairpinning',
          area: 'nat',
          severity: 'warning',
          title: 'No hairpinning: devices on your LAN cannot reach each other through the public address',
          evidence: { hairpinning: false },
          advice: [
            'Calls between two phones behind this router fail when they use the public address. Keep them on the LAN (local_net / localnet so the PBX uses private addresses between them).',
            'FreeSWITCH: make sure local-network-acl covers your LAN so ext-rtp-ip is not used toward local phones.',
          ],
          references: [REF.rfc4787],
        },
      ]
    : [];

const lifetime: Rule = ({ nat }) => {
  const secs = nat?.lifetimeSeconds;
  if (secs === null || secs === undefined) return [];
  // RFC 4787 REQ-5: a UDP mapping must not expire in less than two minutes.
  if (secs >= 120) return [];
  const keepAlive = Math.max(5, Math.floor(secs * 0.8));
  return [
    {
      id: 'short-binding-lifetime',
      area: 'nat',
      severity: secs < 30 ? 'problem' : 'warning',
      title: `Short NAT binding lifetime: idle UDP mappings vanish after about ${secs} s`,
      evidence: { lifetimeSeconds: secs, recommendedKeepAliveSeconds: keepAlive },
      advice: [
        `Send a keep-alive at least every ${keepAlive} s, or registrations vanish and incoming calls stop reaching you.`,
        `SIP phone: set "NAT keep-alive" / "UDP keep-alive" to ${keepAlive} s. FreeSWITCH gateway: ping = ${keepAlive}; profile: nat-options-ping = true. Asterisk: qualify_frequency = ${keepAlive} on the AOR.`,
        'Or register with an expiry shorter than the lifetime, or use SIP over TCP (TCP mappings live much longer).',
      ],
      references: [REF.rfc4787],
    },
  ];
};

const routerRules: Rule = ({ router }) => {
  if (!router) return [];
  const out: Finding[] = [];
  if (!router.upnpFound && !router.natpmpSupported && !router.pcpSupported) {
    out.push({
      id: 'no-upnp',
      area: 'router',
      severity: 'info',
      title: 'The router offers no UPnP IGD, NAT-PMP or PCP',
      evidence: { upnp: false, natpmp: false, pcp: false },
      advice: [
        'Automatic port opening (FreeSWITCH auto-nat, phones’ UPnP) cannot work. Forward your SIP port and RTP range by hand, or enable UPnP/NAT-PMP in the router — knowing it lets any LAN program open ports.',
      ],
      references: [REF.fsAutoNat],
    });
  }
  if (router.mappingFailures.length > 0) {
    out.push({
      id: 'upnp-mapping-failed',
      area: 'router',
      severity: 'warning',
      title: 'The router refused to create a port mapping',
      evidence: Object.fromEntries(router.mappingFailures.map((m) => [m.via, `${m.code} ${m.message}`])),
      advice: [
        'FreeSWITCH auto-nat (nat_map) will fail the same way and calls will lack inbound audio. Check the router’s UPnP/NAT-PMP settings (secure mode only allows mappings to the requesting host).',
        'Refusal of every mapping (UPnP 501, NAT-PMP result 3, PCP NO_RESOURCES) often means the router is itself behind another NAT.',
      ],
      references: [REF.fsAutoNat],
    });
  }
  const quirk = findRouterQuirk(router.manufacturer, router.model);
  if (quirk) {
    out.push({
      id: 'router-quirk',
      area: 'router',
      severity: 'info',
      title: `Known notes for ${quirk.router}`,
      evidence: { manufacturer: router.manufacturer, model: router.model },
      advice: [...quirk.notes, ...(quirk.algHint ? [quirk.algHint] : [])],
      references: [REF.fsAutoNat],
    });
  }
  return out;
};

const alg: Rule = ({ alg, router }) => {
  if (!alg) return [];
  if (!alg.algDetected) {
    const evidence: Finding['evidence'] = { evidence: alg.evidence };
    for (const r of alg.rewrites) evidence[`${r.transport}/${r.port}`] = r.fields.join(', ') || 'untouched';
    return [
      {
        id: 'no-sip-alg',
        area: 'alg',
        severity: alg.evidence === 'reflector' ? 'ok' : 'info',
        title:
          alg.evidence === 'reflector'
            ? 'No SIP ALG: SIP arrived byte for byte as sent'
            : 'No sign of a SIP ALG (heuristic check only; a reflector test is conclusive)',
        evidence,
        advice: [],
        references: [],
      },
    ];
  }
  const quirk = router ? findRouterQuirk(router.manufacturer, router.model) : null;
  const wrongAddr = alg.rewrites.find(
    (r) => r.rewrittenTo && isPrivateClass(safeClass(r.rewrittenTo) ?? 'public'),
  );
  const evidence: Finding['evidence'] = { evidence: alg.evidence };
  for (const r of alg.rewrites) evidence[`${r.transport}/${r.port}`] = r.fields.join(', ') || 'untouched';
  return [
    {
      id: 'sip-alg',
      area: 'alg',
      severity: alg.evidence === 'reflector' ? 'problem' : 'warning',
      title:
        alg.evidence === 'reflector'
          ? 'A SIP ALG in the router rewrites your SIP messages'
          : 'A SIP ALG probably rewrites your SIP messages (heuristic evidence)',
      evidence,
      advice: [
        quirk?.algHint ??
          'Disable the router’s SIP ALG (often called "SIP ALG", "SIP helper", "SIP passthrough" or "VoIP ALG").',
        ...(wrongAddr
          ? [
              `The ALG wrote ${wrongAddr.rewrittenTo}, which is not a public address: the router is behind another NAT and its ALG advertises an unreachable address. Disabling the ALG is required.`,
            ]
          : []),
        'If it cannot be disabled, move SIP off UDP 5060: use TLS (port 5061, the ALG cannot read it), TCP, or another UDP port on both ends.',
      ],
      references: [REF.fsNat],
    },
  ];
};

const callRules: Rule = ({ call, nat }) => {
  if (!call) return [];
  if (!call.answered || call.rtpSent === 0) {
    return [
      {
        id: 'no-audio',
        area: 'call',
        severity: 'problem',
        title: call.answered
          ? 'The call was answered but carried no audio'
          : `The test call failed${call.sipStatus ? ` (SIP ${call.sipStatus})` : ''}`,
        evidence: {
          target: call.target,
          answered: call.answered,
          sipStatus: call.sipStatus,
          rtpSent: call.rtpSent,
          rtpReceived: call.rtpReceived,
        },
        advice: [
          call.answered
            ? 'No media could be exchanged: check that UDP to the RTP port range is allowed outbound.'
            : 'Check the SIP server address and transport; if UDP is filtered try --transport tcp or tls.',
        ],
        references: [REF.fsNat],
      },
    ];
  }
  if (call.oneWayAudio || call.rtpReceived === 0) {
    return [
      {
        id: 'one-way-audio',
        area: 'call',
        severity: 'problem',
        title: 'One-way audio: we sent audio, the echo never came back',
        evidence: {
          target: call.target,
          rtpSent: call.rtpSent,
          rtpReceived: call.rtpReceived,
          natMapping: nat?.mapping ?? null,
        },
        advice: [
          'The far end sends media to the address in our SDP, which the NAT does not forward. Advertise the public (STUN-mapped) address, open/map the RTP range, or have the server use symmetric RTP (send back to where packets come from).',
          'FreeSWITCH: ext-rtp-ip set to the public address, or apply-nat-acl on the server; Asterisk: rtp_symmetric=yes, direct_media=no. A SIP ALG that rewrites SDP badly causes the same symptom.',
        ],
        references: [REF.fsNat, REF.asteriskNat],
      },
    ];
  }
  const poor =
    (call.mos !== null && call.mos < 3.6) ||
    (call.lossPercent !== null && call.lossPercent > 3) ||
    (call.jitterMs !== null && call.jitterMs > 30) ||
    (call.rttMs !== null && call.rttMs > 300);
  const evidence = {
    target: call.target,
    mos: call.mos,
    lossPercent: call.lossPercent,
    jitterMs: call.jitterMs,
    rttMs: call.rttMs,
    rtpSourceMismatch: call.rtpSourceMismatch,
  };
  if (poor) {
    return [
      {
        id: 'poor-call-quality',
        area: 'call',
        severity: call.mos !== null && call.mos < 3.1 ? 'problem' : 'warning',
        title: `Audio flows both ways but quality is poor${call.mos !== null ? ` (MOS ${call.mos.toFixed(2)})` : ''}`,
        evidence,
        advice: [
          'Loss and jitter come from the path (Wi-Fi, a saturated uplink): test on a cable, stop large uploads, enable QoS/SQM on the router for RTP.',
          'High round-trip time: pick a SIP server or media relay closer to you.',
        ],
        references: [],
      },
    ];
  }
  return [
    {
      id: 'call-ok',
      area: 'call',
      severity: 'ok',
      title: `Echo test call: audio flows both ways${call.mos !== null ? ` (MOS ${call.mos.toFixed(2)})` : ''}`,
      evidence,
      advice: call.rtpSourceMismatch
        ? [
            'RTP came back from a different address/port than the SDP said: a NAT is in the far end’s path, and symmetric RTP is what made this call work.',
          ]
        : [],
      references: [],
    },
  ];
};

const registration: Rule = ({ registration: r }) =>
  r && !r.ok
    ? [
        {
          id: 'registration-failed',
          area: 'call',
          severity: 'problem',
          title: `Registration with ${r.registrar} failed${r.sipStatus ? ` (SIP ${r.sipStatus})` : ''}`,
          evidence: { registrar: r.registrar, sipStatus: r.sipStatus, reason: r.reason },
          advice: [
            r.sipStatus === 401 || r.sipStatus === 403 || r.sipStatus === 407
              ? 'The registrar rejected the credentials: check the username (auth user may differ from the extension) and password.'
              : 'Check the registrar address, port and transport; a timeout through UDP but not TCP points at a firewall or a SIP ALG.',
          ],
          references: [],
        },
      ]
    : [];

const RULES: Rule[] = [
  udpBlocked,
  natShape,
  symmetric,
  hairpin,
  lifetime,
  routerRules,
  alg,
  registration,
  callRules,
  relayRules,
];

export function diagnose(facts: DiagnosisFacts): Finding[] {
  return sortFindings(RULES.flatMap((rule) => rule(facts)));
}
