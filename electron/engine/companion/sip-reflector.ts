/**
 * The SIP reflector: answers OPTIONS, REGISTER and (probe) INVITE with the exact bytes received
 * and the source they came from (format: shared/model/alg-reflect.ts). Stateless — each request
 * gets one response, built deterministically so the client can tell what changed on the way back.
 *
 * Amplification guard (unauthenticated UDP): the response is at most UDP_AMPLIFICATION_FACTOR (3)
 * times the request — base64 makes the echo 4/3 of the request, the copied Via/From/To/Call-ID/
 * CSeq are at most the request again, plus ~300 fixed bytes; a response that would exceed the
 * factor (a small request) is answered without the echo, like a plain registrar would, or not
 * at all when even that exceeds the factor. The probe client pads its requests so they always fit. TCP has no such risk (the handshake proves the source).
 */
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import {
  buildReflectResponse,
  fromLatin1,
  PROBE_HEADER,
  REFLECT_USER,
  reflectStatus,
  UDP_AMPLIFICATION_FACTOR,
} from '../../../shared/model/alg-reflect.ts';
import { buildResponse, header } from './sip-response.ts';
import type { CompanionLogger } from './logger.ts';
import type { SipMessageContext } from './sip-listener.ts';

export const REFLECTED_METHODS = new Set(['OPTIONS', 'REGISTER', 'INVITE']);

/** True when this INVITE is an ALG probe (the echo UAS takes every other INVITE). */
export function isProbeInvite(ctx: SipMessageContext): boolean {
  const uri = ctx.msg.requestUri ?? '';
  return new RegExp(`^sips?:${REFLECT_USER}@`, 'i').test(uri) || header(ctx.msg, PROBE_HEADER) !== null;
}

/** Answers the request; returns false when it was not answered (bad request or guard). */
export function reflect(ctx: SipMessageContext, logger: CompanionLogger): boolean {
  const method = ctx.msg.method ?? '';
  const response = buildReflectResponse(ctx.msg, {
    transport: ctx.transport,
    source: ctx.source,
    destination: ctx.destination,
    received: ctx.bytes,
  });
  const source = formatEndpoint(ctx.source);
  if (!response) {
    logger.log('info', 'sip.reflect.ignored', {
      reason: 'missing mandatory headers',
      method,
      transport: ctx.transport,
      source,
    });
    return false;
  }
  let bytes = fromLatin1(response);
  const budget = UDP_AMPLIFICATION_FACTOR * ctx.bytes.length;
  if (ctx.transport === 'UDP' && bytes.length > budget) {
    // Too small a request for the echo: answer like a plain registrar (no body) if even that fits.
    const { code, reason } = reflectStatus(method);
    const plain = fromLatin1(
      buildResponse(ctx.msg, code, reason, {
        toTag: 'ns-plain',
        contact: `<sip:${REFLECT_USER}@${formatEndpoint(ctx.destination)}>`,
      }),
    );
    if (plain.length > budget) {
      logger.log('warn', 'sip.reflect.amplification-guard', {
        method,
        source,
        request: ctx.bytes.length,
        response: bytes.length,
      });
      return false;
    }
    logger.log('info', 'sip.reflect.no-echo', {
      method,
      source,
      request: ctx.bytes.length,
      reason: 'request too small to echo within the UDP amplification limit',
    });
    bytes = plain;
  }
  void ctx.reply(bytes);
  logger.log('info', 'sip.reflect', {
    method,
    transport: ctx.transport,
    source,
    destination: formatEndpoint(ctx.destination),
    request: ctx.bytes.length,
    response: bytes.length,
  });
  // The probe client asks the server to take the active close so TIME_WAIT stays on our side.
  const probe = header(ctx.msg, PROBE_HEADER) ?? '';
  if (ctx.transport === 'TCP' && /;\s*last\b/i.test(probe)) ctx.closeConnection();
  return true;
}
