import type { Candidate, WebrtcResult } from '../../../shared/contracts/webrtc.ts';
import { heading, keyValues, table } from '../format.ts';

const cand = (c: Candidate) =>
  `${c.type}${c.type === 'relay' && c.relayProtocol ? ` (${c.relayProtocol} to the TURN server)` : ''} ${c.protocol} ${c.address ?? '?'}:${c.port ?? '?'}`;

/** The human form of a WebRTC echo result: what happened at each stage, figures, findings. */
export function printWebrtc(r: WebrtcResult, out: (s: string) => void): void {
  out(heading('WebRTC echo'));
  const p = r.ice.selectedPair;
  out(
    keyValues([
      ['Gateway', r.wsUrl],
      ['Target', r.target],
      ['Outcome', r.outcome],
      ['WebSocket', r.websocket.message],
      [
        'Registration',
        r.registration ? `${r.registration.ok ? 'ok' : 'FAILED'} (${r.registration.reason})` : 'none',
      ],
      ['Call', r.sip.status ? `${r.sip.status} ${r.sip.reason ?? ''}`.trim() : 'no answer'],
      ['ICE servers', r.ice.servers.join(', ') || 'none'],
      [
        'Candidates',
        `host ${r.ice.gathered.host}, srflx ${r.ice.gathered.srflx}, relay ${r.ice.gathered.relay}${r.ice.policy === 'relay' ? ' (relay only)' : ''}`,
      ],
      ['Server errors', r.ice.serverErrors.map((e) => `${e.url} ${e.code} ${e.text}`).join('; ') || null],
      ['ICE / connection', `${r.ice.iceState ?? '—'} / ${r.ice.connectionState ?? '—'}`],
      ['Chosen pair', p ? `${cand(p.local)}  ↔  ${cand(p.remote)}` : null],
      [
        'DTLS',
        r.dtls.state ? `${r.dtls.state}${r.dtls.srtpCipher ? `, SRTP ${r.dtls.srtpCipher}` : ''}` : null,
      ],
      [
        'Audio',
        `${r.audio.source}, ${r.audio.codec ?? '—'}: sent ${r.audio.packetsSent}, received ${r.audio.packetsReceived}, echo ${r.audio.echoHeard ? 'heard' : 'not heard'}`,
      ],
      ['Browser', r.browser],
    ]),
  );
  if (r.stats) {
    out(heading('Audio path'));
    out(
      table(
        ['Loss %', 'Jitter ms', 'RTT ms', 'MOS'],
        [[r.stats.lossPercent, r.stats.jitterMs, r.stats.rttMs, r.stats.mos]],
      ),
    );
  }
  if (r.findings.length) {
    out(heading('Findings'));
    for (const f of r.findings) {
      out(`- [${f.severity}] ${f.title}`);
      for (const a of f.advice) out(`    · ${a}`);
    }
  }
}
