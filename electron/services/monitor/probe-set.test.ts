import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { withChildSignal } from './probe-set.ts';

describe('per-interval signal', () => {
  it('follows the run’s signal and leaves nothing listening on it afterwards', async () => {
    const run = new AbortController();
    let inner: AbortSignal | null = null;
    await withChildSignal(run.signal, async (s) => {
      inner = s;
      // a probe that forgets its listener: it must not stay on the run's signal
      s.addEventListener('abort', () => {});
      expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    });
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    await withChildSignal(run.signal, async (s) => {
      run.abort(new Error('stop'));
      expect(s.aborted).toBe(true);
      expect(s.reason).toEqual(new Error('stop'));
    });
    expect(inner!.aborted).toBe(false);
  });
});
