// TURN against coturn (Debian's coturn 4.6 as the relay, turnutils_uclient as the reference client):
// allocation over UDP, TCP and TLS with long-term credentials; wrong password → 401; wrong realm;
// 486 Allocation Quota Reached while turnutils_uclient holds the user's only allocation; TURN REST
// credentials (use-auth-secret); and the UDP-blocked and symmetric variants.
import { expect, it } from 'vitest';

import type { TurnReport } from '../../shared/contracts/turn.ts';
import { describeLab } from './describe-lab.ts';
import { REPO_ROOT, withLab, type Lab } from './lab.ts';
import { RELAY_REALM, relayArgs, startCoturnRelay, type CoturnRelay } from './peers/coturn-relay.ts';

const USER = 'alice';
const PASS = 'wonderland-7Qx';

function turn(lab: Lab, relay: CoturnRelay, transport: 'udp' | 'tcp' | 'tls', extra: string[] = []) {
  const port = transport === 'tls' ? relay.tlsPort : relay.port;
  const args = ['turn', '--server', `${relay.address}:${port}`, '--transport', transport, ...extra];
  if (transport === 'tls' && relay.caPath) args.push('--ca', relay.caPath);
  return lab.natscope<TurnReport>('client', args);
}

const creds = ['--user', USER, '--password', PASS];

