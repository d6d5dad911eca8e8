/**
 * The STUN part of an interval, in this order (the order is what makes the inbound check honest):
 *  1. Is the SIP port's previous mapping still open inbound? A fresh socket asks the server to
 *     answer to that mapped port (RESPONSE-PORT, RFC 5780 §7.5); only a mapping the NAT still holds
 *     lets the answer reach the SIP socket. Done before the SIP socket sends anything this interval,
 *     so its own traffic cannot re-open the mapping first. A control check right after the first
 *     mapping proves the server honours RESPONSE-PORT; without it the answer is "unknown".
 *  2. Binding from the SIP port (kept open like a phone's): public address, mapped port.
 *  3. A fresh random port: Binding to the server (port preservation), then RFC 5780 §4.3 tests II and
 *     III towards OTHER-ADDRESS (mapping behaviour), then the loss/RTT pings. A lossy line turns a
 *     silent inbound check (1.) into "unknown".
 */
import type { MonitorSample } from '../../../shared/contracts/monitor.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import {
  addAttribute,
  createMessage,
  OtherAddress,
  ResponsePort,
  tryGetAttribute,
  mappedOf,
  sameEndpoint,
  StunUdpPort,
  udpTransaction,
  type RetransmitPolicy,
  type StunMessage,
  type TransactionOutcome,
} from '../../engine/stun/index.ts';
import { stunPings } from './stun-pings.ts';

type StunSample = NonNullable<MonitorSample['stun']>;

const ANSWER: RetransmitPolicy = { rtoMs: 250, maxTransmissions: 5, lastWaitFactor: 4, deadlineMs: 3000 };
/** Silence is the verdict here: a short, fixed wait after a few transmissions. */
const SILENCE: RetransmitPolicy = { rtoMs: 200, maxTransmissions: 3, lastWaitFactor: 4, deadlineMs: 1500 };
/** Ping loss from which a silent inbound check proves nothing (10 %: three tries all lost once in 1,000). */
const LOSSY_PERCENT = 10;

export interface StunProbeState {
  /** The SIP port's mapping after the last interval. */
  sipMapped: Endpoint | null;
  /** Does the server honour RESPONSE-PORT (learnt once)? */
  responsePort: boolean | null;
}

export class StunProbe {
  readonly state: StunProbeState = { sipMapped: null, responsePort: null };
  /** The previous interval's ping loss (see the end of run()). */
  private lastLossPercent: number | null = null;
  private readonly o: {
    network: Network;
    clock: Clock;
    server: Endpoint;
    label: string;
    sip: StunUdpPort;
    localAddress: string | undefined;
    pings: number;
  };

  constructor(o: StunProbe['o']) {
    this.o = o;
  }

  private tx(
    from: StunUdpPort,
    to: Endpoint,
    signal: AbortSignal,
    policy = ANSWER,
    build?: (m: StunMessage) => void,
    receiveOn?: StunUdpPort,
  ): Promise<TransactionOutcome> {
    const message = createMessage({ cls: 'request' });
    build?.(message);
    return udpTransaction({ port: from, to, message, policy, clock: this.o.clock, signal, receiveOn });
  }

  /** Asks the server to answer to `port` on the SIP socket's public address; true if it arrived. */
  private async reachesSipSocket(port: number, signal: AbortSignal): Promise<boolean | null> {
    const probe = await this.fresh();
    try {
      const t = await this.tx(
        probe,
        this.o.server,
        signal,
        SILENCE,
        (m) => addAttribute(m, ResponsePort, port),
        this.o.sip,
      );
      if (t.outcome === 'response') return t.response?.cls === 'success';
      if (t.outcome === 'timeout') return false;
      return null;
    } finally {
      await probe.close().catch(() => {});
    }
  }

  private async fresh(): Promise<StunUdpPort> {
    return new StunUdpPort(await this.o.network.bindUdp({ address: this.o.localAddress }));
  }

