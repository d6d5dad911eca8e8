import type { TurnReport } from '../../contracts/turn.ts';
import type { DiagnosisFacts } from './facts.ts';
import type { Finding, Reference } from './findings.ts';

/**
 * "Would a relay fix it?" — findings from the TURN test (relay section) read together with the
 * direct path (NAT step and direct echo call): relay-works, relay-needed, relay-unreachable.
 */
const REF: Record<string, Reference> = {
  rfc8656: {
    title: 'RFC 8656 — TURN: relay extensions to STUN',
    url: 'https://www.rfc-editor.org/rfc/rfc8656',
  },
  coturn: {
    title: 'coturn — TURN server (README, turnserver.conf)',
    url: 'https://github.com/coturn/coturn',
  },
  rtpengine: {
    title: 'rtpengine — media proxy for Kamailio/OpenSIPS',
    url: 'https://github.com/sipwise/rtpengine',
  },
  fsProxy: {
    title: 'FreeSWITCH docs — "Proxy Media" / "Bypass Media Overview"',
    url: 'https://developer.signalwire.com/freeswitch/',
  },
};

const RELAY_ADVICE = [
  'WebRTC clients: configure a TURN server (iceServers with turn:/turns: URLs); the browser falls back to the relay by itself.',
  'SIP phones do not speak TURN: put the media relay on the server side — an SBC, rtpengine with Kamailio/OpenSIPS, or FreeSWITCH without bypass-media (proxy-media off, the default) and with NAT handling on — so the server relays RTP for phones behind this NAT.',
  'Asterisk: direct_media=no, rtp_symmetric=yes, force_rport=yes, rewrite_contact=yes on the endpoint.',
];

/** The relay facts of a TURN test result. */
export function relayFactsOf(r: TurnReport): NonNullable<DiagnosisFacts['relay']> {
  return {
    server: r.server,
    transport: r.transport,
    allocated: r.allocated,
    relayedAddress: r.relayedAddress,
    error: r.error?.message ?? null,
    errorCode: r.error?.code ?? null,
    echo: r.echo
      ? {
          answered: r.echo.answered,
          oneWayAudio: r.echo.oneWayAudio,
          received: r.echo.rtp?.received ?? 0,
          mos: r.echo.rtp?.mos ?? null,
          directAnswered: r.echo.direct?.answered ?? false,
        }
      : undefined,
  };
}

/** Why the direct path fails, or null when nothing measured says it does. */
function directProblem(f: DiagnosisFacts): string | null {
  if (f.nat?.udpBlocked) return 'UDP is blocked on this network';
  if (f.call?.answered && f.call.rtpReceived === 0) return 'the direct echo call got no audio back';
  if (f.call?.answered && f.call.oneWayAudio) return 'the direct echo call had one-way audio';
  if (f.nat && f.nat.mapping !== null && f.nat.mapping !== 'endpoint-independent')
    return 'the NAT is symmetric: address-dependent mapping';
  return null;
}

/**
 * A direct echo call with audio both ways through a symmetric NAT is no contradiction: its server
 * sent back to where our RTP came from (symmetric RTP, "latching"). A peer that sends to the address
 * in our SDP gets nothing through this NAT, so the relay is still needed — but not "direct fails".
 */
function directFailsOr(f: DiagnosisFacts): string {
  const c = f.call;
  return c?.answered && c.rtpReceived > 0 && !c.oneWayAudio
    ? 'Direct media works here only with servers that send back to where the RTP came from, as the echo server did'
    : 'Direct media fails here';
}

export function relayRules(f: DiagnosisFacts): Finding[] {
  const r = f.relay;
  if (!r) return [];
  const direct = directProblem(f);
  const e = r.echo;
  // Only the media goes through the relay; the relayed call's signalling takes the direct path. When
  // the echo service answered neither call, the echo says nothing about the relay.
  const echoSilent = e !== undefined && !e.answered && e.directAnswered === false;
  // Something measured the direct path: the NAT step, or a direct call that was answered.
  const directMeasured = direct !== null || f.nat !== undefined || f.call?.answered === true;
  const evidence = {
    server: r.server,
    transport: r.transport,
    allocated: r.allocated,
    relayedAddress: r.relayedAddress,
    error: r.error,
    relayedEchoMos: r.echo?.mos ?? null,
    relayedEchoReceived: r.echo?.received ?? null,
    directPath: direct ?? (directMeasured ? 'no problem measured' : 'not measured'),
  };
  const echoFailed = e !== undefined && !echoSilent && (!e.answered || e.received === 0 || e.oneWayAudio);
  if (!r.allocated || echoFailed) {
    const why = !r.allocated
      ? (r.error ?? 'no allocation')
      : 'the echo call through the relay got no audio back';
    return [
      {
        id: 'relay-unreachable',
        area: 'relay',
        severity: direct ? 'problem' : 'warning',
        title: `The TURN relay ${r.server} does not work from here (${r.transport.toUpperCase()}): ${why}`,
        evidence,
        advice: [
          ...(r.errorCode === 'unauthorized' || r.errorCode === 'wrong-realm'
            ? ['Check the TURN user name, password or shared secret, and the realm the server announces.']
            : []),
          ...(r.errorCode === 'quota'
            ? ['The server hit its allocation quota: close other sessions or raise user-quota / total-quota.']
            : []),
          ...(r.transport === 'udp' && (r.errorCode === 'timeout' || r.errorCode === 'connection')
            ? [
                'UDP to the relay does not get through: try --transport tcp or tls (a TURN server on TCP/TLS 443 passes most firewalls).',
              ]
            : []),
          'Until a relay works, calls from this network depend on the direct path alone.',
        ],
        references: [REF.rfc8656!, REF.coturn!],
      },
    ];
  }
  const echoNote = echoSilent
    ? '; the echo service answered neither call (direct or relayed), so there is no audio verdict'
    : e?.mos != null
      ? `; through the relay the echo call scored MOS ${e.mos.toFixed(1)}`
      : '';
  if (direct)
    return [
      {
        id: 'relay-needed',
        area: 'relay',
        severity: 'warning',
        title: `${directFailsOr(f)} (${direct}), but a relay works (${r.transport.toUpperCase()} to ${r.server}${echoNote})`,
        evidence,
        advice: RELAY_ADVICE,
        references: [REF.rfc8656!, REF.rtpengine!, REF.fsProxy!],
      },
    ];
  return [
    {
      id: 'relay-works',
      area: 'relay',
      severity: 'ok',
      title: `A TURN relay works from here (${r.transport.toUpperCase()} to ${r.server}, relayed address ${r.relayedAddress}${echoNote})`,
      evidence,
      advice: [
        directMeasured
          ? 'No relay is needed for the direct path measured; keep it as a fallback for networks where it fails.'
          : 'The direct path was not measured: natscope diagnose --turn-server (or natscope turn --echo-uri) compares it with the relay.',
      ],
      references: [REF.rfc8656!],
    },
  ];
}
