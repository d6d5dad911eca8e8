/**
 * Byte-for-byte comparison of a SIP message as sent and as received, turned into named field
 * changes: start line / Request-URI, each header (RFC 3261 §7.3, compact forms folded), the
 * Content-Length (§20.14) and, for SDP bodies (RFC 4566 §5), the o=, c=, m= and a= lines.
 * Pure: the same code judges the client→server and the server→client direction.
 */
import { parseSipText, ipLiterals, declaredContentLength, type SipText } from './alg-sip.ts';

export interface FieldChange {
  /** "Via", "Contact", "Request-URI", "Content-Length", "SDP c=", "SDP m=audio", "Body"… */
  field: string;
  kind: 'rewritten' | 'added' | 'removed';
  before: string | null;
  after: string | null;
  /** IP literals present after the change that were not there before (what the middlebox wrote). */
  writtenAddresses: string[];
}

export interface SipComparison {
  identical: boolean;
  changes: FieldChange[];
  /** The received Content-Length matches the received body (false = a broken rewrite). */
  contentLengthConsistent: boolean;
  /** The received copy could not be parsed as SIP at all. */
  unparseable: boolean;
}

const MAX_SHOWN = 300;

export function compareSip(sentText: string, receivedText: string): SipComparison {
  if (sentText === receivedText) {
    const parsed = parseSipText(receivedText);
    return {
      identical: true,
      changes: [],
      contentLengthConsistent: parsed ? lengthOk(parsed) : true,
      unparseable: false,
    };
  }
  const sent = parseSipText(sentText);
  const recv = parseSipText(receivedText);
  if (!sent || !recv) {
    return {
      identical: false,
      changes: [change('Message', 'rewritten', sentText, receivedText)],
      contentLengthConsistent: false,
      unparseable: recv === null,
    };
  }
  const changes: FieldChange[] = [];
  if (sent.startLine !== recv.startLine) {
    const field =
      sent.kind === 'request' && recv.kind === 'request' && sent.method === recv.method
        ? 'Request-URI'
        : 'Start line';
    changes.push(
      change(
        field,
        'rewritten',
        field === 'Request-URI' ? sent.requestUri : sent.startLine,
        field === 'Request-URI' ? recv.requestUri : recv.startLine,
      ),
    );
  }
  changes.push(...compareHeaders(sent, recv));
  if (sent.body !== recv.body) changes.push(...compareBodies(sent, recv));
  return { identical: false, changes, contentLengthConsistent: lengthOk(recv), unparseable: false };
}

function lengthOk(m: SipText): boolean {
  const cl = declaredContentLength(m);
  if (cl === null) return m.body.length === 0;
  return cl === byteLength(m.body);
}

/** Bodies are compared as latin1 strings (one char per byte). */
function byteLength(s: string): number {
  return s.length;
}

function groupHeaders(m: SipText): Map<string, { rawName: string; value: string }[]> {
  const g = new Map<string, { rawName: string; value: string }[]>();
  for (const h of m.headers) {
    const list = g.get(h.name) ?? [];
    list.push({ rawName: h.rawName, value: h.value });
    g.set(h.name, list);
  }
  return g;
}

function compareHeaders(sent: SipText, recv: SipText): FieldChange[] {
  const a = groupHeaders(sent);
  const b = groupHeaders(recv);
  const names = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  const out: FieldChange[] = [];
  for (const name of names) {
    const sa = a.get(name) ?? [];
    const sb = b.get(name) ?? [];
    const multi = Math.max(sa.length, sb.length) > 1;
    const label = (i: number) => (multi ? `${name}[${i + 1}]` : name);
    for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
      const x = sa[i];
      const y = sb[i];
      if (x && y) {
        if (x.value !== y.value) out.push(change(label(i), 'rewritten', x.value, y.value));
        else if (x.rawName !== y.rawName)
          out.push(change(`${label(i)} (header name)`, 'rewritten', x.rawName, y.rawName));
      } else if (x) out.push(change(label(i), 'removed', x.value, null));
      else if (y) out.push(change(label(i), 'added', null, y.value));
    }
  }
  // Same headers and values but a different order still counts: some ALGs rebuild the message.
  if (out.length === 0) {
    const orderA = sent.headers.map((h) => h.name).join('\n');
    const orderB = recv.headers.map((h) => h.name).join('\n');
    if (orderA !== orderB)
      out.push(change('Header order', 'rewritten', orderA.replace(/\n/g, ', '), orderB.replace(/\n/g, ', ')));
  }
  return out;
}

function isSdp(m: SipText): boolean {
  const ct = m.headers.find((h) => h.name === 'Content-Type')?.value ?? '';
  return /^application\/sdp\b/i.test(ct) || /^v=0\r?\n/.test(m.body);
}

function compareBodies(sent: SipText, recv: SipText): FieldChange[] {
  if (!isSdp(sent) || !isSdp(recv)) return [change('Body', 'rewritten', sent.body, recv.body)];
  const a = sdpLines(sent.body);
  const b = sdpLines(recv.body);
  const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  const out: FieldChange[] = [];
  for (const k of keys) {
    const x = a.get(k);
    const y = b.get(k);
    if (x !== undefined && y !== undefined) {
      if (x !== y) out.push(change(`SDP ${k}`, 'rewritten', x, y));
    } else if (x !== undefined) out.push(change(`SDP ${k}`, 'removed', x, null));
    else if (y !== undefined) out.push(change(`SDP ${k}`, 'added', null, y));
  }
  // Line endings or trailing bytes changed with no line content change.
  if (out.length === 0) out.push(change('SDP body bytes', 'rewritten', sent.body, recv.body));
  return out;
}

/**
 * SDP lines keyed by a stable name: "o=", "c=" (session), "m=audio", "c= (audio)" (media-level),
 * "a=rtcp (audio)"; a repeated key gets "#2". Keys make the report read like the RFC.
 */
function sdpLines(body: string): Map<string, string> {
  const out = new Map<string, string>();
  let media: string | null = null;
  for (const line of body.split(/\r?\n/)) {
    if (line.length < 2 || line[1] !== '=') continue;
    const t = line[0]!;
    let key: string;
    if (t === 'm') {
      media = line.slice(2).split(' ')[0] ?? 'media';
      key = `m=${media}`;
    } else if (t === 'a') {
      const name = /^a=([^:\s]+)/.exec(line)?.[1] ?? line;
      key = `a=${name}`;
    } else key = `${t}=`;
    if (media && t !== 'm') key = `${key} (${media})`;
    let unique = key;
    for (let n = 2; out.has(unique); n++) unique = `${key} #${n}`;
    out.set(unique, line.slice(2));
  }
  return out;
}

function clip(s: string | null): string | null {
  if (s === null) return null;
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}… (${s.length} bytes)` : s;
}

function change(
  field: string,
  kind: FieldChange['kind'],
  before: string | null,
  after: string | null,
): FieldChange {
  const had = new Set(before ? ipLiterals(before) : []);
  const written = after ? ipLiterals(after).filter((ip) => !had.has(ip)) : [];
  return { field, kind, before: clip(before), after: clip(after), writtenAddresses: written };
}

/** Field names without the "[2]" index or " (audio)" media suffix — for the one-line summary. */
export function baseFieldName(field: string): string {
  return field
    .replace(/\[\d+\]/, '')
    .replace(/ \((?:header name)\)$/, '')
    .replace(/ #\d+$/, '');
}
