/**
 * ALG heuristics without a reflector — weaker evidence, labelled as such:
 *  - STUN (RFC 8489 §14.1/§14.2): a MAPPED-ADDRESS that differs from XOR-MAPPED-ADDRESS means a
 *    "generic ALG" rewrote the plain address bytes in the payload (why XOR-MAPPED exists at all).
 *  - SIP (RFC 3261 §18.2.2, RFC 3581 §4): an ordinary server answers OPTIONS with our Via plus
 *    received/rport. A Via sent-by that comes back different from what we sent, or a missing
 *    received= although the server saw another address, points to rewriting on the way.
 */
import type { AlgHeuristic } from '../../../shared/contracts/alg.ts';
import { fromLatin1, latin1 } from '../../../shared/model/alg-reflect.ts';
import { firstHeader, parseSipText, parseVia } from '../../../shared/model/alg-sip.ts';
import { classifyAddress } from '../../../shared/model/address-class.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network, UdpSocket } from '../net/network.ts';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  looksLikeStun,
  MappedAddress,
  tryGetAttribute,
  XorMappedAddress,
  bytesEqual,
} from '../stun/codec.ts';
import { craftProbe, randomHex } from './crafted-messages.ts';

export interface HeuristicOptions {
  network: Network;
  clock: Clock;
  sipServer?: Endpoint;
  stunServer?: Endpoint;
  localAddress: string;
  timeoutMs: number;
}

export async function runHeuristics(
  o: HeuristicOptions,
): Promise<{ findings: AlgHeuristic[]; warnings: string[] }> {
  const findings: AlgHeuristic[] = [];
  const warnings: string[] = [];
  const sock = await o.network.bindUdp({ address: o.localAddress, port: 0 });
  try {
    let mapped: Endpoint | null = null;
    if (o.stunServer) {
      const r = await stunCheck(sock, o.stunServer, o);
      if (!r) warnings.push(`no STUN answer from ${formatEndpoint(o.stunServer)}`);
      else {
        mapped = r.xor ?? r.plain;
        if (r.xor && r.plain && (r.xor.address !== r.plain.address || r.xor.port !== r.plain.port)) {
          findings.push({
            id: 'stun-mapped-mismatch',
            suggestsAlg: true,
            title: 'MAPPED-ADDRESS differs from XOR-MAPPED-ADDRESS',
            detail: `The plain address came back as ${formatEndpoint(r.plain)}, the XOR-encoded one as ${formatEndpoint(r.xor)}: something on the path rewrites addresses it finds in packet payloads (a generic ALG).`,
          });
        } else if (r.xor && r.plain) {
          findings.push({
            id: 'stun-mapped-match',
            suggestsAlg: false,
            title: 'MAPPED-ADDRESS and XOR-MAPPED-ADDRESS agree',
            detail: `Both say ${formatEndpoint(r.xor)}: no payload-rewriting ALG on the STUN path.`,
          });
        }
      }
    }
    if (o.sipServer) {
      const text = craftProbe({
        method: 'OPTIONS',
        transport: 'UDP',
        local: sock.local,
        target: o.sipServer,
        probeId: 'heuristic',
        rtpPort: 40000,
        random: () => randomHex(4),
      });
      const resp = await sipExchange(sock, o.sipServer, text, o);
      if (!resp) warnings.push(`no SIP answer from ${formatEndpoint(o.sipServer)} to OPTIONS over UDP`);
      else findings.push(...viaFindings(text, resp, mapped));
    }
  } finally {
    await sock.close();
  }
  return { findings, warnings };
}

