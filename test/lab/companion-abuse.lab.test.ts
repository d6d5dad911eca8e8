// Issue #18 items 1–4 against `natscope server` in the lab, as an attacker would do it:
// - spoofed sources come from raw sockets (IP_HDRINCL) on server2, forging the home router's WAN
//   address (the "victim"); what reaches the victim is counted on the router's WAN interface;
// - real clients are SIPp (echo call with the companion's digest challenge) and a small SIP UA for
//   the callback, behind the lab's NAT;
// - TCP abuse comes from several addresses on server2; the server's memory is sampled under load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  companionEvents,
  offerFrom,
  sipRequest as sharedSipRequest,
  sippEchoCall,
  startCompanion,
  startNatscopeServer,
} from './companion-peer.ts';
import { describeLab } from './describe-lab.ts';
import { attachLogs, LAB_DIR, startLab, type Lab, type Peer } from './lab.ts';
import { run, sleep } from './proc.ts';

const TOOLS = join(LAB_DIR, 'tools');
const VICTIM = '203.0.113.2'; // the home router's WAN address: its capture sees what a victim gets
const ATTACKERS = Array.from({ length: 8 }, (_, i) => `203.0.113.${21 + i}`); // extra addresses on server2
const TCP_LIFETIME_S = 12;

interface Delivery {
  bytes: number;
  packets: number;
  texts: string[];
}

