/**
 * Builds SIP request and response text — RFC 3261 §8.1.1 (request headers), §8.2.6 (responses
 * copy Via, From, To, Call-ID, CSeq), RFC 3581 §3 (rport in Via), §20.42 (Via branch with the
 * z9hG4bK magic cookie).
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { randomToken } from './sip-message.ts';
import type { SipTransportProtocol } from './transport.ts';

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY';

export function newBranch(): string {
  return `z9hG4bK${randomToken(10)}`;
}

export function viaHeader(protocol: SipTransportProtocol, sentBy: Endpoint | string, branch: string): string {
  const by = typeof sentBy === 'string' ? sentBy : formatEndpoint(sentBy);
  return `SIP/2.0/${protocol} ${by};rport;branch=${branch}`;
}

export interface RequestParts {
  method: string;
  ruri: string;
  via: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  contact?: string;
  routes?: string[];
  userAgent: string;
  extra?: [string, string][];
  body?: { type: string; text: string };
}

export function buildRequest(p: RequestParts): string {
  const lines = [`${p.method} ${p.ruri} SIP/2.0`, `Via: ${p.via}`, 'Max-Forwards: 70'];
  for (const r of p.routes ?? []) lines.push(`Route: ${r}`);
  lines.push(`From: ${p.from}`, `To: ${p.to}`, `Call-ID: ${p.callId}`, `CSeq: ${p.cseq} ${p.method}`);
  if (p.contact) lines.push(`Contact: ${p.contact}`);
  lines.push(`User-Agent: ${p.userAgent}`);
  if (p.method !== 'ACK' && p.method !== 'CANCEL') lines.push(`Allow: ${ALLOW}`);
  for (const [k, v] of p.extra ?? []) lines.push(`${k}: ${v}`);
  const body = p.body?.text ?? '';
  if (p.body) lines.push(`Content-Type: ${p.body.type}`);
  lines.push(`Content-Length: ${new TextEncoder().encode(body).length}`, '', body);
  return lines.join('\r\n');
}

export function buildResponse(
  req: IncomingRequestMessage,
  status: number,
  reason: string,
  o: {
    toTag?: string;
    contact?: string;
    userAgent: string;
    extra?: [string, string][];
    body?: { type: string; text: string };
  },
): string {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const v of req.getHeaders('via')) lines.push(`Via: ${v}`);
  lines.push(`From: ${req.getHeader('from')}`);
  let to = req.getHeader('to') ?? '';
  if (o.toTag && !/;\s*tag=/i.test(to) && status > 100) to += `;tag=${o.toTag}`;
  lines.push(`To: ${to}`, `Call-ID: ${req.callId}`, `CSeq: ${req.cseq} ${req.method}`);
  if (o.contact) lines.push(`Contact: ${o.contact}`);
  lines.push(`User-Agent: ${o.userAgent}`);
  for (const [k, v] of o.extra ?? []) lines.push(`${k}: ${v}`);
  const body = o.body?.text ?? '';
  if (o.body) lines.push(`Content-Type: ${o.body.type}`);
  lines.push(`Content-Length: ${new TextEncoder().encode(body).length}`, '', body);
  return lines.join('\r\n');
}
