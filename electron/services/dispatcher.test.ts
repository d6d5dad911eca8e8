import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/contracts/rpc.ts';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import { createBridge, type FrameChannel } from '../../shared/contracts/client.ts';
import { Dispatcher } from './dispatcher.ts';
import { createHandlers, type Handlers } from './handlers.ts';
import { createServices } from './services.ts';

function collect(handlers: Handlers) {
  const frames: ServerFrame[] = [];
  const d = new Dispatcher(handlers, (f) => frames.push(f));
  return { d, frames, settle: () => new Promise((r) => setTimeout(r, 20)) };
}

const real = createHandlers(createServices('cli'));

describe('Dispatcher', () => {
  it('answers a valid request with a result', async () => {
    const { d, frames, settle } = collect(real);
    d.receive({ type: 'request', id: 'a', method: 'app.info', input: {} });
    await settle();
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ type: 'result', id: 'a', output: { name: 'NatScope', host: 'cli' } });
  });

  it('rejects malformed frames, unknown methods and invalid input with typed errors', async () => {
    const { d, frames, settle } = collect(real);
    d.receive('garbage');
    d.receive({ type: 'request', id: 'b', method: 'nope', input: {} });
    d.receive({ type: 'request', id: 'c', method: 'network.snapshot', input: { extra: 1 } });
    await settle();
    const codes = Object.fromEntries(frames.map((f) => [f.id, f.type === 'error' ? f.error.code : f.type]));
    expect(codes).toEqual({ '?': 'bad-request', b: 'unknown-method', c: 'bad-request' });
  });

  it('streams events, cancels on request, and ends with "cancelled"', async () => {
    const slow = {
      ...real,
      'network.snapshot': (_i: unknown, ctx: { signal: AbortSignal; emit(e: never): void }) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    } as unknown as Handlers;
    const { d, frames, settle } = collect(slow);
    d.receive({ type: 'request', id: 'x', method: 'network.snapshot', input: {} });
    d.receive({ type: 'cancel', id: 'x' });
    await settle();
    expect(frames).toEqual([
      {
        type: 'error',
        id: 'x',
        error: { code: 'cancelled', message: 'cancelled by the user', detail: undefined },
      },
    ]);
  });
});

describe('bridge ↔ dispatcher round trip', () => {
  function loop(handlers: Handlers): FrameChannel {
    const listeners = new Set<(raw: unknown) => void>();
    const d = new Dispatcher(handlers, (f) =>
      queueMicrotask(() => listeners.forEach((l) => l(JSON.parse(JSON.stringify(f))))),
    );
    return {
      send: (f) => d.receive(JSON.parse(JSON.stringify(f))),
      onFrame: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
  }

  it('returns validated output', async () => {
    const bridge = createBridge(loop(real));
    const snap = await bridge.call('network.snapshot', {});
    expect(snap.interfaces.length).toBeGreaterThan(0);
  });

  it('rebuilds errors as NatScopeError with the same code', async () => {
    const failing = {
      ...real,
      'app.info': async () => Promise.reject(new NatScopeError('unreachable', 'no answer', { host: 'x' })),
    };
    const bridge = createBridge(loop(failing as Handlers));
    const err = await bridge.call('app.info', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatScopeError);
    expect(err).toMatchObject({ code: 'unreachable', message: 'no answer', detail: { host: 'x' } });
  });

  it('refuses a result that does not match the contract', async () => {
    const lying = { ...real, 'app.info': async () => ({ name: 'Other' }) };
    const bridge = createBridge(loop(lying as unknown as Handlers));
    await expect(bridge.call('app.info', {})).rejects.toMatchObject({ code: 'malformed-response' });
  });
});
