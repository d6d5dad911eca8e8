// The WebRTC echo in a real Chromium (headless, fake microphone) through the lab NAT: SIP.js over
// wss to Kamailio's websocket module, ICE + DTLS-SRTP with rtpengine, which bridges to the baresip
// echo's plain RTP. Audio must come back with sound in it and the chosen candidate pair is shown.
// With UDP blocked at the router, the call must go through coturn over TCP — or fail as ice-failed
// with the advice to add a relay when none is configured.
import { copyFileSync } from 'node:fs';

import { expect, it } from 'vitest';

import type { WebrtcResult } from '../../shared/contracts/webrtc.ts';
import { describeLab } from './describe-lab.ts';
import { LAB_DIR, REPO_ROOT, withLab, type Lab } from './lab.ts';
import { startCoturnRelay } from './peers/coturn-relay.ts';
import { startWebrtcGateway, type WebrtcGateway } from './peers/kamailio-websocket.ts';
import { PBX_DOMAIN, PBX_USER } from './peers/pbx.ts';
import { startWebSocketBlackhole } from './peers/websocket-blackhole.ts';

const TURN_USER = 'webrtc';
const TURN_PASS = 'relay-pass-9';

function webrtc(lab: Lab, gw: WebrtcGateway, extra: string[], wsUrl = gw.wssUrl) {
  return lab.natscope<WebrtcResult>(
    'client',
    [
      ...['webrtc', '--ws-url', wsUrl, '--uri', `sip:9196@${PBX_DOMAIN}`],
      ...['--user', PBX_USER.user, '--password', PBX_USER.password, '--ca', gw.caCert],
      ...['--duration', '4', '--connect-timeout', '8'],
      ...extra,
    ],
    { timeoutMs: 120_000, env: { ...process.env, NATSCOPE_TURN_PASSWORD: TURN_PASS } },
  );
}

const why = (r: { stderr: string; json?: unknown }, lab: Lab) =>
  `${r.stderr}\n${JSON.stringify(r.json, null, 1)}\n${lab.logs(120)}`;

