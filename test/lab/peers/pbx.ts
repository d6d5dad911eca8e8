// "A real PBX" for lab tests: Kamailio (registrar/proxy, digest 401/407, Record-Route, optional
// TLS) with rtpengine relaying every call's media, and baresip phones registered to it that answer
// with an echo: 9196 (plain echo) and 9195 (audio delayed 5 s, like FreeSWITCH's 9195).
//
//   const pbx = await startLabPbx(lab, { tls: true });
//   natscope call sip:9196@lab.test --proxy <pbx.proxy> --registrar <pbx.proxy> --domain lab.test
//                 --user alice --password secret
import { join } from 'node:path';

import type { HostName, Lab } from '../lab.ts';
import { startBaresip } from './baresip.ts';
import { labPbxConfig, startKamailio, type KamailioConfig, type KamailioPeer } from './kamailio.ts';
import { startRtpengine, type RtpenginePeer } from './rtpengine.ts';
import { createLabCa, type LabCa } from './tls-ca.ts';

export const PBX_DOMAIN = 'lab.test';
export const PBX_USER = { user: 'alice', password: 'secret' };
export const ECHO_DELAY_MS = 5000;

export interface LabPbxOptions {
  /** Kamailio's host (default server) and address (default the server's primary address). */
  host?: HostName;
  address?: string;
  /** Where the baresip phones run (default server2, a separate host like a real phone). */
  phoneHost?: HostName;
  phoneAddress?: string;
  /** SIP port (UDP and TCP); TLS is on port + 1. Default 5060. */
  port?: number;
  tls?: boolean;
  algorithm?: 'MD5' | 'SHA-256';
  /** Start the delayed echo (9195) too. Default true. */
  delayedEcho?: boolean;
  /** Extend the generated Kamailio config before it starts (issue #16 adds websocket here). */
  extend?: (cfg: KamailioConfig) => void;
  /** Instance name (directories, rtpengine ports) when a test runs two PBXs. */
  name?: string;
}

/**
 * baresip 1.0 answers only MD5 digest challenges: with SHA-256 the phones cannot register, so the
 * PBX routes to them statically instead (the users still register and call with SHA-256).
 */
function phonesRegister(o: LabPbxOptions): boolean {
  return o.algorithm !== 'SHA-256';
}

export interface LabPbx {
  kamailio: KamailioPeer;
  rtpengine: RtpenginePeer;
  /** host:port of the PBX for --proxy / --registrar. */
  proxy: string;
  tlsProxy: string | null;
  address: string;
  ca: LabCa | null;
  echoUri: string;
  delayedEchoUri: string | null;
}

export async function startLabPbx(lab: Lab, o: LabPbxOptions = {}): Promise<LabPbx> {
  const host = o.host ?? 'server';
  const address = o.address ?? lab.addr.serverPrimary;
  const phoneHost = o.phoneHost ?? 'server2';
  const phoneAddress = o.phoneAddress ?? lab.addr.server2;
  const port = o.port ?? 5060;
  const name = o.name ?? `pbx-${port}`;
  const dir = join(lab.workDir, name);
  // Each PBX instance gets its own media ports, so two can run side by side.
  const mediaBase = 30_000 + (port - 5060) * 100;
  const rtpengine = await startRtpengine(lab, host, {
    address,
    ngPort: 2223 + (port - 5060),
    portMin: mediaBase,
    portMax: mediaBase + 99,
  });
  let ca: LabCa | null = null;
  let tls: { certificate: string; privateKey: string; ca: string } | undefined;
  if (o.tls) {
    ca = await createLabCa(join(dir, 'ca'));
    const cert = await ca.issue('pbx', { dns: [PBX_DOMAIN], ip: [address] });
    tls = { ...cert, ca: ca.caCert };
  }
  const echoPass = 'echo-pass';
  const phoneBase = 20_000 + (port - 5060) * 100;
  const phones = {
    '9196': `sip:9196@${phoneAddress}:${phoneBase}`,
    '9195': `sip:9195@${phoneAddress}:${phoneBase + 4}`,
  };
  const cfg = labPbxConfig({
    dir,
    address,
    domain: PBX_DOMAIN,
    users: [PBX_USER, { user: '9196', password: echoPass }, { user: '9195', password: echoPass }],
    listen: { udp: port, tcp: port, ...(o.tls ? { tls: port + 1 } : {}) },
    algorithm: o.algorithm,
    rtpengine: rtpengine.ng,
    tls,
    staticRoutes: phonesRegister(o) ? undefined : phones,
  });
  o.extend?.(cfg);
  const kamailio = await startKamailio(lab, host, cfg, dir);
  const proxy = `${address}:${port}`;
  const register = phonesRegister(o) ? { proxy, password: echoPass } : undefined;
  const echo = await startBaresip(lab, phoneHost, {
    name: `${name}-9196`,
    address: phoneAddress,
    port: phoneBase,
    user: '9196',
    domain: PBX_DOMAIN,
    register,
    rtpPorts: [phoneBase + 10, phoneBase + 49],
  });
  let delayedEchoUri: string | null = null;
  if (o.delayedEcho !== false) {
    const delayed = await startBaresip(lab, phoneHost, {
      name: `${name}-9195`,
      address: phoneAddress,
      port: phoneBase + 4, // not + 1: baresip also listens for TLS on its SIP port + 1
      user: '9195',
      domain: PBX_DOMAIN,
      register,
      echoDelayMs: ECHO_DELAY_MS,
      rtpPorts: [phoneBase + 50, phoneBase + 99],
    });
    delayedEchoUri = delayed.uri;
  }
  return {
    kamailio,
    rtpengine,
    proxy,
    tlsProxy: o.tls ? `${address}:${port + 1}` : null,
    address,
    ca,
    echoUri: echo.uri,
    delayedEchoUri,
  };
}

/** natscope call arguments that register as alice and route everything through the PBX. */
export function pbxCallArgs(pbx: LabPbx, transport: 'udp' | 'tcp' | 'tls' = 'udp'): string[] {
  const hop = transport === 'tls' ? pbx.tlsProxy! : pbx.proxy;
  return [
    '--proxy',
    hop,
    '--registrar',
    hop,
    '--domain',
    PBX_DOMAIN,
    '--user',
    PBX_USER.user,
    '--password',
    PBX_USER.password,
    ...(transport === 'udp' ? [] : ['--transport', transport]),
    ...(transport === 'tls' && pbx.ca ? ['--ca', pbx.ca.caCert] : []),
  ];
}
