// Issue #12, defects 1 and 2: the figures of an echo call must be the truth. Ground truth is the
// wire itself: tcpdump on the client's interface, each RTP packet we sent matched to its echo
// (pcap-rtp.ts). Far ends: `natscope server`'s echo (RTCP from our own companion), SIPp behind the
// lab's delay relay, and baresip behind Kamailio + rtpengine as a plain echo (9196) and as a 5 s
// delayed echo (9195), like FreeSWITCH's.
import { cpus, loadavg } from 'node:os';
import { expect, it } from 'vitest';

import type { CallResult } from '../../shared/contracts/call.ts';
import { rttTolerance } from '../../electron/engine/rtp/rtt-estimate.ts';
import { finding, runCall, startRelayedSippEcho, withNftTable } from './call-run.ts';
import { describeLab } from './describe-lab.ts';
import { NATSCOPE_CLI } from './lab.ts';
import { labFixture } from './lab-fixture.ts';
import { readPcapRtcp, readPcapRtp, wireAudioLatency, wireEchoRtt, wireRtcpRtt } from './pcap-rtp.ts';
import { ECHO_DELAY_MS, pbxCallArgs, startLabPbx, type LabPbx } from './peers/pbx.ts';
import { waitFor } from './proc.ts';

/**
 * |measured − truth| allowed for RTT (acceptance: within 5 ms of the truth). The wire is stamped by
 * the kernel, NatScope's figures when its process gets the packet: on a machine loaded beyond its
 * cores (other engineers' builds and labs) the process lags by more than that, so the bound is
 * widened there and the load printed (the precedent of nat-behaviour.lab.test.ts).
 */
const OVERLOADED = loadavg()[0]! > cpus().length;
const RTT_TOLERANCE_MS = OVERLOADED ? 15 : 5;
/**
 * RTCP round trips are stamped by two busy processes (ours when its RR arrives, baresip's DLSR) on
 * top of rtpengine's userspace relaying: on an overloaded machine they were seen 40 ms off the wire
 * while the echoed packets stayed within 5 ms. Unloaded, the same 5 ms bound applies.
 */
const RTCP_TOLERANCE_MS = OVERLOADED ? 50 : RTT_TOLERANCE_MS;
if (OVERLOADED)
  console.warn(`[truth] load ${loadavg()[0]!.toFixed(1)}: RTT tolerance ${RTT_TOLERANCE_MS} ms`);

function expectCleanCall(r: CallResult): void {
  expect(r.answered).toBe(true);
  expect(r.endReason).toBe('completed');
  expect(r.oneWayAudio).toBe(false);
  expect(r.rtp!.received).toBeGreaterThan(r.rtp!.sent * 0.9);
  expect(r.rtp!.mos).toBeGreaterThanOrEqual(4.2);
  const codes = r.findings.map((f) => f.code);
  expect(codes).not.toContain('one-way-audio');
  expect(codes).not.toContain('high-latency');
}

/** Every RTT source the call had agrees with the wire (the same verdict from each). */
function expectSourcesAgree(r: CallResult, truthMs: number): void {
  const s = r.rtp!;
  for (const v of [s.rtcpRttMs, s.echoRttMs])
    if (v !== null) expect(Math.abs(v - truthMs)).toBeLessThanOrEqual(rttTolerance(v, truthMs));
  expect(s.rttAgreement === 'agree' || s.rttAgreement === 'single-source').toBe(true);
  expect(s.rttDisagreement).toBeNull();
}