describeLab('WebRTC echo in Chromium (Kamailio websocket + rtpengine)', () => {
  it('gets audio both ways through the NAT and shows the chosen candidate pair', async () => {
    await withLab('masquerade', async (lab) => {
      const gw = await startWebrtcGateway(lab);
      const r = await webrtc(lab, gw, ['--ice-server', `stun:${lab.addr.serverPrimary}:3478`]);
      const j = r.json!;
      expect(j?.outcome, why(r, lab)).toBe('ok');
      expect(r.code).toBe(0);
      expect(j.websocket).toMatchObject({ opened: true });
      expect(j.registration).toMatchObject({ ok: true, status: 200 });
      expect(j.sip.status).toBe(200);
      // ICE: a host and a server-reflexive candidate (the router's WAN address); the chosen pair
      // runs from the NAT's public side to rtpengine's host candidate.
      expect(j.ice.gathered.host).toBeGreaterThan(0);
      expect(j.ice.localCandidates).toContainEqual(
        expect.objectContaining({ type: 'srflx', address: '203.0.113.2' }),
      );
      expect(j.ice.selectedPair!.local).toMatchObject({ address: '203.0.113.2', protocol: 'udp' });
      expect(['srflx', 'prflx']).toContain(j.ice.selectedPair!.local.type);
      expect(j.ice.selectedPair!.remote).toMatchObject({ type: 'host', address: lab.addr.serverPrimary });
      expect(j.dtls).toMatchObject({ state: 'connected' });
      expect(j.dtls.srtpCipher).toMatch(/AES|GCM/);
      // Audio both ways: the fake microphone's beeps went out, and came back with sound in them.
      expect(j.audio).toMatchObject({ codec: 'PCMU', echoHeard: true });
      expect(j.audio.sentEnergy).toBeGreaterThan(0);
      expect(j.audio.packetsReceived).toBeGreaterThan(100);
      expect(j.stats!.mos).toBeGreaterThan(4);
      expect(j.samples.length).toBeGreaterThanOrEqual(3);
      expect(j.findings.map((f) => f.id)).toEqual(['webrtc-ok']);
      expect(JSON.stringify(j)).not.toContain(PBX_USER.password);

      // The same call from the UI (web mode in Chromium): the step shows the pair, charts and verdict.
      const ui = await lab.exec(
        'client',
        [
          process.execPath,
          `${LAB_DIR}/tools/webrtc-ui.ts`,
          ...[gw.wssUrl, `sip:9196@${PBX_DOMAIN}`, PBX_USER.user, PBX_USER.password, gw.spkiPin],
          ...['test/artifacts/webrtc-step.png', `stun:${lab.addr.serverPrimary}:3478`],
        ],
        { cwd: REPO_ROOT, timeoutMs: 120_000 },
      );
      expect(
        ui.code,
        `${ui.stderr}
${ui.stdout}`,
      ).toBe(0);
      const shown = JSON.parse(ui.stdout.trim().split('\n').at(-1)!) as Record<string, string | number>;
      // The README's picture of the step: NATSCOPE_DOCS_SCREENSHOTS=1 refreshes it.
      if (process.env.NATSCOPE_DOCS_SCREENSHOTS === '1')
        copyFileSync(
          `${REPO_ROOT}/test/artifacts/webrtc-step.png`,
          `${REPO_ROOT}/docs/screenshots/webrtc.png`,
        );
      expect(shown.pair).toMatch(
        /Chosen pair: (srflx|prflx) UDP 203\.0\.113\.2:\d+ ↔ host UDP 203\.0\.113\.10:\d+direct/,
      );
      expect(shown.findings).toContain('webrtc-ok');
      expect(shown.charts).toBe(1);
      expect(Number(String(shown.mos).trim())).toBeGreaterThan(4);
    });
  }, 240_000);

  it('with UDP blocked: through coturn over TCP (webrtc-relay-only), or ice-failed without a relay', async () => {
    await withLab('udp-blocked', async (lab) => {
      const gw = await startWebrtcGateway(lab);
      const relay = await startCoturnRelay(lab, { users: { [TURN_USER]: TURN_PASS }, tls: false });
      const turn = [
        '--ice-server',
        `turn:${relay.address}:${relay.port}?transport=tcp`,
        '--turn-user',
        TURN_USER,
      ];
      const viaRelay = await webrtc(lab, gw, turn);
      const j = viaRelay.json!;
      expect(j?.outcome, why(viaRelay, lab)).toBe('ok');
      expect(j.ice.selectedPair!.local).toMatchObject({ type: 'relay', relayProtocol: 'tcp' });
      expect(j.ice.gathered.relay).toBeGreaterThan(0);
      expect(j.audio.echoHeard).toBe(true);
      expect(j.findings.map((f) => f.id)).toEqual(['webrtc-relay-only']);
      expect(j.findings[0]!.title).toContain('relay/tcp');
      expect(JSON.stringify(j)).not.toContain(TURN_PASS);

      const noRelay = await webrtc(lab, gw, ['--ice-server', `stun:${lab.addr.serverPrimary}:3478`]);
      const n = noRelay.json!;
      expect(n?.outcome, why(noRelay, lab)).toBe('ice-failed');
      expect(noRelay.code).toBe(1);
      expect(n.ice.gathered).toMatchObject({ srflx: 0, relay: 0 });
      const f = n.findings.find((x) => x.id === 'ice-failed')!;
      expect(f.advice[0]).toMatch(/No TURN server was configured/);
      expect(f.advice.join('\n')).toMatch(/rtpengine/);
    });
  }, 300_000);

  it("a WebSocket the network swallows: the browser only sees 1006, NatScope's probe says no-answer", async () => {
    await withLab('masquerade', async (lab) => {
      const gw = await startWebrtcGateway(lab);
      const hole = await startWebSocketBlackhole(lab);
      const t0 = Date.now();
      const r = await webrtc(lab, gw, [], hole.url);
      expect(r.json?.outcome, why(r, lab)).toBe('websocket-failed');
      expect(r.json!.websocket).toMatchObject({ opened: false, failedAt: 'no-answer', closeCode: 1006 });
      expect(r.json!.findings.map((f) => f.id)).toEqual(['websocket-blocked']);
      expect(Date.now() - t0).toBeLessThan(60_000);
    });
  }, 240_000);
});
