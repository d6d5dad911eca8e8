import { describe, expect, it } from 'vitest';
import type { Bridge } from '../../../../shared/contracts/client.ts';
import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import { recordAs } from './record.ts';
import { SessionStore } from './store.ts';

/** A bridge whose calls stay pending until the test settles them. */
function manualBridge() {
  const calls: {
    method: string;
    resolve(v: unknown): void;
    reject(e: unknown): void;
    aborted: () => boolean;
  }[] = [];
  const bridge: Bridge = {
    call: ((method: string, _input: unknown, opts?: { signal?: AbortSignal }) =>
      new Promise((resolve, reject) => {
        calls.push({ method, resolve, reject, aborted: () => opts?.signal?.aborted ?? false });
        opts?.signal?.addEventListener('abort', () => reject(new NatScopeError('cancelled', 'cancelled')));
      })) as Bridge['call'],
  };
  return { bridge, calls };
}

describe('SessionStore', () => {
  it('keeps a run and its recorded result independent of any component', async () => {
    const { bridge, calls } = manualBridge();
    const store = new SessionStore(bridge);
    const done = store.start('network', 'network.snapshot', {}, { record: recordAs('network') });
    expect(store.run('network').status).toBe('running');
    const snap = { platform: 'linux', interfaces: [], gateways: [], primary: null, warnings: [] };
    calls[0]!.resolve(snap);
    await done;
    expect(store.run('network').status).toBe('done');
    expect(store.getSnapshot().results.network).toEqual(snap);
  });

  it('a new run under the same key cancels the old one; the old answer is ignored', async () => {
    const { bridge, calls } = manualBridge();
    const store = new SessionStore(bridge);
    const first = store.start('nat', 'nat.defaultServers', {});
    const second = store.start('nat', 'nat.defaultServers', {});
    expect(calls[0]!.aborted()).toBe(true);
    expect(await first).toBeNull();
    calls[1]!.resolve([]);
    expect(await second).toEqual([]);
    expect(store.run('nat').status).toBe('done');
  });

  it('a lost connection fails every running run, keeps finished results and says why', async () => {
    const { bridge, calls } = manualBridge();
    const store = new SessionStore(bridge);
    void store.start('router', 'router.probe', {});
    void store.start('network', 'network.snapshot', {}, { record: recordAs('network') });
    calls[1]!.resolve({ platform: 'linux', interfaces: [], gateways: [], primary: null, warnings: [] });
    await Promise.resolve();
    await Promise.resolve();
    let heard = '';
    store.onConnectionLost((r) => (heard = r));
    store.connectionLost('the host closed the connection');
    const router = store.run('router');
    expect(router.status).toBe('failed');
    expect(router.status === 'failed' && router.error.code).toBe('unreachable');
    expect(store.getSnapshot().results.network).toBeDefined();
    expect(store.getSnapshot().connection).toEqual({ lost: true, reason: 'the host closed the connection' });
    expect(heard).toBe('the host closed the connection');
  });

  it('slices hold state for features and reset clears everything', () => {
    const { bridge } = manualBridge();
    const store = new SessionStore(bridge);
    expect(store.slice('form', 'x')).toBe('x');
    store.setSlice<number>('count', (n) => (n ?? 0) + 1);
    store.setSlice<number>('count', (n) => (n ?? 0) + 1);
    expect(store.slice('count', 0)).toBe(2);
    store.setResult('secrets', ['pw']);
    store.reset();
    expect(store.getSnapshot().results).toEqual({});
    expect(store.slice('count', 0)).toBe(0);
  });
});
