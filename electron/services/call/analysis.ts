/**
 * The analysis unit of a call: turns what set-up, signaling and media observed into the result and
 * its findings (engine/sip/call-findings.ts names the NAT mechanism behind each symptom). Pure: it
 * reads the observations, sends nothing.
 */
import type { CallResult, Finding } from '../../../shared/contracts/call.ts';
import { type Endpoint, formatEndpoint } from '../../../shared/model/endpoint.ts';
import { toRtpStats } from '../../engine/rtp/quality.ts';
import { SUPPORTED } from '../../engine/sdp/negotiation.ts';
import { callFindings, isOneWayAudio } from '../../engine/sip/call-findings.ts';
import type {
  ByeOutcome,
  InviteOutcome,
  RegisterOutcome,
  ViaObservation,
} from '../../engine/sip/user-agent.ts';
import type { WebSocketSummary } from '../../../shared/contracts/websocket.ts';
import { dialogFindings } from './dialog-findings.ts';
import type { MediaOutcome } from './media.ts';
import type { CallInput } from './call-input.ts';
import { webSocketClosedFinding } from './websocket-hop.ts';

/** What the call saw on the signaling side, read when the result is built. */
export interface SignalingObservations {
  input: CallInput;
  transportName: CallResult['transport'];
  sipLocal: Endpoint;
  server: Endpoint;
  contact: Endpoint;
  /** Over a WebSocket: the ".invalid" host Contact names (RFC 7118 §5.2). */
  contactHost?: string;
  websocket?: WebSocketSummary;
  firstVia: ViaObservation | null;
  okRetransmissions: number;
  localRtp: Endpoint;
  advertisedRtp: Endpoint;
  registration: CallResult['registration'];
  /** How our BYE went (null: we did not send one). */
  bye: ByeOutcome | null;
  findings: Finding[];
  messages: CallResult['messages'];
}

export interface MediaObservations extends MediaOutcome {
  remoteByeAfterSec: number | null;
}

export type CallEnd = Pick<CallResult, 'answered' | 'sipStatus' | 'sipReason' | 'endReason'>;

export function callResult(s: SignalingObservations, end: CallEnd, media?: MediaObservations): CallResult {
  const via = s.firstVia;
  const signaling = {
    local: formatEndpoint(s.sipLocal),
    server: formatEndpoint(s.server),
    contact: s.contactHost ?? formatEndpoint(s.contact),
    viaReceived: via?.received
      ? `${via.received}${via.rport ? `:${via.rport}` : ''}`
      : via?.rport
        ? `${s.sipLocal.address}:${via.rport}`
        : null,
    okRetransmissions: s.okRetransmissions,
  };
  const stats = media?.stats ?? null;
  const observed = callFindings({
    advertise: s.input.advertise,
    localSip: signaling.local,
    localAddress: s.sipLocal.address,
    contactAddress: s.contactHost ?? s.contact.address,
    viaReceived: via ? { address: via.received ?? s.sipLocal.address, port: via.rport } : null,
    sdpAdvertisedAddress: s.advertisedRtp.address,
    okRetransmissions: signaling.okRetransmissions,
    answered: end.answered,
    remoteByeEarly:
      media?.remoteByeAfterSec !== undefined && media.remoteByeAfterSec !== null
        ? { afterSec: media.remoteByeAfterSec }
        : null,
    media: stats,
    mediaSec: media?.durationSec ?? 0,
    signallingPeer: s.server.address,
  });
  return {
    target: s.input.target,
    transport: s.transportName,
    registration: s.registration,
    signaling,
    media: media
      ? {
          codec: media.codec,
          localRtp: formatEndpoint(s.localRtp),
          advertisedRtp: formatEndpoint(s.advertisedRtp),
          advertise: s.input.advertise,
          remoteSdpRtp: media.remoteSdpRtp,
          remoteActualRtp: stats?.sources ?? [],
          sourceMismatch: stats?.sourceMismatch ?? false,
          durationSec: Math.round(media.durationSec * 10) / 10,
          changes: media.changes,
          heldSec: Math.round((stats?.heldMs ?? 0) / 100) / 10,
        }
      : null,
    rtp: stats && media ? toRtpStats(stats, media.codec) : null,
    oneWayAudio: isOneWayAudio(stats, media?.durationSec ?? 0),
    findings: [
      ...s.findings,
      ...observed,
      ...dialogFindings(media?.changes ?? [], stats, s.bye),
      ...webSocketClosedFinding(s.websocket),
    ],
    messages: s.messages,
    ...(s.websocket ? { websocket: s.websocket } : {}),
    ...end,
  };
}

