// The interval's STUN probe on simulated NATs: mapping behaviour, port preservation, and the
// inbound check of the SIP port's mapping (open while the NAT keeps it, closed once it expired).
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../engine/clock/clock.ts';
import { startBindingServer, StunUdpPort, type RunningBindingServer } from '../../engine/stun/index.ts';
import { SimNetwork, type SimNatConfig } from '../../engine/stun/testing/sim-network.ts';
import { StunProbe } from './stun-probe.ts';

let servers: RunningBindingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

let sim: SimNetwork | undefined;
async function probeBehind(nat: Omit<SimNatConfig, 'publicIp'>, pings = 5) {
  sim = new SimNetwork();
  servers.push(
    await startBindingServer(sim.host('203.0.113.10'), {
      ips: ['203.0.113.10', '198.51.100.10'],
      ports: [3478, 3479],
    }),
  );
  const network = sim.host('192.168.1.10', sim.addNat({ publicIp: '203.0.113.2', ...nat }));
  const sip = new StunUdpPort(await network.bindUdp({ address: '192.168.1.10', port: 5060 }));
  const probe = new StunProbe({
    network,
    clock: systemClock,
    server: { address: '203.0.113.10', port: 3478 },
    label: 'stun.test',
    sip,
    localAddress: '192.168.1.10',
    pings,
  });
  return { probe, sip };
}

const signal = () => new AbortController().signal;

describe('monitor STUN probe', () => {
  it('masquerade-like NAT: endpoint-independent, ports kept, the SIP mapping open inbound', async () => {
    const { probe, sip } = await probeBehind({
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      preservePorts: true,
    });
    const first = await probe.run(signal());
    expect(first).toMatchObject({
      server: 'stun.test',
      sipPort: { local: '192.168.1.10:5060', mapped: '203.0.113.2:5060' },
      mapping: 'endpoint-independent',
      portPreserved: true,
      sipBindingOpen: null, // nothing to check yet
      pings: { sent: 5, received: 5 },
      lossPercent: 0,
    });
    expect(probe.state.responsePort).toBe(true);
    const second = await probe.run(signal());
    expect(second.sipBindingOpen).toBe(true);
    await sip.close();
  });

  it('symmetric NAT: address-and-port-dependent, ports not kept', async () => {
    const { probe, sip } = await probeBehind({
      mapping: 'address-and-port-dependent',
      filtering: 'address-and-port-dependent',
    });
    const s = await probe.run(signal());
    expect(s).toMatchObject({ mapping: 'address-and-port-dependent', portPreserved: false });
    await sip.close();
  });

  it('address-dependent mapping is told apart from address-and-port-dependent (RFC 5780 test III)', async () => {
    const { probe, sip } = await probeBehind({
      mapping: 'address-dependent',
      filtering: 'address-dependent',
    });
    expect((await probe.run(signal())).mapping).toBe('address-dependent');
    await sip.close();
  });

  it('a mapping that expired between intervals is reported closed', async () => {
    const { probe, sip } = await probeBehind(
      {
        mapping: 'endpoint-independent',
        filtering: 'address-and-port-dependent',
        preservePorts: true,
        timeoutMs: 150,
      },
      0,
    );
    await probe.run(signal());
    await new Promise((r) => setTimeout(r, 300));
    const s = await probe.run(signal());
    expect(s.sipBindingOpen).toBe(false);
    // re-made by this interval's own binding
    expect(s.sipPort.mapped).toBe('203.0.113.2:5060');
    await sip.close();
  });

  it('a silent inbound check right after a lossy interval is unknown, not a vanished binding', async () => {
    const { probe, sip } = await probeBehind(
      {
        mapping: 'endpoint-independent',
        filtering: 'address-and-port-dependent',
        preservePorts: true,
        timeoutMs: 150,
      },
      2,
    );
    await probe.run(signal());
    // an interval in which every ping is lost (the server is gone for it)…
    await servers[0]!.close();
    const lost = await probe.run(signal());
    expect(lost.lossPercent).toBe(100);
    servers = [];
    servers.push(
      await startBindingServer(sim!.host('203.0.113.10'), {
        ips: ['203.0.113.10', '198.51.100.10'],
        ports: [3478, 3479],
      }),
    );
    // …then a clean one whose inbound check goes unanswered: the loss may have ended between the
    // check and the pings, so this is no proof the binding vanished
    await new Promise((r) => setTimeout(r, 300));
    const s = await probe.run(signal());
    expect(s.lossPercent).toBe(0);
    expect(s.sipBindingOpen).toBeNull();
    await sip.close();
  });

  it('no answer at all: unknown, never a made-up verdict', async () => {
    const { probe, sip } = await probeBehind(
      { mapping: 'endpoint-independent', filtering: 'endpoint-independent', udpBlocked: true },
      3,
    );
    const s = await probe.run(signal());
    expect(s).toMatchObject({
      sipPort: { mapped: null },
      randomPort: { mapped: null },
      mapping: null,
      portPreserved: null,
      sipBindingOpen: null,
      pings: { sent: 3, received: 0 },
      lossPercent: 100,
    });
    expect(s.error).toMatch(/no answer/);
    await sip.close();
  }, 15_000);
});
