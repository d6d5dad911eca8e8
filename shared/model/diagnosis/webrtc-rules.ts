import type { CallResult } from '../../contracts/call.ts';
import type { WebrtcResult } from '../../contracts/webrtc.ts';
import type { DiagnosisFacts } from './facts.ts';
import type { Finding, Reference } from './findings.ts';

/**
 * Browser softphones: the SIP WebSocket (RFC 7118), ICE (RFC 8445) and DTLS-SRTP (RFC 5763/5764),
 * from the echo call over ws/wss and the WebRTC echo — websocket-blocked, ice-failed, dtls-failed,
 * webrtc-relay-only, webrtc-ok — each with what to set on the gateway (FreeSWITCH, Asterisk,
 * Kamailio + rtpengine) and on this network.
 */
const REF: Record<string, Reference> = {
  rfc7118: {
    title: 'RFC 7118 — The WebSocket protocol as a transport for SIP',
    url: 'https://www.rfc-editor.org/rfc/rfc7118',
  },
  rfc8445: {
    title: 'RFC 8445 — Interactive Connectivity Establishment (ICE)',
    url: 'https://www.rfc-editor.org/rfc/rfc8445',
  },
  rfc5763: {
    title: 'RFC 5763 — DTLS-SRTP key management (SDP fingerprints)',
    url: 'https://www.rfc-editor.org/rfc/rfc5763',
  },
  fsWebrtc: {
    title: 'FreeSWITCH docs — "WebRTC" (wss-binding, certificates)',
    url: 'https://developer.signalwire.com/freeswitch/',
  },
  asteriskWebrtc: {
    title: 'Asterisk docs — "Configuring Asterisk for WebRTC clients"',
    url: 'https://docs.asterisk.org/',
  },
  kamailioWs: {
    title: 'Kamailio — websocket module',
    url: 'https://www.kamailio.org/docs/modules/5.6.x/modules/websocket.html',
  },
  rtpengine: {
    title: 'rtpengine — WebRTC ↔ RTP bridging (ICE, DTLS-SRTP)',
    url: 'https://github.com/sipwise/rtpengine',
  },
};

const GATEWAY_WEBSOCKET = [
  'FreeSWITCH: a WebSocket listener in the SIP profile — <param name="wss-binding" value=":7443"/> (and ws-binding for plain ws), with the certificate in /etc/freeswitch/tls/wss.pem; clients use wss://HOST:7443.',
  'Asterisk: in pjsip.conf a [transport-wss] with type=transport, protocol=wss, bind=0.0.0.0; in http.conf enabled=yes, tlsenable=yes, tlsbindaddr=0.0.0.0:8089 and the certificate; clients use wss://HOST:8089/ws.',
  'Kamailio: listen=tls:IP:443 (or tcp: for ws), loadmodule "xhttp.so" and "websocket.so", an event_route[xhttp:request] that calls ws_handle_handshake() for Upgrade: websocket, and tcp_accept_no_cl=yes.',
];

const GATEWAY_MEDIA = [
  'FreeSWITCH: the profile needs ext-rtp-ip/ext-sip-ip set to the public address (or apply-candidate-acl) so the candidates it offers are reachable, and a DTLS certificate (/etc/freeswitch/tls/dtls-srtp.pem).',
  'Asterisk: webrtc=yes on the endpoint (ICE, AVPF, DTLS, rtcp-mux), ice_support with stunaddr (or external_media_address) in rtp.conf so its candidates include the public address.',
  'Kamailio: media through rtpengine — rtpengine_offer/answer with "ICE=force RTP/SAVPF rtcp-mux-require" towards the browser and "ICE=remove RTP/AVP rtcp-mux-demux" towards plain SIP, on an interface with a public address.',
];

const ws = (r: { websocket?: CallResult['websocket'] }) => r.websocket;

/** The WebSocket facts: the SIP echo call's (our client reports the HTTP status), else the browser's. */
export function websocketFactsOf(call?: CallResult, webrtc?: WebrtcResult): DiagnosisFacts['websocket'] {
  const pick =
    call && ws(call)
      ? { s: ws(call)!, by: 'sip-call' as const }
      : webrtc
        ? { s: webrtc.websocket, by: 'browser' as const }
        : null;
  if (!pick) return undefined;
  const { s, by } = pick;
  return {
    url: s.url,
    by,
    opened: s.opened,
    failedAt: s.failedAt,
    httpStatus: s.httpStatus,
    answeredBy: s.answeredBy,
    message: s.message,
    closeCode: s.closeCode,
    closedByPeer: s.closedByPeer,
    idleBeforeCloseSec: s.idleBeforeCloseSec,
  };
}