export function viaFindings(sentText: string, responseText: string, mapped: Endpoint | null): AlgHeuristic[] {
  const out: AlgHeuristic[] = [];
  const sent = parseSipText(sentText);
  const resp = parseSipText(responseText);
  const sentVia = sent ? parseVia(firstHeader(sent, 'Via') ?? '') : null;
  const respVia = resp ? parseVia(firstHeader(resp, 'Via') ?? '') : null;
  if (!sentVia || !respVia) return out;
  if (respVia.host !== sentVia.host || respVia.port !== sentVia.port) {
    out.push({
      id: 'via-changed',
      suggestsAlg: true,
      title: 'The Via came back changed',
      detail: `Sent ${sentVia.host}:${sentVia.port}, the response carries ${respVia.host}:${respVia.port ?? ''}. Servers copy Via unchanged (RFC 3261 §8.2.6.2), so something rewrote it.`,
    });
  }
  const received = respVia.params['received'] ?? null;
  const rport = respVia.params['rport'] ?? null;
  const behindNat = mapped !== null && mapped.address !== sentVia.host;
  if (!received && behindNat && classifyAddress(sentVia.host) !== 'public') {
    out.push({
      id: 'via-no-received',
      suggestsAlg: true,
      title: 'The server did not add received=',
      detail: `You are behind NAT (STUN: ${formatEndpoint(mapped!)}) and sent Via ${sentVia.host}, yet the server saw no mismatch: the Via probably arrived already rewritten to the public address.`,
    });
  }
  if (received && mapped && received !== mapped.address) {
    out.push({
      id: 'received-vs-stun',
      suggestsAlg: false,
      title: 'SIP and STUN see different public addresses',
      detail: `received=${received}, STUN mapped ${mapped.address}: more than one public address (a NAT pool or different paths).`,
    });
  }
  if (rport && mapped && Number(rport) !== mapped.port) {
    out.push({
      id: 'rport-vs-stun',
      suggestsAlg: false,
      title: 'SIP and STUN see different public ports',
      detail: `rport=${rport}, STUN mapped port ${mapped.port} (same socket): the NAT maps per destination (symmetric) or an ALG remaps SIP.`,
    });
  }
  if (received && !out.some((f) => f.suggestsAlg)) {
    out.push({
      id: 'via-clean',
      suggestsAlg: false,
      title: 'Via came back as sent',
      detail: `received=${received}${rport ? ` rport=${rport}` : ''}: no sign of Via rewriting.`,
    });
  }
  return out;
}

async function stunCheck(
  sock: UdpSocket,
  server: Endpoint,
  o: HeuristicOptions,
): Promise<{ plain: Endpoint | null; xor: Endpoint | null } | null> {
  const req = createMessage({ cls: 'request' });
  const bytes = encodeMessage(req, { fingerprint: true });
  const r = await exchange(sock, server, bytes, o, (d) => {
    if (!looksLikeStun(d)) return false;
    try {
      return bytesEqual(decodeMessage(d).transactionId, req.transactionId);
    } catch {
      return false;
    }
  });
  if (!r) return null;
  const m = decodeMessage(r);
  return {
    plain: tryGetAttribute(m, MappedAddress) ?? null,
    xor: tryGetAttribute(m, XorMappedAddress) ?? null,
  };
}

async function sipExchange(
  sock: UdpSocket,
  server: Endpoint,
  text: string,
  o: HeuristicOptions,
): Promise<string | null> {
  const r = await exchange(sock, server, fromLatin1(text), o, (d) => {
    const m = parseSipText(latin1(d));
    return !!m && m.kind === 'response' && (m.status ?? 0) >= 200;
  });
  return r ? latin1(r) : null;
}

function exchange(
  sock: UdpSocket,
  to: Endpoint,
  data: Uint8Array,
  o: HeuristicOptions,
  accept: (d: Uint8Array) => boolean,
): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const timers: { cancel(): void }[] = [];
    const done = (v: Uint8Array | null) => {
      off();
      for (const t of timers) t.cancel();
      resolve(v);
    };
    const off = sock.onMessage((d, from) => {
      if (from.address === to.address && accept(d)) done(d);
    });
    const send = () => void sock.send(data, to).catch(() => {});
    send();
    for (const at of [500, 1500]) if (at < o.timeoutMs) timers.push(o.clock.setTimeout(send, at));
    timers.push(o.clock.setTimeout(() => done(null), o.timeoutMs));
  });
}
