/**
 * Building plain SIP responses and the requests the server originates — RFC 3261 §8.2.6
 * (response header copying), §12.1.1 (UAS dialog: To tag, Contact), §17.2.1 (100 Trying).
 */
import type { SipText } from '../../../shared/model/alg-sip.ts';
import { SERVER_HEADER_VALUE } from '../../../shared/model/alg-reflect.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';

export function buildResponse(
  req: SipText,
  code: number,
  reason: string,
  o: {
    toTag?: string;
    contact?: string;
    extra?: string[];
    body?: string;
    contentType?: string;
    /** Leave out the Server header (answers to unverified sources stay small). */
    server?: boolean;
  } = {},
): string {
  const lines = [`SIP/2.0 ${code} ${reason}`];
  for (const h of req.headers) {
    if (h.name === 'Via' || h.name === 'From' || h.name === 'Call-ID' || h.name === 'CSeq')
      lines.push(`${h.name}: ${h.value}`);
    if (h.name === 'To')
      lines.push(`To: ${o.toTag && !/;\s*tag=/i.test(h.value) ? `${h.value};tag=${o.toTag}` : h.value}`);
  }
  if (o.contact) lines.push(`Contact: ${o.contact}`);
  if (o.server !== false) lines.push(`Server: ${SERVER_HEADER_VALUE}`);
  lines.push(...(o.extra ?? []));
  const body = o.body ?? '';
  if (body) lines.push(`Content-Type: ${o.contentType ?? 'application/sdp'}`);
  lines.push(`Content-Length: ${new TextEncoder().encode(body).length}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A request the server originates (RFC 3261 §8.1.1): a callback INVITE/ACK/BYE, or an echo call's BYE. */
export function buildRequest(o: {
  method: string;
  target: string;
  transport: 'UDP' | 'TCP';
  local: Endpoint;
  branch: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  extra?: string[];
  body?: string;
}): string {
  const body = o.body ?? '';
  return [
    `${o.method} ${o.target} SIP/2.0`,
    `Via: SIP/2.0/${o.transport} ${formatEndpoint(o.local)};branch=${o.branch};rport`,
    'Max-Forwards: 70',
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${o.method}`,
    ...(o.extra ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

/** First value of a header; names compare case-insensitively (RFC 3261 §7.3.1). */
export function header(req: SipText, name: string): string | null {
  const n = name.toLowerCase();
  return req.headers.find((h) => h.name.toLowerCase() === n)?.value ?? null;
}

export function randomToken(bytes = 6): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
