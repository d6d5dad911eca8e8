/** Findings about the NAT itself: its type, UDP blocked, symmetric mapping, hairpinning, binding lifetime (RFC 4787, RFC 5780). */
import { isPrivateClass } from '../address-class.ts';
import type { Finding } from './findings.ts';
import { cgnHop, ipOf, REF, safeClass, type Rule } from './rule-kit.ts';
import { keepAliveSummary, recommendedKeepAlive } from '../keepalive-advice.ts';

export const natShape: Rule = ({ nat, router, network, path }) => {
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

export const udpBlocked: Rule = ({ nat }) =>
  nat?.udpBlocked
    ? [
        {
          id: 'udp-blocked',
          area: 'nat',
          severity: 'problem',
          title: 'UDP is blocked: STUN answers only over TCP, or several servers are silent',
          evidence: { server: nat.server, evidence: nat.udpEvidence ?? null },
          advice: [
            'SIP over UDP and RTP cannot work from this network. Check the firewall for outbound UDP (ports 3478, 5060 and your RTP range).',
            'If only UDP is filtered, use SIP over TCP or TLS — but RTP media still needs UDP or a TURN relay over TCP/TLS.',
          ],
          references: [REF.rfc4787],
        },
      ]
    : [];

/** A silent server says nothing about the NAT: the NAT type is unknown, and that is the finding. */
export const stunNoAnswer: Rule = ({ nat }) =>
  nat?.serverSilent && !nat.udpBlocked
    ? [
        {
          id: 'stun-no-answer',
          area: 'nat',
          severity: 'warning',
          title: 'The STUN server did not answer: NAT type unknown',
          evidence: { server: nat.server, evidence: nat.udpEvidence ?? null },
          advice: [
            'Try another STUN server (or two): a server that is down looks the same as a firewall. If two different servers stay silent too, UDP is blocked on this network.',
          ],
          references: [REF.rfc5780],
        },
      ]
    : [];

export const symmetric: Rule = ({ nat, router }) => {
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

export const hairpin: Rule = ({ nat }) =>
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

export const lifetime: Rule = ({ nat }) => {
  const secs = nat?.lifetimeSeconds;
  if (secs === null || secs === undefined) return [];
  // RFC 4787 REQ-5: a UDP mapping must not expire in less than two minutes.
  if (secs >= 120) return [];
  const keepAlive = recommendedKeepAlive(secs);
  return [
    {
      id: 'short-binding-lifetime',
      area: 'nat',
      severity: secs < 30 ? 'problem' : 'warning',
      title: `Short NAT binding lifetime: idle UDP mappings vanish after about ${secs} s`,
      evidence: { lifetimeSeconds: secs, recommendedKeepAliveSeconds: keepAlive },
      advice: [
        `Send a keep-alive at least every ${keepAlive} s, or registrations vanish and incoming calls stop reaching you.`,
        ...keepAliveSummary({ keepAliveSeconds: keepAlive }),
        'Or use SIP over TCP or TLS: connections usually live much longer than UDP bindings.',
      ],
      references: [REF.rfc4787],
    },
  ];
};