/** Nothing at all came back to `method` (Timer B for an INVITE, Timer F for a REGISTER). */
function noResponseFinding(method: 'INVITE' | 'REGISTER', at: string, within: string): Finding {
  return {
    code: 'no-sip-response',
    severity: 'error',
    message: `No response at all to the ${method} from ${at}${within}, despite retransmissions, and no ICMP error came back: the SIP packets are silently dropped. Likely causes: a firewall or the router blocking the port (try --transport tcp or tls, or another port), a wrong server address or port, a SIP ALG in the router dropping or mangling the ${method} (disable it), or a server that ignores unknown callers.`,
  };
}

/** An ICMP error (port / host / network unreachable) ended `method` at once. */
function unreachableFinding(method: 'INVITE' | 'REGISTER', at: string, reason: string): Finding {
  return {
    code: 'sip-unreachable',
    severity: 'error',
    message: `The ${method} to ${at} was refused by the network at once: ${reason}. ${
      /nothing listens/.test(reason)
        ? 'Check the server address and port (and the transport: --transport tcp or tls); no SIP server runs there.'
        : 'A router on the way says it cannot reach that host: check the address, or whether the server is down.'
    }`,
  };
}

/**
 * A failed REGISTER: its finding and how the call ends — the same verdicts as an INVITE that fails
 * the same way (silence: no-response; ICMP: unreachable).
 */
export function registrationFailure(
  reg: RegisterOutcome,
  registrar: Endpoint,
): {
  finding: Finding;
  endReason: CallResult['endReason'];
} {
  const at = formatEndpoint(registrar);
  if (reg.status === null && reg.failure === 'timeout')
    return { finding: noResponseFinding('REGISTER', at, ' within 32 s (Timer F)'), endReason: 'no-response' };
  if (reg.status === null && reg.failure === 'unreachable')
    return { finding: unreachableFinding('REGISTER', at, reg.reason), endReason: 'unreachable' };
  const authFailed = reg.status === 401 || reg.status === 403 || reg.status === 407;
  return {
    finding: {
      code: authFailed ? 'auth-failed' : 'register-failed',
      severity: 'error',
      message: authFailed
        ? `Registration refused (${reg.reason}): check the user name and password.`
        : `Registration failed: ${reg.reason}.`,
    },
    endReason: reg.status === null ? 'transport-error' : authFailed ? 'auth-failed' : 'register-failed',
  };
}

const END_REASON: Record<Extract<InviteOutcome, { answered: false }>['kind'], CallResult['endReason']> = {
  timeout: 'no-response',
  'no-answer': 'no-answer',
  cancelled: 'cancelled',
  'transport-error': 'transport-error',
  unreachable: 'unreachable',
  'auth-failed': 'auth-failed',
  rejected: 'rejected',
};

/** Final responses that refuse our media: 488 / 606 Not Acceptable, 415 Unsupported Media Type. */
const MEDIA_REFUSALS = new Set([415, 488, 606]);

/** An INVITE that was not answered: how the call ends, and the finding that explains it (if any). */
export function inviteFailure(
  inv: Extract<InviteOutcome, { answered: false }>,
  server: Endpoint,
): { finding: Finding | null; endReason: CallResult['endReason'] } {
  const endReason = END_REASON[inv.kind];
  const at = formatEndpoint(server);
  const finding = (code: Finding['code'], message: string): Finding => ({ code, severity: 'error', message });
  switch (inv.kind) {
    case 'timeout':
      return {
        endReason,
        finding: noResponseFinding(
          'INVITE',
          at,
          inv.reason.includes('Timer B') ? ' within 32 s (Timer B)' : ' in the time the test allows',
        ),
      };
    case 'unreachable':
      return { endReason, finding: unreachableFinding('INVITE', at, inv.reason) };
    case 'no-answer':
      return {
        endReason,
        finding: finding(
          'no-answer',
          `The far end rang but nobody answered in time; NatScope cancelled the call (CANCEL). Signalling works both ways; check that the number answers (an echo service should answer at once).`,
        ),
      };
    case 'auth-failed':
      return {
        endReason,
        finding: finding(
          'auth-failed',
          `The call was refused with ${inv.status} ${inv.reason}: credentials rejected.`,
        ),
      };
    case 'rejected':
      return {
        endReason,
        finding: finding(
          'call-rejected',
          `The call was rejected: ${inv.status ?? ''} ${inv.reason}${inv.warning ? ` (Warning: ${inv.warning})` : ''}.${
            inv.status !== null && MEDIA_REFUSALS.has(inv.status)
              ? ` The far end refused our media offer: NatScope offers ${SUPPORTED} only; the far end must accept one of them.`
              : ''
          }`.replace(/ {2,}/g, ' '),
        ),
      };
    default:
      return { endReason, finding: null };
  }
}