  async run(signal: AbortSignal): Promise<StunSample> {
    const { server, sip } = this.o;
    const prev = this.state.sipMapped;
    // 1. inbound check of the previous mapping (only once RESPONSE-PORT is proven to work)
    const inbound =
      prev && this.state.responsePort === true ? await this.reachesSipSocket(prev.port, signal) : null;
    // 2. the SIP port
    const sipT = await this.tx(sip, server, signal);
    const sipMapped = mappedOf(sipT);
    if (sipMapped && this.state.responsePort === null)
      this.state.responsePort = (await this.reachesSipSocket(sipMapped.port, signal)) === true;
    const sample: StunSample = {
      server: this.o.label,
      sipPort: {
        local: formatEndpoint(sip.local),
        mapped: sipMapped ? formatEndpoint(sipMapped) : null,
        rttMs: round(sipT.rttMs),
      },
      randomPort: { local: '', mapped: null, rttMs: null },
      mapping: null,
      portPreserved: null,
      // an answer sent to the old public address says nothing once the address changed
      sipBindingOpen:
        inbound !== null && sipMapped && prev && sipMapped.address === prev.address ? inbound : null,
      pings: { sent: 0, received: 0 },
      lossPercent: null,
      rttMs: null,
      jitterMs: null,
      error: sipT.error,
    };
    if (sipMapped) this.state.sipMapped = sipMapped;
    // 3. a fresh port: preservation, mapping behaviour, pings
    const r = await this.fresh();
    try {
      sample.randomPort.local = formatEndpoint(r.local);
      const t1 = await this.tx(r, server, signal);
      const m1 = mappedOf(t1);
      sample.randomPort = {
        local: formatEndpoint(r.local),
        mapped: m1 ? formatEndpoint(m1) : null,
        rttMs: round(t1.rttMs),
      };
      sample.error ??= t1.error ?? (m1 || sipMapped ? null : `no answer from ${this.o.label}`);
      if (m1) {
        sample.portPreserved = m1.port === r.local.port;
        const other = t1.response ? (tryGetAttribute(t1.response, OtherAddress) ?? null) : null;
        if (other) sample.mapping = await this.mappingBehaviour(r, m1, other, signal);
      }
      if (this.o.pings > 0) {
        const p = await stunPings({ port: r, server, clock: this.o.clock, count: this.o.pings, signal });
        Object.assign(sample, {
          pings: { sent: p.sent, received: p.received },
          lossPercent: p.lossPercent,
          rttMs: p.rttMs,
          jitterMs: p.jitterMs,
        });
      }
    } finally {
      await r.close().catch(() => {});
    }
    // Three unanswered tries on a line that lost ≥ 10 % of this interval's pings are not proof the
    // binding is gone (at 50 % loss all three are lost one time in eight): unknown, not "vanished".
    // The last interval counts too: the pings run after the inbound check, so a loss that ends
    // between the two leaves a clean ping count beside a check it defeated.
    const lossy = (x: number | null | undefined) => (x ?? 0) >= LOSSY_PERCENT;
    if (sample.sipBindingOpen === false && (lossy(sample.lossPercent) || lossy(this.lastLossPercent)))
      sample.sipBindingOpen = null;
    this.lastLossPercent = sample.lossPercent ?? null;
    return sample;
  }

  /** RFC 5780 §4.3 tests II and III from the socket whose test I mapping is `m1`. */
  private async mappingBehaviour(
    r: StunUdpPort,
    m1: Endpoint,
    other: Endpoint,
    signal: AbortSignal,
  ): Promise<StunSample['mapping']> {
    const m2 = mappedOf(await this.tx(r, { address: other.address, port: this.o.server.port }, signal));
    if (!m2) return null;
    if (sameEndpoint(m2, m1)) return 'endpoint-independent';
    const m3 = mappedOf(await this.tx(r, other, signal));
    if (!m3) return null;
    return sameEndpoint(m3, m2) ? 'address-dependent' : 'address-and-port-dependent';
  }
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
