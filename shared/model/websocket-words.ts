/**
 * WebSocket events in plain words, shared by the SIP-over-WebSocket transport (engine) and the
 * browser's WebRTC echo (renderer): RFC 6455 §7.4.1 close codes, and where an opening stopped.
 */
import type { WebSocketStage } from '../contracts/websocket.ts';

/** RFC 6455 §7.4.1 and the IANA registry: the codes a SIP gateway or a proxy actually sends. */
const CLOSE_CODES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away: the server is shutting down or a proxy ended the connection',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'closed without a status code',
  1006: 'connection lost without a close frame: dropped by the network, a NAT, firewall or proxy',
  1007: 'invalid data in a message',
  1008: 'policy violation: the server refused this client',
  1009: 'message too big',
  1011: 'internal server error',
  1012: 'the server is restarting',
  1013: 'try again later: the server is overloaded',
  1015: 'TLS failure',
};

export function closeCodeName(code: number): string {
  return CLOSE_CODES[code] ?? (code >= 4000 ? 'application-specific code' : 'unknown code');
}

/** A close this long after the last message looks like an idle timeout in a proxy/NAT/firewall. */
export const IDLE_CLOSE_AFTER_SEC = 20;

export interface CloseFacts {
  code: number;
  reason: string;
  byPeer: boolean;
  closedAfterSec: number;
  idleBeforeCloseSec: number;
}

export function describeClose(c: CloseFacts): string {
  const what = `${c.code} ${closeCodeName(c.code)}${c.reason ? ` ("${c.reason}")` : ''}`;
  if (!c.byPeer) return `We closed the WebSocket (${what}).`;
  const after = `after ${round(c.closedAfterSec)} s`;
  if (c.idleBeforeCloseSec >= IDLE_CLOSE_AFTER_SEC && (c.code === 1006 || c.code === 1001 || c.code === 1000))
    return `The WebSocket was closed from the far side ${after}, ${round(c.idleBeforeCloseSec)} s after the last message (${what}): an idle timeout in a proxy, load balancer, firewall or NAT on the way. Keep-alives more often than that keep it open (SIP.js keepAliveInterval, WebSocket pings).`;
  return `The WebSocket was closed from the far side ${after} (${what}).`;
}

export interface FailureFacts {
  url: string;
  stage: WebSocketStage;
  httpStatus?: number | null;
  httpReason?: string | null;
  answeredBy?: string | null;
  timeoutMs?: number;
  detail?: string;
}

/** What an HTTP status on a WebSocket upgrade usually means for a SIP gateway. */
function statusMeaning(status: number): string {
  if (status === 404)
    return 'nothing serves WebSockets at this path: check the path (Asterisk: /ws, Kamailio and FreeSWITCH: any path)';
  if (status === 400 || status === 426) return 'the server did not accept the upgrade request as a WebSocket';
  if (status === 401 || status === 403) return 'refused: an origin check, an access list or a proxy policy';
  if (status === 407) return 'a proxy demands authentication before it lets the connection through';
  if (status === 405) return 'this URL does not take WebSocket upgrades';
  if (status === 502 || status === 503 || status === 504)
    return 'a proxy or load balancer in front could not reach the gateway, or does not pass WebSocket upgrades on';
  if (status >= 200 && status < 300)
    return 'something answered the upgrade as an ordinary web request: a proxy that does not pass WebSocket upgrades, or not a WebSocket server';
  if (status >= 300 && status < 400)
    return 'a redirect: WebSocket clients do not follow it; use the final URL';
  return 'the upgrade was refused';
}

export function describeFailure(f: FailureFacts): string {
  const who = f.answeredBy ? ` (answered by ${f.answeredBy})` : '';
  const detail = f.detail ? ` (${f.detail})` : '';
  switch (f.stage) {
    case 'tcp-connect':
      return `No TCP connection to ${f.url}${detail}: nothing listens on that port, or a firewall blocks it.`;
    case 'tls':
      return `The TLS handshake with ${f.url} failed${detail}.`;
    case 'http-status':
      return `The WebSocket upgrade to ${f.url} was answered with HTTP ${f.httpStatus ?? '?'}${f.httpReason ? ` ${f.httpReason}` : ''}${who}: ${statusMeaning(f.httpStatus ?? 0)}.`;
    case 'no-answer':
      return `The WebSocket upgrade to ${f.url} got no answer within ${round((f.timeoutMs ?? 0) / 1000)} s although the connection was accepted: a proxy or firewall that holds or swallows WebSocket upgrades.`;
    case 'dropped':
      return `The connection to ${f.url} was closed right after the WebSocket upgrade request, without an answer${detail}: a proxy or firewall that drops WebSocket upgrades.`;
    case 'not-websocket':
      return `${f.url} answered, but not with a valid WebSocket handshake${detail}${who}: a proxy rewrote the answer, or this port is not a WebSocket server.`;
    case 'subprotocol':
      return `${f.url} opened a WebSocket but without the "sip" subprotocol (RFC 7118 §4)${detail}: it is not a SIP WebSocket server at this URL.`;
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
