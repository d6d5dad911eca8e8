import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import type { RouterErrorDetail } from '../../shared/contracts/router.ts';
import { systemClock, type Clock } from '../engine/clock/clock.ts';
import { openLedger, type LedgerEntry, type MappingLedger } from '../engine/mappings/ledger.ts';
import { openRefusalLog } from '../engine/mappings/refusal-log.ts';
import type { ReachabilityProber } from '../engine/mappings/reachability.ts';
import type { SystemSource } from '../engine/netinfo/system-source.ts';
import { FakeLan } from '../engine/upnp/testing/fake-lan.ts';
import { FakeRouter, type FakeRouterOptions } from '../engine/upnp/testing/fake-router.ts';
import { onVirtualTime } from '../engine/upnp/testing/virtual-time.ts';
import { ManualClock } from '../engine/sip/test-fakes.ts';
import { standaloneContext } from './call-context.ts';
import { createRouterService } from './router-service.ts';

const CLIENT = '192.168.1.10';

const system: SystemSource = {
  platform: 'linux',
  networkInterfaces: () => ({
    lo: [
      {
        address: '127.0.0.1',
        netmask: '255.0.0.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal: true,
        cidr: '127.0.0.1/8',
      },
    ],
    eth0: [
      {
        address: CLIENT,
        netmask: '255.255.255.0',
        family: 'IPv4',
        mac: '02:00:00:00:00:01',
        internal: false,
        cidr: `${CLIENT}/24`,
      },
    ],
  }),
  readFile: async (p) => {
    if (p === '/proc/net/route')
      return 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\neth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n';
    throw new Error('ENOENT');
  },
  run: async () => '',
  routeSource: async () => CLIENT,
};

let dir: string;
let ledger: MappingLedger;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'natscope-router-'));
  ledger = openLedger(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function setup(opts: FakeRouterOptions = {}, prober?: ReachabilityProber, clock: Clock = systemClock) {
  const lan = new FakeLan();
  const router = new FakeRouter(lan, opts);
  await new Promise((r) => setTimeout(r, 0));
  const svc = createRouterService({
    network: lan.host(CLIENT),
    clock,
    system,
    ledger,
    prober,
    refusalLog: openRefusalLog(dir),
    retry: { initialMs: 20, maxTries: 3 },
    ssdpTimeoutMs: 400,
    httpTimeoutMs: 500,
  });
  return { lan, router, svc };
}

const ctx = () => standaloneContext();
const add = {
  via: 'upnp' as const,
  protocol: 'udp' as const,
  externalPort: 40000,
  internalPort: 40000,
  confirmExposure: true as const,
};

async function errorOf(p: Promise<unknown>): Promise<NatScopeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NatScopeError);
  return e as NatScopeError;
}

describe('router service: probe', () => {
  it('reports UPnP, NAT-PMP and PCP', async () => {
    const { svc } = await setup();
    const events: string[] = [];
    const r = await svc.probe(
      {},
      standaloneContext((e) => events.push(`${e.step}:${e.status}`)),
    );
    expect(r.gateway).toBe('192.168.1.1');
    expect(r.localAddress).toBe(CLIENT);
    expect(r.upnp).toMatchObject({
      found: true,
      externalIp: '203.0.113.2',
      externalIpClass: 'documentation',
      igdVersion: 2,
      manufacturer: 'FakeCo',
      model: 'Fake IGD',
      connectionStatus: 'Connected',
      uptimeSeconds: 843,
      connectionType: 'IP_Routed',
    });
    expect(r.upnp.services).toHaveLength(1);
    expect(r.natpmp).toMatchObject({ supported: true, externalIp: '203.0.113.2', epoch: 1000 });
    expect(r.pcp).toMatchObject({ supported: true, epoch: 1000, externalIp: null });
    expect(r.findings).toEqual([]);
    expect(events).toContain('upnp:done');
  });
  it('flags CGNAT, a STUN mismatch and "no protocol"', async () => {
    const { svc } = await setup({ externalIp: '100.64.0.2' });
    const r = await svc.probe({ stunMappedAddress: '203.0.113.3' }, ctx());
    expect(r.findings.map((f) => f.id)).toEqual([
      'router-external-cgnat',
      'router-external-differs-from-stun',
    ]);
    const off = await setup({ upnp: false, natpmp: false });
    const r2 = await off.svc.probe({}, ctx());
    expect(r2.findings.map((f) => f.id)).toEqual(['no-mapping-protocol']);
  });
  it('PCP on a NAT-PMP-only gateway: natPmpOnly', async () => {
    const { svc } = await setup({ pcp: false });
    const r = await svc.probe({ protocols: ['pcp', 'natpmp'] }, ctx());
    expect(r.pcp).toMatchObject({ supported: false, natPmpOnly: true });
    expect(r.natpmp.supported).toBe(true);
  });
});

