/**
 * Request/response over UDP with the NAT-PMP retransmission schedule (RFC 6886 §3.1: first retry
 * after 250 ms, the interval doubling each time). RFC 6886 allows up to 9 tries (~64 s); a
 * diagnostic must answer sooner, so the number of tries is a parameter (default 4 ≈ 3.75 s).
 * Only answers from the gateway's address and port 5351 are considered (§3.1, RFC 6887 §8.3).
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { UdpSocket } from '../net/network.ts';

export interface RetryPolicy {
  initialMs: number;
  maxTries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 250, maxTries: 4 };

/**
 * Sends `request` and resends on the schedule until `accept` returns a value for an answer.
 * `accept` returns undefined to ignore a datagram (stray or for another request) and throws to
 * fail (malformed answer).
 */
export function transact<T>(opts: {
  socket: UdpSocket;
  to: Endpoint;
  request: Uint8Array;
  accept: (data: Uint8Array) => T | undefined;
  clock: Clock;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  what: string;
}): Promise<T> {
  const retry = opts.retry ?? DEFAULT_RETRY;
  return new Promise<T>((resolve, reject) => {
    let tries = 0;
    let timer: TimerHandle | null = null;
    let waited = 0;
    let done = false;
    const finish = (err: unknown, value?: T) => {
      if (done) return;
      done = true;
      timer?.cancel();
      unsubscribe();
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value as T);
    };
    const onAbort = () => finish(opts.signal?.reason ?? new NatScopeError('cancelled', 'cancelled'));
    const unsubscribe = opts.socket.onMessage((data, from) => {
      if (from.address !== opts.to.address || from.port !== opts.to.port) return;
      try {
        const v = opts.accept(data);
        if (v !== undefined) finish(null, v);
      } catch (err) {
        finish(err);
      }
    });
    const send = () => {
      if (done) return;
      if (tries >= retry.maxTries) {
        finish(
          new NatScopeError(
            'unreachable',
            `${opts.what}: no answer from ${formatEndpoint(opts.to)} after ${tries} tries (${waited} ms)`,
          ),
        );
        return;
      }
      const interval = retry.initialMs * 2 ** tries;
      tries++;
      opts.socket
        .send(opts.request, opts.to)
        .catch((err: unknown) =>
          finish(
            new NatScopeError(
              'unreachable',
              `${opts.what}: cannot send to ${formatEndpoint(opts.to)}: ${err instanceof Error ? err.message : String(err)}`,
            ),
          ),
        );
      timer = opts.clock.setTimeout(() => {
        waited += interval;
        send();
      }, interval);
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    send();
  });
}