/** The report's WebRTC section: the facts a support engineer reads first. */
export function webrtcSummary(r: WebrtcResult): Record<string, string | number | boolean | null> {
  const f = webrtcFactsOf(r);
  return {
    gateway: r.wsUrl,
    target: r.target,
    outcome: r.outcome,
    websocket: r.websocket.message,
    registration: r.registration?.reason ?? null,
    sipStatus: r.sip.status,
    iceServers: f.servers.join(', ') || null,
    candidates: `host ${f.gathered.host}, srflx ${f.gathered.srflx}, relay ${f.gathered.relay}`,
    selectedPair: f.selectedPair,
    iceState: f.iceState,
    dtls: r.dtls.state ? `${r.dtls.state}${r.dtls.srtpCipher ? ` (${r.dtls.srtpCipher})` : ''}` : null,
    codec: r.audio.codec,
    echoHeard: r.audio.echoHeard,
    lossPercent: r.stats?.lossPercent ?? null,
    jitterMs: r.stats?.jitterMs ?? null,
    rttMs: r.stats?.rttMs ?? null,
    mos: r.stats?.mos ?? null,
    browser: r.browser,
  };
}

export function webrtcFactsOf(r: WebrtcResult): NonNullable<DiagnosisFacts['webrtc']> {
  const p = r.ice.selectedPair;
  const side = (c: NonNullable<typeof p>['local']) =>
    `${c.type}/${c.type === 'relay' && c.relayProtocol ? `${c.relayProtocol}` : c.protocol}`;
  return {
    outcome: r.outcome,
    sipStatus: r.sip.status,
    servers: r.ice.servers,
    policy: r.ice.policy,
    gathered: r.ice.gathered,
    serverErrors: r.ice.serverErrors.map((e) => `${e.url}: ${e.code} ${e.text}`),
    iceState: r.ice.iceState,
    dtlsState: r.dtls.state,
    selectedPair: p ? `${side(p.local)} ↔ ${side(p.remote)}` : null,
    relayUsed: p ? p.local.type === 'relay' || p.remote.type === 'relay' : false,
    relayProtocol: p?.local.type === 'relay' ? p.local.relayProtocol : null,
    packetsReceived: r.audio.packetsReceived,
    echoHeard: r.audio.echoHeard,
    mos: r.stats?.mos ?? null,
  };
}

function websocketBlocked(w: NonNullable<DiagnosisFacts['websocket']>): Finding {
  const network =
    w.failedAt === 'no-answer' ||
    w.failedAt === 'dropped' ||
    (w.httpStatus !== null && [200, 403, 407, 502].includes(w.httpStatus))
      ? [
          'If the same URL works from another network, a proxy or firewall here blocks WebSocket upgrades: use wss:// on port 443 (TLS hides the upgrade from most proxies), or ask for an exception for the gateway.',
        ]
      : [];
  return {
    id: 'websocket-blocked',
    area: 'webrtc',
    severity: 'problem',
    title: `The SIP WebSocket could not be opened${w.httpStatus ? ` (HTTP ${w.httpStatus})` : w.failedAt ? ` (${w.failedAt})` : ''}`,
    evidence: {
      url: w.url,
      openedBy: w.by,
      failedAt: w.failedAt,
      httpStatus: w.httpStatus,
      answeredBy: w.answeredBy,
      closeCode: w.closeCode,
      what: w.message,
    },
    advice: [
      ...(w.by === 'browser' && w.httpStatus === null
        ? [
            'A browser only reports code 1006 for a refused upgrade: run natscope call wss://… (or the host probe) to see the HTTP status.',
          ]
        : []),
      ...network,
      ...GATEWAY_WEBSOCKET,
    ],
    references: [REF.rfc7118!, REF.kamailioWs!],
  };
}

function iceFailed(r: NonNullable<DiagnosisFacts['webrtc']>, f: DiagnosisFacts): Finding {
  const hasTurn = r.servers.some((u) => /^turns?:/i.test(u));
  const advice: string[] = [];
  if (!hasTurn)
    advice.push(
      "No TURN server was configured, so the browser had no relay to fall back on: add one (turn:/turns: in the softphone's iceServers), ideally reachable over TCP or TLS on port 443 for networks that block UDP.",
    );
  else if (r.gathered.relay === 0)
    advice.push(
      `A TURN server was configured but gave no relay candidate${r.serverErrors.length ? ` (${r.serverErrors.join('; ')})` : ''}: check its address, port, transport and credentials.`,
    );
  if (f.nat?.udpBlocked)
    advice.push(
      'UDP is blocked on this network (no STUN answer): direct WebRTC media cannot work here without a relay over TCP/TLS.',
    );
  advice.push(...GATEWAY_MEDIA);
  return {
    id: 'ice-failed',
    area: 'webrtc',
    severity: 'problem',
    title: `WebRTC: ICE found no working path between the browser and the gateway (ICE ${r.iceState ?? 'never started'})`,
    evidence: {
      iceState: r.iceState,
      policy: r.policy,
      servers: r.servers.join(', ') || 'none',
      hostCandidates: r.gathered.host,
      srflxCandidates: r.gathered.srflx,
      relayCandidates: r.gathered.relay,
      serverErrors: r.serverErrors.join('; ') || null,
      udpBlocked: f.nat?.udpBlocked ?? null,
    },
    advice,
    references: [REF.rfc8445!, REF.rtpengine!, REF.asteriskWebrtc!],
  };
}

