/**
 * Shared plumbing of a discovery run: fresh sockets, the two retransmission policies (answer
 * expected / silence is a verdict), and probes that are logged as they complete.
 */
import type { NatTestName, NatTiming } from '../../../shared/contracts/nat.ts';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';
import { tryGetAttribute } from './attribute.ts';
import { MappedAddress } from './attr-address.ts';
import { ChangeRequestAttr } from './attr-change-request.ts';
import { XorMappedAddress } from './attr-xor-address.ts';
import { addAttribute } from './attribute.ts';
import { Software } from './attr-text.ts';
import { createMessage, type StunMessage } from './message.ts';
import type { RunRecorder } from './recorder.ts';
import {
  StunUdpPort,
  udpTransaction,
  type RetransmitPolicy,
  type TransactionOutcome,
} from './transaction.ts';

/** SOFTWARE of discovery requests: 20 bytes on the wire with its header. */
export const CLIENT_SOFTWARE = 'NatScope probe';

export interface ProbeSpec {
  test: NatTestName;
  step: string;
  from: StunUdpPort;
  to: Endpoint;
  /** Adds attributes to the request. */
  build?: (m: StunMessage) => void;
  /** Silence is a legitimate outcome: waits the (RTT-adapted) negative wait instead of the full timeout. */
  negative?: boolean;
  accept?: 'destination' | 'any';
  receiveOn?: StunUdpPort;
  classes?: readonly ('request' | 'success' | 'error' | 'indication')[];
  note?: string;
  /** Overrides the policy's deadline (ms after the first transmission). */
  deadlineMs?: () => number;
}

export class ProbeContext {
  readonly network: Network;
  readonly clock: Clock;
  readonly timing: NatTiming;
  readonly rec: RunRecorder;
  readonly signal: AbortSignal;
  readonly localAddress: string | null;
  readonly family: 4 | 6;
  private readonly ports: StunUdpPort[] = [];
  /** Raised once the path's RTT is known so slow paths do not produce false negatives. */
  negativeWaitMs: number;

  constructor(o: {
    network: Network;
    clock: Clock;
    timing: NatTiming;
    rec: RunRecorder;
    signal: AbortSignal;
    localAddress: string | null;
    family: 4 | 6;
  }) {
    this.network = o.network;
    this.clock = o.clock;
    this.timing = o.timing;
    this.rec = o.rec;
    this.signal = o.signal;
    this.localAddress = o.localAddress;
    this.family = o.family;
    this.negativeWaitMs = o.timing.negativeWaitMs;
  }

  /** Adapt the negative wait to a measured round trip (4×RTT + 100 ms, never below the configured wait). */
  observeRtt(rttMs: number | null): void {
    if (rttMs !== null) this.negativeWaitMs = Math.max(this.negativeWaitMs, Math.ceil(4 * rttMs + 100));
  }

  /** A fresh UDP socket (each test gets its own so no test's traffic opens the NAT for another). */
  async bind(port?: number): Promise<StunUdpPort> {
    const s = await this.network.bindUdp({
      address: this.localAddress ?? undefined,
      port,
      family: this.family,
    });
    const p = new StunUdpPort(s);
    this.ports.push(p);
    return p;
  }

  policy(negative: boolean): RetransmitPolicy {
    const { rtoMs, timeoutMs } = this.timing;
    return {
      rtoMs,
      maxTransmissions: 12,
      lastWaitFactor: 1e6,
      maxRtoMs: Math.max(rtoMs, 1600),
      deadlineMs: negative ? () => this.negativeWaitMs : timeoutMs,
    };
  }

  async probe(p: ProbeSpec): Promise<TransactionOutcome> {
    const m = createMessage({ cls: 'request' });
    // Over IPv6 a bare request is too small for a server that answers within 3× its size (natscope
    // server) to fit RFC 5780's attributes in; SOFTWARE (RFC 8489 §14.14) makes room. Not over IPv4:
    // RFC 3489 servers such as Vovida stund do not answer requests that carry it.
    if (p.to.address.includes(':')) addAttribute(m, Software, CLIENT_SOFTWARE);
    p.build?.(m);
    const out = await udpTransaction({
      port: p.from,
      to: p.to,
      message: m,
      policy: p.deadlineMs
        ? { ...this.policy(p.negative === true), deadlineMs: p.deadlineMs }
        : this.policy(p.negative === true),
      clock: this.clock,
      signal: this.signal,
      receiveOn: p.receiveOn,
      accept: p.accept,
      classes: p.classes,
    });
    this.rec.log(out, {
      test: p.test,
      step: p.step,
      transport: 'udp',
      local: p.from.local,
      destination: p.to,
      mayGoUnanswered: p.negative === true,
      note: p.note ?? null,
    });
    return out;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.ports.map((p) => p.close().catch(() => {})));
  }
}

export function changeRequest(changeIp: boolean, changePort: boolean): (m: StunMessage) => void {
  return (m) => addAttribute(m, ChangeRequestAttr, { changeIp, changePort });
}

/** XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from classic servers; null when absent or malformed. */
export function mappedOf(o: TransactionOutcome): Endpoint | null {
  if (o.outcome !== 'response' || !o.response || o.response.cls !== 'success') return null;
  return tryGetAttribute(o.response, XorMappedAddress) ?? tryGetAttribute(o.response, MappedAddress) ?? null;
}
