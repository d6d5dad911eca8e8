// NAT discovery against an in-memory network: every RFC 4787 mapping/filtering combination,
// hairpinning, no NAT, UDP blocked, and servers that cannot run the behaviour tests.
import { afterEach, describe, expect, it } from 'vitest';
import type { NatEvent, NatTiming } from '../../../shared/contracts/nat.ts';
import { systemClock } from '../clock/clock.ts';
import { discoverUdp } from './discovery.ts';
import { lifetimeLadder, measureLifetime } from './lifetime.ts';
import { ProbeContext } from './probe.ts';
import { RunRecorder } from './recorder.ts';
import { startBindingServer, type BindingServerConfig, type RunningBindingServer } from './server.ts';
import { SimNetwork, type SimNatConfig } from './testing/sim-network.ts';

const timing: NatTiming = { rtoMs: 20, timeoutMs: 300, negativeWaitMs: 120 };
const SERVER = { ips: ['203.0.113.10', '198.51.100.10'], ports: [3478, 3479] as const };
let servers: RunningBindingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function run(
  nat: Omit<SimNatConfig, 'publicIp'> | null,
  server: Partial<BindingServerConfig> = {},
  runTiming: NatTiming = timing,
) {
  const sim = new SimNetwork();
  const cfg = { ...SERVER, ...server };
  servers.push(await startBindingServer(sim.host(cfg.ips[0]!), cfg));
  const clientIp = nat ? '192.168.1.10' : '192.0.2.10';
  const n = nat ? sim.addNat({ publicIp: '203.0.113.2', ...nat }) : undefined;
  const events: NatEvent[] = [];
  const result = await discoverUdp({
    network: sim.host(clientIp, n),
    clock: systemClock,
    server: 'test-server',
    target: { address: cfg.ips[0]!, port: cfg.ports[0] },
    localAddress: clientIp,
    localAddresses: [clientIp],
    timing: runTiming,
    run: 1,
    signal: new AbortController().signal,
    emit: (e) => events.push(e),
    tcpFallback: false,
  });
  return { result, events, sim };
}