export function webrtcRules(f: DiagnosisFacts): Finding[] {
  const out: Finding[] = [];
  if (f.websocket && !f.websocket.opened) out.push(websocketBlocked(f.websocket));
  const r = f.webrtc;
  if (!r || r.outcome === 'websocket-failed') return out;
  const pair = { selectedPair: r.selectedPair, iceState: r.iceState, dtlsState: r.dtlsState, mos: r.mos };
  if (r.outcome === 'ice-failed') return [...out, iceFailed(r, f)];
  if (r.outcome === 'dtls-failed')
    return [
      ...out,
      {
        id: 'dtls-failed',
        area: 'webrtc',
        severity: 'problem',
        title: 'WebRTC: ICE connected but the DTLS-SRTP handshake never completed',
        evidence: pair,
        advice: [
          'The gateway must answer with a DTLS fingerprint and complete the handshake (RFC 5763): Asterisk webrtc=yes (dtls_auto_generate_cert=yes) or media_encryption=dtls with a certificate; FreeSWITCH a DTLS certificate in /etc/freeswitch/tls/dtls-srtp.pem; rtpengine RTP/SAVPF towards the browser (it then does DTLS itself).',
          'A middlebox that drops large or fragmented UDP packets breaks the handshake (its certificate flight is 1–2 KB): test from another network, or use a TURN relay over TCP/TLS.',
        ],
        references: [REF.rfc5763!, REF.fsWebrtc!, REF.asteriskWebrtc!],
      },
    ];
  if (r.outcome === 'call-failed' || r.outcome === 'register-failed')
    return [
      ...out,
      {
        id: r.outcome === 'register-failed' ? 'registration-failed' : 'no-audio',
        area: 'webrtc',
        severity: 'problem',
        title: `The WebRTC test ${r.outcome === 'register-failed' ? 'could not register' : 'call failed'}${r.sipStatus ? ` (SIP ${r.sipStatus})` : ''}`,
        evidence: { outcome: r.outcome, sipStatus: r.sipStatus },
        advice:
          r.sipStatus === 488 || r.sipStatus === 415
            ? [
                "The gateway refused the browser's offer (RTP/SAVPF with ICE and DTLS): it is not set up for WebRTC media.",
                ...GATEWAY_MEDIA,
              ]
            : r.sipStatus === 401 || r.sipStatus === 403 || r.sipStatus === 407
              ? ['Check the user name, auth user and password of the account.']
              : ['Check the echo extension and that the account may call it.'],
        references: [REF.asteriskWebrtc!],
      },
    ];
  if (r.outcome === 'no-audio')
    return [
      ...out,
      {
        id: 'one-way-audio',
        area: 'webrtc',
        severity: 'problem',
        title: `WebRTC: connected (${r.selectedPair ?? 'ICE and DTLS up'}) but ${r.packetsReceived === 0 ? 'no audio came back' : 'the echo was silent'}`,
        evidence: { ...pair, packetsReceived: r.packetsReceived, echoHeard: r.echoHeard },
        advice: [
          "ICE and DTLS worked, so the path is open: the echo extension or the gateway's media bridge does not return audio (check the extension, and on Kamailio that rtpengine bridges both legs).",
        ],
        references: [REF.rtpengine!],
      },
    ];
  if (r.outcome !== 'ok') return out;
  if (r.relayUsed)
    out.push({
      id: 'webrtc-relay-only',
      area: 'webrtc',
      severity: 'warning',
      title: `WebRTC works only through the TURN relay (${r.selectedPair})`,
      evidence: { ...pair, relayProtocol: r.relayProtocol, srflxCandidates: r.gathered.srflx },
      advice: [
        'Direct paths failed: UDP towards the gateway is blocked or filtered here, or the NAT is symmetric. Calls work, but every packet detours via the relay (more delay, relay bandwidth).',
        r.relayProtocol === 'tcp' || r.relayProtocol === 'tls'
          ? "The relay is reached over TCP/TLS: keep a turns: server on 443 in the softphone, or allow outbound UDP to the gateway's media ports for a direct path."
          : "Allow outbound UDP to the gateway's media ports (and its answers back) for a direct path; keep the TURN server as the fallback.",
        ...GATEWAY_MEDIA,
      ],
      references: [REF.rfc8445!],
    });
  else
    out.push({
      id: 'webrtc-ok',
      area: 'webrtc',
      severity: 'ok',
      title: `WebRTC echo: audio both ways over ${r.selectedPair}${r.mos !== null ? ` (MOS ${r.mos.toFixed(2)})` : ''}`,
      evidence: pair,
      advice: [
        "This gateway's WebRTC setup (WebSocket, ICE candidates, DTLS-SRTP) works from this network. Keep a TURN server in the softphone for networks that block UDP.",
      ],
      references: [REF.rfc8445!],
    });
  return out;
}