describeLab('TURN relay (coturn)', () => {
  it('allocates over UDP, TCP and TLS; wrong password is a clear 401; wrong realm is named', async () => {
    await withLab('masquerade', async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { [USER]: PASS } });
      for (const transport of ['udp', 'tcp', 'tls'] as const) {
        const r = await turn(lab, relay, transport, creds);
        expect(r.code, `${transport}: ${r.stderr}`).toBe(0);
        const j = r.json!;
        expect(j).toMatchObject({
          allocated: true,
          transport,
          realm: RELAY_REALM,
          passwordAlgorithm: 'md5',
          error: null,
        });
        expect(j.relayedAddress).toMatch(/^203\.0\.113\.10:(49[12]\d\d)$/);
        expect(j.mappedAddress).toMatch(/^203\.0\.113\.2:\d+$/); // the router's WAN address
        expect(j.lifetimeSeconds).toBe(600);
        expect(j.timings.allocateMs).toBeGreaterThan(0);
        expect(j.candidates.map((c) => c.type)).toEqual(expect.arrayContaining(['host', 'srflx', 'relay']));
        expect(j.findings.map((f) => f.id)).toEqual(['relay-works']);
        // the 401 challenge, then the authenticated Allocate, then the Refresh(0) that deletes it
        expect(j.transactions.map((t) => `${t.method} ${t.outcome}`)).toEqual([
          'Allocate error 401 Unauthorized',
          'Allocate success',
          'Refresh success',
        ]);
        const host = j.candidates.find((c) => c.type === 'host')!;
        expect(host.address).toMatch(/^192\.168\.1\.10:\d+$/);
      }

      const bad = await turn(lab, relay, 'udp', ['--user', USER, '--password', 'not-the-password']);
      expect(bad.code).toBe(1);
      expect(bad.json).toMatchObject({ allocated: false, error: { code: 'unauthorized', stunCode: 401 } });
      expect(bad.json!.error!.message).toMatch(/401 Unauthorized: the server refused the credentials/);
      expect(bad.json!.findings.map((f) => f.id)).toEqual(['relay-unreachable']);
      for (const out of [bad.stdout, bad.stderr]) expect(out).not.toContain('not-the-password');

      const realm = await turn(lab, relay, 'tcp', [...creds, '--realm', 'example.com']);
      expect(realm.code).toBe(1);
      expect(realm.json!.error).toMatchObject({ code: 'wrong-realm' });
      expect(realm.json!.error!.message).toContain(
        `the server's realm is "${RELAY_REALM}", not "example.com"`,
      );
      const human = await lab.exec(
        'client',
        [
          process.execPath,
          'dist/cli/natscope.mjs',
          'turn',
          '--server',
          `${relay.address}:${relay.port}`,
          ...creds.slice(0, 2),
          '--password',
          'nope',
        ],
        { cwd: process.cwd() },
      );
      expect(human.stdout).toContain('Allocated:');
      expect(human.stdout).toMatch(/Error: +Allocate refused with 401/);
    });
  });

  it('486 Allocation Quota Reached while turnutils_uclient holds the user quota', async () => {
    await withLab('masquerade', async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { [USER]: PASS }, userQuota: 2, tls: false });
      // The reference client keeps its two allocations (its own and its peer side; -h: hang on).
      const holder = lab.spawn('client', 'uclient-holder', [
        'turnutils_uclient',
        '-v',
        '-h',
        '-c',
        '-n',
        '1',
        '-u',
        USER,
        '-w',
        PASS,
        '-p',
        String(relay.port),
        '-e',
        lab.addr.server2,
        '-r',
        '4000',
        relay.address,
      ]);
      await waitForLog(() => holder.log(), /Received relay addr/, 10_000);
      const r = await turn(lab, relay, 'udp', creds);
      holder.assertAlive();
      expect(r.code).toBe(1);
      expect(r.json!.error).toMatchObject({ code: 'quota', stunCode: 486 });
      expect(r.json!.error!.message).toMatch(
        /486 Allocation Quota Reached: the server allows no more allocations/,
      );
    });
  });

  it('TURN REST credentials (use-auth-secret): right secret allocates, wrong secret is 401', async () => {
    await withLab('masquerade', async (lab) => {
      const relay = await startCoturnRelay(lab, { secret: 'lab-shared-secret', tls: false });
      const ok = await turn(lab, relay, 'udp', ['--secret', 'lab-shared-secret', '--user', 'bob']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.json).toMatchObject({ allocated: true, credentials: 'rest' });
      expect(ok.json!.username).toMatch(/^\d{10}:bob$/);
      const bad = await turn(lab, relay, 'udp', ['--secret', 'another-secret']);
      expect(bad.json!.error).toMatchObject({ code: 'unauthorized', stunCode: 401 });
      for (const out of [ok.stdout, ok.stderr, bad.stdout, bad.stderr])
        expect(out).not.toMatch(/lab-shared-secret|another-secret/);
    });
  });

  for (const variant of ['masquerade', 'symmetric'] as const)
    it(`${variant}: Send/Data indications and ChannelData reach a UDP echo peer and come back (UDP, TCP, TLS)`, async () => {
      await withLab(variant, async (lab) => {
        const relay = await startCoturnRelay(lab, { users: { [USER]: PASS } });
        await lab.startUdpTool('server2', 'echo', ['echo', '--bind', `${lab.addr.server2}:4000`], 4000);
        for (const transport of ['udp', 'tcp', 'tls'] as const) {
          const r = await relayRoundTrip(lab, relay, transport, 4000);
          expect(r.viaIndication, transport).toEqual({ sent: 20, received: 20 });
          expect(r.viaChannel, transport).toEqual({ sent: 20, received: 20 });
          expect(r.channel).toBe(0x4000);
          expect(r.log).toEqual([
            'Allocate error 401 Unauthorized',
            'Allocate success',
            'CreatePermission success',
            'ChannelBind success',
            'Refresh success',
          ]);
        }
      });
    });

  it('RFC 6062: a TCP allocation connects to a TCP echo peer (Connect + ConnectionBind) over TCP and TLS', async () => {
    await withLab('masquerade', async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { [USER]: PASS } });
      const peer = lab.spawn('server2', 'tcp-echo', [
        process.execPath,
        `${REPO_ROOT}/test/lab/tools/tcp-echo.ts`,
        `${lab.addr.server2}:4100`,
      ]);
      await lab.waitReady(peer, [{ proto: 'tcp', port: 4100 }]);
      for (const transport of ['tcp', 'tls'] as const) {
        const r = await lab.exec(
          'client',
          [
            process.execPath,
            `${REPO_ROOT}/test/lab/tools/turn-tool.ts`,
            ...relayArgs(relay, transport, USER, PASS),
            ...['--tcp-peer', `${lab.addr.server2}:4100`, '--count', '20'],
          ],
          { timeoutMs: 30_000 },
        );
        expect(r.code, r.stderr).toBe(0);
        const j = JSON.parse(r.stdout) as {
          echoedAll: boolean;
          connectionId: number;
          relayed: string;
          log: string[];
        };
        expect(j.echoedAll, transport).toBe(true);
        expect(j.relayed).toMatch(/^203\.0\.113\.10:\d+$/);
        expect(j.log).toEqual([
          'Allocate error 401 Unauthorized',
          'Allocate success',
          'Connect success',
          'Refresh success',
        ]);
      }
      // Over UDP a TCP allocation is refused by the server (RFC 6062 §5.1: 400 or 442)
      const udp = await lab.natscope<TurnReport>('client', [
        'turn',
        ...relayArgs(relay, 'udp', USER, PASS),
        '--relay',
        'tcp',
      ]);
      expect(udp.json!.allocated).toBe(false);
      expect(udp.json!.error!.stunCode).toBeGreaterThanOrEqual(400);
    });
  });

  it('UDP blocked: UDP to the relay times out, TCP and TLS allocate', async () => {
    await withLab('udp-blocked', async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { [USER]: PASS } });
      const udp = await turn(lab, relay, 'udp', [...creds, '--timeout', '1500']);
      expect(udp.code).toBe(1);
      expect(udp.json!.error).toMatchObject({ code: 'timeout' });
      expect(udp.json!.findings[0]!.advice.join(' ')).toMatch(/try --transport tcp or tls/);
      for (const transport of ['tcp', 'tls'] as const) {
        const r = await turn(lab, relay, transport, creds);
        expect(r.code, r.stderr).toBe(0);
        expect(r.json!.relayedAddress).toMatch(/^203\.0\.113\.10:/);
        // no UDP reflexive candidate: the Binding over UDP got no answer
        expect(r.json!.candidates.filter((c) => c.type === 'srflx' && c.transport === 'udp')).toEqual([]);
      }
    });
  });
});

/** Relays datagrams to a UDP echo peer on server2 through coturn with NatScope's engine (tools/turn-tool.ts). */
async function relayRoundTrip(
  lab: Lab,
  relay: CoturnRelay,
  transport: 'udp' | 'tcp' | 'tls',
  peerPort: number,
) {
  const r = await lab.exec(
    'client',
    [
      process.execPath,
      `${REPO_ROOT}/test/lab/tools/turn-tool.ts`,
      ...relayArgs(relay, transport, USER, PASS),
      ...['--peer', `${lab.addr.server2}:${peerPort}`, '--count', '20'],
    ],
    { timeoutMs: 30_000 },
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as {
    relayed: string;
    channel: number;
    viaIndication: { sent: number; received: number };
    viaChannel: { sent: number; received: number };
    log: string[];
  };
}

async function waitForLog(read: () => string, re: RegExp, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (re.test(read())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${re} in:\n${read().slice(-2000)}`);
}
