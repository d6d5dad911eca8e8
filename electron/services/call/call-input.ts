/** What an echo call is given: the validated input and the service's injected network, clock and route lookup. */
import type { CallEchoInputSchema } from '../../../shared/contracts/call.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import type { SipTimers } from '../../engine/sip/transactions.ts';

export type CallInput = ReturnType<typeof CallEchoInputSchema.parse>;

export interface CallServiceDeps {
  network: Network;
  clock: Clock;
  /** The local address the OS would use towards `target` (no packet sent). */
  routeSource: (target: string) => Promise<string | null>;
  timers?: SipTimers;
}
