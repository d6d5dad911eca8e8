import { describe, expect, it } from 'vitest';
import { lazyService } from './lazy-service.ts';

describe('lazyService', () => {
  it('loads and builds once, on the first call, and passes calls and errors through', async () => {
    let loads = 0;
    let builds = 0;
    const s = lazyService(
      async () => {
        loads++;
        return { base: 40 };
      },
      (m) => {
        builds++;
        return {
          add: async (n: number) => m.base + n,
          sync: () => 'plain',
          fail: async () => {
            throw new Error('boom');
          },
        };
      },
    );
    expect(loads).toBe(0);
    expect(await Promise.all([s.add(2), s.add(3)])).toEqual([42, 43]);
    expect(await s.sync()).toBe('plain');
    await expect(s.fail()).rejects.toThrow('boom');
    expect([loads, builds]).toEqual([1, 1]);
  });

  it('is not a thenable, and says which method is missing', async () => {
    const s = lazyService(
      async () => null,
      () => ({ ok: async () => true }),
    );
    expect(await Promise.resolve(s)).toBe(s);
    await expect((s as unknown as { nope(): Promise<void> }).nope()).rejects.toThrow(/no method "nope"/);
  });

  it('a failed load is reported on every call', async () => {
    const s = lazyService(
      () => Promise.reject(new Error('cannot load')),
      () => ({ ok: async () => true }),
    );
    await expect(s.ok()).rejects.toThrow('cannot load');
    await expect(s.ok()).rejects.toThrow('cannot load');
  });
});