describe('router service: safety', () => {
  it('refuses to add without confirmExposure', async () => {
    const { svc, router } = await setup();
    const e = await errorOf(svc.addMapping({ ...add, confirmExposure: undefined } as never, ctx()));
    expect(e.code).toBe('bad-request');
    expect(e.message).toMatch(/confirmExposure/);
    expect(router.mappings).toHaveLength(0);
  });
  it("adds with a lease, records it, lists it as NatScope's, deletes it", async () => {
    const { svc, router } = await setup();
    const r = await svc.addMapping({ ...add, description: 'sip' }, ctx());
    expect(r.mapping).toMatchObject({
      via: 'upnp',
      externalIp: '203.0.113.2',
      externalPort: 40000,
      internalClient: CLIENT,
      leaseSeconds: 600,
      createdByNatScope: true,
      permanent: false,
    });
    expect(r.mapping.description).toMatch(/^NatScope [0-9a-f]{8} sip$/);
    expect(router.mappings[0]).toMatchObject({ leaseSeconds: 600, internalClient: CLIENT });
    const [entry] = await ledger.list();
    expect(entry).toMatchObject({ via: 'upnp', state: 'active', owner: { pid: process.pid } });
    const l = await svc.listMappings({});
    expect(l.mappings).toHaveLength(1);
    expect(l.mappings[0]).toMatchObject({ createdByNatScope: true, leaseRemainingSeconds: 600 });
    expect(await svc.deleteMapping({ via: 'upnp', protocol: 'udp', externalPort: 40000 })).toMatchObject({
      deleted: true,
      createdByNatScope: true,
    });
    expect(router.mappings).toHaveLength(0);
    expect(await ledger.list()).toEqual([]);
  });
  it('never deletes or overwrites a foreign mapping unless the user picked it', async () => {
    const { svc, router } = await setup();
    router.mappings.push({
      protocol: 'udp',
      externalPort: 5060,
      internalClient: '192.168.1.20',
      internalPort: 5060,
      description: 'phone',
      leaseSeconds: 0,
    });
    const l = await svc.listMappings({});
    expect(l.mappings[0]).toMatchObject({
      createdByNatScope: false,
      permanent: true,
      leaseRemainingSeconds: null,
    });
    const e = await errorOf(svc.deleteMapping({ via: 'upnp', protocol: 'udp', externalPort: 5060 }));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/not created by NatScope/);
    const e2 = await errorOf(svc.addMapping({ ...add, externalPort: 5060 }, ctx()));
    expect(e2.message).toMatch(/already mapped to 192\.168\.1\.20:5060/);
    expect(router.mappings).toHaveLength(1);
    expect(
      await svc.deleteMapping({ via: 'upnp', protocol: 'udp', externalPort: 5060, userPicked: true }),
    ).toMatchObject({ deleted: true, createdByNatScope: false });
    expect(router.mappings).toHaveLength(0);
  });
  it('725: asks before a permanent mapping, then tracks it', async () => {
    const { svc, router } = await setup({ permanentOnly: true });
    const e = await errorOf(svc.addMapping(add, ctx()));
    expect(e.code).toBe('refused');
    expect((e.detail as RouterErrorDetail).needsConfirmation).toBe('permanent-lease');
    expect((e.detail as RouterErrorDetail).protocolError).toMatchObject({
      code: 725,
      name: 'OnlyPermanentLeasesSupported',
    });
    expect(await ledger.list()).toEqual([]);
    const r = await svc.addMapping({ ...add, allowPermanent: true }, ctx());
    expect(r.mapping).toMatchObject({ permanent: true, leaseSeconds: 0 });
    expect(router.mappings[0]?.leaseSeconds).toBe(0);
    expect(await svc.releaseSession()).toEqual({ removed: 1, failed: [] });
    expect(router.mappings).toHaveLength(0);
  });
  it('a router that ignores the lease: tracked as permanent and removed on exit', async () => {
    const { svc, router } = await setup({ ignoreLease: true });
    const r = await svc.addMapping(add, ctx());
    expect(r.mapping).toMatchObject({ permanent: true, leaseSeconds: 0, leaseRemainingSeconds: null });
    expect(r.notes.join()).toMatch(/ignored the lease/);
    expect((await ledger.list())[0]?.expiresAt).toBeNull();
    await svc.releaseSession();
    expect(router.mappings).toHaveLength(0);
  });
  it('718 in secure mode is shown by number and name', async () => {
    const { svc } = await setup({ secureMode: true });
    const e = await errorOf(svc.addMapping({ ...add, internalClient: '192.168.1.99' }, ctx()));
    expect(e.code).toBe('refused');
    expect(e.message).toMatch(/^UPnP error 718 ConflictInMappingEntry/);
    expect((e.detail as RouterErrorDetail).protocolError).toMatchObject({ via: 'upnp', code: 718 });
  });
  it('refusal of every mapping → double-NAT finding', async () => {
    const { svc, lan } = await setup({ refuseAll: true });
    const e1 = await errorOf(svc.addMapping(add, ctx()));
    expect((e1.detail as RouterErrorDetail).protocolError?.code).toBe(501);
    const e2 = await errorOf(svc.addMapping({ ...add, via: 'natpmp' }, ctx()));
    expect((e2.detail as RouterErrorDetail).protocolError).toMatchObject({
      via: 'natpmp',
      code: 3,
      name: 'NetworkFailure',
    });
    const e3 = await errorOf(svc.addMapping({ ...add, via: 'pcp' }, ctx()));
    const f = (e3.detail as RouterErrorDetail).findings ?? [];
    expect(f[0]).toMatchObject({
      id: 'mappings-refused',
      severity: 'problem',
      title: 'The router refuses every mapping',
    });
    const r = await svc.probe({}, ctx());
    expect(r.findings.map((x) => x.id)).toContain('mappings-refused');
    expect(await ledger.list()).toEqual([]);
    // a later run's read-only probe still reports it (refusals are remembered next to the ledger)
    const later = createRouterService({
      network: lan.host(CLIENT),
      clock: systemClock,
      system,
      ledger,
      refusalLog: openRefusalLog(dir),
      retry: { initialMs: 20, maxTries: 3 },
      ssdpTimeoutMs: 400,
    });
    const r2 = await later.probe({ listMappings: false }, ctx());
    expect(r2.findings.find((x) => x.id === 'mappings-refused')?.evidence.sort()).toEqual([
      'natpmp: 3 NetworkFailure',
      'pcp: 8 NO_RESOURCES',
      'upnp: 501 ActionFailed',
    ]);
  });
  it('NAT-PMP and PCP add/delete; PCP delete reuses the nonce', async () => {
    const { svc, router } = await setup();
    const n = await svc.addMapping(
      { ...add, via: 'natpmp', externalPort: 41000, internalPort: 41000 },
      ctx(),
    );
    expect(n.mapping).toMatchObject({
      via: 'natpmp',
      externalIp: '203.0.113.2',
      externalPort: 41000,
      leaseSeconds: 600,
    });
    const p = await svc.addMapping(
      { ...add, via: 'pcp', protocol: 'tcp', externalPort: 42000, internalPort: 42000 },
      ctx(),
    );
    expect(p.mapping).toMatchObject({ via: 'pcp', externalIp: '203.0.113.2', externalPort: 42000 });
    expect(router.mappings).toHaveLength(2);
    const l = await svc.listMappings({ via: 'pcp' });
    expect(l.mappings.map((m) => m.via)).toEqual(['pcp']);
    await svc.deleteMapping({ via: 'pcp', protocol: 'tcp', externalPort: 42000 });
    await svc.deleteMapping({ via: 'natpmp', protocol: 'udp', externalPort: 41000 });
    expect(router.mappings).toHaveLength(0);
  });
  it('PCP falls back to NAT-PMP on a version mismatch', async () => {
    const { svc } = await setup({ pcp: false });
    const r = await svc.addMapping({ ...add, via: 'pcp' }, ctx());
    expect(r.mapping.via).toBe('natpmp');
    expect(r.notes.join()).toMatch(/NAT-PMP only/);
    expect((await ledger.list())[0]?.via).toBe('natpmp');
  });
  it('adding twice refreshes the same mapping (lease renewal)', async () => {
    const { svc, router } = await setup();
    const a = await svc.addMapping(add, ctx());
    const b = await svc.addMapping(add, ctx());
    expect(b.mapping.ledgerId).toBe(a.mapping.ledgerId);
    expect(router.mappings).toHaveLength(1);
    expect(await ledger.list()).toHaveLength(1);
  });
  it('a cancelled add leaves nothing behind', async () => {
    const { svc, router } = await setup();
    const ac = new AbortController();
    const p = svc.addMapping(
      add,
      standaloneContext(() => {}, ac.signal),
    );
    setTimeout(() => ac.abort(new NatScopeError('cancelled', 'cancelled by the user')), 5);
    const e = await errorOf(p);
    expect(e.code).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 50));
    expect(router.mappings).toHaveLength(0);
    expect(await ledger.list()).toEqual([]);
  });
  it("releaseSession removes this run's mappings but not kept ones", async () => {
    const { svc, router } = await setup();
    await svc.addMapping(add, ctx());
    await svc.addMapping({ ...add, externalPort: 40001, internalPort: 40001, keep: true }, ctx());
    expect(await svc.releaseSession()).toEqual({ removed: 1, failed: [] });
    expect(router.mappings.map((m) => m.externalPort)).toEqual([40001]);
    expect((await ledger.list()).map((e) => e.kept)).toEqual([true]);
  });
});

