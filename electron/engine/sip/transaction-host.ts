/**
 * What a transaction needs from the layer that owns it (transactions.ts): the transport (is it
 * reliable? RFC 3261 §17.1.1.2), the injected clock and timer values (§17.1.1.1: T1, T2, T4), and
 * a way onto the wire that logs what is sent.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { SipTransport } from './transport.ts';

export interface SipTimers {
  T1: number;
  T2: number;
  T4: number;
}
export const RFC3261_TIMERS: SipTimers = { T1: 500, T2: 4000, T4: 5000 };

export interface TransactionHost {
  readonly transport: SipTransport;
  readonly clock: Clock;
  readonly timers: SipTimers;
  readonly userAgent: string;
  wireSend(text: string, dest: Endpoint, retransmission: boolean, onError: (e: Error) => void): void;
}
