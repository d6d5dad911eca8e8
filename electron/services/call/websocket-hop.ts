/**
 * The WebSocket unit of the call pipeline (SIP over WebSocket, RFC 7118): which transport a call
 * uses when it names a ws:// or wss:// URL, the first hop that URL gives, and the result of a call
 * whose WebSocket never opened (websocket-blocked, with the HTTP status or the stage it stopped at).
 */
import type { CallResult } from '../../../shared/contracts/call.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { WebSocketSummary } from '../../../shared/contracts/websocket.ts';
import { type Endpoint, formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { CallInput } from './call-input.ts';

export type TransportName = CallInput['transport'];

export const isWebSocket = (t: TransportName): t is 'ws' | 'wss' => t === 'ws' || t === 'wss';

/**
 * The transport of a call: a WebSocket URL decides it; over the default UDP, the URI's own choice
 * wins — sips: means TLS, `;transport=tcp|tls` means that (RFC 3261 §19.1.1, RFC 3263 §4.1). A URI
 * transport NatScope cannot take is refused rather than silently replaced by UDP.
 */
export function chooseTransport(input: CallInput): TransportName {
  if (input.wsUrl) {
    const scheme = input.wsUrl.toLowerCase().startsWith('wss:') ? 'wss' : 'ws';
    if (isWebSocket(input.transport) && input.transport !== scheme)
      throw new NatScopeError(
        'bad-request',
        `transport ${input.transport} does not match the URL ${input.wsUrl}`,
      );
    if (input.transport !== 'udp' && !isWebSocket(input.transport))
      throw new NatScopeError(
        'bad-request',
        `a WebSocket URL cannot be used with transport ${input.transport}`,
      );
    return scheme;
  }
  if (isWebSocket(input.transport))
    throw new NatScopeError(
      'bad-request',
      `transport ${input.transport} needs the gateway's WebSocket URL (wsUrl), e.g. wss://pbx.example.com:8089/ws`,
    );
  if (input.transport !== 'udp') return input.transport;
  if (input.target.toLowerCase().startsWith('sips:')) return 'tls';
  const param = uriTransportParam(input.target);
  if (param === undefined || param === 'udp' || param === 'tcp' || param === 'tls') return param ?? 'udp';
  throw new NatScopeError(
    'bad-request',
    param === 'ws' || param === 'wss'
      ? `${input.target} asks for SIP over ${param.toUpperCase()}: give the gateway's WebSocket URL (wsUrl), e.g. wss://pbx.example.com:8089/ws`
      : `${input.target} asks for transport ${param}, which NatScope does not speak: use udp, tcp or tls`,
  );
}

/** The `;transport=` URI parameter (lower case), if any; headers after `?` are not parameters. */
function uriTransportParam(uri: string): string | undefined {
  const params = uri.split('?')[0]!.split(';').slice(1);
  const p = params.find((x) => x.toLowerCase().startsWith('transport='));
  return p?.slice('transport='.length).toLowerCase();
}

export interface WebSocketTarget {
  url: string;
  /** host:port to resolve (default port 443 for wss, 80 for ws). */
  hostPort: string;
}

export function webSocketTarget(input: CallInput, transport: 'ws' | 'wss'): WebSocketTarget {
  let url: URL;
  try {
    url = new URL(input.wsUrl!);
  } catch {
    throw new NatScopeError('bad-request', `not a WebSocket URL: ${input.wsUrl}`);
  }
  if (url.username || url.password)
    throw new NatScopeError('bad-request', 'put no user name or password in the WebSocket URL');
  if (input.outboundProxy)
    throw new NatScopeError(
      'bad-request',
      'an outbound proxy does not apply over a WebSocket: the WebSocket server is the first hop',
    );
  const port = url.port ? Number(url.port) : transport === 'wss' ? 443 : 80;
  return { url: url.href, hostPort: `${url.hostname}:${port}` };
}

/** Opening the call's WebSocket failed: the call ends there, with what the far side answered. */
export class WebSocketCallFailure extends Error {
  readonly summary: WebSocketSummary;
  readonly server: Endpoint;
  readonly transport: TransportName;
  constructor(summary: WebSocketSummary, server: Endpoint, transport: TransportName) {
    super(summary.message);
    this.summary = summary;
    this.server = server;
    this.transport = transport;
  }
}

export function webSocketFailureResult(input: CallInput, f: WebSocketCallFailure): CallResult {
  return {
    target: input.target,
    transport: f.transport,
    answered: false,
    sipStatus: null,
    sipReason: null,
    endReason: 'transport-error',
    registration: null,
    signaling: {
      local: '',
      server: formatEndpoint(f.server),
      contact: '',
      viaReceived: null,
      okRetransmissions: 0,
    },
    media: null,
    rtp: null,
    oneWayAudio: false,
    findings: [{ code: 'websocket-blocked', severity: 'error', message: f.summary.message }],
    messages: [],
    websocket: f.summary,
  };
}

/** A WebSocket the far side closed during the test (idle timeout, server restart, proxy). */
export function webSocketClosedFinding(s: WebSocketSummary | undefined): CallResult['findings'] {
  return s?.closedByPeer ? [{ code: 'websocket-closed', severity: 'warning', message: s.message }] : [];
}
