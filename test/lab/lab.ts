// NatScope network lab: real NATs (nftables) and real peers in Linux network namespaces.
//
//   await withLab('masquerade', async (lab) => {
//     const r = await lab.exec('client', ['stun', `${lab.addr.serverPrimary}:${lab.ports.stund}`]);
//     const out = await lab.natscope('client', ['nat', '--server', lab.addr.serverPrimary]);
//   });
//
// Namespaces are named nslab-<pid>-<rand>-<host> (pid 0 = a manual lab from lab-cli), so a run
// never touches another run's lab and stale labs of killed runs can be found and removed.

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  readdirSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

import { expectedBehaviour, isVariantName } from './variants.ts';
import type { ExpectedBehaviour, VariantName } from './variants.ts';
import { ADDR, IFACES, LAN_PREFIX, PORTS, addressesFor } from './topology.ts';
import type { HostName, LabAddresses } from './topology.ts';
import { NFT_TABLE, UPNP_CHAINS, cgnRules, homeRouterRules, lossRule } from './nft.ts';
import { Peer, hasSocket, isAlive, procState, run, runOk, runSync, sleep, tail, waitFor } from './proc.ts';
import type { ExecOptions, ExecResult } from './proc.ts';

export type { HostName, LabAddresses } from './topology.ts';
export type { ExecResult, ExecOptions } from './proc.ts';
export { Peer } from './proc.ts';

export const LAB_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(LAB_DIR, '..', '..');
export const NATSCOPE_CLI = join(REPO_ROOT, 'dist', 'cli', 'natscope.mjs');
export const UDP_TOOL = join(LAB_DIR, 'tools', 'udp-tool.ts');
export const SIPP_DIR = join(LAB_DIR, 'sipp');
export const NS_PREFIX = 'nslab-';
const STATE_DIR = join(tmpdir(), 'nslab-state');
/**
 * Bound for each set-up command (ip, nft, sysctl). They take milliseconds on an idle machine, but
 * netns creation/deletion serialises on kernel locks, and concurrent lab runs on a loaded 2-core
 * machine have been seen to stall them for more than 10 s.
 */
const SETUP_TIMEOUT_MS = 30_000;

export interface UpnpOptions {
  /** UPnP IGD off, NAT-PMP/PCP only. */
  natpmpOnly?: boolean;
  /** miniupnpd secure_mode: UPnP clients may only map to their own address. */
  secureMode?: boolean;
  /** Report the daemon's own uptime (UPnP uptime, NAT-PMP epoch restart with it), not the system's. */
  daemonUptime?: boolean;
  /** Describe the device as IGD:1 (no GetListOfPortMappings: the table is read entry by entry). */
  igdV1?: boolean;
}

export interface LabOptions {
  /** Home router hairpinning (NAT loopback). Default off. */
  hairpin?: boolean;
  /** Kernel SIP ALG on the home router at start. Default off (switch with lab.setAlg). */
  alg?: boolean;
  /** Random loss of forwarded UDP on the home router's WAN, percent per packet and direction. */
  lossPercent?: number;
  /** Start miniupnpd (UPnP IGD + NAT-PMP + PCP) on the home router. Default off. */
  upnp?: boolean | UpnpOptions;
  /** Start coturn (RFC 5780) on the server. Default on. */
  coturn?: boolean;
  /** Start Vovida stund (RFC 3489) on the server. Default on. */
  stund?: boolean;
  /** Manual lab (lab-cli): namespaces marked pid 0 and peers detached so they outlive the CLI. */
  manual?: boolean;
}

export interface CaptureResult {
  /** Decoded text (tcpdump -n -A -tt), one block per packet. */
  text: string;
  /** One entry per packet: header line plus ASCII payload. */
  packets: string[];
  pcapPath: string;
}

export interface Capture {
  host: HostName;
  filter: string;
  stop(): Promise<CaptureResult>;
}

export interface SippOptions {
  /** Scenario: a file name in test/lab/sipp/ (e.g. 'uas-echo.xml'), an absolute path, or a built-in (-sn). */
  scenario: string;
  /** Local address (-i). Default: the host's lab address. */
  localIp?: string;
  /** Local SIP port (-p). */
  port: number;
  /** Remote host:port for a UAC. */
  remote?: string;
  /** Extra SIPp arguments. */
  args?: string[];
  /** Peer name for logs. */
  name?: string;
}

export interface RelayOptions {
  listen: string;
  to: string;
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
}

const activeLabs = new Set<Lab>();
let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (sig: NodeJS.Signals): void => {
    for (const lab of activeLabs) lab.destroySync();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', () => {
    for (const lab of activeLabs) lab.destroySync();
  });
}

/** Names of all lab namespaces on this machine. */
export function listLabNamespaces(): string[] {
  const r = runSync(['ip', 'netns', 'list']);
  return r.out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(NS_PREFIX));
}

/** Parse nslab-<pid>-<rand>-<host>. */
export function parseNsName(ns: string): { pid: number; id: string; host: string } | null {
  const m = /^nslab-(\d+)-([0-9a-z]+)-([a-z0-9]+)$/.exec(ns);
  if (!m) return null;
  return { pid: Number(m[1]), id: `nslab-${m[1]}-${m[2]}`, host: m[3] ?? '' };
}