describe('router service: crash leftovers', () => {
  const dead = { pid: 2 ** 22 + 12345, startTime: '1' };
  const base = {
    internalClient: CLIENT,
    externalIp: null,
    gateway: '192.168.1.1',
    leaseSeconds: 600,
    createdAt: Date.now() - 1000,
    state: 'active' as const,
    kept: false,
    owner: dead,
  };
  it("removes a dead run's mappings at the first call, and only if still ours", async () => {
    const { svc, router } = await setup();
    router.mappings.push({
      protocol: 'udp',
      externalPort: 40010,
      internalClient: CLIENT,
      internalPort: 40010,
      description: 'NatScope deadbeef',
      leaseSeconds: 500,
    });
    router.mappings.push({
      protocol: 'udp',
      externalPort: 40011,
      internalClient: '192.168.1.20',
      internalPort: 40011,
      description: 'someone else',
      leaseSeconds: 500,
    });
    const upnp = {
      controlUrl: 'http://192.168.1.1:5000/ctl/IPConn',
      serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2',
    };
    const entries: LedgerEntry[] = [
      {
        ...base,
        id: 'deadbeef',
        via: 'upnp',
        protocol: 'udp',
        externalPort: 40010,
        internalPort: 40010,
        description: 'NatScope deadbeef',
        expiresAt: Date.now() + 500_000,
        upnp,
      },
      {
        ...base,
        id: 'deadbee2',
        via: 'upnp',
        protocol: 'udp',
        externalPort: 40011,
        internalPort: 40011,
        description: 'NatScope deadbee2',
        expiresAt: Date.now() + 500_000,
        upnp,
      },
      {
        ...base,
        id: 'deadbee3',
        via: 'natpmp',
        protocol: 'udp',
        externalPort: 40012,
        internalPort: 40012,
        description: 'x',
        expiresAt: Date.now() - 60_000,
      },
      {
        ...base,
        id: 'deadbee4',
        via: 'natpmp',
        protocol: 'udp',
        externalPort: 40013,
        internalPort: 40013,
        description: 'x',
        expiresAt: Date.now() + 60_000,
        kept: true,
      },
    ];
    for (const e of entries) await ledger.add(e);
    const l = await svc.listMappings({});
    expect(router.mappings.map((m) => m.externalPort)).toEqual([40011]); // ours removed, the foreign one kept
    expect((await ledger.list()).map((e) => e.id)).toEqual(['deadbee4']); // kept + unexpired stays
    expect(l.mappings.find((m) => m.externalPort === 40011)?.createdByNatScope).toBe(false);
  });
});