describe('discoverUdp on simulated NATs', () => {
  it.each([
    ['endpoint-independent', 'endpoint-independent', 'full-cone'],
    ['endpoint-independent', 'address-dependent', 'restricted-cone'],
    ['endpoint-independent', 'address-and-port-dependent', 'port-restricted-cone'],
    ['address-dependent', 'address-dependent', 'symmetric'],
    ['address-and-port-dependent', 'address-and-port-dependent', 'symmetric'],
  ] as const)('mapping %s, filtering %s → %s', async (mapping, filtering, classic) => {
    const { result } = await run({ mapping, filtering, preservePorts: mapping === 'endpoint-independent' });
    expect(result).toMatchObject({
      mapping,
      filtering,
      classic,
      natDetected: true,
      udpBlocked: false,
      serverCapable: true,
      serverKind: 'rfc5780',
      hairpinning: false,
    });
    expect(result.mappedAddress).toMatch(/^203\.0\.113\.2:/);
    expect(result.localAddress).toMatch(/^192\.168\.1\.10:/);
    expect(result.portPreserved).toBe(mapping === 'endpoint-independent');
  });

  it('detects hairpinning', async () => {
    const { result } = await run({
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      hairpin: true,
    });
    expect(result.hairpinning).toBe(true);
  });

  it('no NAT → open internet, hairpinning trivially true', async () => {
    const { result } = await run(null);
    expect(result).toMatchObject({
      natDetected: false,
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      classic: 'open-internet',
      hairpinning: true,
      portPreserved: true,
    });
  });

  it('UDP blocked', async () => {
    const { result } = await run({
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      udpBlocked: true,
    });
    expect(result).toMatchObject({
      udpBlocked: true,
      classic: 'udp-blocked',
      mapping: null,
      filtering: null,
      serverCapable: false,
    });
  });

  it('a server that ignores CHANGE-REQUEST cannot run behaviour tests (never "full cone")', async () => {
    const { result } = await run(
      { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' },
      { ignoreChangeRequest: true },
    );
    expect(result.serverCapable).toBe(false);
    expect(result.filtering).toBeNull();
    expect(result.classic).toBeNull();
    expect(result.incapableReason).toMatch(/ignores CHANGE-REQUEST/);
    expect(result.mappedAddress).not.toBeNull();
  });

  it('a server without an alternate address cannot run behaviour tests', async () => {
    const { result } = await run(
      { mapping: 'endpoint-independent', filtering: 'endpoint-independent' },
      { ips: ['203.0.113.10'] },
    );
    expect(result).toMatchObject({
      serverCapable: false,
      serverKind: 'basic',
      mapping: null,
      filtering: null,
      classic: null,
    });
    expect(result.natDetected).toBe(true);
  });

  it('streams per-test progress and a transaction log with sources', async () => {
    const { result, events } = await run({
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
    });
    const tests = events.filter((e) => e.kind === 'test');
    expect(tests.some((e) => e.test === 'filtering' && e.status === 'running')).toBe(true);
    expect(tests.some((e) => e.test === 'filtering' && e.status === 'done')).toBe(true);
    const tx = result.transactions.find((t) => t.step.startsWith('change IP and port'));
    expect(tx).toMatchObject({
      destination: '203.0.113.10:3478',
      responseFrom: '198.51.100.10:3479',
      outcome: 'response',
      mayGoUnanswered: true,
    });
    expect(tx?.sent).toEqual([{ name: 'CHANGE-REQUEST', value: 'change IP + change port' }]);
    expect(events.filter((e) => e.kind === 'transaction')).toHaveLength(result.transactions.length);
  });

  it('filtering probes never share a socket with traffic to the alternate address', async () => {
    const { result } = await run({
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
    });
    const filteringLocals = new Set(
      result.transactions.filter((t) => t.step.includes('§4.4')).map((t) => t.local),
    );
    const toAlternate = result.transactions.filter((t) => t.destination.startsWith('198.51.100.10'));
    expect(toAlternate.length).toBeGreaterThan(0);
    for (const t of toAlternate) expect(filteringLocals.has(t.local)).toBe(false);
  });

  it('waits for silence once, not once per negative test', async () => {
    // Both filtering tests (§4.4 II and III) end in silence here. A long negative wait makes the
    // difference between "in parallel" (one wait) and "in series" (two) far larger than a loaded
    // machine's scheduling delays: the bound is two waits, which only a serial run reaches.
    const slowSilence = { ...timing, negativeWaitMs: 1500 };
    const t0 = performance.now();
    await run(
      { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' },
      {},
      slowSilence,
    );
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(slowSilence.negativeWaitMs);
    expect(ms).toBeLessThan(slowSilence.negativeWaitMs * 2);
  });
});

describe('measureLifetime', () => {
  it('brackets a 600 ms mapping timeout', async () => {
    const sim = new SimNetwork();
    servers.push(await startBindingServer(sim.host(SERVER.ips[0]!), SERVER));
    const nat = sim.addNat({
      publicIp: '203.0.113.2',
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      timeoutMs: 600,
    });
    const rec = new RunRecorder({ clock: systemClock, server: 's', run: 1, emit: () => {} });
    const ctx = new ProbeContext({
      network: sim.host('192.168.1.10', nat),
      clock: systemClock,
      timing,
      rec,
      signal: new AbortController().signal,
      localAddress: '192.168.1.10',
      family: 4,
    });
    try {
      const r = await measureLifetime({
        ctx,
        target: { address: SERVER.ips[0]!, port: 3478 },
        maxSeconds: 2,
        ladder: [0.2, 0.4, 0.5, 0.55, 0.65, 0.75, 1.0, 2.0],
        emit: () => {},
      });
      expect(r.aliveAfterSeconds).toBe(0.55);
      expect(r.deadAfterSeconds).toBe(0.65);
      expect(r.lifetimeSeconds).toBeCloseTo(0.6, 1);
      expect(rec.tests.get('lifetime')?.status).toBe('done');
    } finally {
      await ctx.closeAll();
    }
  });
  it('ladder steps are at most 8 % apart', () => {
    const l = lifetimeLadder(180);
    for (let i = 1; i < l.length - 1; i++) expect(l[i]! / l[i - 1]!).toBeLessThan(1.09);
    expect(l.at(-1)).toBe(180);
  });
});

describe('UDP blocked is concluded from the TCP round trip', () => {
  it('does not wait the full timeout when a TCP connect measures the RTT', async () => {
    const sim = new SimNetwork();
    servers.push(await startBindingServer(sim.host(SERVER.ips[0]!), SERVER));
    const nat = sim.addNat({
      publicIp: '203.0.113.2',
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      udpBlocked: true,
    });
    const base = sim.host('192.168.1.10', nat);
    // the server host refuses TCP after ~2 ms: a round trip without UDP
    const network = {
      ...base,
      connectTcp: () =>
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
            2,
          ),
        ),
    };
    const slow = { ...timing, timeoutMs: 5000 };
    const t0 = performance.now();
    const result = await discoverUdp({
      network,
      clock: systemClock,
      server: 's',
      target: { address: SERVER.ips[0]!, port: 3478 },
      localAddress: '192.168.1.10',
      timing: slow,
      run: 1,
      signal: new AbortController().signal,
      emit: () => {},
    });
    expect(result.udpBlocked).toBe(true);
    expect(result.classic).toBe('udp-blocked');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(result.tests.find((t) => t.name === 'tcp-fallback')?.status).toBe('failed');
  });
});
