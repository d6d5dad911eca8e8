/**
 * Minimal, lossless SIP message text model for the ALG test — RFC 3261 §7 (message structure),
 * §7.3.1 (header field format, folding), §7.3.3 (compact forms), §20.14 (Content-Length).
 * It keeps every header line in wire order with its exact value, so a sent and a received copy of
 * one message can be compared field by field. Pure: no Node, no DOM. Never throws on bad input:
 * `parseSipText` returns null when the text is not a SIP message at all.
 */

export interface SipHeaderLine {
  /** Name as written on the wire ("v", "Via", "VIA"). */
  rawName: string;
  /** Canonical long-form name ("Via"), compact forms expanded. */
  name: string;
  /** Value with leading/trailing whitespace trimmed and folded lines joined by one space. */
  value: string;
}

export interface SipText {
  startLine: string;
  /** 'request' with method/uri, or 'response' with status. */
  kind: 'request' | 'response';
  method: string | null;
  requestUri: string | null;
  status: number | null;
  headers: SipHeaderLine[];
  body: string;
  /** The header block was terminated by an empty line (CRLF CRLF or LF LF). */
  complete: boolean;
}

/** RFC 3261 §7.3.3 compact forms, plus RFC 3515/3892/4028/3841 ones seen in the wild. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  o: 'Event',
  r: 'Refer-To',
  b: 'Referred-By',
  u: 'Allow-Events',
  x: 'Session-Expires',
  a: 'Accept-Contact',
  j: 'Reject-Contact',
  d: 'Request-Disposition',
};

const SPECIAL_CASE: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
};

/** "via" / "v" / "VIA" → "Via"; unknown names are title-cased per dash-separated word. */
export function canonicalHeaderName(raw: string): string {
  const lower = raw.trim().toLowerCase();
  if (lower.length === 1 && COMPACT[lower]) return COMPACT[lower];
  if (SPECIAL_CASE[lower]) return SPECIAL_CASE[lower];
  return lower
    .split('-')
    .map((w) => (w.length ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join('-');
}

const REQUEST_LINE = /^([A-Za-z]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 (\d{3})(?: .*)?$/;

/** Splits a SIP message into start line, header lines and body. Null when it is not SIP. */
export function parseSipText(text: string): SipText | null {
  const sep = findHeaderEnd(text);
  const head = sep ? text.slice(0, sep.index) : text;
  const body = sep ? text.slice(sep.index + sep.length) : '';
  const lines = head.split(/\r?\n/);
  const startLine = (lines.shift() ?? '').trimEnd();
  const req = REQUEST_LINE.exec(startLine);
  const resp = req ? null : STATUS_LINE.exec(startLine);
  if (!req && !resp) return null;
  const headers: SipHeaderLine[] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    if ((line[0] === ' ' || line[0] === '\t') && headers.length > 0) {
      // §7.3.1 folding: a continuation line belongs to the previous header
      const prev = headers[headers.length - 1]!;
      prev.value = `${prev.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      headers.push({ rawName: line, name: '(malformed)', value: line });
      continue;
    }
    const rawName = line.slice(0, colon).trim();
    headers.push({ rawName, name: canonicalHeaderName(rawName), value: line.slice(colon + 1).trim() });
  }
  return {
    startLine,
    kind: req ? 'request' : 'response',
    method: req ? req[1]!.toUpperCase() : null,
    requestUri: req ? req[2]! : null,
    status: resp ? Number(resp[1]) : null,
    headers,
    body,
    complete: sep !== null,
  };
}

function findHeaderEnd(text: string): { index: number; length: number } | null {
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return null;
}

/** All values of a header (canonical name), in order; comma-separated Via/Contact values are kept whole. */
export function headerValues(msg: SipText, name: string): string[] {
  const canon = canonicalHeaderName(name);
  return msg.headers.filter((h) => h.name === canon).map((h) => h.value);
}

export function firstHeader(msg: SipText, name: string): string | null {
  return headerValues(msg, name)[0] ?? null;
}

/** Via sent-by (host and optional port) and parameters — RFC 3261 §20.42, RFC 3581 (rport). */
export interface ViaValue {
  transport: string;
  host: string;
  port: number | null;
  params: Record<string, string | null>;
}

export function parseVia(value: string): ViaValue | null {
  // only the first via-parm when several are comma-joined on one line
  const first = splitTopLevel(value)[0] ?? '';
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^\s;:]+)(?::(\d+))?\s*(.*)$/i.exec(
    first.trim(),
  );
  if (!m) return null;
  const params: Record<string, string | null> = {};
  for (const p of m[4]!.split(';')) {
    const t = p.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq < 0) params[t.toLowerCase()] = null;
    else params[t.slice(0, eq).trim().toLowerCase()] = t.slice(eq + 1).trim();
  }
  return {
    transport: m[1]!.toUpperCase(),
    host: m[2]!.replace(/^\[|\]$/g, ''),
    port: m[3] ? Number(m[3]) : null,
    params,
  };
}

/** Splits on commas that are not inside <...> or "..." (RFC 3261 §7.3.1 multi-value headers). */
export function splitTopLevel(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0 && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Host and port of the first SIP URI in a header value or URI ("<sip:u@1.2.3.4:5060;x>"). */
export function uriHostPort(value: string): { host: string; port: number | null } | null {
  const m = /sips?:(?:[^@<>;\s]*@)?(\[[^\]]+\]|[^\s;:>?]+)(?::(\d+))?/i.exec(value);
  if (!m) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : null };
}

/** IPv4 / IPv6 literals appearing in a string (for "which address did the ALG write?"). */
export function ipLiterals(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})\b/g)) {
    if (m[1]!.split('.').every((o) => Number(o) <= 255)) out.add(m[1]!);
  }
  for (const m of text.matchAll(/\[([0-9a-fA-F:.]+)\]|\b((?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4})\b/g)) {
    const v = m[1] ?? m[2];
    if (v && v.includes(':')) out.add(v.toLowerCase());
  }
  return [...out];
}

/** The Content-Length a stream transport must read, or null when absent/invalid (§18.3). */
export function declaredContentLength(msg: SipText): number | null {
  const v = firstHeader(msg, 'Content-Length');
  if (v === null || !/^\d{1,9}$/.test(v)) return null;
  return Number(v);
}