describe('router service: reachability', () => {
  it('is "unverified" without a prober and "forwarded" when the packet arrives', async () => {
    const { svc } = await setup();
    expect((await svc.verifyMapping({ externalPort: 40000, internalPort: 40000 })).status).toBe('unverified');
    const lan = new FakeLan();
    const outside = lan.host('203.0.113.10');
    const prober: ReachabilityProber = {
      method: 'test prober',
      async request({ token }) {
        const s = await outside.bindUdp();
        await s.send(new TextEncoder().encode(`NATSCOPE-PROBE-DATA/1 ${token}`), {
          address: CLIENT,
          port: 40000,
        });
        return { ok: true, target: '203.0.113.2:40000' };
      },
    };
    const svc2 = createRouterService({
      network: lan.host(CLIENT),
      clock: systemClock,
      system,
      ledger,
      prober,
    });
    const v = await svc2.verifyMapping({ externalPort: 40000, internalPort: 40000 });
    expect(v).toMatchObject({ status: 'forwarded', probedEndpoint: '203.0.113.2:40000' });
    const silent: ReachabilityProber = {
      method: 'silent',
      request: async () => ({ ok: true, target: null }),
    };
    const svc3 = createRouterService({
      network: lan.host(CLIENT),
      clock: systemClock,
      system,
      ledger,
      prober: silent,
    });
    expect(
      (await svc3.verifyMapping({ externalPort: 40000, internalPort: 40000, timeoutMs: 200 })).status,
    ).toBe('not-forwarded');
  });
});

