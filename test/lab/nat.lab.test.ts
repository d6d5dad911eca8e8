// NatScope's NAT discovery (`natscope nat --json`) on every lab variant: the verdicts must equal the
// variant table and agree with coturn's turnutils_natdiscovery (RFC 5780). Also: a classic RFC 3489
// server (stund), a server that ignores CHANGE-REQUEST (must be "server cannot run behaviour
// tests", never Full Cone), TCP mapping, UDP blocked with a TCP fallback, and the binding lifetime.
import { join } from 'node:path';
import { expect, it } from 'vitest';

import type { NatReport } from '../../shared/contracts/nat.ts';
import { describeLab } from './describe-lab.ts';
import { REPO_ROOT, withLab, type Lab, type Peer } from './lab.ts';
import { runNatDiscovery } from './reference.ts';
import type { VariantName } from './variants.ts';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'stun', 'stun-server.ts');

// ---- local helpers (the harness has no TCP-capable or misbehaving STUN server)

/** coturn answering STUN over TCP only, on the standard ports (the harness's coturn is UDP-only). */
async function startTcpCoturn(lab: Lab): Promise<Peer> {
  const p = lab.spawn('server', 'coturn-tcp', [
    'turnserver',
    '-n',
    '--stun-only',
    '--no-cli',
    '--no-tls',
    '--no-dtls',
    '--no-udp',
    '-L',
    lab.addr.serverPrimary,
    '-L',
    lab.addr.serverSecondary,
    '--listening-port',
    String(lab.ports.coturn),
    '--alt-listening-port',
    String(lab.ports.coturnAlt),
    '--log-file',
    'stdout',
    '--simple-log',
    '--no-software-attribute',
    '--pidfile',
    join(lab.workDir, 'turnserver-tcp.pid'),
    '--db',
    join(lab.workDir, 'turndb-tcp'),
  ]);
  await lab.waitReady(p, [
    { proto: 'tcp', port: lab.ports.coturn, ip: lab.addr.serverPrimary },
    { proto: 'tcp', port: lab.ports.coturnAlt, ip: lab.addr.serverSecondary },
  ]);
  return p;
}

/** NatScope's own Binding server, announcing OTHER-ADDRESS but answering everything from where the request arrived. */
async function startIgnoringServer(lab: Lab, port = 3490): Promise<Peer> {
  const p = lab.spawn('server', 'ignore-change-request', [
    process.execPath,
    FIXTURE,
    '--ip',
    lab.addr.serverPrimary,
    '--ip',
    lab.addr.serverSecondary,
    '--port',
    String(port),
    '--alt-port',
    String(port + 1),
    '--ignore-change-request',
  ]);
  await lab.waitReady(p, [
    { proto: 'udp', port, ip: lab.addr.serverPrimary },
    { proto: 'udp', port: port + 1, ip: lab.addr.serverSecondary },
  ]);
  return p;
}

