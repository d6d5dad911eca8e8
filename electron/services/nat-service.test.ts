// The service over a simulated network: input defaults, several servers compared, and an output
// that validates against the contract's schema.
import { afterEach, describe, expect, it } from 'vitest';
import { NatDiscoverInputSchema, NatReportSchema, type NatEvent } from '../../shared/contracts/nat.ts';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import { systemClock } from '../engine/clock/clock.ts';
import { startBindingServer, type RunningBindingServer } from '../engine/stun/server.ts';
import { SimNetwork } from '../engine/stun/testing/sim-network.ts';
import { standaloneContext } from './call-context.ts';
import { createNatService } from './nat-service.ts';

let servers: RunningBindingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function setup() {
  const sim = new SimNetwork();
  servers.push(
    await startBindingServer(sim.host('203.0.113.10'), {
      ips: ['203.0.113.10', '198.51.100.10'],
      ports: [3478, 3479],
    }),
  );
  servers.push(
    await startBindingServer(sim.host('203.0.113.20'), {
      ips: ['203.0.113.20', '198.51.100.20'],
      ports: [3478, 3479],
      ignoreChangeRequest: true,
    }),
  );
  const nat = sim.addNat({
    publicIp: '203.0.113.2',
    mapping: 'endpoint-independent',
    filtering: 'address-dependent',
    preservePorts: true,
  });
  const service = createNatService({
    network: sim.host('192.168.1.10', nat),
    clock: systemClock,
    system: {
      routeSource: async () => '192.168.1.10',
      networkInterfaces: () => ({ eth0: [{ address: '192.168.1.10', internal: false } as never] }),
    },
  });
  return service;
}

const timing = { rtoMs: 20, timeoutMs: 300, negativeWaitMs: 100 };

describe('nat service', () => {
  it('compares servers and returns a schema-valid report', async () => {
    const service = await setup();
    const events: NatEvent[] = [];
    const input = NatDiscoverInputSchema.parse({ servers: ['203.0.113.10', '203.0.113.20:3478'], timing });
    const report = await service.discover(
      input,
      standaloneContext((e) => events.push(e)),
    );
    expect(() => NatReportSchema.parse(report)).not.toThrow();
    expect(report).toMatchObject({
      classic: 'restricted-cone',
      mapping: 'endpoint-independent',
      filtering: 'address-dependent',
      serverCapable: true,
      confidence: 'medium',
      natDetected: true,
    });
    expect(report.servers.map((s) => s.serverCapable)).toEqual([true, false]);
    expect(report.warnings.join('\n')).toMatch(/203\.0\.113\.20:3478: server cannot run behaviour tests/);
    expect(report.lifetimeSeconds).toBeUndefined();
    expect(events.some((e) => e.kind === 'test' && e.server === '203.0.113.20:3478')).toBe(true);
    expect(report.transactions.length).toBe(
      report.servers[0]!.transactions.length + report.servers[1]!.transactions.length,
    );
  });

  it('rejects a malformed server and fails plainly when nothing resolves', async () => {
    const service = await setup();
    // the contract refuses it first; the service refuses it too when handed one directly
    expect(NatDiscoverInputSchema.safeParse({ servers: ['[::1'] }).success).toBe(false);
    const input = { ...NatDiscoverInputSchema.parse({ servers: ['203.0.113.10'] }), servers: ['[::1'] };
    await expect(service.discover(input, standaloneContext())).rejects.toThrow(NatScopeError);
  });

  it('is cancellable', async () => {
    const service = await setup();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await expect(
      service.discover(
        NatDiscoverInputSchema.parse({ servers: ['203.0.113.10'], timing }),
        standaloneContext(() => {}, ac.signal),
      ),
    ).rejects.toMatchObject({ code: 'cancelled' });
  });
});
