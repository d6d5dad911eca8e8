import { describe, expect, it } from 'vitest';
import { ManualClock } from '../sip/test-fakes.ts';
import type { IgdService } from './igd-client.ts';
import { DEFAULT_LIST_BUDGET_MS, listAllPortMappings } from './port-listing.ts';
import { FakeLan } from './testing/fake-lan.ts';
import { FakeRouter } from './testing/fake-router.ts';
import { onVirtualTime } from './testing/virtual-time.ts';

function slowRouter(igdVersion: 1 | 2) {
  const lan = new FakeLan();
  const clock = new ManualClock();
  new FakeRouter(lan, { igdVersion, slowEndlessTable: { delayMs: 1000, clock } });
  const svc: IgdService = {
    serviceType: `urn:schemas-upnp-org:service:WANIPConnection:${igdVersion}`,
    controlUrl: new URL('http://192.168.1.1:5000/ctl/IPConn'),
  };
  return { ctx: { network: lan.host('192.168.1.10'), clock, timeoutMs: 3000 }, clock, svc };
}

describe('listing a slow, endless table (one entry a second per request)', () => {
  it.each([1, 2] as const)(
    'IGD:%i stops at the time budget and says the table is partial',
    async (v) => {
      const { ctx, clock, svc } = slowRouter(v);
      const l = await onVirtualTime(clock, listAllPortMappings(ctx, svc));
      expect(l.partial).toMatch(/still answering after the 15 s time budget/);
      expect(l.error).toBeNull();
      expect(l.method).toBe('GetGenericPortMappingEntry');
      // What was read within the budget is kept: 4 requests in flight, one answer a second each
      // (on IGD:2 the first seconds go to GetListOfPortMappings' full page, which is not trusted).
      expect(l.entries.length).toBeGreaterThan(v === 1 ? 50 : 30);
      expect(l.entries[0]).toMatchObject({ description: 'endless 0', externalPort: 10000 });
      // Bounded: never longer than the budget plus one request's wait.
      expect(clock.now()).toBeLessThanOrEqual(DEFAULT_LIST_BUDGET_MS + 1000);
    },
    30_000,
  ); // virtual time; the generous real-time limit is for a loaded machine

  it('a smaller budget stops sooner', async () => {
    const { ctx, clock, svc } = slowRouter(1);
    const l = await onVirtualTime(clock, listAllPortMappings(ctx, svc, { budgetMs: 3000 }));
    expect(l.partial).toMatch(/3 s time budget for the table; \d+ entries read/);
    expect(l.entries.length).toBeLessThanOrEqual(12);
    expect(clock.now()).toBeLessThanOrEqual(4000);
  });

  it('a table that ends within the budget is complete, not partial', async () => {
    const lan = new FakeLan();
    const clock = new ManualClock();
    const router = new FakeRouter(lan, { igdVersion: 1 });
    router.mappings.push({
      protocol: 'udp',
      externalPort: 5060,
      internalClient: '192.168.1.10',
      internalPort: 5060,
      description: 'phone',
      leaseSeconds: 0,
    });
    const svc: IgdService = {
      serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1',
      controlUrl: new URL('http://192.168.1.1:5000/ctl/IPConn'),
    };
    const l = await onVirtualTime(
      clock,
      listAllPortMappings({ network: lan.host('192.168.1.10'), clock }, svc),
    );
    expect(l).toMatchObject({ partial: null, error: null });
    expect(l.entries.map((e) => e.description)).toEqual(['phone']);
  });
});
