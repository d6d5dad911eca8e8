// Smoke test: miniupnpd on the home router. upnpc (UPnP IGD) and natpmpc (NAT-PMP) add, list
// and delete mappings that really forward traffic from the internet; secure mode refuses
// mappings for another LAN host; behind a CGN the router's own STUN check disables forwarding.
import { afterAll, beforeAll, expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { attachLogs, startLab, withLab } from './lab.ts';
import type { Lab } from './lab.ts';
import { natpmpc, upnpc } from './reference.ts';

describeLab('lab UPnP IGD + NAT-PMP (miniupnpd, masquerade)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab('masquerade', { upnp: true, stund: false });
  });
  afterAll(async () => {
    await lab?.destroy();
  });
  const withLogs = (fn: () => Promise<void>) => async (): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      throw attachLogs(err, lab);
    }
  };
  const inbound = (port: number, srcPort: number) =>
    lab.probeUdp({
      from: 'server2',
      srcPort,
      to: `${lab.addr.routerWan}:${port}`,
      listenHost: 'client',
      listenPort: port,
    });

  it(
    'upnpc sees the IGD and its external address',
    withLogs(async () => {
      const r = await upnpc(lab, ['-s']);
      expect(r.out).toMatch(/ExternalIPAddress = 203\.0\.113\.2/);
      expect(r.out).toMatch(/Local LAN ip address : 192\.168\.1\.10/);
    }),
  );

  it(
    'upnpc adds, lists and deletes a UDP mapping that really forwards traffic',
    withLogs(async () => {
      // without a mapping nothing gets in
      expect((await inbound(40000, 41000)).received).toBe(false);
      const add = await upnpc(lab, ['-a', lab.addr.client, '40000', '40000', 'UDP'], { discover: false });
      expect(add.out).toMatch(
        /external 203\.0\.113\.2:40000 UDP is redirected to internal 192\.168\.1\.10:40000/,
      );
      const list = await upnpc(lab, ['-l'], { discover: false });
      expect(list.out).toMatch(/UDP\s+40000->192\.168\.1\.10:40000/);
      const got = await inbound(40000, 41001);
      expect(got.received).toBe(true);
      expect(got.from).toBe(`${lab.addr.server2}:41001`);
      expect(got.data).toBe('probe-41001');
      const del = await upnpc(lab, ['-d', '40000', 'UDP'], { discover: false });
      expect(del.code, del.out).toBe(0);
      expect((await upnpc(lab, ['-l'], { discover: false })).out).not.toMatch(/40000->/);
      expect((await inbound(40000, 41002)).received).toBe(false);
    }),
  );

  it(
    'natpmpc reports the public address and maps a port that forwards traffic',
    withLogs(async () => {
      const info = await natpmpc(lab, []);
      expect(info.out).toMatch(/Public IP address : 203\.0\.113\.2/);
      expect((await inbound(40010, 41010)).received).toBe(false);
      const add = await natpmpc(lab, ['-a', '40010', '40010', 'udp', '60']);
      expect(add.out).toMatch(/Mapped public port 40010 protocol UDP to local port 40010/);
      const got = await inbound(40010, 41011);
      expect(got.received).toBe(true);
      expect(got.from).toBe(`${lab.addr.server2}:41011`);
      // lifetime 0 deletes the mapping
      const del = await natpmpc(lab, ['-a', '40010', '40010', 'udp', '0']);
      expect(del.code, del.out).toBe(0);
      expect((await inbound(40010, 41012)).received).toBe(false);
    }),
  );
});

describeLab('lab miniupnpd options', () => {
  it('secure mode refuses a mapping for another LAN address (UPnP 718) but allows our own', async () => {
    await withLab('masquerade', { upnp: { secureMode: true }, stund: false }, async (lab) => {
      const other = await upnpc(lab, ['-a', '192.168.1.11', '40020', '40020', 'UDP']);
      expect(other.out).toMatch(/718/);
      const own = await upnpc(lab, ['-a', lab.addr.client, '40021', '40021', 'UDP']);
      expect(own.out).toMatch(/is redirected to internal 192\.168\.1\.10:40021/);
    });
  });

  it('natpmp-only: no UPnP IGD is found, NAT-PMP still maps', async () => {
    await withLab('masquerade', { upnp: { natpmpOnly: true }, stund: false }, async (lab) => {
      const s = await upnpc(lab, ['-s']);
      expect(s.out).toMatch(/No IGD UPnP Device found|No valid UPNP Internet Gateway Device found/);
      const add = await natpmpc(lab, ['-a', '40030', '40030', 'udp', '60']);
      expect(add.out).toMatch(/Mapped public port 40030 protocol UDP/);
    });
  });

  // miniupnpd's start-up STUN retries unanswered probes behind the CGN: this lab takes ~9 s
  it('double-nat: miniupnpd detects the CGN by STUN and refuses mappings', async () => {
    await withLab('double-nat', { upnp: true, stund: false }, async (lab) => {
      expect(lab.expected.upnpMappingUsable).toBe(false);
      const add = await upnpc(lab, ['-a', lab.addr.client, '40040', '40040', 'UDP']);
      expect(add.out).toMatch(/501/);
      expect(add.out).not.toMatch(/is redirected to internal/);
      const pmp = await natpmpc(lab, ['-a', '40041', '40041', 'udp', '60']);
      expect(pmp.out).not.toMatch(/Mapped public port 40041/);
      // NAT-PMP result code 3 (network failure)
      expect(pmp.out).toMatch(/network failure/i);
    });
  });
});