describeLab('lab echo call truth: RTT and MOS against the wire', () => {
  const f = labFixture('masquerade', { coturn: false, stund: false });
  const withLogs = f.withLogs;

  it(
    "natscope server's echo through the NAT: RTT within 5 ms of the wire, MOS ≥ 4.2, every source agrees",
    withLogs(async () => {
      const lab = f.lab;
      const srv = lab.spawn('server', 'natscope-server', [
        process.execPath,
        NATSCOPE_CLI,
        'server',
        '--address',
        lab.addr.serverPrimary,
      ]);
      await lab.waitReady(srv, [{ proto: 'udp', port: 5060 }], 10_000);
      const cap = await lab.capture('client', 'udp and not port 5060', { iface: 'eth0' });
      const { result: r } = await runCall(lab, `sip:echo@${lab.addr.serverPrimary}`, ['--duration', '6']);
      const wire = wireEchoRtt(readPcapRtp((await cap.stop()).pcapPath), r.media!.localRtp);
      await srv.stop();
      const s = r.rtp!;
      console.log(
        `[truth] companion: RTT ${s.rttMs} ms via ${s.rttSource} (rtcp ${s.rtcpRttMs}, echoed ${s.echoRttMs}, markers ${s.audioLatencyMs}), wire ${wire.medianMs?.toFixed(2)} ms over ${wire.matched} packets, MOS ${s.mos}, agreement ${s.rttAgreement}`,
      );
      expect(wire.matched).toBeGreaterThan(200);
      expectCleanCall(r);
      expect(Math.abs(s.rttMs! - wire.medianMs!)).toBeLessThanOrEqual(RTT_TOLERANCE_MS);
      expect(s.rtcpReceived).toBeGreaterThan(0); // the companion's RTCP is used, and is right
      expect(s.rtcpRttMs).not.toBeNull();
      expectSourcesAgree(r, wire.medianMs!);
    }),
  );

  it(
    'SIPp behind the 40 ms-per-leg delay relay: RTT within 5 ms of the wire',
    withLogs(async () => {
      const lab = f.lab;
      const delayMs = 40;
      const relay = await startRelayedSippEcho(lab, { delayMs, sipPort: 5064 });
      const cap = await lab.capture('client', `udp port ${relay.port}`, { iface: 'eth0' });
      const { result: r } = await runCall(lab, `sip:echo@${lab.addr.serverPrimary}:5064`, [
        '--duration',
        '6',
      ]);
      const wire = wireEchoRtt(readPcapRtp((await cap.stop()).pcapPath), r.media!.localRtp);
      const s = r.rtp!;
      console.log(
        `[truth] SIPp + relay ${delayMs} ms/leg: RTT ${s.rttMs} ms via ${s.rttSource} (echoed ${s.echoRttMs}, markers ${s.audioLatencyMs}), wire ${wire.medianMs?.toFixed(2)} ms, MOS ${s.mos}`,
      );
      expect(wire.medianMs!).toBeGreaterThan(2 * delayMs - 1);
      expect(Math.abs(s.rttMs! - wire.medianMs!)).toBeLessThanOrEqual(RTT_TOLERANCE_MS);
      expectSourcesAgree(r, wire.medianMs!);
      expect(r.answered).toBe(true);
      expect(s.mos).toBeGreaterThanOrEqual(4.2);
    }),
  );
});

