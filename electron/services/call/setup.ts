/**
 * Set-up of an echo call: next hops (RFC 3261 §8.1.2: the outbound proxy for everything, else
 * INVITE to the target's host and REGISTER to the registrar; no RFC 3263 NAPTR/SRV, A records and
 * default ports), the SIP transport (engine/sip/transports.ts), the media path (media-path.ts), what
 * to advertise (advertise.ts), and the user agent over its transaction layer. Everything it opens is
 * registered in `cleanups`.
 */
import type { CallEvent, Finding } from '../../../shared/contracts/call.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { type Endpoint, formatEndpoint, parseHostPort } from '../../../shared/model/endpoint.ts';
import { MessageLog } from '../../engine/sip/message-log.ts';
import { parseUri } from '../../engine/sip/sip-message.ts';
import { TransactionLayer } from '../../engine/sip/transactions.ts';
import { TlsSetupError } from '../../engine/sip/stream-transport.ts';
import { SIP_TRANSPORTS, type OpenedTransport } from '../../engine/sip/transports.ts';
import { UserAgent } from '../../engine/sip/user-agent.ts';
import { APP_VERSION } from '../../version.ts';
import type { CallContext } from '../call-context.ts';
import type { CallInput, CallServiceDeps } from './call-input.ts';
import { advertiseAddresses } from './advertise.ts';
import type { Cleanups } from './cleanups.ts';
import { openDirectPath, type MediaPath } from './media-path.ts';
import { openRelayedPath } from '../turn/relayed-path.ts';
import type { RelayUsed } from '../../../shared/contracts/relay-config.ts';
import { chooseTransport, isWebSocket, WebSocketCallFailure, webSocketTarget } from './websocket-hop.ts';
import { WebSocketSetupError } from '../../engine/sip/websocket-transport.ts';

export type { CallInput, CallServiceDeps } from './call-input.ts';

const DEFAULT_PORT = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 } as const;

export interface CallSetup {
  transportName: CallInput['transport'];
  /** The next hop for the call (outbound proxy or the target's host). */
  server: Endpoint;
  /** Where REGISTER goes (the outbound proxy or the registrar; the call's hop without an account). */
  registrar: Endpoint;
  signaling: OpenedTransport;
  path: MediaPath;
  /** The TURN relay the media goes through, when the input asked for one. */
  relay: RelayUsed | null;
  /** What Contact advertises. */
  contact: Endpoint;
  /** Over a WebSocket, Contact and Via name this host instead (RFC 7118 §5.2 ".invalid"). */
  contactHost?: string;
  ua: UserAgent;
  log: MessageLog;
  findings: Finding[];
}

