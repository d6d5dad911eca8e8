/**
 * The registration refresh of an interval: a REGISTER (RFC 3261 §10.2.4 refresh: same Call-ID,
 * rising CSeq) over UDP from the SIP port the STUN probe watches — the path a phone's registration
 * takes. The registration is kept for the whole run and removed (Expires: 0) when the monitor stops.
 * Each refresh is bounded, so a silent registrar costs an interval a few seconds, not Timer F.
 */
import type { MonitorSample } from '../../../shared/contracts/monitor.ts';
import { formatEndpoint, parseHostPort, type Endpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../../engine/clock/clock.ts';
import type { Network, UdpSocket } from '../../engine/net/network.ts';
import { MessageLog } from '../../engine/sip/message-log.ts';
import { TransactionLayer } from '../../engine/sip/transactions.ts';
import type { SipTransport } from '../../engine/sip/transport.ts';
import { udpSipTransport } from '../../engine/sip/udp-transport.ts';
import { UserAgent, type RegisterOutcome } from '../../engine/sip/user-agent.ts';
import { APP_VERSION } from '../../version.ts';

type RegistrationSample = NonNullable<MonitorSample['registration']>;

export interface RegistrationAccount {
  registrar: string;
  domain?: string;
  username: string;
  authUsername?: string;
  password: string;
}

const REFRESH_WAIT_MS = 10_000;
const UNREGISTER_WAIT_MS = 4_000;

export class RegistrationProbe {
  private ua: UserAgent | null = null;
  private layer: TransactionLayer | null = null;
  private transport: SipTransport | null = null;
  private hop: Endpoint | null = null;
  private registered = false;
  private readonly o: {
    network: Network;
    clock: Clock;
    socket: UdpSocket;
    account: RegistrationAccount;
    /** Registration expiry asked for (a few intervals, so a missed refresh is not fatal). */
    expiresSec: number;
  };

  constructor(o: RegistrationProbe['o']) {
    this.o = o;
  }

  private async agent(): Promise<UserAgent> {
    const { account, network, clock, socket } = this.o;
    const { host, port } = parseHostPort(account.registrar, 5060);
    const address = (await network.resolve(host, 4).catch(() => [] as string[]))[0];
    if (!address) throw new Error(`cannot resolve ${host}`);
    this.hop = { address, port };
    if (this.ua) return this.ua;
    // A short message log: the monitor keeps outcomes, not transcripts (bounded memory over days).
    const log = new MessageLog(() => clock.now(), 20);
    this.transport = udpSipTransport(socket, false);
    this.layer = new TransactionLayer({
      transport: this.transport,
      clock,
      log,
      userAgent: `NatScope/${APP_VERSION}`,
    });
    this.ua = new UserAgent({
      layer: this.layer,
      nextHop: this.hop,
      registrarHop: this.hop,
      resolve: (h) => network.resolve(h, 4),
      viaSentBy: socket.local,
      contact: socket.local,
      account: {
        username: account.username,
        authUsername: account.authUsername,
        password: account.password,
        domain: account.domain ?? host,
      },
      userAgent: `NatScope/${APP_VERSION}`,
    });
    return this.ua;
  }

  async refresh(signal: AbortSignal): Promise<RegistrationSample> {
    const registrar = this.o.account.registrar;
    let ua: UserAgent;
    try {
      ua = await this.agent();
    } catch (err) {
      return { registrar, ok: false, status: null, reason: (err as Error).message, expires: null };
    }
    const outcome: RegisterOutcome | null = await Promise.race([
      ua.register(this.o.expiresSec),
      sleep(this.o.clock, REFRESH_WAIT_MS, signal).then(
        () => null,
        () => null,
      ),
    ]);
    if (!outcome)
      return {
        registrar: this.hop ? formatEndpoint(this.hop) : registrar,
        ok: false,
        status: null,
        reason: signal.aborted ? 'stopped' : `no final answer within ${REFRESH_WAIT_MS / 1000} s`,
        expires: null,
      };
    this.registered ||= outcome.ok;
    return {
      registrar: this.hop ? formatEndpoint(this.hop) : registrar,
      ok: outcome.ok,
      status: outcome.status,
      reason: outcome.reason,
      expires: outcome.expires,
    };
  }

  /** Removes the registration (bounded) and releases the SIP layer; the socket stays open. */
  async close(): Promise<void> {
    if (this.ua && this.registered)
      await Promise.race([this.ua.unregister().catch(() => null), sleep(this.o.clock, UNREGISTER_WAIT_MS)]);
    this.ua?.close();
    this.layer?.close();
    await this.transport?.close(); // unsubscribes only: the socket is the monitor's
    this.ua = null;
    this.layer = null;
    this.transport = null;
  }
}
