/**
 * SSDP discovery of Internet Gateway Devices (UPnP Device Architecture 1.1 §1.3.2 M-SEARCH, §1.3.3
 * responses). Answers come from any device on the LAN, so: datagrams over 8 KiB are dropped, at
 * most MAX_ANSWERS are kept, the raw text is kept (truncated) for the report, and a LOCATION is
 * only followed when its host is the responder's own address (else the answer is reported as
 * rejected) — a hostile device must not make NatScope fetch from a third host.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../clock/clock.ts';
import type { Network, UdpSocket } from '../net/network.ts';

export const SSDP_ENDPOINT: Endpoint = { address: '239.255.255.250', port: 1900 };

/** Search targets: IGD v1/v2 devices, the WAN connection services directly, and root devices. */
export const IGD_SEARCH_TARGETS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
  'upnp:rootdevice',
] as const;

const MAX_DATAGRAM = 8192;
const MAX_ANSWERS = 64;
const MAX_RAW = 2048;

export function buildMSearch(st: string, mx = 1): string {
  return [
    'M-SEARCH * HTTP/1.1',
    'HOST: 239.255.255.250:1900',
    'MAN: "ssdp:discover"',
    `MX: ${mx}`,
    `ST: ${st}`,
    '',
    '',
  ].join('\r\n');
}

export interface SsdpResponse {
  status: number;
  headers: Map<string, string>;
}

/** Parses an SSDP (HTTPU) response; throws with a reason on anything malformed. */
export function parseSsdpResponse(data: Uint8Array): SsdpResponse {
  if (data.length > MAX_DATAGRAM) throw new Error(`answer too large (${data.length} bytes)`);
  const textData = new TextDecoder('utf-8', { fatal: false }).decode(data);
  const end = textData.indexOf('\r\n\r\n');
  const head = end >= 0 ? textData.slice(0, end) : textData;
  const lines = head.split(/\r?\n/);
  const status = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!status) throw new Error('not an HTTP response status line');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line "${line.slice(0, 60)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9._-]+$/.test(name)) throw new Error(`malformed header name "${name.slice(0, 40)}"`);
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { status: Number(status[1]), headers };
}

/**
 * Checks that a LOCATION is http:// on the responder's own address; returns the URL or a reason.
 */
export function checkLocation(location: string | undefined, responder: string): URL | string {
  if (!location) return 'no LOCATION header';
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return `LOCATION is not a URL: "${location.slice(0, 100)}"`;
  }
  if (url.protocol !== 'http:') return `LOCATION scheme ${url.protocol} is not http:`;
  if (url.username || url.password) return 'LOCATION carries credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host !== responder) return `LOCATION points to ${host}, not to the answering device ${responder}`;
  return url;
}

export interface SsdpAnswerRecord {
  from: Endpoint;
  /** Local address of the socket the M-SEARCH left from. */
  via: string;
  st: string | null;
  usn: string | null;
  server: string | null;
  location: string | null;
  raw: string;
  /** Accepted location, or null with `rejected` set. */
  url: URL | null;
  rejected: string | null;
}

export interface SsdpOptions {
  network: Network;
  clock: Clock;
  /** Local IPv4 addresses (one socket per LAN interface). */
  localAddresses: string[];
  /** Also send M-SEARCH unicast here (the gateway), for LANs without a multicast route. */
  unicastTo?: string;
  /** Longest wait for answers. */
  timeoutMs?: number;
  /** Stop this long after the first usable IGD answer. */
  graceMs?: number;
  signal?: AbortSignal;
  targets?: readonly string[];
}

export async function ssdpSearch(
  opts: SsdpOptions,
): Promise<{ answers: SsdpAnswerRecord[]; errors: string[] }> {
  const { network, clock } = opts;
  const timeoutMs = opts.timeoutMs ?? 2000;
  const graceMs = opts.graceMs ?? 400;
  const targets = opts.targets ?? IGD_SEARCH_TARGETS;
  const answers: SsdpAnswerRecord[] = [];
  const errors: string[] = [];
  const sockets: UdpSocket[] = [];
  let firstUsableAt: number | null = null;
  let wake: (() => void) | null = null;
  const seen = new Set<string>();
  try {
    for (const address of opts.localAddresses) {
      try {
        sockets.push(await network.bindUdp({ address, family: 4, multicast: true }));
      } catch (err) {
        errors.push(`SSDP: cannot bind on ${address}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const socket of sockets) {
      socket.onMessage((data, from) => {
        if (answers.length >= MAX_ANSWERS) return;
        const raw = new TextDecoder('utf-8', { fatal: false }).decode(data.subarray(0, MAX_RAW));
        // Identical answers (same device, same ST) arrive once per search target and per repeat.
        const key = `${from.address}|${raw}`;
        if (seen.has(key)) return;
        seen.add(key);
        const rec: SsdpAnswerRecord = {
          from,
          via: socket.local.address,
          st: null,
          usn: null,
          server: null,
          location: null,
          raw,
          url: null,
          rejected: null,
        };
        try {
          const res = parseSsdpResponse(data);
          rec.st = res.headers.get('st') ?? null;
          rec.usn = res.headers.get('usn') ?? null;
          rec.server = res.headers.get('server') ?? null;
          rec.location = res.headers.get('location') ?? null;
          if (res.status !== 200) rec.rejected = `HTTP status ${res.status}`;
          else {
            const loc = checkLocation(rec.location ?? undefined, from.address);
            if (typeof loc === 'string') rec.rejected = loc;
            else rec.url = loc;
          }
        } catch (err) {
          rec.rejected = `malformed SSDP answer: ${err instanceof Error ? err.message : String(err)}`;
        }
        answers.push(rec);
        if (rec.url && isIgdAnswer(rec) && firstUsableAt === null) {
          firstUsableAt = clock.now();
          wake?.();
        }
      });
    }
    if (sockets.length === 0) return { answers, errors };
    const send = async () => {
      for (const socket of sockets) {
        for (const st of targets) {
          const msg = new TextEncoder().encode(buildMSearch(st));
          await socket.send(msg, SSDP_ENDPOINT).catch((err: unknown) => {
            errors.push(
              `SSDP: send from ${socket.local.address} failed: ${err instanceof Error ? err.message : String(err)}`,
            );
          });
          if (opts.unicastTo) await socket.send(msg, { address: opts.unicastTo, port: 1900 }).catch(() => {});
        }
      }
    };
    const start = clock.now();
    await send();
    let resent = false;
    // Wait until timeout, or graceMs after the first IGD answer; resend once (UDP may drop).
    while (true) {
      const now = clock.now();
      const deadline =
        firstUsableAt !== null ? Math.min(start + timeoutMs, firstUsableAt + graceMs) : start + timeoutMs;
      if (now >= deadline) break;
      const step = Math.min(deadline - now, resent ? deadline - now : 300);
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        sleep(clock, step, opts.signal).then(resolve, reject);
      });
      wake = null;
      if (!resent && firstUsableAt === null && clock.now() - start >= 300) {
        resent = true;
        await send();
      }
    }
  } finally {
    await Promise.all(sockets.map((s) => s.close()));
  }
  return { answers, errors };
}

export function isIgdAnswer(a: SsdpAnswerRecord): boolean {
  const st = a.st ?? '';
  return /:device:InternetGatewayDevice:\d+$/.test(st) || /:service:WAN(IP|PPP)Connection:\d+$/.test(st);
}

export function describeAnswer(a: SsdpAnswerRecord): string {
  return `${formatEndpoint(a.from)} ${a.st ?? '?'}`;
}
