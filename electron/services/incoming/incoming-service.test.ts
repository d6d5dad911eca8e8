/**
 * The inbound-call test end to end in memory: a client behind a simulated NAT whose idle bindings
 * expire after 30 s, and the real companion server (STUN + SIP callback) on the "internet". Time
 * is a manual clock, so a 60 s run takes a second.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingEvent, IncomingInput, IncomingResult } from '../../../shared/contracts/incoming.ts';
import { IncomingInputSchema } from '../../../shared/contracts/incoming.ts';
import { startCompanionServer } from '../../engine/companion/companion-server.ts';
import { silentLogger } from '../../engine/companion/logger.ts';
import { ManualClock } from '../../engine/sip/test-fakes.ts';
import { SimNetwork } from '../../engine/stun/testing/sim-network.ts';
import { createIncomingService } from './incoming-service.ts';

const CLIENT = '192.168.1.10';
const SERVER = '203.0.113.10';

async function setUp(natTimeoutMs: number) {
  const clock = new ManualClock();
  const sim = new SimNetwork();
  const nat = sim.addNat({
    publicIp: '203.0.113.2',
    mapping: 'endpoint-independent',
    filtering: 'address-and-port-dependent',
    timeoutMs: natTimeoutMs,
    now: () => clock.now(),
  });
  const companion = await startCompanionServer({
    address: SERVER,
    alternateAddress: '198.51.100.10',
    sipPorts: [5060],
    tcp: false,
    network: sim.host(SERVER),
    listenTcp: () => Promise.reject(new Error('no TCP here')),
    clock,
    logger: silentLogger,
  });
  const service = createIncomingService({
    network: sim.host(CLIENT, nat),
    clock,
    routeSource: async () => CLIENT,
  });
  return { clock, companion, service };
}

/** Runs the test, advancing the manual clock in small steps while real time lets packets flow. */
async function run(natTimeoutMs: number, input: IncomingInput) {
  const { clock, companion, service } = await setUp(natTimeoutMs);
  const events: IncomingEvent[] = [];
  const abort = new AbortController();
  let result: IncomingResult | null = null;
  let error: unknown = null;
  const p = service
    .test(IncomingInputSchema.parse(input), { signal: abort.signal, emit: (e) => events.push(e) })
    .then(
      (r) => (result = r),
      (e: unknown) => (error = e),
    );
  for (let i = 0; i < 4000 && !result && !error; i++) {
    clock.advance(250);
    await new Promise((r) => setTimeout(r, 2));
  }
  await p;
  await companion.close();
  if (error) throw error;
  return { result: result!, events, clock };
}

describe('inbound-call test against a companion server (simulated NAT, 30 s binding timeout)', () => {
  it('finds the longest working idle time within one probe step and shows keep-alives fix the rest', async () => {
    const { result: r, events } = await run(30_000, { server: SERVER, idleSeconds: [15, 25, 45, 60] });
    expect(r.mode).toBe('companion');
    expect(r.tests.map((t) => [t.idleSeconds, t.received])).toEqual([
      [15, true],
      [25, true],
      [45, false],
      [60, false],
    ]);
    const arrived = r.tests.find((t) => t.idleSeconds === 15)!;
    expect(arrived.from).toBe(`${SERVER}:5060`);
    expect(arrived.arrivedAfterMs).toBeGreaterThanOrEqual(14_000);
    expect(arrived.arrivedAfterMs).toBeLessThan(17_000);
    expect(arrived.mappedAddress).toMatch(/^203\.0\.113\.2:\d+$/);
    expect(r.longestWorkingIdleSeconds).toBe(25);
    expect(r.firstFailingIdleSeconds).toBe(45);
    expect(r.recommendedKeepAliveSeconds).toBe(20);
    expect(r.keepAlive).toMatchObject({
      intervalSeconds: 20,
      idleSeconds: 60,
      received: true,
      method: 'crlf',
    });
    expect(r.keepAlive!.sent).toBeGreaterThanOrEqual(2);
    expect(r.keepAliveFixes).toBe(true);
    expect(r.findings.map((f) => f.id)).toContain('no-incoming-calls');
    expect(r.findings.find((f) => f.id === 'no-incoming-calls')!.severity).toBe('problem');
    expect(r.advice.some((a) => a.keepAlive.some((k) => k.includes('qualify_frequency = 20')))).toBe(true);
    // the STUN comparison: both bindings between 25 and 45 s, in agreement with SIP
    expect(r.stun?.randomPort).toMatchObject({ aliveAfterSeconds: 25, deadAfterSeconds: 45 });
    expect(r.stun?.sipPort?.aliveAfterSeconds).toBe(25);
    expect(r.stun?.agreement).toBe('agree');
    // the whole run lasts about the longest idle time
    expect(r.durationMs).toBeLessThanOrEqual(70_000);
    // keep-alive runs for outcomes the probes ruled out were stopped early
    const cancelled = events.flatMap((e) => (e.kind === 'test' && e.state === 'cancelled' ? [e.id] : []));
    expect(cancelled).toContain('keepalive-12');
    expect(r.messages.some((m) => m.flow === 'idle-15' && m.method === 'INVITE')).toBe(true);
  });

  it('says so when every idle time arrives, and runs no keep-alive fix', async () => {
    const { result: r } = await run(300_000, { server: SERVER, idleSeconds: [5, 10], stunCompare: false });
    expect(r.tests.every((t) => t.received === true)).toBe(true);
    expect(r.longestWorkingIdleSeconds).toBe(10);
    expect(r.keepAliveFixes).toBeNull();
    expect(r.findings.map((f) => f.id)).toEqual(['incoming-calls-ok']);
  });

  it('refuses idle times the companion cannot call back after', async () => {
    const { service } = await setUp(30_000);
    await expect(
      service.test(IncomingInputSchema.parse({ server: SERVER, idleSeconds: [200] }), {
        signal: new AbortController().signal,
        emit: () => {},
      }),
    ).rejects.toMatchObject({ code: 'bad-request' });
  });
});
