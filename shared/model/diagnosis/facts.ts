import type { AddressClass } from '../address-class.ts';

/**
 * The facts the diagnosis rules read, gathered from each probe. Every section is optional: a step
 * whose inputs were missing is skipped, and rules that need it say nothing.
 */
export type Behaviour = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | null;

export interface DiagnosisFacts {
  network?: {
    primaryAddress: string | null;
    primaryClass: AddressClass | null;
    localAddresses: string[];
  };
  nat?: {
    /** Shown by independent evidence (udpEvidence); a lone silent server is serverSilent instead. */
    udpBlocked: boolean;
    serverSilent?: boolean;
    udpEvidence?: string | null;
    natDetected: boolean | null;
    mapping: Behaviour;
    filtering: Behaviour;
    hairpinning: boolean | null;
    mappedAddress: string | null; // "ip:port"
    localAddress: string | null; // "ip:port"
    classic: string | null;
    lifetimeSeconds: number | null;
    server: string;
  };
  router?: {
    upnpFound: boolean;
    natpmpSupported: boolean;
    pcpSupported: boolean;
    externalIp: string | null;
    manufacturer: string | null;
    model: string | null;
    /** A mapping request was refused (UPnP 501/718/…, NAT-PMP result 3, PCP NO_RESOURCES). */
    mappingFailures: { via: 'upnp' | 'natpmp' | 'pcp'; code: string; message: string }[];
    /** How many test mappings the router accepted in this run. */
    mappingSuccesses: number;
  };
  alg?: {
    algDetected: boolean;
    evidence: 'reflector' | 'heuristic';
    /** "udp/5060" → rewritten field names, e.g. ["Via", "Contact", "SDP c="] */
    rewrites: { transport: string; port: number; fields: string[]; rewrittenTo: string | null }[];
  };
  /** The first routers towards the STUN server (ping with rising TTL). */
  path?: {
    target: string;
    hops: { ttl: number; address: string | null }[];
  };
  sipVia?: {
    /** The `received` parameter a SIP server put in our Via: the address it saw us from. */
    received: string | null;
  };
  call?: {
    target: string;
    answered: boolean;
    sipStatus: number | null;
    oneWayAudio: boolean;
    rtpSent: number;
    rtpReceived: number;
    lossPercent: number | null;
    jitterMs: number | null;
    rttMs: number | null;
    mos: number | null;
    /** RTP came back from another address/port than the SDP named (NAT in the path). */
    rtpSourceMismatch: boolean;
  };
  /** The TURN test (`natscope turn`, diagnose --turn-server). */
  relay?: {
    server: string;
    transport: 'udp' | 'tcp' | 'tls';
    allocated: boolean;
    relayedAddress: string | null;
    error: string | null;
    errorCode: string | null;
    /** The echo call through the relay, when one was placed. */
    echo?: {
      answered: boolean;
      oneWayAudio: boolean;
      received: number;
      mos: number | null;
      /** The same call placed direct was answered (its signalling takes the same path). */
      directAnswered?: boolean;
    };
  };
  /** A SIP WebSocket (RFC 7118): the echo call's over ws/wss, else the WebRTC echo's. */
  websocket?: {
    url: string;
    /** Who opened it: the SIP echo call (NatScope's client) or the browser (WebRTC echo). */
    by: 'sip-call' | 'browser';
    opened: boolean;
    failedAt: string | null;
    httpStatus: number | null;
    answeredBy: string | null;
    message: string;
    closeCode: number | null;
    closedByPeer: boolean;
    idleBeforeCloseSec: number | null;
  };
  /** The WebRTC echo (browser: ICE, DTLS-SRTP). */
  webrtc?: {
    outcome: string;
    sipStatus: number | null;
    servers: string[];
    policy: 'all' | 'relay';
    gathered: { host: number; srflx: number; prflx: number; relay: number };
    serverErrors: string[];
    iceState: string | null;
    dtlsState: string | null;
    /** "srflx/udp ↔ host/udp" style description of the chosen pair. */
    selectedPair: string | null;
    relayUsed: boolean;
    relayProtocol: string | null;
    packetsReceived: number;
    echoHeard: boolean;
    mos: number | null;
  };
  registration?: {
    registrar: string;
    ok: boolean;
    sipStatus: number | null;
    reason: string;
  };
  /** The inbound-call test: did a call reach a registration after each idle time? */
  incoming?: {
    server: string;
    mode: 'companion' | 'pbx';
    transport: 'udp' | 'tcp' | 'tls';
    tests: { idleSeconds: number; received: boolean | null; outcome: string; detail: string | null }[];
    longestWorkingIdleSeconds: number | null;
    firstFailingIdleSeconds: number | null;
    recommendedKeepAliveSeconds: number | null;
    /** The keep-alive check: its interval, the idle time it survived or not, and the verdict. */
    keepAlive: { intervalSeconds: number; idleSeconds: number; received: boolean | null } | null;
    keepAliveFixes: boolean | null;
    stunAgreement: 'agree' | 'disagree' | 'unknown' | null;
    stunSummary: string[];
  };
}
