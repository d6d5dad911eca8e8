/**
 * One registration of the inbound-call test, on its own flow (a UDP socket or a TCP/TLS
 * connection): open the transport (no automatic CRLF keep-alives, the flow must stay silent),
 * REGISTER (with `X-NatScope-Callback: N` against a companion server; never refreshed), then wait
 * for an INVITE on that flow until a deadline, the connection closing, or cancellation. With a
 * keep-alive, RFC 5626 pings (or OPTIONS) go out on the flow while it waits.
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { type Endpoint, formatEndpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import { inboundCallHandlers, type InviteArrival } from '../../engine/sip/inbound-call.ts';
import { KeepAlive, type KeepAliveMethod, type KeepAliveStats } from '../../engine/sip/keepalive.ts';
import type { MessageLog } from '../../engine/sip/message-log.ts';
import { TransactionLayer } from '../../engine/sip/transactions.ts';
import { SIP_TRANSPORTS, type SipTransportKind } from '../../engine/sip/transports.ts';
import type { SipTransport } from '../../engine/sip/transport.ts';
import { UserAgent, type RegisterOutcome, type SipAccount } from '../../engine/sip/user-agent.ts';
import { APP_VERSION } from '../../version.ts';

/** How long closing waits for the ACK of our final response to an INVITE. */
const ACK_LINGER_MS = 2000;

/** The header a `natscope server` reads to call a registration back (engine/companion/callback.ts). */
export const CALLBACK_HEADER = 'X-NatScope-Callback';

export interface FlowSpec {
  server: Endpoint;
  /** The server's name as given (TLS verifies it). */
  serverName: string;
  transport: Exclude<SipTransportKind, 'ws' | 'wss'>;
  localAddress: string;
  caPem?: string;
  account: SipAccount;
  /** Companion mode: ask for a call back after this many seconds. */
  callbackSeconds: number | null;
  expires: number;
  keepAlive: { method: KeepAliveMethod; intervalSeconds: number } | null;
  /** How long to ring before declining (a person calling in hears it arrive). */
  ringMs: number;
}

export interface FlowDeps {
  network: Network;
  clock: Clock;
}

export type WaitOutcome =
  | { kind: 'arrived'; arrival: InviteArrival }
  | { kind: 'timeout' }
  | { kind: 'closed'; atMs: number; reason: string }
  | { kind: 'cancelled' };

export class RegisteredFlow {
  readonly spec: FlowSpec;
  readonly transport: SipTransport;
  private readonly deps: FlowDeps;
  private readonly layer: TransactionLayer;
  private readonly ua: UserAgent;
  private readonly handlers: ReturnType<typeof inboundCallHandlers>;
  private readonly arrivals: InviteArrival[] = [];
  private readonly arrivalListeners = new Set<() => void>();
  private keepAlive: KeepAlive | null = null;
  private closedBy: { at: number; reason: string } | null = null;
  /** Clock time the registration was confirmed: the silence starts here. */
  idleSince: number | null = null;

  private constructor(spec: FlowSpec, deps: FlowDeps, transport: SipTransport, log: MessageLog) {
    this.spec = spec;
    this.deps = deps;
    this.transport = transport;
    this.layer = new TransactionLayer({ transport, clock: deps.clock, log, userAgent: userAgent() });
    this.ua = new UserAgent({
      layer: this.layer,
      nextHop: spec.server,
      resolve: (h) => deps.network.resolve(h, 4),
      viaSentBy: transport.local,
      contact: transport.local,
      account: spec.account,
      userAgent: userAgent(),
    });
    this.handlers = inboundCallHandlers({
      clock: deps.clock,
      ringMs: spec.ringMs,
      onArrival: (a) => {
        this.arrivals.push(a);
        for (const l of this.arrivalListeners) l();
      },
    });
    this.ua.handle('INVITE', this.handlers.INVITE);
    this.ua.handle('CANCEL', this.handlers.CANCEL);
    transport.onClose((err) => {
      this.closedBy ??= {
        at: deps.clock.now(),
        reason: err?.message ?? 'connection closed',
      };
      for (const l of this.arrivalListeners) l();
    });
  }