/** Opens everything the call needs; `ctx` gets `sip` events from here on and `started` once bound. */
export async function setUpCall(
  input: CallInput,
  ctx: CallContext<CallEvent>,
  deps: CallServiceDeps,
  cleanups: Cleanups,
  callId: string,
): Promise<CallSetup> {
  const { network, clock } = deps;
  const targetUri = parseUri(input.target);
  if (!targetUri || !targetUri.host) throw new NatScopeError('bad-request', `not a SIP URI: ${input.target}`);
  const transportName = chooseTransport(input);
  const open = SIP_TRANSPORTS[transportName];
  if (!open) throw new NatScopeError('not-implemented', `SIP over ${transportName} is not built`);
  const ws = isWebSocket(transportName) ? webSocketTarget(input, transportName) : null;

  const targetHost = `${String(targetUri.host)}${targetUri.port ? `:${targetUri.port}` : ''}`;
  const resolveHop = async (text: string) => {
    let hop: { host: string; port: number };
    try {
      hop = parseHostPort(text, DEFAULT_PORT[transportName]);
    } catch (err) {
      throw new NatScopeError('bad-request', `bad server address "${text}": ${(err as Error).message}`);
    }
    const address = (await network.resolve(hop.host, 4).catch(() => [] as string[]))[0];
    if (!address) throw new NatScopeError('unreachable', `cannot resolve ${hop.host}`);
    return { host: hop.host, endpoint: { address, port: hop.port } as Endpoint };
  };
  // Over a WebSocket every request goes to the URL's server; otherwise RFC 3261 §8.1.2.
  const callHop = await resolveHop(ws?.hostPort ?? input.outboundProxy ?? targetHost);
  const regHop =
    input.account && !ws ? await resolveHop(input.outboundProxy ?? input.account.registrar) : callHop;
  const server = callHop.endpoint;
  if (transportName !== 'udp' && formatEndpoint(regHop.endpoint) !== formatEndpoint(server)) {
    throw new NatScopeError(
      'not-supported',
      `over ${transportName.toUpperCase()} the registrar and the call must use the same server: set the outbound proxy`,
    );
  }
  const localAddress = input.localAddress ?? (await deps.routeSource(server.address)) ?? '0.0.0.0';

  const log = new MessageLog(() => clock.now());
  log.onEntry((e) => ctx.emit({ kind: 'sip', message: e }));

  let signaling: OpenedTransport;
  try {
    signaling = await open({
      network,
      clock,
      server,
      serverName: callHop.host,
      localAddress,
      localPort: input.localSipPort,
      caPem: input.tlsCaPem,
      url: ws?.url,
      signal: ctx.signal,
    });
  } catch (err) {
    if (err instanceof WebSocketSetupError)
      throw new WebSocketCallFailure(err.summary, server, transportName);
    // A certificate or handshake problem is not "unreachable": say which, and how to fix it.
    if (err instanceof TlsSetupError)
      throw new NatScopeError(err.kind === 'certificate' ? 'tls-certificate' : 'tls-handshake', err.message, {
        server: formatEndpoint(server),
        serverName: callHop.host,
      });
    // Stopped by the user while connecting: that says nothing about the server.
    if (ctx.signal.aborted) throw new NatScopeError('cancelled', 'cancelled while connecting');
    throw new NatScopeError(
      'unreachable',
      `cannot open SIP ${transportName.toUpperCase()} to ${formatEndpoint(server)}: ${(err as Error).message}`,
    );
  }
  const transport = signaling.transport;
  cleanups.push(() => transport.close());

  let path: MediaPath;
  let relay: RelayUsed | null = null;
  if (input.relay) {
    const relayed = await openRelayedPath({
      relay: input.relay,
      network,
      clock,
      localAddress,
      signal: ctx.signal,
    });
    path = relayed;
    relay = relayed.used;
  } else {
    try {
      path = await openDirectPath(network, { address: localAddress, range: input.rtpPortRange });
    } catch (err) {
      throw new NatScopeError('not-supported', (err as Error).message);
    }
  }
  cleanups.push(() => path.close());
  ctx.emit({ kind: 'started', callId, local: formatEndpoint(transport.local), transport: transportName });

  const advertised = await advertiseAddresses({
    // Through a relay the SDP advertises the relayed addresses, never a STUN mapping of them.
    mode: relay ? 'local' : input.advertise,
    stunServer: input.stunServer,
    path,
    sipLocal: transport.local,
    sipSocket: signaling.udpSocket,
    network,
    clock,
    signal: ctx.signal,
  });

  const layer = new TransactionLayer({
    transport,
    clock,
    log,
    userAgent: `NatScope/${APP_VERSION}`,
    timers: deps.timers,
  });
  cleanups.first(() => layer.close());
  const account = input.account
    ? {
        username: input.account.username,
        authUsername: input.account.authUsername,
        password: input.account.password,
        domain: input.account.domain ?? parseHostPort(input.account.registrar, 5060).host,
      }
    : undefined;
  const ua = new UserAgent({
    layer,
    nextHop: server,
    registrarHop: regHop.endpoint,
    resolve: (h) => network.resolve(h, 4),
    viaSentBy: signaling.sentByHost ?? transport.local,
    contact: signaling.sentByHost ?? advertised.contact,
    account,
    outboundProxyUri: input.outboundProxy
      ? `sip:${input.outboundProxy}${transportName === 'udp' ? '' : `;transport=${transportName}`}`
      : undefined,
    userAgent: `NatScope/${APP_VERSION}`,
    answerTimeoutMs: input.answerTimeoutSec * 1000,
  });
  cleanups.first(() => ua.close());
  return {
    transportName,
    server,
    registrar: regHop.endpoint,
    signaling,
    path,
    relay,
    contact: advertised.contact,
    contactHost: signaling.sentByHost,
    ua,
    log,
    findings: advertised.findings,
  };
}
