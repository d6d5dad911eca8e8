/**
 * The probe messages: a REGISTER, an OPTIONS and an INVITE with an SDP offer, written the way a
 * typical softphone writes them (RFC 3261 §10.2, §11, §13.2.1; RFC 3581 rport; RFC 4566 SDP) —
 * private address and real local port in Via, Contact, Call-ID and SDP o=/c=/m= — so that an ALG
 * that rewrites "private addresses in SIP" has everything it usually rewrites. No credentials.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { PROBE_HEADER, REFLECT_USER } from '../../../shared/model/alg-reflect.ts';

/** Requests shorter than this are padded (see the reflector's amplification limit). */
export const MIN_PROBE_BYTES = 640;

export type ProbeMethod = 'REGISTER' | 'OPTIONS' | 'INVITE';

export interface CraftInput {
  method: ProbeMethod;
  transport: 'UDP' | 'TCP';
  /** The real local address and port the message leaves from. */
  local: Endpoint;
  /** Reflector address and port. */
  target: Endpoint;
  /** Probe id (path + method), echoed in a header for the server log. */
  probeId: string;
  /** Last message on a TCP connection: ask the server to close first (keeps TIME_WAIT off our port). */
  last?: boolean;
  /** RTP port written in the SDP (nothing listens on it). */
  rtpPort: number;
  random: () => string;
}

export function craftProbe(c: CraftInput): string {
  const t = c.transport;
  const local = formatEndpoint(c.local);
  const host = formatEndpoint(c.target);
  const ip4 = !c.local.address.includes(':');
  const tag = c.random();
  const callId = `${c.random()}${c.random()}@${c.local.address}`;
  const contact = `<sip:natscope@${local}${t === 'TCP' ? ';transport=tcp' : ''}>`;
  const uri = c.method === 'REGISTER' ? `sip:${host}` : `sip:${REFLECT_USER}@${host}`;
  const sdp =
    c.method === 'INVITE'
      ? [
          'v=0',
          `o=natscope ${parseInt(c.random().slice(0, 6), 16)} 1 IN ${ip4 ? 'IP4' : 'IP6'} ${c.local.address}`,
          's=NatScope ALG test',
          `c=IN ${ip4 ? 'IP4' : 'IP6'} ${c.local.address}`,
          't=0 0',
          `m=audio ${c.rtpPort} RTP/AVP 0 8 101`,
          'a=rtpmap:0 PCMU/8000',
          'a=rtpmap:8 PCMA/8000',
          'a=rtpmap:101 telephone-event/8000',
          `a=rtcp:${c.rtpPort + 1}`,
          'a=sendrecv',
          '',
        ].join('\r\n')
      : '';
  const lines = [
    `${c.method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/${t} ${local};branch=z9hG4bK${c.random()};rport`,
    'Max-Forwards: 70',
    `From: <sip:natscope@${host}>;tag=${tag}`,
    `To: <sip:${c.method === 'REGISTER' ? 'natscope' : REFLECT_USER}@${host}>`,
    `Call-ID: ${callId}`,
    `CSeq: 1 ${c.method}`,
    `Contact: ${contact}`,
    ...(c.method === 'REGISTER' ? ['Expires: 60'] : []),
    ...(c.method === 'INVITE' ? ['Allow: INVITE, ACK, BYE, CANCEL, OPTIONS'] : []),
    'User-Agent: NatScope ALG test',
    `${PROBE_HEADER}: ${c.probeId}${c.last ? ';last' : ''}`,
    ...(sdp ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${sdp.length}`,
  ];
  // The reflector's UDP answer may be at most 3x the request (anti-amplification); its echo is
  // ~2x + 500 bytes, so pad short requests (it also tests whether the path keeps unknown headers).
  const size = lines.join('\r\n').length + 4 + sdp.length;
  if (size < MIN_PROBE_BYTES)
    lines.splice(
      lines.length - 1,
      0,
      `X-NatScope-Pad: ${'x'.repeat(Math.max(1, MIN_PROBE_BYTES - size - 18))}`,
    );
  return `${lines.join('\r\n')}\r\n\r\n${sdp}`;
}

export function randomHex(bytes = 4): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
