/**
 * A minimal RFC 5780 Binding server (RFC 8489 §6.3.1 + RFC 5780 §6): answers from the address/port
 * pair a CHANGE-REQUEST asks for, honours RESPONSE-PORT, and reports XOR-MAPPED-ADDRESS,
 * MAPPED-ADDRESS, RESPONSE-ORIGIN and OTHER-ADDRESS. Used by the unit tests, by the lab's
 * "ignores CHANGE-REQUEST" fixture (`ignoreChangeRequest`), and meant for `natscope server`.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Network, UdpSocket } from '../net/network.ts';
import { addAttribute, getAttribute } from './attribute.ts';
import { MappedAddress, OtherAddress, ResponseOrigin } from './attr-address.ts';
import { ChangeRequestAttr } from './attr-change-request.ts';
import { ErrorCode } from './attr-error-code.ts';
import { ResponsePort } from './attr-response-port.ts';
import { Software } from './attr-text.ts';
import { UnknownAttributes } from './attr-unknown-attributes.ts';
import { XorMappedAddress } from './attr-xor-address.ts';
import { ATTR, METHOD, isComprehensionRequired } from './constants.ts';
import { StunError } from './errors.ts';
import { normalizeIp } from './ip.ts';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  looksLikeStun,
  type DecodedStunMessage,
  type StunMessage,
} from './message.ts';

/** Index of the server's address (0 primary, 1 alternate) and port (0 primary, 1 alternate). */
export interface ServerSlot {
  ip: 0 | 1;
  port: 0 | 1;
}

export interface BindingServerConfig {
  /** [primary, alternate] IPs; a single IP makes the server non-RFC 5780 (no OTHER-ADDRESS). */
  ips: readonly string[];
  /** [primary, alternate] ports. */
  ports: readonly [number, number];
  software?: string;
  /** Misbehave like some public servers: always answer from where the request arrived. */
  ignoreChangeRequest?: boolean;
  /** Do not send OTHER-ADDRESS / RESPONSE-ORIGIN (a plain RFC 8489 server). */
  basic?: boolean;
}

const KNOWN = new Set<number>([
  ATTR.CHANGE_REQUEST,
  ATTR.RESPONSE_PORT,
  ATTR.PADDING,
  ATTR.USERNAME,
  ATTR.MESSAGE_INTEGRITY,
  ATTR.FINGERPRINT,
]);

export interface BindingReply {
  message: StunMessage;
  from: ServerSlot;
  to: Endpoint;
}

/** Pure request → reply logic; null for anything that must be silently dropped (RFC 8489 §6.3). */
export function answerBinding(
  req: DecodedStunMessage,
  client: Endpoint,
  arrivedOn: ServerSlot,
  cfg: BindingServerConfig,
): BindingReply | null {
  if (req.cls !== 'request') return null;
  const reply = (m: StunMessage, from: ServerSlot = arrivedOn, to: Endpoint = client): BindingReply => ({
    message: m,
    from,
    to,
  });
  const base = { transactionId: req.transactionId, cookie: req.cookie, method: req.method };
  if (req.method !== METHOD.BINDING) {
    const m = createMessage({ cls: 'error', ...base });
    addAttribute(m, ErrorCode, { code: 400, reason: 'Bad Request' });
    return reply(m);
  }
  const unknown = req.attributes
    .filter((a) => isComprehensionRequired(a.type) && !KNOWN.has(a.type))
    .map((a) => a.type);
  if (unknown.length) {
    const m = createMessage({ cls: 'error', ...base });
    addAttribute(m, ErrorCode, { code: 420, reason: 'Unknown Attribute' });
    addAttribute(m, UnknownAttributes, unknown);
    return reply(m);
  }
  let change;
  let responsePort;
  try {
    change = getAttribute(req, ChangeRequestAttr);
    responsePort = getAttribute(req, ResponsePort);
  } catch (err) {
    if (!(err instanceof StunError)) throw err;
    const m = createMessage({ cls: 'error', ...base });
    addAttribute(m, ErrorCode, { code: 400, reason: 'Bad Request' });
    return reply(m);
  }
  const twoIps = cfg.ips.length >= 2 && !cfg.basic;
  if (change && (change.changeIp || change.changePort) && !twoIps) {
    // RFC 5780 §6.1: a server without an alternate address rejects CHANGE-REQUEST
    const m = createMessage({ cls: 'error', ...base });
    addAttribute(m, ErrorCode, { code: 420, reason: 'Unknown Attribute' });
    addAttribute(m, UnknownAttributes, [ATTR.CHANGE_REQUEST]);
    return reply(m);
  }
  let from: ServerSlot = arrivedOn;
  if (change && !cfg.ignoreChangeRequest) {
    from = {
      ip: (change.changeIp ? 1 - arrivedOn.ip : arrivedOn.ip) as 0 | 1,
      port: (change.changePort ? 1 - arrivedOn.port : arrivedOn.port) as 0 | 1,
    };
  }
  const m = createMessage({ cls: 'success', ...base });
  if (!req.classic) addAttribute(m, XorMappedAddress, client);
  addAttribute(m, MappedAddress, client);
  if (twoIps) {
    addAttribute(m, ResponseOrigin, { address: cfg.ips[from.ip]!, port: cfg.ports[from.port] });
    addAttribute(m, OtherAddress, {
      address: cfg.ips[1 - arrivedOn.ip]!,
      port: cfg.ports[1 - arrivedOn.port]!,
    });
  }
  if (cfg.software) addAttribute(m, Software, cfg.software);
  return reply(
    m,
    from,
    responsePort !== undefined ? { address: client.address, port: responsePort } : client,
  );
}

export interface RunningBindingServer {
  /** Primary address of the server. */
  primary: Endpoint;
  /** Requests answered so far. */
  answered: number;
  close(): Promise<void>;
}

/** Binds one UDP socket per (ip, port) slot and answers Binding requests on all of them. */
export async function startBindingServer(
  network: Network,
  cfg: BindingServerConfig,
): Promise<RunningBindingServer> {
  const sockets = new Map<string, UdpSocket>();
  const slots: ServerSlot[] = [];
  for (let ip = 0; ip < Math.min(2, cfg.ips.length); ip++)
    for (let port = 0; port < 2; port++) slots.push({ ip: ip as 0 | 1, port: port as 0 | 1 });
  const key = (s: ServerSlot) => `${s.ip}/${s.port}`;
  try {
    for (const s of slots)
      sockets.set(key(s), await network.bindUdp({ address: cfg.ips[s.ip], port: cfg.ports[s.port] }));
  } catch (err) {
    await Promise.all([...sockets.values()].map((s) => s.close()));
    throw err;
  }
  const state: RunningBindingServer = {
    primary: { address: cfg.ips[0]!, port: cfg.ports[0] },
    answered: 0,
    close: async () => {
      await Promise.all([...sockets.values()].map((s) => s.close()));
    },
  };
  for (const s of slots) {
    const sock = sockets.get(key(s))!;
    sock.onMessage((data, rawFrom) => {
      if (!looksLikeStun(data)) return;
      let req: DecodedStunMessage;
      try {
        req = decodeMessage(data);
      } catch {
        return;
      }
      const client = { address: normalizeIp(rawFrom.address), port: rawFrom.port };
      const r = answerBinding(req, client, s, cfg);
      if (!r) return;
      const out = sockets.get(key(r.from)) ?? sock;
      state.answered++;
      out.send(encodeMessage(r.message, { fingerprint: true }), r.to).catch(() => {});
    });
  }
  return state;
}
