/**
 * The companion STUN server: RFC 8489 Binding, RFC 5780 behaviour discovery with two addresses
 * (CHANGE-REQUEST, OTHER-ADDRESS, RESPONSE-ORIGIN, RESPONSE-PORT, PADDING — the decision logic is
 * the STUN module's `answerBinding`) and RFC 3489 compatibility: classic requests (no magic cookie)
 * also get SOURCE-ADDRESS and CHANGED-ADDRESS (§11.2.5, §11.2.3) and no FINGERPRINT.
 *
 * Exposure: per-source (IPv4 /32, IPv6 /64) and total rate limits; datagrams over 2 KiB are
 * dropped (a Binding request is ~20–100 bytes, PADDING aside); RESPONSE-ADDRESS (RFC 3489 §11.2.2,
 * "send the answer elsewhere") is refused by answerBinding as an unknown attribute, so answers only
 * ever go to the request's source IP (RESPONSE-PORT changes the port, never the address). Every
 * answer fits in 3× its request (stun-budget.ts says what is left out of small requests' answers).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { UDP_AMPLIFICATION_FACTOR } from '../../../shared/model/alg-reflect.ts';
import type { Network, UdpSocket } from '../net/network.ts';
import {
  addAttribute,
  ChangedAddress,
  decodeMessage,
  encodeMessage,
  looksLikeStun,
  normalizeIp,
  Padding,
  SourceAddress,
  tryGetAttribute,
  type DecodedStunMessage,
} from '../stun/codec.ts';
import { answerBinding, type BindingServerConfig, type ServerSlot } from '../stun/server.ts';
import type { CompanionLogger } from './logger.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { sourceKey } from './source-key.ts';
import { fitStunAnswer } from './stun-budget.ts';

export const MAX_STUN_REQUEST_BYTES = 2048;
// 20 bytes: RFC 3489 parsers (Vovida stun-client) reject a SERVER string whose length is not a multiple of 4.
const SOFTWARE = 'NatScope companion 1';

export interface CompanionStunOptions {
  network: Pick<Network, 'bindUdp'>;
  /** [primary] or [primary, alternate]. */
  ips: readonly string[];
  ports: readonly [number, number];
  rateLimiter: RateLimiter;
  logger: CompanionLogger;
}

export interface CompanionStunServer {
  readonly endpoints: Endpoint[];
  readonly stats: { answered: number; dropped: number };
  close(): Promise<void>;
}

export async function startCompanionStun(o: CompanionStunOptions): Promise<CompanionStunServer> {
  const cfg: BindingServerConfig = { ips: o.ips, ports: o.ports, software: SOFTWARE };
  const slots: ServerSlot[] = [];
  for (let ip = 0; ip < Math.min(2, o.ips.length); ip++)
    for (let port = 0; port < 2; port++) slots.push({ ip: ip as 0 | 1, port: port as 0 | 1 });
  const key = (s: ServerSlot) => `${s.ip}/${s.port}`;
  const sockets = new Map<string, UdpSocket>();
  try {
    for (const s of slots)
      sockets.set(key(s), await o.network.bindUdp({ address: o.ips[s.ip], port: o.ports[s.port] }));
  } catch (err) {
    await Promise.all([...sockets.values()].map((s) => s.close()));
    throw err;
  }
  const stats = { answered: 0, dropped: 0 };
  for (const s of slots) {
    const sock = sockets.get(key(s))!;
    sock.onMessage((data, rawFrom) => {
      const client = { address: normalizeIp(rawFrom.address), port: rawFrom.port };
      if (data.length > MAX_STUN_REQUEST_BYTES || !looksLikeStun(data)) {
        stats.dropped++;
        return;
      }
      if (!o.rateLimiter.allow(sourceKey(client.address))) {
        stats.dropped++;
        return o.logger.log('debug', 'stun.drop', { reason: 'rate-limit', source: formatEndpoint(client) });
      }
      let req: DecodedStunMessage;
      try {
        req = decodeMessage(data);
      } catch (err) {
        stats.dropped++;
        return o.logger.log('debug', 'stun.drop', {
          reason: (err as Error).message,
          source: formatEndpoint(client),
        });
      }
      let r;
      try {
        r = answerBinding(req, client, s, cfg);
      } catch (err) {
        stats.dropped++;
        return o.logger.log('warn', 'stun.error', {
          error: (err as Error).message,
          source: formatEndpoint(client),
        });
      }
      if (!r) return;
      const twoIps = o.ips.length >= 2;
      if (req.classic && r.message.cls === 'success') {
        addAttribute(r.message, SourceAddress, { address: o.ips[r.from.ip]!, port: o.ports[r.from.port] });
        if (twoIps)
          addAttribute(r.message, ChangedAddress, { address: o.ips[1 - s.ip]!, port: o.ports[1 - s.port] });
      }
      const pad = tryGetAttribute(req, Padding);
      if (pad !== undefined && r.message.cls === 'success')
        addAttribute(r.message, Padding, Math.min(pad, MAX_STUN_REQUEST_BYTES));
      const fit = fitStunAnswer(r.message, {
        budget: UDP_AMPLIFICATION_FACTOR * data.length,
        classic: req.classic,
        wantFingerprint: !req.classic,
        requestHadFingerprint: req.hasFingerprint,
      });
      if (!fit) {
        stats.dropped++;
        return o.logger.log('debug', 'stun.drop', {
          reason: 'answer over 3x',
          source: formatEndpoint(client),
        });
      }
      const out = sockets.get(key(r.from)) ?? sock;
      stats.answered++;
      if (r.to.address !== client.address) return; // never reached: answers go to the source IP only
      out.send(encodeMessage(r.message, { fingerprint: fit.fingerprint }), r.to).catch(() => {});
      o.logger.log('debug', 'stun.answer', {
        source: formatEndpoint(client),
        from: formatEndpoint({ address: o.ips[r.from.ip]!, port: o.ports[r.from.port] }),
        classic: req.classic,
      });
    });
  }
  return {
    endpoints: slots.map((s) => ({ address: o.ips[s.ip]!, port: o.ports[s.port] })),
    stats,
    close: async () => {
      await Promise.all([...sockets.values()].map((x) => x.close()));
    },
  };
}