  /** Opens the flow's transport; throws NatScopeError('unreachable') when it cannot. */
  static async open(
    spec: FlowSpec,
    deps: FlowDeps,
    log: MessageLog,
    signal: AbortSignal,
  ): Promise<RegisteredFlow> {
    const open = SIP_TRANSPORTS[spec.transport]!;
    try {
      const { transport } = await open({
        network: deps.network,
        clock: deps.clock,
        server: spec.server,
        serverName: spec.serverName,
        localAddress: spec.localAddress,
        caPem: spec.caPem,
        keepAliveMs: 0,
        signal,
      });
      return new RegisteredFlow(spec, deps, transport, log);
    } catch (err) {
      throw new NatScopeError(
        'unreachable',
        `cannot open SIP ${spec.transport.toUpperCase()} to ${formatEndpoint(spec.server)}: ${(err as Error).message}`,
      );
    }
  }

  get local(): Endpoint {
    return this.transport.local;
  }

  /** What the server saw as our address (Via received/rport of the first response). */
  get mappedAddress(): string | null {
    const v = this.ua.firstVia;
    if (!v || (!v.received && !v.rport)) return null;
    return formatEndpoint({
      address: v.received ?? this.local.address,
      port: v.rport ?? this.local.port,
    });
  }

  get keepAliveStats(): KeepAliveStats | null {
    return this.keepAlive?.stats ?? null;
  }

  /** REGISTER once (never refreshed: a refresh would end the silence); keep-alives start on success. */
  async register(): Promise<RegisterOutcome> {
    const extra: [string, string][] =
      this.spec.callbackSeconds === null ? [] : [[CALLBACK_HEADER, String(this.spec.callbackSeconds)]];
    const r = await this.ua.register(this.spec.expires, { extra, refresh: false });
    if (!r.ok) return r;
    this.idleSince = this.deps.clock.now();
    if (this.spec.keepAlive) {
      const ua = this.ua;
      this.keepAlive = new KeepAlive({
        method: this.spec.keepAlive.method,
        intervalMs: this.spec.keepAlive.intervalSeconds * 1000,
        transport: this.transport,
        dest: this.spec.server,
        clock: this.deps.clock,
        sendOptions: () => ua.options(),
      });
      this.keepAlive.start();
    }
    return r;
  }

  /** Waits for the first INVITE on this flow until `deadline` (clock time). */
  waitForCall(deadline: number, signal: AbortSignal): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const { clock } = this.deps;
      let done = false;
      const finish = (o: WaitOutcome) => {
        if (done) return;
        done = true;
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        this.arrivalListeners.delete(check);
        resolve(o);
      };
      const check = () => {
        const a = this.arrivals[0];
        if (a) return finish({ kind: 'arrived', arrival: a });
        if (this.closedBy)
          finish({
            kind: 'closed',
            atMs: Math.round(this.closedBy.at - (this.idleSince ?? this.closedBy.at)),
            reason: this.closedBy.reason,
          });
      };
      const onAbort = () => finish({ kind: 'cancelled' });
      const timer = clock.setTimeout(() => finish({ kind: 'timeout' }), Math.max(0, deadline - clock.now()));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.arrivalListeners.add(check);
      check();
    });
  }

  /** Un-REGISTER (PBX mode; bounded so a silent registrar cannot hold the user). */
  async unregister(boundMs: number): Promise<void> {
    await Promise.race([
      this.ua.unregister().catch(() => null),
      new Promise<void>((r) => this.deps.clock.setTimeout(r, boundMs)),
    ]);
  }

  async close(): Promise<void> {
    this.keepAlive?.stop();
    this.handlers.close();
    // Let the final response out and its ACK in (Timer G re-sends it meanwhile over UDP): closing at
    // once would cancel the send, and the caller would retransmit its INVITE into a closed socket.
    for (let waited = 0; waited < ACK_LINGER_MS && this.handlers.awaitingAck(); waited += 50)
      await sleep(this.deps.clock, 50);
    this.ua.close();
    this.layer.close();
    await this.transport.close().catch(() => {});
  }
}

function userAgent(): string {
  return `NatScope/${APP_VERSION} (inbound-call test)`;
}