describeLab('lab echo call truth: a real PBX (Kamailio + rtpengine) with baresip echoes', () => {
  let pbx: LabPbx;
  const f = labFixture('masquerade', { coturn: false, stund: false }, async (lab) => {
    pbx = await startLabPbx(lab);
  });
  const withLogs = f.withLogs;

  /** The call, with tcpdump on the client's wire for ground truth (RTCP round trips, audio delay). */
  async function callWithWire(uri: string, args: string[]) {
    const lab = f.lab;
    const cap = await lab.capture('client', 'udp and not port 5060', { iface: 'eth0' });
    const run = await runCall(lab, uri, [...pbxCallArgs(pbx), ...args]);
    const pcap = (await cap.stop()).pcapPath;
    const local = run.result.media!.localRtp;
    const rtcpLocal = `${local.split(':')[0]}:${Number(local.split(':')[1]) + 1}`;
    return {
      ...run,
      wireRtt: wireRtcpRtt(readPcapRtcp(pcap), rtcpLocal),
      wireAudio: wireAudioLatency(readPcapRtp(pcap), local),
    };
  }

  it(
    '9196-style echo: RTCP RTT from baresip matches the wire; the echo’s own buffering is echoDelayMs',
    withLogs(async () => {
      const { result: r, wireRtt, wireAudio } = await callWithWire(pbx.echoUri, ['--duration', '6']);
      const s = r.rtp!;
      console.log(
        `[truth] baresip echo via rtpengine: RTT ${s.rttMs} ms via ${s.rttSource} (rtcp ${s.rtcpRttMs}, markers ${s.audioLatencyMs}; wire: RTCP ${wireRtt?.toFixed(2)}, audio ${wireAudio?.toFixed(1)}), echoDelayMs ${s.echoDelayMs}, MOS ${s.mos}`,
      );
      expectCleanCall(r);
      expect(s.rttSource).toBe('rtcp');
      expect(Math.abs(s.rttMs! - wireRtt!)).toBeLessThanOrEqual(RTCP_TOLERANCE_MS);
      expect(s.rttAgreement).toBe('agree');
      expect(s.echoDelayMs!).toBeGreaterThanOrEqual(0);
      expect(Math.abs(s.audioLatencyMs! - wireAudio!)).toBeLessThanOrEqual(RTT_TOLERANCE_MS);
      expect(finding(r, 'rtp-source-mismatch')).toBeUndefined();
    }),
  );

  it(
    '5 s delayed echo, 10 s call: echoDelayMs 5000 ± 50, network RTT normal, no one-way audio, MOS ≥ 4.2',
    withLogs(async () => {
      const run = await callWithWire(pbx.delayedEchoUri!, ['--duration', '10']);
      const { result: r, wireRtt, wireAudio } = run;
      const s = r.rtp!;
      // The truth: the delay the echo really applied, as the wire shows it (baresip's playback
      // buffer is 5000–5020 ms, and drifts a little on a loaded machine).
      const wireEchoDelay = wireAudio! - (wireRtt ?? 0);
      console.log(
        `[truth] 5 s delayed echo: echoDelayMs ${s.echoDelayMs} (wire ${wireEchoDelay.toFixed(1)}), RTT ${s.rttMs} ms via ${s.rttSource} (wire ${wireRtt?.toFixed(2)}), audio latency ${s.audioLatencyMs} ms, MOS ${s.mos}, findings ${r.findings.map((f) => f.code).join(',')}`,
      );
      expectCleanCall(r);
      expect(Math.abs(s.echoDelayMs! - wireEchoDelay)).toBeLessThanOrEqual(50);
      expect(Math.abs(wireEchoDelay - ECHO_DELAY_MS)).toBeLessThanOrEqual(150);
      expect(Math.abs(s.rttMs! - wireRtt!)).toBeLessThanOrEqual(RTCP_TOLERANCE_MS);
      expect(run.liveFindings.join('\n')).not.toMatch(/one-way/i);
      expect(finding(r, 'echo-delay')).toBeDefined();
    }),
  );

  it(
    'the same with --duration 3 says the test was shorter than the echo delay',
    withLogs(async () => {
      const lab = f.lab;
      const { result: r, liveFindings } = await runCall(lab, pbx.delayedEchoUri!, [
        ...pbxCallArgs(pbx),
        '--duration',
        '3',
        '--echo-delay',
        String(ECHO_DELAY_MS / 1000),
      ]);
      expect(r.answered).toBe(true);
      expect(r.oneWayAudio).toBe(false);
      expect(liveFindings.join('\n')).not.toMatch(/one-way/i);
      expect(r.findings.map((f) => f.code)).not.toContain('one-way-audio');
      expect(finding(r, 'test-shorter-than-echo-delay')?.message).toMatch(/shorter than the echo delay/);
    }),
  );

  it(
    'FreeSWITCH-like delayed echo (no RTCP, nothing sent until the delay is up), declared with --echo-delay: no one-way alarm',
    withLogs(async () => {
      const lab = f.lab;
      // FreeSWITCH's delay_echo writes nothing until its buffer holds the delay, and sends no RTCP
      // by default. Shape baresip's relayed stream the same way with nftables on the PBX host:
      // RTCP (odd ports) always dropped, RTP dropped until 5 s after the answer.
      const media = `${pbx.rtpengine.portMin}-${pbx.rtpengine.portMax}`;
      const body = `  chain out {\n    type filter hook output priority -10;\n    ip daddr ${lab.addr.clientPublic} udp sport ${media} udp sport & 1 == 1 drop\n    ip daddr ${lab.addr.clientPublic} udp sport ${media} drop comment "until the delay is up"\n  }`;
      await withNftTable(lab, 'server', 'natscope_fs_delay', body, async () => {
        const call = lab.spawn('client', 'natscope-call-fs-delay', [
          process.execPath,
          NATSCOPE_CLI,
          'call',
          pbx.delayedEchoUri!,
          ...pbxCallArgs(pbx),
          '--duration',
          '10',
          '--echo-delay',
          String(ECHO_DELAY_MS / 1000),
          '--json',
        ]);
        await waitFor('the call to be answered', () => / answered/.test(call.log()), 15_000, 20);
        await new Promise((r) => setTimeout(r, ECHO_DELAY_MS));
        await lab.nft(
          'server',
          `flush chain inet natscope_fs_delay out\ntable inet natscope_fs_delay {\n  chain out {\n    ip daddr ${lab.addr.clientPublic} udp sport ${media} udp sport & 1 == 1 drop\n  }\n}\n`,
        );
        await call.waitExit(40_000);
        const log = call.log();
        const r = JSON.parse(log.slice(log.indexOf('{\n'))) as CallResult;
        const s = r.rtp!;
        console.log(
          `[truth] FS-like delayed echo: echoDelayMs ${s.echoDelayMs}, RTT ${s.rttMs} via ${s.rttSource} (${s.rttDisagreement}), audio latency ${s.audioLatencyMs}, MOS ${s.mos}`,
        );
        expect(log).not.toMatch(/one-way/i);
        expect(r.oneWayAudio).toBe(false);
        expect(s.rtcpReceived).toBe(0);
        // The audio round trip holds the echo's 5 s buffer. baresip refills that buffer after the
        // drop is lifted and has read 4956–5003 ms here and under 4950 on a loaded CI machine: the point is
        // that the latency is the delay, not the network's few milliseconds.
        expect(s.audioLatencyMs!).toBeGreaterThan(ECHO_DELAY_MS * 0.9);
        // No independent network RTT: never the 5 s audio round trip fed to the E-model.
        expect(s.rttMs === null || s.rttMs < 100).toBe(true);
        expect(s.mos).toBeGreaterThanOrEqual(4.2);
      });
    }),
  );
});
