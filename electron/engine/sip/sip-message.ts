/**
 * SIP message parsing (RFC 3261 §7, §20) delegated to SIP.js's core Parser and grammar; this
 * wrapper never throws and normalises what the transaction layer and the UA need.
 */
import {
  Grammar,
  IncomingRequestMessage,
  IncomingResponseMessage,
  LoggerFactory,
  Parser,
  type URI,
} from 'sip.js/lib/core/index.js';

const loggerFactory = new LoggerFactory();
// SIP.js logs through console by default; NatScope keeps its own message log and must not print.
loggerFactory.builtinEnabled = false;
loggerFactory.level = 0;
const logger = loggerFactory.getLogger('natscope.sip');

export { loggerFactory as sipLoggerFactory };

export interface TopVia {
  transport: string;
  host: string;
  port: number | undefined;
  branch: string;
  rport: number | null;
  received: string | null;
}

/** A parsed response: parseSip guarantees the status code and reason phrase. */
export type SipResponse = IncomingResponseMessage & { statusCode: number; reasonPhrase: string };
export type SipMessage = IncomingRequestMessage | SipResponse;

export function parseSip(text: string): SipMessage | null {
  try {
    const m = Parser.parseMessage(text, logger);
    if (!m) return null;
    // Mandatory headers for transaction matching (RFC 3261 §8.1.1).
    if (!m.callId || !m.cseq || !m.method || !m.getHeader('via') || !m.from || !m.to) return null;
    if (m instanceof IncomingResponseMessage && (!m.statusCode || m.statusCode < 100 || m.statusCode > 699))
      return null;
    return m as SipMessage;
  } catch {
    return null;
  }
}

export function isResponse(m: SipMessage): m is SipResponse {
  return m instanceof IncomingResponseMessage;
}

export function topVia(m: SipMessage): TopVia | null {
  const v = m.via as unknown as
    | {
        transport?: string;
        host?: string;
        port?: number;
        branch?: string;
        rport?: string | number;
        received?: string;
      }
    | undefined;
  if (!v?.host) return null;
  const rport = v.rport === undefined || v.rport === null || v.rport === '' ? null : Number(v.rport);
  return {
    transport: String(v.transport ?? ''),
    host: v.host,
    port: v.port,
    branch: v.branch ?? '',
    rport: rport !== null && Number.isInteger(rport) && rport > 0 ? rport : null,
    received: v.received ?? null,
  };
}

export function parseUri(s: string): URI | null {
  try {
    const u = Grammar.URIParse(s);
    return u instanceof Object ? (u as URI) : null;
  } catch {
    return null;
  }
}

/** The URI inside a Contact / Route / Record-Route value ("<sip:…>;params" or a bare URI). */
export function uriOfNameAddr(value: string): string | null {
  const m = /<([^>]+)>/.exec(value);
  if (m) return m[1]!;
  const bare = value.split(';')[0]?.trim();
  return bare && /^sips?:/i.test(bare) ? bare : null;
}

/** Splits a comma-separated header value list, ignoring commas inside <…> and quotes. */
export function splitHeaderList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '<') depth++;
    if (!quoted && ch === '>') depth--;
    if (ch === ',' && depth === 0 && !quoted) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function randomToken(bytes = 8): string {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}
