// baresip 1.0 (Debian `baresip`) as a real softphone in the lab: it answers every call with its
// echo module (module_app echo.so), looping the received audio back through aubridge (no sound
// card) with G.711. It sends its own RTP stream (own SSRC) and RTCP SR/RR with real LSR/DLSR, like
// a PBX echo application. With `echoDelayMs` its receive audio buffer holds the audio that long
// before it is played back into the echo — a deliberately delayed echo, like FreeSWITCH's 9195
// (`delay_echo 5000`), sent in real time on the wire. It can register to a registrar (Kamailio) as
// a phone would.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { HostName, Lab, Peer } from '../lab.ts';
import { waitFor } from '../proc.ts';

export const BARESIP_MODULES_DIR = '/usr/lib/baresip/modules';

export interface BaresipOptions {
  /** Peer name (logs, config directory). */
  name?: string;
  /** SIP listen address and port. */
  address: string;
  port: number;
  /** The account's AoR user and domain (default echo@address). */
  user?: string;
  domain?: string;
  /** Register through this proxy/registrar ("IP:PORT") with this password. */
  register?: { proxy: string; password: string };
  /** Hold the audio this long before echoing it (default: 20 ms, the smallest audio buffer). */
  echoDelayMs?: number;
  /** RTP port range (one pair per call). */
  rtpPorts?: [number, number];
}

export interface BaresipPeer {
  peer: Peer;
  uri: string;
}

export async function startBaresip(lab: Lab, host: HostName, o: BaresipOptions): Promise<BaresipPeer> {
  const name = o.name ?? `baresip-${o.port}`;
  const dir = join(lab.workDir, name);
  mkdirSync(dir, { recursive: true });
  const delay = Math.max(20, Math.round(o.echoDelayMs ?? 20));
  const [rtpMin, rtpMax] = o.rtpPorts ?? [20_000, 20_099];
  writeFileSync(
    join(dir, 'config'),
    [
      `module_path ${BARESIP_MODULES_DIR}`,
      'poll_method epoll',
      `sip_listen ${o.address}:${o.port}`,
      'call_local_timeout 120',
      'call_max_calls 8',
      // the playback buffer is the echo's delay: [min-max] ms of audio held before the echo
      `audio_buffer ${delay}-${delay + 20}`,
      'audio_player aubridge,echo',
      'audio_source aubridge,echo',
      'audio_alert aubridge,echo',
      `rtp_ports ${rtpMin}-${rtpMax}`,
      'rtcp_mux no',
      'jitter_buffer_delay 1-10',
      'module g711.so',
      'module aubridge.so',
      'module_tmp account.so',
      'module_app echo.so',
      '',
    ].join('\n'),
  );
  const user = o.user ?? 'echo';
  const domain = o.domain ?? o.address;
  const account = o.register
    ? `<sip:${user}@${domain}>;auth_pass=${o.register.password};outbound="sip:${o.register.proxy}";regint=600`
    : `<sip:${user}@${domain}>;regint=0`;
  writeFileSync(join(dir, 'accounts'), `${account}\n`);
  const peer = lab.spawn(host, name, ['baresip', '-v', '-f', dir]);
  await lab.waitReady(peer, [{ proto: 'udp', port: o.port, ip: o.address }], 10_000);
  if (o.register) {
    await waitFor(
      `${name} to register via ${o.register.proxy}`,
      () => {
        peer.assertAlive();
        // baresip logs each REGISTER outcome as "user@domain: {0/UDP/v4} 200 OK (server) [1 binding]"
        return /\} 200 OK .*binding/.test(peer.log());
      },
      10_000,
    );
  }
  return { peer, uri: `sip:${user}@${domain}` };
}
