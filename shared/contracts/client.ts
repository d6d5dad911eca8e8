import { contract, type MethodEvent, type MethodInput, type MethodName, type MethodOutput } from './index.ts';
import { fromWireError, NatScopeError } from './errors.ts';
import { ServerFrame, type ClientFrame } from './rpc.ts';

/** A bidirectional frame pipe: Electron's preload bridge or a WebSocket. */
export interface FrameChannel {
  send(frame: ClientFrame): void;
  onFrame(listener: (raw: unknown) => void): () => void;
}

/** The part of AbortSignal the bridge uses; declared here because shared/ has no DOM or Node types. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

export interface CallOptions<E> {
  onEvent?: (event: E) => void;
  signal?: CancelSignal;
}

export interface Bridge {
  call<M extends MethodName>(
    method: M,
    input: MethodInput<M>,
    options?: CallOptions<MethodEvent<M>>,
  ): Promise<MethodOutput<M>>;
}

interface Pending {
  method: MethodName;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onEvent?: (e: unknown) => void;
}

/**
 * The client half of the contract, used by the renderer over either channel. The receiving side
 * validates: results and events are parsed with the contract's schemas; a mismatch is an error,
 * never passed on silently.
 */
export function createBridge(channel: FrameChannel): Bridge {
  const pending = new Map<string, Pending>();
  let seq = 0;
  channel.onFrame((raw) => {
    const parsed = ServerFrame.safeParse(raw);
    if (!parsed.success) return;
    const frame = parsed.data;
    const p = pending.get(frame.id);
    if (!p) return;
    const spec = contract[p.method];
    if (frame.type === 'event') {
      const ev = spec.event.safeParse(frame.event);
      if (ev.success) p.onEvent?.(ev.data);
      return;
    }
    pending.delete(frame.id);
    if (frame.type === 'error') {
      p.reject(fromWireError(frame));
      return;
    }
    const out = spec.output.safeParse(frame.output);
    if (out.success) p.resolve(out.data);
    else p.reject(new NatScopeError('malformed-response', `invalid ${p.method} result`, out.error.issues));
  });
  return {
    call(method, input, options = {}) {
      const id = `c${++seq}-${Math.random().toString(36).slice(2, 8)}`;
      return new Promise((resolve, reject) => {
        if (options.signal?.aborted) return reject(new NatScopeError('cancelled', 'cancelled'));
        pending.set(id, {
          method,
          resolve: resolve as (v: unknown) => void,
          reject,
          onEvent: options.onEvent as ((e: unknown) => void) | undefined,
        });
        options.signal?.addEventListener('abort', () => channel.send({ type: 'cancel', id }), { once: true });
        channel.send({ type: 'request', id, method, input });
      });
    },
  };
}