describeLab('natscope server under abuse (issue #18 items 1–4)', () => {
  let lab: Lab;
  let server: Peer;
  beforeAll(async () => {
    lab = await startLab('masquerade', { coturn: false, stund: false });
    server = await startCompanion(lab, ['--tcp-lifetime', String(TCP_LIFETIME_S)]);
    for (const ip of ATTACKERS) await lab.exec('server2', ['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
  });
  afterAll(async () => {
    await lab?.destroy();
  });
  const t = (fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } catch (err) {
      throw attachLogs(err, lab);
    }
  };
  const S = () => lab.addr.serverPrimary;

  interface Spoofed {
    dst: string;
    victimPort: number;
    payload: Uint8Array;
    count?: number;
    srcCount?: number;
    /** Forge this source address instead of VICTIM. */
    from?: string;
  }
  /** Sends each payload from server2 with the source forged to VICTIM:victimPort (srcCount sources). */
  async function spoof(...jobs: Spoofed[]) {
    const batch = jobs.map((j) => ({
      src: `${j.from ?? VICTIM}:${j.victimPort}`,
      dst: j.dst,
      b64: Buffer.from(j.payload).toString('base64'),
      count: j.count ?? 1,
      srcCount: j.srcCount ?? 1,
    }));
    const r = await lab.exec('server2', [
      'python3',
      join(TOOLS, 'spoof-udp.py'),
      '--batch',
      JSON.stringify(batch),
    ]);
    expect(r.code, r.stderr).toBe(0);
  }

  /** Everything the companion (either address) sends to the victim while `fn` runs, per victim port. */
  async function atVictim(fn: () => Promise<void>): Promise<Map<number, Delivery>> {
    const cap = await lab.capture(
      'router',
      `udp and dst host ${VICTIM} and (src host ${S()} or src host ${lab.addr.serverSecondary})`,
      {
        iface: 'wan0',
      },
    );
    await fn();
    const { packets, pcapPath } = await cap.stop();
    // -q: "UDP, length N" for every packet (without it tcpdump decodes SIP and drops the length)
    const quick = await run(['tcpdump', '-r', pcapPath, '-n', '-q', '-tt'], { timeoutMs: 10_000 });
    const lines = quick.stdout.split('\n').filter((l) => / UDP, length /.test(l));
    const out = new Map<number, Delivery>();
    lines.forEach((line, i) => {
      const m = / > [\d.]+\.(\d+): UDP, length (\d+)/.exec(line);
      if (!m) return;
      const d = out.get(Number(m[1])) ?? { bytes: 0, packets: 0, texts: [] };
      d.bytes += Number(m[2]);
      d.packets++;
      d.texts.push(packets[i] ?? '');
      out.set(Number(m[1]), d);
    });
    return out;
  }

  const sipRequest = (
    method: string,
    o: { callId: string; extra?: string[]; body?: string; port?: number },
  ) => sharedSipRequest(method, { ...o, from: `${VICTIM}:5060`, to: `${S()}:${o.port ?? 5060}` });
  const SDP = offerFrom(VICTIM);
  const stun = (classic: boolean, change = false) => {
    const b = Buffer.alloc(change ? 28 : 20);
    b.writeUInt16BE(0x0001, 0);
    b.writeUInt16BE(change ? 8 : 0, 2);
    b.writeUInt32BE(classic ? 0x01020304 : 0x2112a442, 4);
    for (let i = 8; i < 20; i++) b[i] = i;
    if (change) {
      b.writeUInt16BE(0x0003, 20);
      b.writeUInt16BE(4, 22);
      b.writeUInt32BE(0x06, 24);
    }
    return b;
  };

  it(
    'item 1: every spoofed request type gets at most one answer of at most 3× its bytes',
    t(async () => {
      const cases: [string, number, Buffer, string][] = [
        ['echo INVITE with SDP', 41001, sipRequest('INVITE', { callId: 'amp-1', body: SDP }), `${S()}:5060`],
        [
          'tiny echo INVITE',
          41002,
          Buffer.from('INVITE sip:echo@x SIP/2.0\r\nCall-ID: t\r\nCSeq: 1 INVITE\r\n\r\n'),
          `${S()}:5060`,
        ],
        ['BYE', 41003, sipRequest('BYE', { callId: 'amp-3' }), `${S()}:5060`],
        ['CANCEL', 41004, sipRequest('CANCEL', { callId: 'amp-4' }), `${S()}:5060`],
        [
          'REGISTER with callback',
          41005,
          sipRequest('REGISTER', { callId: 'amp-5', extra: ['X-NatScope-Callback: 1'] }),
          `${S()}:5060`,
        ],
        ['OPTIONS (reflector)', 41006, sipRequest('OPTIONS', { callId: 'amp-6' }), `${S()}:5060`],
        ['MESSAGE (405)', 41007, sipRequest('MESSAGE', { callId: 'amp-7' }), `${S()}:5062`],
        ['STUN binding (20 B)', 41008, stun(false), `${S()}:${lab.ports.coturn}`],
        ['STUN RFC 3489 binding (20 B)', 41009, stun(true), `${S()}:${lab.ports.coturn}`],
        ['STUN CHANGE-REQUEST (28 B)', 41010, stun(false, true), `${S()}:${lab.ports.coturn}`],
      ];
      const got = await atVictim(async () => {
        await spoof(...cases.map(([, victimPort, payload, dst]) => ({ dst, victimPort, payload })));
        await sleep(4500); // past the 200 OK retransmissions at 0.5, 1, 2 and 4 s and the 1 s callback
      });
      const rows = cases.map(([name, port, payload]) => {
        const d = got.get(port) ?? { bytes: 0, packets: 0, texts: [] };
        return {
          name,
          request: payload.length,
          back: d.bytes,
          packets: d.packets,
          factor: +(d.bytes / payload.length).toFixed(2),
        };
      });
      console.log(
        `[abuse lab] spoofed → victim:\n${rows.map((r) => `  ${r.name}: ${r.request} B → ${r.back} B in ${r.packets} packet(s), ${r.factor}×`).join('\n')}`,
      );
      for (const r of rows) {
        expect(r.packets, r.name).toBeLessThanOrEqual(1);
        expect(r.back, r.name).toBeLessThanOrEqual(3 * r.request);
      }
      // the STUN answers still came (a bare request is answered, within 3×)
      expect(rows.filter((r) => r.name.startsWith('STUN')).every((r) => r.packets === 1)).toBe(true);
    }),
  );

  it(
    'item 2: a spoofed REGISTER with X-NatScope-Callback sends the victim no INVITE, only one small 401',
    t(async () => {
      const reg = sipRequest('REGISTER', { callId: 'cb-spoof', extra: ['X-NatScope-Callback: 1'] });
      const got = await atVictim(async () => {
        await spoof({ dst: `${S()}:5060`, victimPort: 42001, payload: reg });
        await sleep(3500);
      });
      const d = got.get(42001);
      expect(d?.packets).toBe(1);
      expect(d!.texts.join('\n')).toMatch(/SIP\/2\.0 401 Unauthorized/);
      expect(d!.texts.join('\n')).not.toMatch(/INVITE sip:/);
      expect(d!.bytes).toBeLessThanOrEqual(3 * reg.length);
      expect(companionEvents(server, 'callback.scheduled')).toEqual([]);
    }),
  );

  const sippCall = (port: number) => sippEchoCall(lab, { port, durationMs: 1000 });

  it(
    'item 3: 40 spoofed INVITEs and 110 spoofed callback REGISTERs take no slot: SIPp still calls, a real UA is still called back',
    t(async () => {
      await spoof(
        // 40 calls from one forged source (distinct Call-IDs)…
        ...Array.from({ length: 40 }, (_, i) => ({
          dst: `${S()}:5060`,
          victimPort: 43001,
          payload: sipRequest('INVITE', { callId: `flood-${i}`, body: SDP }),
        })),
        // …and a callback for each of 110 forged sources (198.18.0.0/15: nobody's, unrouted)
        {
          dst: `${S()}:5060`,
          victimPort: 43002,
          from: '198.18.0.1',
          payload: sipRequest('REGISTER', { callId: 'cbflood', extra: ['X-NatScope-Callback: 120'] }),
          srcCount: 110,
        },
      );
      const call = await sippCall(5091);
      expect(call.code, `${call.log}\n${lab.sippTraces()}`).toBe(0);
      const cb = await lab.exec('client', [
        'python3',
        join(TOOLS, 'callback-client.py'),
        '--server',
        `${S()}:5060`,
        '--bind',
        `${lab.addr.client}:0`,
        '--delay',
        '1',
      ]);
      expect(JSON.parse(cb.stdout), cb.stderr).toEqual({
        challenged: true,
        registered: true,
        invited: true,
        acked: true,
      });
      // only the real call and the real callback ever took a slot
      expect(companionEvents(server, 'echo.call')).toHaveLength(1);
      expect(companionEvents(server, 'callback.scheduled')).toHaveLength(1);
    }),
  );

  it(
    'item 3: one TCP connection sending 32 INVITEs and closing holds 2 calls at most, and only while it is open',
    t(async () => {
      const before = companionEvents(server, 'echo.call').length;
      const r = await lab.exec('client', [
        'python3',
        join(TOOLS, 'tcp-abuse.py'),
        'invites',
        '--dst',
        `${S()}:5060`,
        '--from',
        lab.addr.client,
        '--conns',
        '32',
        '--seconds',
        '1',
      ]);
      expect(r.code, r.stderr).toBe(0);
      await sleep(300);
      const calls = companionEvents(server, 'echo.call').slice(before);
      expect(calls).toHaveLength(2);
      const ends = companionEvents(server, 'echo.end').filter((e) => e.reason === 'connection closed');
      expect(ends.length).toBeGreaterThanOrEqual(2);
      const call = await sippCall(5092); // at once: nothing is left holding a slot
      expect(call.code, `${call.log}\n${lab.sippTraces()}`).toBe(0);
    }),
  );

  /** Resident memory of the server process, in MiB. */
  const rssMiB = () => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
    return Math.round(Number(m?.[1] ?? 0) / 1024);
  };
  const established = async () =>
    (await lab.exec('server', ['ss', '-Htn', 'state', 'established', '( sport = :5060 )'])).stdout
      .split('\n')
      .filter(Boolean).length;

  it(
    'item 4: 16 peers that never read: answers queue boundedly, memory stays flat (sampled), nothing is left after',
    t(async () => {
      const base = rssMiB();
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(rssMiB()), 500);
      const r = await lab.exec(
        'server2',
        [
          'python3',
          join(TOOLS, 'tcp-abuse.py'),
          'noread',
          '--dst',
          `${S()}:5060`,
          '--from',
          ATTACKERS.join(','),
          '--per-source',
          '2',
          '--seconds',
          '9',
          '--rate',
          '20',
        ],
        { timeoutMs: 30_000 },
      );
      clearInterval(sampler);
      expect(r.code, r.stderr).toBe(0);
      await sleep(2000);
      const after = rssMiB();
      const peak = Math.max(...samples);
      console.log(
        `[abuse lab] non-reading peers: RSS ${base} MiB before, peak ${peak} MiB, ${after} MiB after; ${r.stdout.trim()}`,
      );
      expect(peak - base).toBeLessThan(48);
      expect(after - base).toBeLessThan(48); // and nothing kept once they are gone
      expect(await established()).toBe(0);
    }),
  );

  it(
    'item 4: slowloris (1 byte/s) is cut at the message deadline; CRLF keep-alives do not outlive the lifetime cap',
    t(async () => {
      const tool = (args: string[]) =>
        lab.exec('server2', ['python3', join(TOOLS, 'tcp-abuse.py'), ...args, '--dst', `${S()}:5060`], {
          timeoutMs: 40_000,
        });
      const [slow, keep] = await Promise.all([
        tool(['slowloris', '--from', ATTACKERS.slice(0, 4).join(','), '--conns', '4', '--seconds', '18']),
        tool(['keepalive', '--from', ATTACKERS[7]!, '--seconds', String(TCP_LIFETIME_S + 8)]),
      ]);
      const s = JSON.parse(slow.stdout) as { conns: number; closedByServer: number; closedAt: number[] };
      const k = JSON.parse(keep.stdout) as { conns: number; closedByServer: number; closedAt: number[] };
      console.log(`[abuse lab] slowloris ${slow.stdout.trim()}; keep-alive ${keep.stdout.trim()}`);
      expect(s.conns).toBe(16);
      expect(s.closedByServer).toBe(16);
      // Bounds with slack for a loaded machine (a 14 s close was seen at load 16); without the
      // deadline/lifetime cap the peers stay open until the tool's own end (18 s / lifetime + 8 s).
      expect(Math.max(...s.closedAt)).toBeLessThan(15);
      expect(k.closedByServer).toBe(1);
      expect(k.closedAt[0]).toBeLessThan(TCP_LIFETIME_S + 5);
    }),
  );

  it(
    'item 4: an IPv6 /64 is one source: 20 addresses of one /64 get 16 connections, not 20',
    t(async () => {
      const v6 = Array.from({ length: 20 }, (_, i) => `2001:db8:2::${(i + 1).toString(16)}`);
      await lab.exec('server', [
        'sysctl',
        '-qw',
        'net.ipv6.conf.all.disable_ipv6=0',
        'net.ipv6.conf.lo.disable_ipv6=0',
      ]);
      for (const a of ['2001:db8:1::10', ...v6])
        await lab.exec('server', ['ip', '-6', 'addr', 'add', `${a}/128`, 'dev', 'lo', 'nodad']);
      await startNatscopeServer(lab, ['--no-stun', '--no-echo', '--sip-port', '5070'], {
        address: '2001:db8:1::10',
        name: 'natscope-server-v6',
        ready: [{ proto: 'tcp', port: 5070 }],
      });
      const r = await lab.exec('server', [
        'python3',
        join(TOOLS, 'tcp-abuse.py'),
        'connect',
        '--dst',
        '2001:db8:1::10:5070', // the tool splits at the last colon
        '--from',
        v6.join(','),
        '--seconds',
        '2',
      ]);
      const c = JSON.parse(r.stdout) as { conns: number; open: number };
      console.log(`[abuse lab] IPv6 /64: ${r.stdout.trim()}`);
      expect(c.open).toBe(16);
    }),
  );
});