describe('router service: a slow, endless mapping table', () => {
  // Every answer late (within the HTTP timeout), the table never ending (a real router did this:
  // one entry a second, `natscope router` ran 258 s).
  const slow = async () => {
    const clock = new ManualClock();
    const { svc } = await setup(
      { igdVersion: 1, slowEndlessTable: { delayMs: 300, clock } },
      undefined,
      clock,
    );
    return { svc, clock };
  };

  it('router.probe stops listing at the time budget and marks the table partial', async () => {
    const { svc, clock } = await slow();
    const r = await onVirtualTime(clock, svc.probe({ protocols: ['upnp'], listBudgetSec: 5 }, ctx()), 20);
    expect(r.upnp.mappingsPartial).toBe(true);
    expect(r.upnp.mappingsPartialReason).toMatch(
      /still answering after the 5 s time budget for the table; \d+ entries read/,
    );
    expect(r.upnp.mappings.length).toBeGreaterThan(0);
    expect(r.upnp.mappingsError).toBeNull();
    expect(clock.now()).toBeLessThan(10_000); // discovery + the 5 s budget, not minutes
  }, 30_000);

  it('router.mappings.list says partial too; a complete table is not partial', async () => {
    const { svc, clock } = await slow();
    const l = await onVirtualTime(clock, svc.listMappings({ via: 'upnp', listBudgetSec: 3 }), 20);
    expect(l).toMatchObject({ partial: true, partialReason: expect.stringMatching(/3 s time budget/) });
    const { svc: quick } = await setup({ igdVersion: 1 });
    expect(await quick.listMappings({ via: 'upnp' })).toMatchObject({ partial: false, partialReason: null });
  }, 30_000);
});
