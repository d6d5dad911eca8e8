import { describe, expect, it } from 'vitest';
import { ManualClock } from '../sip/test-fakes.ts';
import { createRateLimiter, createTotalLimiter } from './rate-limiter.ts';
import { SourceBuckets } from './source-buckets.ts';

describe('SourceBuckets', () => {
  it('stays within maxSources under a flood of new sources', () => {
    const t = new SourceBuckets({ ratePerSec: 1, burst: 2, maxSources: 1000 });
    for (let i = 0; i < 100_000; i++) t.take(4, 0, 0x0a000000 + i, i);
    expect(t.size).toBe(1000);
  });

  it('a source keeps its bucket while it is seen (refused once its burst is spent)', () => {
    const t = new SourceBuckets({ ratePerSec: 1, burst: 3, maxSources: 16 });
    const got = Array.from({ length: 5 }, (_, i) => t.take(4, 0, 7, i));
    expect(got).toEqual([true, true, true, false, false]);
    expect(t.take(4, 0, 7, 1004)).toBe(true); // one second: one token
    expect(t.refused).toBe(2);
  });

  it('tables built on one SharedArrayBuffer (threads) count a source once', () => {
    const memory = new SharedArrayBuffer(SourceBuckets.bytesFor(64));
    const o = { ratePerSec: 0.001, burst: 10, maxSources: 64 };
    const a = new SourceBuckets(o, memory, 99);
    const b = new SourceBuckets(o, memory, 99);
    let passed = 0;
    for (let i = 0; i < 20; i++) if ((i % 2 ? a : b).take(6, 0x20010db8, 1, i)) passed++;
    expect(passed).toBe(10);
    expect([a.size, b.size, a.refused]).toEqual([1, 1, 10]);
  });
});

describe('rate limiter keys', () => {
  it('IPv6: one /64 is one source, whatever the spelling; mapped IPv4 is its IPv4', () => {
    const rl = createRateLimiter(new ManualClock(), { ratePerSec: 0.001, burst: 2 });
    expect(rl.allowAddress('2001:db8:0:1::1')).toBe(true);
    expect(rl.allowAddress('2001:0DB8:0:1:ffff::2')).toBe(true);
    expect(rl.allowAddress('2001:db8:0:1:0:0:0:3')).toBe(false);
    expect(rl.allowAddress('2001:db8:0:2::1')).toBe(true);
    expect(rl.allowAddress('192.0.2.1')).toBe(true);
    expect(rl.allowAddress('::ffff:192.0.2.1')).toBe(true);
    expect(rl.allowAddress('192.0.2.1')).toBe(false);
    expect(rl.size).toBe(3);
  });

  it('the total limiter is one bucket for every key', () => {
    const clock = new ManualClock();
    const total = createTotalLimiter(clock, 10, 3);
    expect(['a', 'b', 'c', 'd'].map((k) => total.allow(k))).toEqual([true, true, true, false]);
    clock.advance(100);
    expect(total.allowAddress('192.0.2.9')).toBe(true);
    expect(total.refused).toBe(1);
  });
});