async function natscope(lab: Lab, args: string[]): Promise<NatReport> {
  const r = await lab.natscope<NatReport>('client', ['nat', ...args]);
  if (!r.json || 'error' in (r.json as object))
    throw new Error(`natscope nat failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.json;
}

function headline(r: NatReport): string {
  const {
    mapping,
    filtering,
    hairpinning,
    natDetected,
    udpBlocked,
    portPreserved,
    mappedAddress,
    classic,
    serverCapable,
    warnings,
  } = r;
  return JSON.stringify(
    {
      mapping,
      filtering,
      hairpinning,
      natDetected,
      udpBlocked,
      portPreserved,
      mappedAddress,
      classic,
      serverCapable,
      warnings,
    },
    null,
    1,
  );
}

const CASES: { variant: VariantName; hairpin: boolean }[] = [
  { variant: 'masquerade', hairpin: false },
  { variant: 'masquerade', hairpin: true },
  { variant: 'symmetric', hairpin: false },
  { variant: 'symmetric', hairpin: true },
  { variant: 'full-cone', hairpin: false },
  { variant: 'full-cone', hairpin: true },
  { variant: 'restricted-cone', hairpin: false },
  { variant: 'restricted-cone', hairpin: true },
  { variant: 'udp-blocked', hairpin: false },
  { variant: 'no-nat', hairpin: false },
  { variant: 'double-nat', hairpin: false },
  { variant: 'double-nat', hairpin: true },
];

describeLab('natscope nat on every lab variant (coturn, RFC 5780)', () => {
  for (const c of CASES) {
    it(`${c.variant}, hairpin ${c.hairpin ? 'on' : 'off'}`, async () => {
      await withLab(c.variant, { hairpin: c.hairpin, stund: false }, async (lab) => {
        const e = lab.expected;
        if (e.udpBlocked) await startTcpCoturn(lab);
        const r = await natscope(lab, ['--server', `${lab.addr.serverPrimary}:${lab.ports.coturn}`]);
        const why = headline(r);
        console.info(
          `[nat.lab] ${c.variant} hairpin ${c.hairpin ? 'on' : 'off'}: ${r.classic}, discovery ${r.durationMs} ms`,
        );
        expect(r.udpBlocked, why).toBe(e.udpBlocked);
        expect(r.classic, why).toBe(e.classic);
        expect(r.natDetected, why).toBe(e.natDetected);
        expect(r.mapping, why).toBe(e.mapping);
        expect(r.filtering, why).toBe(e.filtering);
        if (e.udpBlocked) {
          expect(r.hairpinning, why).toBeNull();
          // found over TCP: the address servers see
          expect(r.mappedAddress?.split(':')[0], why).toBe(lab.addr.clientPublic);
          expect(r.durationMs, why).toBeLessThan(1500);
          return;
        }
        expect(r.serverCapable, why).toBe(true);
        expect(r.hairpinning, why).toBe(e.hairpinning);
        expect(r.portPreserved, why).toBe(e.portPreserved);
        expect(r.mappedAddress?.split(':')[0], why).toBe(lab.addr.clientPublic);
        expect(r.localAddress?.split(':')[0], why).toBe(lab.addr.client);
        expect(r.durationMs, why).toBeLessThan(1500);
        // RFC 5780 reference: coturn's own client
        const ref = await runNatDiscovery(lab, { mapping: true, filtering: true });
        expect(ref.noNat, ref.raw).toBe(!r.natDetected);
        if (r.natDetected) {
          expect(r.mapping, ref.raw).toBe(ref.mapping);
          expect(r.filtering, ref.raw).toBe(ref.filtering);
        }
      });
    });
  }
});

describeLab('natscope nat against other servers', () => {
  it('classic RFC 3489 server (stund, CHANGED-ADDRESS): same verdicts as coturn', async () => {
    await withLab('restricted-cone', { coturn: false }, async (lab) => {
      const r = await natscope(lab, ['--server', `${lab.addr.serverPrimary}:${lab.ports.stund}`]);
      const why = headline(r);
      expect(r.servers[0]?.serverKind, why).toBe('rfc3489');
      expect(r.serverCapable, why).toBe(true);
      expect(r.mapping, why).toBe(lab.expected.mapping);
      expect(r.filtering, why).toBe(lab.expected.filtering);
      expect(r.classic, why).toBe('restricted-cone');
    });
  });

  for (const variant of ['full-cone', 'masquerade'] as const) {
    it(`a server that ignores CHANGE-REQUEST is reported as unable to run the tests (${variant})`, async () => {
      await withLab(variant, { coturn: false, stund: false }, async (lab) => {
        await startIgnoringServer(lab);
        const r = await natscope(lab, ['--server', `${lab.addr.serverPrimary}:3490`]);
        const why = headline(r);
        expect(r.serverCapable, why).toBe(false);
        expect(r.filtering, why).toBeNull();
        expect(r.classic, why).toBeNull();
        expect(r.classic, why).not.toBe('full-cone');
        expect(r.warnings.join('\n'), why).toMatch(
          /server cannot run behaviour tests: the server ignores CHANGE-REQUEST/,
        );
        expect(r.confidence).toBe('low');
        // what it could measure is still right
        expect(r.mapping, why).toBe('endpoint-independent');
        expect(r.mappedAddress?.split(':')[0], why).toBe(lab.addr.clientPublic);
      });
    });
  }

  it('two servers are compared: the incapable one does not override the capable one', async () => {
    await withLab('masquerade', { stund: false }, async (lab) => {
      await startIgnoringServer(lab);
      const r = await natscope(lab, [
        '--server',
        `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
        '--server',
        `${lab.addr.serverPrimary}:3490`,
      ]);
      const why = headline(r);
      expect(r.servers).toHaveLength(2);
      expect(r.serverCapable, why).toBe(true);
      expect(r.classic, why).toBe('port-restricted-cone');
      expect(r.confidence, why).toBe('medium');
    });
  });

  it('repeated runs agree with high confidence', async () => {
    await withLab('symmetric', { stund: false }, async (lab) => {
      const r = await natscope(lab, [
        '--server',
        `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
        '--runs',
        '2',
      ]);
      expect(r.servers).toHaveLength(2);
      expect(r.confidence, headline(r)).toBe('high');
      expect(r.classic).toBe('symmetric');
    });
  });
});

describeLab('natscope nat --transport tcp', () => {
  for (const [variant, mapping] of [
    ['masquerade', 'endpoint-independent'],
    ['symmetric', 'address-and-port-dependent'],
  ] as const) {
    it(`TCP mapping behaviour on ${variant}`, async () => {
      await withLab(variant, { coturn: false, stund: false }, async (lab) => {
        await startTcpCoturn(lab);
        const r = await natscope(lab, [
          '--server',
          `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
          '--transport',
          'tcp',
        ]);
        const why = headline(r);
        expect(r.transport).toBe('tcp');
        expect(r.mapping, why).toBe(mapping);
        expect(r.natDetected, why).toBe(true);
        expect(r.filtering, why).toBeNull();
        expect(r.mappedAddress?.split(':')[0], why).toBe(lab.addr.clientPublic);
      });
    });
  }
});
