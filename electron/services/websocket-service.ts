/**
 * The SIP WebSocket probe: opens a gateway's WebSocket (RFC 7118, subprotocol "sip") with
 * NatScope's own client and closes it again, to say what a browser cannot — the HTTP status of a
 * refused upgrade, who answered (a proxy names itself), TLS and certificate errors. The WebRTC echo
 * asks for it when the browser's WebSocket fails.
 */
import { NatScopeError } from '../../shared/contracts/errors.ts';
import type { WebSocketSummary } from '../../shared/contracts/websocket.ts';
import type { Clock } from '../engine/clock/clock.ts';
import type { Network } from '../engine/net/network.ts';
import { openWebSocket } from '../engine/sip/websocket-opener.ts';
import { WebSocketSetupError } from '../engine/sip/websocket-transport.ts';
import type { CallContext } from './call-context.ts';

export interface WebSocketServiceDeps {
  network: Network;
  clock: Clock;
  routeSource: (target: string) => Promise<string | null>;
}

export function createWebSocketService(deps: WebSocketServiceDeps) {
  return {
    async probe(input: { url: string; caPem?: string }, ctx: CallContext<never>): Promise<WebSocketSummary> {
      const url = new URL(input.url);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const address = (await deps.network.resolve(host, 4).catch(() => [] as string[]))[0];
      if (!address) throw new NatScopeError('unreachable', `cannot resolve ${host}`);
      const port = url.port ? Number(url.port) : url.protocol === 'wss:' ? 443 : 80;
      try {
        const opened = await openWebSocket({
          network: deps.network,
          clock: deps.clock,
          server: { address, port },
          serverName: host,
          localAddress: (await deps.routeSource(address)) ?? '0.0.0.0',
          caPem: input.caPem,
          url: url.href,
          signal: ctx.signal,
        });
        const summary = opened.websocket!.summary();
        await opened.transport.close();
        return summary;
      } catch (err) {
        if (err instanceof WebSocketSetupError) return err.summary;
        throw err;
      }
    },
  };
}
