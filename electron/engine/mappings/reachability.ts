/**
 * "Does this mapping really forward?" — proven with an inbound packet: a socket is bound on the
 * mapping's internal port, something outside the NAT (a `ReachabilityProber`) sends a datagram
 * carrying a random token to the public address and external port, and the token must arrive.
 * The request to the prober leaves from a SECOND socket, so no outbound packet from the internal
 * port can open the NAT's filter and fake a success. Without a prober the answer is "unverified".
 *
 * Probe-helper protocol (NatScope's own, UDP, ASCII):
 *   request  "NATSCOPE-PROBE/1 <externalPort> <token>"              client → helper
 *   ack      "NATSCOPE-PROBE-ACK/1 <token> <ip>:<port>"             helper → client (where it will send)
 *   probe    "NATSCOPE-PROBE-DATA/1 <token>"                        helper → <ip>:<externalPort>
 * The helper only ever sends to the requester's own source address (no reflection to third hosts).
 */
import { randomBytes } from 'node:crypto';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network, UdpSocket } from '../net/network.ts';
import { transact } from '../natpmp/transact.ts';

export type ProbeRequestResult = { ok: true; target: string | null } | { ok: false; reason: string };

export interface ReachabilityProber {
  readonly method: string;
  /** Asks for a datagram carrying `token` to be sent to this computer's public address at `externalPort`. */
  request(req: { externalPort: number; token: string; signal?: AbortSignal }): Promise<ProbeRequestResult>;
}

/** No helper outside the NAT: verification is honestly "unverified". */
export const noProber: ReachabilityProber = {
  method: 'none',
  request: async () => ({
    ok: false,
    reason: 'no probe helper outside the NAT is configured (use --probe-helper HOST:PORT)',
  }),
};

export function udpHelperProber(network: Network, clock: Clock, helper: Endpoint): ReachabilityProber {
  return {
    method: `probe helper ${helper.address}:${helper.port}`,
    async request({ externalPort, token, signal }) {
      const socket = await network.bindUdp({ family: 4 });
      try {
        const target = await transact({
          socket,
          to: helper,
          request: new TextEncoder().encode(`NATSCOPE-PROBE/1 ${externalPort} ${token}`),
          accept: (d) => {
            const m = /^NATSCOPE-PROBE-ACK\/1 ([0-9a-f]{16,64}) (\S{1,64})$/.exec(
              new TextDecoder().decode(d.subarray(0, 200)),
            );
            return m && m[1] === token ? m[2]! : undefined;
          },
          clock,
          retry: { initialMs: 250, maxTries: 3 },
          signal,
          what: 'probe helper',
        });
        return { ok: true, target };
      } catch (err) {
        if (signal?.aborted) throw err;
        return { ok: false, reason: err instanceof Error ? err.message : String(err) };
      } finally {
        await socket.close();
      }
    },
  };
}

export interface VerifyResult {
  status: 'forwarded' | 'not-forwarded' | 'unverified';
  method: string;
  detail: string;
  probedEndpoint: string | null;
  elapsedMs: number | null;
}

export async function verifyUdpMapping(opts: {
  network: Network;
  clock: Clock;
  prober: ReachabilityProber;
  internalPort: number;
  externalPort: number;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<VerifyResult> {
  const { network, clock, prober } = opts;
  let socket: UdpSocket;
  try {
    socket = await network.bindUdp({ family: 4, port: opts.internalPort });
  } catch (err) {
    return {
      status: 'unverified',
      method: prober.method,
      detail: `cannot listen on internal port ${opts.internalPort} (${err instanceof Error ? err.message : String(err)}) — another program (a softphone?) holds it`,
      probedEndpoint: null,
      elapsedMs: null,
    };
  }
  const token = randomBytes(8).toString('hex');
  const started = clock.now();
  try {
    let arrivedFrom: Endpoint | null = null;
    const arrived = new Promise<void>((resolve) => {
      socket.onMessage((d, from) => {
        if (new TextDecoder().decode(d.subarray(0, 100)) === `NATSCOPE-PROBE-DATA/1 ${token}`) {
          arrivedFrom = from;
          resolve();
        }
      });
    });
    const req = await prober.request({ externalPort: opts.externalPort, token, signal: opts.signal });
    if (!req.ok)
      return {
        status: 'unverified',
        method: prober.method,
        detail: req.reason,
        probedEndpoint: null,
        elapsedMs: null,
      };
    let timer: { cancel(): void } | null = null;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = clock.setTimeout(() => resolve('timeout'), opts.timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) => {
      if (opts.signal?.aborted) reject(opts.signal.reason);
      opts.signal?.addEventListener(
        'abort',
        () => reject(opts.signal?.reason ?? new NatScopeError('cancelled', 'cancelled')),
        { once: true },
      );
    });
    const outcome = await Promise.race([arrived.then(() => 'arrived' as const), timedOut, aborted]);
    (timer as { cancel(): void } | null)?.cancel();
    const elapsedMs = Math.round(clock.now() - started);
    if (outcome === 'arrived') {
      const from = arrivedFrom as Endpoint | null;
      return {
        status: 'forwarded',
        method: prober.method,
        detail: `a packet sent from outside to ${req.target ?? `external port ${opts.externalPort}`} arrived on internal port ${opts.internalPort}${from ? ` (from ${from.address}:${from.port})` : ''}`,
        probedEndpoint: req.target,
        elapsedMs,
      };
    }
    return {
      status: 'not-forwarded',
      method: prober.method,
      detail: `nothing arrived on internal port ${opts.internalPort} within ${opts.timeoutMs} ms of a packet sent from outside to ${req.target ?? `external port ${opts.externalPort}`}`,
      probedEndpoint: req.target,
      elapsedMs,
    };
  } finally {
    await socket.close();
  }
}
