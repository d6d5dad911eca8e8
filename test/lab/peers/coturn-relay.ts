// coturn as a TURN relay (RFC 8656, RFC 6062) on the lab's server, for the relay tests and the
// allocation benchmark. Long-term credentials (--lt-cred-mech --user) or the TURN REST scheme
// (--use-auth-secret --static-auth-secret); TLS with a lab CA made by openssl at start; quotas for
// 486. It listens on its own ports so the harness's STUN-only coturn (3478/3479) keeps running.
import { join } from 'node:path';

import type { Lab, Peer } from '../lab.ts';
import { createLabCa } from './tls-ca.ts';

export const RELAY_PORTS = {
  /** UDP + TCP listener. */
  plain: 3490,
  /** TLS listener (what "TURN on 443" would be on a real server). */
  tls: 5349,
  relayMin: 49152,
  relayMax: 49252,
} as const;

export const RELAY_REALM = 'lab.natscope.test';

export interface CoturnRelayOptions {
  /** Static long-term users (user → password). */
  users?: Record<string, string>;
  /** TURN REST shared secret (coturn use-auth-secret); excludes `users`. */
  secret?: string;
  realm?: string;
  /** --user-quota / --total-quota (486 Allocation Quota Reached). */
  userQuota?: number;
  totalQuota?: number;
  /** Start the TLS listener with a lab CA (default true). */
  tls?: boolean;
  /** Listening port offset, to run two relays side by side. */
  portOffset?: number;
}

export interface CoturnRelay {
  peer: Peer;
  address: string;
  port: number;
  tlsPort: number;
  realm: string;
  /** PEM of the lab CA that signed the server certificate (trust it with --ca). */
  caPath: string | null;
}

/** A throwaway CA and a server certificate for `ip` (subjectAltName IP), made with openssl (tls-ca.ts). */
export async function makeLabCa(dir: string, ip: string): Promise<{ ca: string; cert: string; key: string }> {
  const ca = await createLabCa(join(dir, 'turn-ca'));
  const server = await ca.issue('turn-server', { dns: ['turn.lab.test'], ip: [ip] });
  return { ca: ca.caCert, cert: server.certificate, key: server.privateKey };
}

export async function startCoturnRelay(lab: Lab, o: CoturnRelayOptions = {}): Promise<CoturnRelay> {
  const address = lab.addr.serverPrimary;
  const off = o.portOffset ?? 0;
  const port = RELAY_PORTS.plain + off;
  const tlsPort = RELAY_PORTS.tls + off;
  const realm = o.realm ?? RELAY_REALM;
  const tls = o.tls !== false ? await makeLabCa(lab.workDir, address) : null;
  const tag = `coturn-relay-${off}`;
  const argv = [
    'turnserver',
    '-n',
    '--no-cli',
    '--no-dtls',
    '--no-software-attribute',
    '-L',
    address,
    '--relay-ip',
    address,
    '--listening-port',
    String(port),
    '--tls-listening-port',
    String(tlsPort),
    '--min-port',
    String(RELAY_PORTS.relayMin + off * 200),
    '--max-port',
    String(RELAY_PORTS.relayMax + off * 200),
    '--realm',
    realm,
    '--fingerprint',
    '--log-file',
    'stdout',
    '--simple-log',
    '--pidfile',
    join(lab.workDir, `${tag}.pid`),
    '--db',
    join(lab.workDir, `${tag}.db`),
  ];
  if (o.secret !== undefined) argv.push('--use-auth-secret', '--static-auth-secret', o.secret);
  else {
    argv.push('--lt-cred-mech');
    for (const [u, p] of Object.entries(o.users ?? { alice: 'wonderland' })) argv.push('--user', `${u}:${p}`);
  }
  if (o.userQuota !== undefined) argv.push('--user-quota', String(o.userQuota));
  if (o.totalQuota !== undefined) argv.push('--total-quota', String(o.totalQuota));
  if (tls) argv.push('--cert', tls.cert, '--pkey', tls.key);
  else argv.push('--no-tls');
  const peer = lab.spawn('server', tag, argv);
  const sockets: { proto: 'udp' | 'tcp'; port: number; ip?: string }[] = [
    { proto: 'udp', port, ip: address },
    { proto: 'tcp', port, ip: address },
  ];
  if (tls) sockets.push({ proto: 'tcp', port: tlsPort, ip: address });
  await lab.waitReady(peer, sockets, 20_000);
  return { peer, address, port, tlsPort, realm, caPath: tls?.ca ?? null };
}

/** `--server … --transport … --user … --password …` (+ `--ca` for TLS) for the CLI and turn-tool. */
export function relayArgs(
  relay: CoturnRelay,
  transport: 'udp' | 'tcp' | 'tls',
  user: string,
  password: string,
): string[] {
  const port = transport === 'tls' ? relay.tlsPort : relay.port;
  return [
    ...['--server', `${relay.address}:${port}`, '--transport', transport],
    ...['--user', user, '--password', password],
    ...(transport === 'tls' && relay.caPath ? ['--ca', relay.caPath] : []),
  ];
}
