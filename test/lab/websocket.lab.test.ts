// SIP over WebSocket (RFC 7118) through a lab NAT against a real WebSocket gateway: Kamailio's
// websocket module over TLS with the lab CA, rtpengine and the baresip echo (peers/kamailio-websocket.ts).
// The CLI registers and calls over wss with plain RTP; without the CA the certificate is refused;
// a WebSocket that a middlebox swallows is websocket-blocked within the connect timeout.
import { expect, it } from 'vitest';

import type { CallResult } from '../../shared/contracts/call.ts';
import { describeLab } from './describe-lab.ts';
import { withLab } from './lab.ts';
import { PBX_DOMAIN, PBX_USER } from './peers/pbx.ts';
import { startWebrtcGateway } from './peers/kamailio-websocket.ts';
import { startWebSocketBlackhole } from './peers/websocket-blackhole.ts';

describeLab('SIP over WebSocket (Kamailio websocket + TLS)', () => {
  it('registers and calls over wss through the NAT; the CA is required; a swallowed upgrade is websocket-blocked', async () => {
    await withLab('masquerade', async (lab) => {
      const gw = await startWebrtcGateway(lab);
      const account = ['--user', PBX_USER.user, '--password', PBX_USER.password, '--duration', '3'];
      const r = await lab.natscope<CallResult>('client', [
        'call',
        gw.wssUrl,
        `sip:9196@${PBX_DOMAIN}`,
        ...account,
        '--ca',
        gw.caCert,
      ]);
      expect(r.code, `${r.stderr}\n${lab.logs()}`).toBe(0);
      const c = r.json!;
      expect(c).toMatchObject({
        transport: 'wss',
        answered: true,
        endReason: 'completed',
        oneWayAudio: false,
      });
      expect(c.registration).toMatchObject({ ok: true, status: 200, unregistered: true });
      expect(c.websocket).toMatchObject({ opened: true, httpStatus: 101, subprotocol: 'sip' });
      // Kamailio saw the router's WAN address, not the .invalid Via host.
      expect(c.signaling.viaReceived).toMatch(/^203\.0\.113\.2:\d+$/);
      expect(c.signaling.contact).toMatch(/^[0-9a-f]+\.invalid$/);
      expect(c.rtp!.received).toBeGreaterThan(100);
      expect(c.findings.map((f) => f.code)).toContain('nat-detected-signaling');
      expect(c.messages.filter((m) => m.direction === 'sent').every((m) => m.transport === 'WSS')).toBe(true);

      const noCa = await lab.natscope<CallResult>('client', ['call', gw.wssUrl, `sip:9196@${PBX_DOMAIN}`]);
      expect(noCa.code).toBe(1);
      expect(noCa.json!.websocket).toMatchObject({ opened: false, failedAt: 'tls' });
      expect(noCa.json!.findings.map((f) => f.code)).toEqual(['websocket-blocked']);
      expect(noCa.json!.websocket!.message).toMatch(/--ca FILE|certificate/);

      // A middlebox that accepts the connection and swallows the upgrade: reported within the 5 s
      // connect timeout (not after Timer B's 32 s), as websocket-blocked with the stage named.
      const hole = await startWebSocketBlackhole(lab);
      const t0 = Date.now();
      const held = await lab.natscope<CallResult>('client', ['call', hole.url, `sip:9196@${PBX_DOMAIN}`]);
      const elapsed = Date.now() - t0;
      expect(held.code).toBe(1);
      expect(held.json!.websocket).toMatchObject({ opened: false, failedAt: 'no-answer', httpStatus: null });
      expect(held.json!.findings).toEqual([
        expect.objectContaining({
          code: 'websocket-blocked',
          message: expect.stringMatching(/no answer within 5 s/),
        }),
      ]);
      expect(elapsed).toBeLessThan(15_000); // 5 s budget + CLI start-up on a loaded machine
    });
  }, 180_000);
});