function killNamespaceProcesses(ns: string): void {
  const r = runSync(['ip', 'netns', 'pids', ns], 5000);
  for (const p of r.out.split(/\s+/)) {
    const pid = Number(p);
    if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

/**
 * Remove namespaces (killing what runs inside them). Synchronous and bounded. With
 * removeWorkDirs, also delete the labs' log directories (/tmp/<lab id>).
 */
export function removeNamespaces(names: readonly string[], removeWorkDirs = false): void {
  for (const ns of names) killNamespaceProcesses(ns);
  for (const ns of names) runSync(['ip', 'netns', 'del', ns], 5000);
  if (removeWorkDirs) {
    for (const id of new Set(
      names.map((n) => parseNsName(n)?.id).filter((x): x is string => x !== undefined),
    )) {
      rmSync(join(tmpdir(), id), { recursive: true, force: true });
    }
  }
}

/**
 * Remove labs whose creating process is gone (a killed test run). With all=true, remove every
 * lab namespace on the machine, including manual labs (pid 0) and labs of running processes.
 */
export function cleanupStaleLabs(all = false): string[] {
  const stale = listLabNamespaces().filter((ns) => {
    if (all) return true;
    const p = parseNsName(ns);
    if (!p) return false;
    return p.pid !== 0 && procState(p.pid) === null;
  });
  removeNamespaces(stale, true);
  if (all && existsSync(STATE_DIR)) rmSync(STATE_DIR, { recursive: true, force: true });
  return stale;
}

export interface LabState {
  id: string;
  variant: VariantName;
  options: LabOptions;
  ns: Partial<Record<HostName, string>>;
  addr: LabAddresses;
  workDir: string;
}

export class Lab {
  readonly id: string;
  readonly variant: VariantName;
  readonly options: LabOptions;
  readonly expected: ExpectedBehaviour;
  readonly addr: LabAddresses;
  readonly ports = PORTS;
  readonly ns: Partial<Record<HostName, string>>;
  readonly hosts: HostName[];
  readonly workDir: string;
  readonly peers: Peer[] = [];
  /** Milliseconds the last start() took. */
  startupMs = 0;
  private destroyed = false;
  private algOn: boolean;

  constructor(variant: VariantName, options: LabOptions = {}) {
    if (!isVariantName(variant)) throw new Error(`unknown lab variant: ${String(variant)}`);
    this.variant = variant;
    this.options = options;
    this.expected = expectedBehaviour(variant, { hairpin: options.hairpin === true });
    this.addr = addressesFor(variant);
    this.id = `${NS_PREFIX}${options.manual === true ? 0 : process.pid}-${randomBytes(3).toString('hex')}`;
    this.hosts = ['inet', 'client', 'router', 'server', 'server2'];
    if (variant === 'double-nat') this.hosts.push('cgn');
    const ns: Partial<Record<HostName, string>> = {};
    for (const h of this.hosts) ns[h] = `${this.id}-${h}`;
    this.ns = ns;
    this.workDir = join(tmpdir(), this.id);
    this.algOn = options.alg === true;
  }

  /** Namespace name of a host (throws if the variant has no such host). */
  nsOf(host: HostName): string {
    const n = this.ns[host];
    if (n === undefined) throw new Error(`host ${host} does not exist in variant ${this.variant}`);
    return n;
  }

  /** Lab address of a host (its address on the segment it lives on). */
  ipOf(host: HostName): string {
    switch (host) {
      case 'client':
        return this.addr.client;
      case 'router':
        return this.addr.routerLan;
      case 'cgn':
        return this.addr.cgnWan ?? ADDR.cgnWan;
      case 'server':
        return this.addr.serverPrimary;
      case 'server2':
        return this.addr.server2;
      case 'inet':
        return '';
    }
  }

  // ---------------------------------------------------------------- bring-up

  async start(): Promise<void> {
    const t0 = Date.now();
    installSignalHandlers();
    activeLabs.add(this);
    cleanupStaleLabs(false);
    mkdirSync(this.workDir, { recursive: true });
    try {
      await this.createTopology();
      await this.startDefaultPeers();
    } catch (err) {
      const logs = this.logs();
      await this.destroy();
      throw new Error(`lab ${this.variant} failed to start: ${errText(err)}${logs ? `\n${logs}` : ''}`, {
        cause: err,
      });
    }
    this.startupMs = Date.now() - t0;
    if (this.options.manual === true) {
      // a manual lab outlives the CLI process: no teardown on its exit
      activeLabs.delete(this);
      this.saveState();
    }
  }

  private async ipBatch(host: HostName, lines: string[]): Promise<void> {
    await runOk(['ip', '-n', this.nsOf(host), '-batch', '-'], {
      input: lines.join('\n') + '\n',
      timeoutMs: SETUP_TIMEOUT_MS,
    });
  }

  private async createTopology(): Promise<void> {
    const v = this.variant;
    const a = this.addr;
    for (const h of this.hosts)
      await runOk(['ip', 'netns', 'add', this.nsOf(h)], { timeoutMs: SETUP_TIMEOUT_MS });
    const ns = (h: HostName): string => this.nsOf(h);
    const dbl = v === 'double-nat';
    // The internet segment is a bridge in the "inet" namespace; veth peers go straight into
    // their namespaces, so no interface ever appears in the root namespace.
    const inet: string[] = ['link add br0 type bridge', 'link set br0 up', 'link set lo up'];
    const port = (name: string, peerNs: string, peerIf: string): void => {
      inet.push(`link add ${name} type veth peer name ${peerIf} netns ${peerNs}`);
      inet.push(`link set ${name} master br0`, `link set ${name} up`);
    };
    port('p-server', ns('server'), IFACES.server);
    port('p-server2', ns('server2'), IFACES.server2);
    if (dbl) port('p-cgn', ns('cgn'), IFACES.cgnWan);
    else port('p-router', ns('router'), IFACES.routerWan);
    await this.ipBatch('inet', inet);
    // LAN veth client <-> router, and router <-> CGN
    await runOk(
      [
        'ip',
        '-n',
        ns('client'),
        'link',
        'add',
        IFACES.clientLan,
        'type',
        'veth',
        'peer',
        'name',
        IFACES.routerLan,
        'netns',
        ns('router'),
      ],
      { timeoutMs: SETUP_TIMEOUT_MS },
    );
    if (dbl) {
      await runOk(
        [
          'ip',
          '-n',
          ns('router'),
          'link',
          'add',
          IFACES.routerWan,
          'type',
          'veth',
          'peer',
          'name',
          IFACES.cgnInside,
          'netns',
          ns('cgn'),
        ],
        { timeoutMs: SETUP_TIMEOUT_MS },
      );
    }
    const net1 = ADDR.net1;
    const net2 = ADDR.net2;
    const lanPrefix = LAN_PREFIX;
    const jobs: Promise<void>[] = [];
    // sysctls per namespace (IPv6 off to keep captures clean; routers forward)
    const sysctl = (h: HostName, extra: string[]): Promise<void> =>
      runOk(
        [
          'ip',
          'netns',
          'exec',
          ns(h),
          'sysctl',
          '-qw',
          'net.ipv6.conf.all.disable_ipv6=1',
          'net.ipv6.conf.default.disable_ipv6=1',
          ...extra,
        ],
        { timeoutMs: SETUP_TIMEOUT_MS },
      ).then(() => undefined);
    const routerSys = [
      'net.ipv4.ip_forward=1',
      'net.ipv4.conf.all.send_redirects=0',
      'net.ipv4.conf.default.send_redirects=0',
      'net.ipv4.conf.all.rp_filter=0',
      'net.ipv4.conf.default.rp_filter=0',
    ];
    jobs.push(sysctl('inet', []));
    jobs.push(sysctl('client', []));
    jobs.push(sysctl('server', []));
    jobs.push(sysctl('server2', []));
    jobs.push(sysctl('router', routerSys));
    if (dbl) jobs.push(sysctl('cgn', routerSys));
    await Promise.all(jobs);

    const lanIp = a.client;
    const routerLan = a.routerLan;
    const batches: Promise<void>[] = [];
    batches.push(
      this.ipBatch('client', [
        'link set lo up',
        `addr add ${lanIp}/${lanPrefix} dev ${IFACES.clientLan}`,
        `link set ${IFACES.clientLan} up`,
        `route add default via ${routerLan}`,
      ]),
    );
    const router = [
      'link set lo up',
      `addr add ${routerLan}/${lanPrefix} dev ${IFACES.routerLan}`,
      `link set ${IFACES.routerLan} up`,
    ];
    if (dbl) {
      router.push(
        `addr add ${ADDR.routerWanCgn}/${ADDR.cgnNetPrefix} dev ${IFACES.routerWan}`,
        `link set ${IFACES.routerWan} up`,
        `route add default via ${ADDR.cgnInside}`,
      );
    } else {
      router.push(
        `addr add ${ADDR.routerWan}/24 dev ${IFACES.routerWan}`,
        `link set ${IFACES.routerWan} up`,
        `route add ${net2} dev ${IFACES.routerWan} scope link`,
        // anything else on the "internet" is on-link: unknown destinations simply go unanswered
        `route add default dev ${IFACES.routerWan} scope link`,
      );
    }
    batches.push(this.ipBatch('router', router));
    if (dbl) {
      batches.push(
        this.ipBatch('cgn', [
          'link set lo up',
          `addr add ${ADDR.cgnInside}/${ADDR.cgnNetPrefix} dev ${IFACES.cgnInside}`,
          `link set ${IFACES.cgnInside} up`,
          `addr add ${ADDR.cgnWan}/24 dev ${IFACES.cgnWan}`,
          `link set ${IFACES.cgnWan} up`,
          `route add ${net2} dev ${IFACES.cgnWan} scope link`,
          `route add default dev ${IFACES.cgnWan} scope link`,
        ]),
      );
    }
    const publicGw = dbl ? ADDR.cgnWan : ADDR.routerWan;
    batches.push(
      this.ipBatch('server', [
        'link set lo up',
        `addr add ${ADDR.serverPrimary}/24 dev ${IFACES.server}`,
        `addr add ${ADDR.serverSecondary}/24 dev ${IFACES.server}`,
        `link set ${IFACES.server} up`,
        `route add ${ADDR.publicLanNet} via ${publicGw}`,
      ]),
    );
    batches.push(
      this.ipBatch('server2', [
        'link set lo up',
        `addr add ${ADDR.server2}/24 dev ${IFACES.server2}`,
        `link set ${IFACES.server2} up`,
        `route add ${net2} dev ${IFACES.server2} scope link`,
        `route add ${ADDR.publicLanNet} via ${publicGw}`,
      ]),
    );
    void net1;
    await Promise.all(batches);

    // nftables
    const upnp = this.options.upnp !== undefined && this.options.upnp !== false;
    const rules = homeRouterRules({
      variant: v,
      lanIf: IFACES.routerLan,
      wanIf: IFACES.routerWan,
      lanNet: v === 'no-nat' ? ADDR.publicLanNet : ADDR.lanNet,
      wanIp: a.routerWan,
      hairpin: this.options.hairpin === true,
      alg: this.algOn,
      lossPercent: this.options.lossPercent ?? 0,
      upnp,
    });
    writeFileSync(join(this.workDir, 'router.nft'), rules);
    const nftJobs = [this.nft('router', rules)];
    if (dbl)
      nftJobs.push(
        this.nft(
          'cgn',
          cgnRules({
            lanIf: IFACES.cgnInside,
            wanIf: IFACES.cgnWan,
            wanIp: ADDR.cgnWan,
            hairpin: this.options.hairpin === true,
          }),
        ),
      );
    await Promise.all(nftJobs);
  }

  /** Load an nftables script into a namespace. */
  async nft(host: HostName, script: string): Promise<void> {
    await runOk(['ip', 'netns', 'exec', this.nsOf(host), 'nft', '-f', '-'], {
      input: script,
      timeoutMs: SETUP_TIMEOUT_MS,
    });
  }

  private async startDefaultPeers(): Promise<void> {
    const jobs: Promise<unknown>[] = [];
    if (this.options.coturn !== false) jobs.push(this.startCoturn());
    if (this.options.stund !== false) jobs.push(this.startStund());
    await Promise.all(jobs);
    if (this.options.upnp !== undefined && this.options.upnp !== false) {
      await this.startMiniupnpd(typeof this.options.upnp === 'object' ? this.options.upnp : {});
    }
  }

  // ---------------------------------------------------------------- peers

  /** Start a long-running process inside a host's namespace, output to a log file. */
  spawn(host: HostName, name: string, argv: readonly string[], opts: { cwd?: string } = {}): Peer {
    const safe = name.replace(/[^a-zA-Z0-9_.-]/g, '_');
    const logPath = join(this.workDir, `${host}-${safe}-${this.peers.length}.log`);
    const detached = this.options.manual === true;
    const peer = new Peer(
      name,
      host,
      ['ip', 'netns', 'exec', this.nsOf(host), ...argv],
      logPath,
      opts.cwd,
      detached,
    );
    this.peers.push(peer);
    return peer;
  }

  /** Wait until a peer has its sockets bound; fails with the peer's log if it dies or times out. */
  async waitReady(
    peer: Peer,
    sockets: { proto: 'udp' | 'tcp'; port: number; ip?: string }[],
    timeoutMs = 10_000,
  ): Promise<void> {
    try {
      await waitFor(
        `${peer.name} sockets ${sockets.map((s) => `${s.proto}/${s.ip ?? '*'}:${s.port}`).join(', ')}`,
        () => {
          peer.assertAlive();
          return sockets.every((s) => hasSocket(peer.pid, s.proto, s.port, s.ip));
        },
        timeoutMs,
      );
    } catch (err) {
      throw new Error(`${errText(err)}\n--- ${peer.name} log ---\n${tail(peer.log())}`, { cause: err });
    }
  }

  /** coturn STUN server (RFC 5780 with two addresses, also answers RFC 3489). */
  async startCoturn(): Promise<Peer> {
    const p = this.spawn('server', 'coturn', [
      'turnserver',
      '-n',
      '--stun-only',
      '--no-cli',
      '--no-tls',
      '--no-dtls',
      '--no-tcp',
      '-L',
      ADDR.serverPrimary,
      '-L',
      ADDR.serverSecondary,
      '--listening-port',
      String(PORTS.coturn),
      '--alt-listening-port',
      String(PORTS.coturnAlt),
      '--log-file',
      'stdout',
      '--simple-log',
      '--no-software-attribute',
      '--pidfile',
      join(this.workDir, 'turnserver.pid'),
      '--db',
      join(this.workDir, 'turndb'),
    ]);
    await this.waitReady(
      p,
      [
        { proto: 'udp', port: PORTS.coturn, ip: ADDR.serverPrimary },
        { proto: 'udp', port: PORTS.coturn, ip: ADDR.serverSecondary },
        { proto: 'udp', port: PORTS.coturnAlt, ip: ADDR.serverPrimary },
        { proto: 'udp', port: PORTS.coturnAlt, ip: ADDR.serverSecondary },
      ],
      20_000,
    );
    return p;
  }

  /** Vovida stund (classic RFC 3489 server) on ports 3480/3481. */
  async startStund(): Promise<Peer> {
    const p = this.spawn('server', 'stund', [
      'stund',
      '-h',
      ADDR.serverPrimary,
      '-a',
      ADDR.serverSecondary,
      '-p',
      String(PORTS.stund),
      '-o',
      String(PORTS.stundAlt),
    ]);
    await this.waitReady(p, [
      { proto: 'udp', port: PORTS.stund, ip: ADDR.serverPrimary },
      { proto: 'udp', port: PORTS.stundAlt, ip: ADDR.serverSecondary },
    ]);
    return p;
  }

  /** miniupnpd (UPnP IGD + NAT-PMP + PCP) on the home router. */
  async startMiniupnpd(o: UpnpOptions = {}): Promise<Peer> {
    const lanNet = this.variant === 'no-nat' ? ADDR.publicLanNet : ADDR.lanNet;
    const conf = [
      `ext_ifname=${IFACES.routerWan}`,
      `listening_ip=${IFACES.routerLan}`,
      `http_port=${PORTS.upnpHttp}`,
      `enable_natpmp=yes`,
      `enable_upnp=${o.natpmpOnly === true ? 'no' : 'yes'}`,
      `secure_mode=${o.secureMode === true ? 'yes' : 'no'}`,
      `system_uptime=${o.daemonUptime === true ? 'no' : 'yes'}`,
      `force_igd_desc_v1=${o.igdV1 === true ? 'yes' : 'no'}`,
      `notify_interval=30`,
      `clean_ruleset_interval=600`,
      `uuid=3d3cec3a-8cf0-11e0-98ee-001a6b${randomBytes(3).toString('hex')}`,
      `friendly_name=NatScope lab router`,
      `upnp_table_name=${NFT_TABLE}`,
      `upnp_nat_table_name=${NFT_TABLE}`,
      `upnp_forward_chain=${UPNP_CHAINS.forward}`,
      `upnp_nat_chain=${UPNP_CHAINS.prerouting}`,
      `upnp_nat_postrouting_chain=${UPNP_CHAINS.postrouting}`,
      // 203.0.113.0/24 is a reserved range for miniupnpd; it then insists on STUN to believe
      // the WAN address is public. coturn in the lab answers.
      `ext_perform_stun=yes`,
      `ext_stun_host=${ADDR.serverPrimary}`,
      `ext_stun_port=${PORTS.coturn}`,
      `lease_file=${join(this.workDir, 'upnp.leases')}`,
      `allow 1024-65535 ${lanNet} 1024-65535`,
      `deny 0-65535 0.0.0.0/0 0-65535`,
    ].join('\n');
    const confPath = join(this.workDir, 'miniupnpd.conf');
    writeFileSync(confPath, conf + '\n');
    const p = this.spawn('router', 'miniupnpd', [
      'miniupnpd',
      '-d',
      '-f',
      confPath,
      '-P',
      join(this.workDir, 'miniupnpd.pid'),
    ]);
    const sockets: { proto: 'udp' | 'tcp'; port: number }[] = [{ proto: 'udp', port: PORTS.natpmp }];
    if (o.natpmpOnly !== true) sockets.push({ proto: 'tcp', port: PORTS.upnpHttp });
    // Behind the CGN its start-up STUN test retries unanswered probes (3 s each) before it
    // concludes the NAT is restrictive, so allow longer there.
    await this.waitReady(p, sockets, this.variant === 'double-nat' ? 25_000 : 8000);
    return p;
  }

  /** Start SIPp in a namespace (background). Returns once its SIP socket is bound. */
  async startSipp(host: HostName, o: SippOptions): Promise<Peer> {
    const argv = this.sippArgv(host, o);
    const p = this.spawn(host, o.name ?? `sipp-${o.port}`, argv, { cwd: this.sippCwd() });
    await this.waitReady(p, [{ proto: 'udp', port: o.port }]);
    return p;
  }

  /** SIPp as echo UAS on the server's SIP port: answers INVITEs and echoes RTP (media port 6000). */
  startSippEcho(): Promise<Peer> {
    return this.startSipp('server', {
      scenario: 'uas-echo.xml',
      port: PORTS.sip,
      name: 'sipp-uas',
      args: ['-rtp_echo', '-mi', this.addr.serverPrimary, '-mp', '6000'],
    });
  }

  /**
   * SIPp as digest-auth registrar on the server's registrar port, for one user and password.
   * `refreshes`: answer REGISTER refreshes (same Call-ID) too — SIPp otherwise ignores a Call-ID for
   * 33 s after its scenario ended (-deadcall_wait).
   */
  startSippRegistrar(user: string, password: string, o: { refreshes?: boolean } = {}): Promise<Peer> {
    return this.startSipp('server', {
      scenario: 'registrar.xml',
      port: PORTS.registrar,
      name: 'sipp-registrar',
      args: [
        '-set',
        'user',
        user,
        '-set',
        'pass',
        password,
        ...(o.refreshes ? ['-deadcall_wait', '50'] : []),
      ],
    });
  }

  /** Run SIPp to completion (UAC). Bounded by timeoutMs; returns its exit code and logs. */
  async runSipp(
    host: HostName,
    o: SippOptions & { timeoutMs?: number },
  ): Promise<{ code: number | null; log: string; peer: Peer }> {
    const p = this.spawn(host, o.name ?? `sipp-uac-${o.port}`, this.sippArgv(host, o), {
      cwd: this.sippCwd(),
    });
    let code: number | null;
    try {
      code = await p.waitExit(o.timeoutMs ?? 30_000);
    } catch (err) {
      await p.stop(100, 'SIGKILL');
      throw err;
    }
    return { code, log: p.log(), peer: p };
  }

  private sippCwd(): string {
    const dir = join(this.workDir, 'sipp');
    if (!existsSync(join(dir, 'pcap', 'g711a.pcap'))) {
      mkdirSync(join(dir, 'pcap'), { recursive: true });
      copyFileSync('/usr/share/sip-tester/g711a.pcap', join(dir, 'pcap', 'g711a.pcap'));
    }
    return dir;
  }

  private sippArgv(host: HostName, o: SippOptions): string[] {
    const scen = o.scenario;
    const scenArgs = /\.xml$/.test(scen)
      ? ['-sf', scen.startsWith('/') ? scen : join(SIPP_DIR, scen)]
      : ['-sn', scen];
    const tag = `${host}-${o.name ?? 'sipp'}-${o.port}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
    const argv = [
      'sipp',
      ...scenArgs,
      '-i',
      o.localIp ?? this.ipOf(host),
      '-p',
      String(o.port),
      '-nostdin',
      '-trace_err',
      '-error_file',
      join(this.workDir, `${tag}.errors.log`),
      '-trace_msg',
      '-message_file',
      join(this.workDir, `${tag}.messages.log`),
      // SIPp binds its media port (default 6000) even for signalling-only scenarios: give every
      // instance its own unless the caller chose one, or two SIPps in a namespace race for 6000.
      ...(o.args?.includes('-mp') ? [] : ['-mp', String(o.port + 10_000)]),
      ...(o.args ?? []),
    ];
    if (o.remote !== undefined) argv.push(o.remote);
    return argv;
  }

  /** SIPp message/error trace files written so far (for assertions and failure logs). */
  sippTraces(): string {
    return readdirSync(this.workDir)
      .filter((f) => /\.(messages|errors)\.log$/.test(f))
      .map((f) => `--- ${f} ---\n${readFileSync(join(this.workDir, f), 'utf8')}`)
      .join('\n');
  }

  /** Userspace UDP relay with delay/jitter/loss (the kernel has no netem). */
  async startRelay(host: HostName, o: RelayOptions): Promise<Peer> {
    const p = this.spawn(host, `relay-${o.listen}`, [
      process.execPath,
      UDP_TOOL,
      'relay',
      '--listen',
      o.listen,
      '--to',
      o.to,
      '--delay',
      String(o.delayMs ?? 0),
      '--jitter',
      String(o.jitterMs ?? 0),
      '--loss',
      String(o.lossPercent ?? 0),
    ]);
    const port = Number(o.listen.split(':').pop());
    await this.waitReady(p, [{ proto: 'udp', port }], 5000);
    return p;
  }

  /** Start the UDP tool in the background (listen/echo); returns once its socket is bound. */
  async startUdpTool(host: HostName, name: string, args: string[], port: number): Promise<Peer> {
    const p = this.spawn(host, name, [process.execPath, UDP_TOOL, ...args]);
    await this.waitReady(p, [{ proto: 'udp', port }], 5000);
    return p;
  }

  /** Run the UDP tool to completion; stdout JSON lines are parsed into `lines`. */
  async udpTool(
    host: HostName,
    args: string[],
    opts: ExecOptions = {},
  ): Promise<ExecResult & { lines: Record<string, unknown>[] }> {
    const r = await this.exec(host, [process.execPath, UDP_TOOL, ...args], opts);
    return { ...r, lines: parseJsonLines(r.stdout) };
  }

  /**
   * Does a UDP datagram sent from `from` (bound to srcPort; use a fresh one per probe, conntrack
   * remembers flows for 30 s) to `to` ("ip:port") arrive at a listener on `listenHost`:`listenPort`?
   * Returns the source address the listener saw.
   */
  async probeUdp(o: {
    from: HostName;
    srcPort: number;
    to: string;
    listenHost: HostName;
    listenPort: number;
    timeoutMs?: number;
    data?: string;
  }): Promise<{ received: boolean; from: string | null; data: string | null }> {
    // settle time after the datagram has been sent (not after the listener started): robust
    // on a loaded machine where starting node can take seconds
    const settleMs = o.timeoutMs ?? 1000;
    const listener = await this.startUdpTool(
      o.listenHost,
      `listen-${o.listenPort}`,
      ['listen', '--bind', `0.0.0.0:${o.listenPort}`, '--count', '1', '--timeout', '60000'],
      o.listenPort,
    );
    try {
      const data = o.data ?? `probe-${o.srcPort}`;
      const sent = await this.udpTool(
        o.from,
        ['send', '--bind', `0.0.0.0:${o.srcPort}`, '--to', o.to, '--data', data],
        {
          timeoutMs: 30_000,
        },
      );
      if (sent.code !== 0) {
        throw new Error(
          `udp send from ${o.from} failed (${sent.timedOut ? 'timeout' : `exit ${sent.code}`}): ${sent.stderr}`,
        );
      }
      await Promise.race([listener.exitPromise, sleep(settleMs)]);
    } finally {
      await listener.stop(500);
    }
    const got = parseJsonLines(listener.log()).find((l) => typeof l.from === 'string');
    return {
      received: got !== undefined,
      from: typeof got?.from === 'string' ? got.from : null,
      data: typeof got?.data === 'string' ? got.data : null,
    };
  }

  // ---------------------------------------------------------------- commands

  /** Run a command in a host's namespace. A string runs via sh -c. Bounded (default 30 s). */
  async exec(host: HostName, cmd: string | readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const argv = typeof cmd === 'string' ? ['sh', '-c', cmd] : cmd;
    return run(['ip', 'netns', 'exec', this.nsOf(host), ...argv], opts);
  }

  /**
   * Run the built NatScope CLI (dist/cli/natscope.mjs, Node = process.execPath) in a namespace
   * with --json, and parse its stdout.
   */
  async natscope<T = unknown>(
    host: HostName,
    args: readonly string[],
    opts: ExecOptions = {},
  ): Promise<ExecResult & { json: T | undefined }> {
    if (!existsSync(NATSCOPE_CLI)) throw new Error(`${NATSCOPE_CLI} not built: run npm run build:node`);
    const a = args.includes('--json') ? [...args] : [...args, '--json'];
    const r = await this.exec(host, [process.execPath, NATSCOPE_CLI, ...a], {
      timeoutMs: 60_000,
      ...opts,
      cwd: opts.cwd ?? REPO_ROOT,
    });
    let json: T | undefined;
    try {
      json = JSON.parse(r.stdout) as T;
    } catch {
      json = undefined;
    }
    return { ...r, json };
  }

  // ---------------------------------------------------------------- knobs

  /** Switch the kernel SIP ALG (nf_conntrack_sip/nf_nat_sip) on the home router. New flows only. */
  async setAlg(on: boolean): Promise<void> {
    const op = on ? 'add' : 'delete';
    if (on === this.algOn) return;
    await runOk(
      [
        'ip',
        'netns',
        'exec',
        this.nsOf('router'),
        'nft',
        op,
        'element',
        'inet',
        NFT_TABLE,
        'algports',
        '{ 5060 }',
      ],
      {
        timeoutMs: 5000,
      },
    );
    this.algOn = on;
  }

  get alg(): boolean {
    return this.algOn;
  }

  /** nf_conntrack_udp_timeout (and _stream) inside a router's namespace (they are per-netns). */
  async setUdpTimeout(
    seconds: number,
    opts: { streamSeconds?: number; host?: HostName } = {},
  ): Promise<void> {
    const host = opts.host ?? 'router';
    const args = [`net.netfilter.nf_conntrack_udp_timeout=${Math.round(seconds)}`];
    if (opts.streamSeconds !== undefined)
      args.push(`net.netfilter.nf_conntrack_udp_timeout_stream=${Math.round(opts.streamSeconds)}`);
    await runOk(['ip', 'netns', 'exec', this.nsOf(host), 'sysctl', '-qw', ...args], { timeoutMs: 5000 });
  }

  /** Change WAN UDP loss on the home router at run time (0 = off). */
  async setLoss(percent: number): Promise<void> {
    const body = percent > 0 ? `${lossRule(IFACES.routerWan, percent)}\n` : '';
    await this.nft(
      'router',
      `flush chain inet ${NFT_TABLE} wanloss\ntable inet ${NFT_TABLE} {\n  chain wanloss {\n${body}  }\n}\n`,
    );
  }

  /** Start a packet capture in a namespace (tcpdump, all interfaces). */
  async capture(host: HostName, filter: string, opts: { iface?: string } = {}): Promise<Capture> {
    const pcapPath = join(this.workDir, `cap-${host}-${this.peers.length}.pcap`);
    const p = this.spawn(host, `tcpdump`, [
      'tcpdump',
      '-i',
      opts.iface ?? 'any',
      '-n',
      '-U',
      '--immediate-mode',
      '-s',
      '0',
      '-w',
      pcapPath,
      filter,
    ]);
    try {
      await waitFor(
        'tcpdump to start listening',
        () => {
          p.assertAlive();
          return p.log().includes('listening on');
        },
        5000,
      );
    } catch (err) {
      throw new Error(`${errText(err)}\n${tail(p.log())}`, { cause: err });
    }
    return {
      host,
      filter,
      stop: async (): Promise<CaptureResult> => {
        await sleep(150); // let in-flight packets land
        await p.stop(2000, 'SIGINT');
        const r = await run(['tcpdump', '-r', pcapPath, '-n', '-tt', '-A', '-s', '0'], { timeoutMs: 10_000 });
        const packets: string[] = [];
        for (const line of r.stdout.split('\n')) {
          if (/^\d+\.\d+ /.test(line)) packets.push(line);
          else if (packets.length > 0) packets[packets.length - 1] += `\n${line}`;
        }
        return { text: r.stdout, packets, pcapPath };
      },
    };
  }

  // ---------------------------------------------------------------- logs / teardown

  /** All peer logs (tails), for attaching to a failure. */
  logs(lines = 80): string {
    return this.peers
      .map(
        (p) =>
          `--- ${p.name} on ${p.host} (pid ${p.pid}, ${p.alive() ? 'running' : `exited ${p.exitCode ?? p.exitSignal}`}) ---\n${tail(p.log(), lines)}`,
      )
      .join('\n');
  }

  /** Throw with logs if any long-running peer died. */
  assertPeersAlive(names?: string[]): void {
    for (const p of this.peers) {
      if (names !== undefined && !names.includes(p.name)) continue;
      if (p.name.startsWith('sipp-uac') || p.name === 'tcpdump') continue;
      p.assertAlive();
    }
  }

  async destroy(opts: { keepLogs?: boolean } = {}): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all(this.peers.map((p) => p.stop(300, 'SIGKILL')));
    removeNamespaces(this.hosts.map((h) => this.nsOf(h)));
    activeLabs.delete(this);
    this.removeState();
    if (opts.keepLogs !== true && process.env.NSLAB_KEEP !== '1')
      rmSync(this.workDir, { recursive: true, force: true });
  }

  /** Synchronous teardown for signal/exit handlers. */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const p of this.peers) {
      if (!p.exited && isAlive(p.pid)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    removeNamespaces(this.hosts.map((h) => this.nsOf(h)));
    activeLabs.delete(this);
    this.removeState();
  }

  private saveState(): void {
    mkdirSync(STATE_DIR, { recursive: true });
    const s: LabState = {
      id: this.id,
      variant: this.variant,
      options: this.options,
      ns: this.ns,
      addr: this.addr,
      workDir: this.workDir,
    };
    writeFileSync(join(STATE_DIR, `${this.id}.json`), JSON.stringify(s, null, 2));
  }

  private removeState(): void {
    rmSync(join(STATE_DIR, `${this.id}.json`), { force: true });
  }

  /** Human-readable description: namespaces and addresses. */
  describe(): string {
    return describeLab({
      id: this.id,
      variant: this.variant,
      options: this.options,
      ns: this.ns,
      addr: this.addr,
      workDir: this.workDir,
    });
  }
}

export function describeLab(s: LabState): string {
  const a = s.addr;
  const e = expectedBehaviour(s.variant, { hairpin: s.options.hairpin === true });
  const lines = [
    `lab ${s.id}  variant=${s.variant}  hairpin=${s.options.hairpin === true ? 'on' : 'off'}  alg=${s.options.alg === true ? 'on' : 'off'}  loss=${s.options.lossPercent ?? 0}%  upnp=${JSON.stringify(s.options.upnp ?? false)}`,
    `expected: mapping=${e.mapping} filtering=${e.filtering} hairpinning=${e.hairpinning} classic=${e.classic}`,
    `namespaces (ip netns exec <ns> <cmd>):`,
  ];
  for (const [h, ns] of Object.entries(s.ns)) lines.push(`  ${h.padEnd(8)} ${ns}`);
  lines.push(
    `addresses:`,
    `  client        ${a.client} (gw ${a.routerLan})`,
    `  router        LAN ${a.routerLan}  WAN ${a.routerWan}`,
    ...(a.cgnInside !== null ? [`  cgn           inside ${a.cgnInside}  WAN ${a.cgnWan ?? ''}`] : []),
    `  client seen as ${a.clientPublic}`,
    `  server        ${a.serverPrimary} + ${a.serverSecondary}  (coturn ${PORTS.coturn}/${PORTS.coturnAlt}, stund ${PORTS.stund}/${PORTS.stundAlt})`,
    `  server2       ${a.server2}`,
    `logs: ${s.workDir}`,
  );
  return lines.join('\n');
}

export function loadManualLabs(): LabState[] {
  if (!existsSync(STATE_DIR)) return [];
  const live = new Set(listLabNamespaces());
  const out: LabState[] = [];
  for (const f of readdirSync(STATE_DIR)) {
    if (!f.endsWith('.json')) continue;
    try {
      const s = JSON.parse(readFileSync(join(STATE_DIR, f), 'utf8')) as LabState;
      if (Object.values(s.ns).some((n) => n !== undefined && live.has(n))) out.push(s);
      else rmSync(join(STATE_DIR, f), { force: true });
    } catch {
      /* ignore corrupt state */
    }
  }
  return out;
}

/** Bring up a lab. Call lab.destroy() when done (withLab does it for you). */
export async function startLab(variant: VariantName, options: LabOptions = {}): Promise<Lab> {
  const lab = new Lab(variant, options);
  await lab.start();
  return lab;
}

/**
 * Run `fn` with a fresh lab of the given variant; the lab is always torn down (also on failure
 * and on SIGINT/SIGTERM). On failure the peers' logs are appended to the error.
 */
export async function withLab<T>(
  variant: VariantName,
  optionsOrFn: LabOptions | ((lab: Lab) => Promise<T>),
  maybeFn?: (lab: Lab) => Promise<T>,
): Promise<T> {
  const options = typeof optionsOrFn === 'function' ? {} : optionsOrFn;
  const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
  if (fn === undefined) throw new Error('withLab: missing callback');
  const lab = await startLab(variant, options);
  try {
    return await fn(lab);
  } catch (err) {
    throw attachLogs(err, lab);
  } finally {
    await lab.destroy();
  }
}

/** Append the lab's peer logs to an error (for test failures). */
export function attachLogs(err: unknown, lab: Lab): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  if (!e.message.includes('--- peer logs')) {
    e.message += `\n--- peer logs (${lab.id}, ${lab.variant}) ---\n${lab.logs()}`;
  }
  return e;
}

export function parseJsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of text.split('\n')) {
    const t = l.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t) as Record<string, unknown>);
    } catch {
      /* not JSON */
    }
  }
  return out;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
